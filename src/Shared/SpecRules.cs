// Shared source: compiled into the runtime, the generator and the analyzers, so that a tiling
// rule or a resource estimate is written once.
namespace AttnDsl.Rules
{
    /// <summary>Validity of the tile and head sizes of an [AttentionKernel].</summary>
    internal static class SpecRules
    {
        public const int DimMultiple = 16;
        public const int MaxHeadDim = 256;
        public const int MinBlock = 16;
        public const int MaxBlock = 256;

        /// <summary>HeadDim / HeadDimV: a positive multiple of 16, at most 256.</summary>
        public static bool IsValidHeadDim(int value) => value > 0 && value <= MaxHeadDim && value % DimMultiple == 0;

        /// <summary>BlockM / BlockN: a multiple of 16 in [16, 256].</summary>
        public static bool IsValidBlock(int value) => value >= MinBlock && value <= MaxBlock && value % DimMultiple == 0;

        /// <summary>The valid head dimension nearest to <paramref name="value"/>.</summary>
        public static int NearestHeadDim(int value) => Clamp(RoundToMultiple(value), DimMultiple, MaxHeadDim);

        /// <summary>The valid block size nearest to <paramref name="value"/>.</summary>
        public static int NearestBlock(int value) => Clamp(RoundToMultiple(value), MinBlock, MaxBlock);

        /// <summary>HeadDim multiple of int8 [Quantize]: QK^T runs as int8 MMAs whose k-step is 32 wide (m16n8k32).</summary>
        public const int QuantizedHeadDimMultiple = 32;

        /// <summary>HeadDim of an int8 [Quantize] spec: a valid head dimension that is also a multiple of 32.</summary>
        public static bool IsValidQuantizedHeadDim(int value) => IsValidHeadDim(value) && value % QuantizedHeadDimMultiple == 0;

        /// <summary>
        /// The valid int8 head dimension for <paramref name="value"/>: the next multiple of 32, in [32, 256].
        /// A valid HeadDim that fails the int8 rule is an odd multiple of 16, halfway between two multiples
        /// of 32; rounding up is the choice that keeps every lane (the extra ones are padded with zeros).
        /// </summary>
        public static int NearestQuantizedHeadDim(int value) =>
            value >= MaxHeadDim ? MaxHeadDim
            : value <= QuantizedHeadDimMultiple ? QuantizedHeadDimMultiple
            : (value + QuantizedHeadDimMultiple - 1) / QuantizedHeadDimMultiple * QuantizedHeadDimMultiple;

        private static int RoundToMultiple(int value) => (int)System.Math.Round(value / (double)DimMultiple, System.MidpointRounding.AwayFromZero) * DimMultiple;

        private static int Clamp(int value, int min, int max) => value < min ? min : value > max ? max : value;
    }

    /// <summary>Resource estimates of the generated kernels; the dispatcher and the diagnostics use these same functions.</summary>
    internal static class ResourceEstimates
    {
        /// <summary>Shared memory the portable tiled kernel stages K and V in: below the 48 KB that needs no opt-in.</summary>
        public const int PortableStageBudgetBytes = 32 * 1024;

        /// <summary>Keys per shared-memory stage of the portable tiled kernel (a divisor of BlockN).</summary>
        public static int PortableStageKeys(int blockN, int headDim, int headDimV, int elementSize)
        {
            int keys = blockN;
            while (keys % 2 == 0 && keys > 1 && (long)keys * (headDim + headDimV) * elementSize > PortableStageBudgetBytes)
                keys /= 2;
            return keys;
        }

        /// <summary>Shared memory per group of the portable tiled kernel.</summary>
        public static int PortableSharedMemoryBytes(int blockN, int headDim, int headDimV, int elementSize) =>
            PortableStageKeys(blockN, headDim, headDimV, elementSize) * (headDim + headDimV) * elementSize;

        /// <summary>FP32 registers per thread of the portable kernels: the query row, the accumulator row and the softmax state.</summary>
        public static int PortableRegistersPerThread(int headDim, int headDimV) => headDim + headDimV + 2;

        /// <summary>Shared memory per block the tensor-core path needs on Hopper (227 KB with the opt-in).</summary>
        public const int TensorCoreSharedMemoryLimitBytes = 227 * 1024;

        /// <summary>Registers a thread may hold before the compiler spills (sm_80/sm_90).</summary>
        public const int RegisterLimit = 255;

        /// <summary>16-bit elements of padding after every shared-memory row of the tensor-core path: keeps rows 16-byte aligned and spreads ldmatrix rows over the banks.</summary>
        public const int TensorCoreRowPadding = 8;

        /// <summary>
        /// Shared memory of the tensor-core path: the Q tile plus K and V tiles double-buffered
        /// (FlashAttention-2's layout), every row padded by <see cref="TensorCoreRowPadding"/> elements.
        /// </summary>
        public static long TensorCoreSharedMemoryBytes(int blockM, int blockN, int headDim, int headDimV, int elementSize) =>
            ((long)blockM * (headDim + TensorCoreRowPadding)
             + 2L * blockN * (headDim + TensorCoreRowPadding + headDimV + TensorCoreRowPadding)) * elementSize;

        /// <summary>
        /// Warps per group and 16-row query slices per warp of the tensor-core path. Two slices per warp
        /// (FlashAttention-2's 4 warps x 32 rows at BlockM 128) halve the shared-memory reads per MMA when
        /// the two slices' FP32 score and output fragments take at most 192 of the 255 registers (D = 128 at
        /// BlockN 64 exactly: a few spilled bookkeeping registers cost less than the doubled ldmatrix traffic
        /// of one slice per warp, 268.6 vs 243.4 TFLOP/s causal on the H100); one otherwise.
        /// </summary>
        public static (int Warps, int SlicesPerWarp) TensorCoreWarps(int blockM, int blockN, int headDimV)
        {
            int slices = blockM / 16;
            bool two = slices >= 8 && slices % 2 == 0 && 2 * (blockN / 2 + headDimV / 2) <= 192;
            return two ? (slices / 2, 2) : (slices, 1);
        }

        /// <summary>
        /// 32-bit registers per thread for the tensor-core path's fragments (each warp owns 16 query rows):
        /// the FP32 output accumulator (16 x HeadDimV over 32 lanes), the FP32 score tile (16 x BlockN) and
        /// the softmax state, plus the packed Q fragments of every k-step as if all were held at once
        /// (the kernel reloads them from shared memory per k-step, so this bound is conservative).
        /// </summary>
        public static int TensorCoreRegistersPerThread(int blockN, int headDim, int headDimV) =>
            headDimV / 2 + blockN / 2 + headDim / 4 + 4;

        /// <summary>
        /// The tile nearest to (<paramref name="blockM"/>, <paramref name="blockN"/>) whose tensor-core shared
        /// memory fits: the largest BlockN that fits with BlockM kept, else the largest smaller BlockM for which
        /// some BlockN fits, with the largest such BlockN. (16, 16) when nothing fits.
        /// </summary>
        public static (int BlockM, int BlockN) NearestTensorCoreTiles(int blockM, int blockN, int headDim, int headDimV, int elementSize)
        {
            for (int m = blockM; m >= SpecRules.MinBlock; m -= SpecRules.DimMultiple)
            {
                for (int n = blockN; n >= SpecRules.MinBlock; n -= SpecRules.DimMultiple)
                {
                    if (TensorCoreSharedMemoryBytes(m, n, headDim, headDimV, elementSize) <= TensorCoreSharedMemoryLimitBytes)
                        return (m, n);
                }
            }
            return (SpecRules.MinBlock, SpecRules.MinBlock);
        }

        /// <summary>The largest BlockN up to <paramref name="blockN"/> whose tensor-core fragments fit in <see cref="RegisterLimit"/> (16 at least).</summary>
        public static int NearestRegisterBlockN(int blockN, int headDim, int headDimV)
        {
            int n = blockN;
            while (n > SpecRules.MinBlock && TensorCoreRegistersPerThread(n, headDim, headDimV) > RegisterLimit)
                n -= SpecRules.DimMultiple;
            return n;
        }
    }

    /// <summary>
    /// The tile of a spec whose BlockM / BlockN are not set (0): the fastest tile measured on the H100 for the tensor-core
    /// kernels by head dim and mask class (docs/benchmarks.md, "Tiles chosen for the user"), shrunk where the estimates of
    /// <see cref="ResourceEstimates"/> say it does not fit. A set size is kept as written. Float32 specs (portable kernels
    /// only) and specs whose tiles are part of their meaning ([BlockSparse] masks, [BlockSelect] selections and [Quantize]
    /// scales are per tile) keep the portable default.
    /// </summary>
    internal static class TileChoice
    {
        /// <summary>The tile of Float32 and tile-granular specs: the portable kernels' own choice.</summary>
        public const int PortableDefault = 64;

        /// <summary>The mask classes the table tells apart.</summary>
        public enum MaskClass
        {
            /// <summary>Causal or document masks, no window, no ALiBi: long rows of whole blocks.</summary>
            LongRows,

            /// <summary>A sliding window: few blocks per row, two of them partial.</summary>
            Window,

            /// <summary>Everything else (dense, ALiBi, custom masks without causality).</summary>
            Other,
        }

        /// <summary>
        /// The tile for <paramref name="blockM"/> / <paramref name="blockN"/> as written (0 = choose). <paramref name="element"/>:
        /// 0 Float16, 1 BFloat16, 2 Float32. <paramref name="tileGranular"/>: the spec's meaning depends on its tiles.
        /// </summary>
        public static (int BlockM, int BlockN) Choose(int blockM, int blockN, int headDim, int headDimV, int element, MaskClass mask, bool tileGranular)
        {
            if (blockM != 0 && blockN != 0)
                return (blockM, blockN);
            if (element == 2 || tileGranular)
                return (blockM != 0 ? blockM : PortableDefault, blockN != 0 ? blockN : PortableDefault);
            int dv = headDimV == 0 ? headDim : headDimV;
            // H100, N = 16384 (docs/benchmarks.md): D <= 64 takes 128 x 128 but for windows (64 x 64); larger head dims take
            // 128 x 64 (FlashAttention-2's tile) but for long causal or document rows (128 x 128).
            var (m, n) = headDim <= 64
                ? (mask == MaskClass.Window ? (64, 64) : (128, 128))
                : (128, mask == MaskClass.LongRows ? 128 : 64);
            m = blockM != 0 ? blockM : m;
            n = blockN != 0 ? blockN : n;
            // Shrink what was chosen (never what was written) until the tensor-core estimates fit.
            while (ResourceEstimates.TensorCoreSharedMemoryBytes(m, n, headDim, dv, 2) > ResourceEstimates.TensorCoreSharedMemoryLimitBytes
                   || ResourceEstimates.TensorCoreRegistersPerThread(n, headDim, dv) > ResourceEstimates.RegisterLimit)
            {
                if (blockN == 0 && n > 64)
                    n = 64;
                else if (blockM == 0 && m > 64)
                    m = 64;
                else if (blockN == 0 && n > SpecRules.MinBlock)
                    n -= SpecRules.DimMultiple;
                else if (blockM == 0 && m > SpecRules.MinBlock)
                    m -= SpecRules.DimMultiple;
                else
                    break; // a written size that cannot fit: ATTN1014 / ATTN1015 say so
            }
            return (m, n);
        }
    }

    /// <summary>
    /// What an <c>AttentionShape</c> must satisfy before <c>Run</c> launches anything (the call-site
    /// analyzer checks constant shapes against these; <c>AttentionValidation</c> throws at run time).
    /// </summary>
    internal static class ShapeRules
    {
        /// <summary>How a shape breaks Run's checks; the runtime maps each kind to its exception type.</summary>
        public enum ProblemKind
        {
            NonPositive,
            HeadsNotDivisible,
            NotSelfAttention,
            TooManyRows,
        }

        /// <summary>One broken rule: its kind, the offending value and a sentence with the expected and actual values.</summary>
        public readonly struct Problem
        {
            public Problem(ProblemKind kind, long actual, string message)
            {
                Kind = kind;
                Actual = actual;
                Message = message;
            }

            public ProblemKind Kind { get; }

            public long Actual { get; }

            public string Message { get; }
        }

        /// <summary>Every way the sizes break Run's checks, in the order Run checks them; empty when they are fine.</summary>
        public static System.Collections.Generic.List<Problem> Check(int batch, int queryHeads, int keyValueHeads, int queryLength, int keyLength, bool documentMask)
        {
            var problems = new System.Collections.Generic.List<Problem>();
            NonPositive(problems, "Batch", batch);
            NonPositive(problems, "QueryHeads", queryHeads);
            NonPositive(problems, "KeyValueHeads", keyValueHeads);
            NonPositive(problems, "QueryLength", queryLength);
            NonPositive(problems, "KeyLength", keyLength);
            if (queryHeads > 0 && keyValueHeads > 0 && queryHeads % keyValueHeads != 0)
                problems.Add(new Problem(ProblemKind.HeadsNotDivisible, queryHeads % keyValueHeads,
                    $"shape.QueryHeads ({Str(queryHeads)}) must be a multiple of shape.KeyValueHeads ({Str(keyValueHeads)}): expected QueryHeads % KeyValueHeads == 0, actual remainder {Str(queryHeads % keyValueHeads)}"));
            if (documentMask && queryLength != keyLength)
                problems.Add(new Problem(ProblemKind.NotSelfAttention, keyLength,
                    $"[DocumentMask] needs self-attention: expected shape.KeyLength == shape.QueryLength ({Str(queryLength)}), actual {Str(keyLength)}"));
            long rows = (long)batch * queryHeads * queryLength;
            if (batch > 0 && queryHeads > 0 && queryLength > 0 && rows > int.MaxValue)
                problems.Add(new Problem(ProblemKind.TooManyRows, rows,
                    $"Batch * QueryHeads * QueryLength is {rows.ToString(System.Globalization.CultureInfo.InvariantCulture)}; at most {Str(int.MaxValue)} query rows are supported per call"));
            return problems;
        }

        /// <summary>The messages of <see cref="Check"/>.</summary>
        public static System.Collections.Generic.List<string> Problems(int batch, int queryHeads, int keyValueHeads, int queryLength, int keyLength, bool documentMask) =>
            Check(batch, queryHeads, keyValueHeads, queryLength, keyLength, documentMask).ConvertAll(p => p.Message);

        private static void NonPositive(System.Collections.Generic.List<Problem> problems, string name, int value)
        {
            if (value <= 0)
                problems.Add(new Problem(ProblemKind.NonPositive, value, $"shape.{name} must be positive: expected >= 1, actual {Str(value)}"));
        }

        private static string Str(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
