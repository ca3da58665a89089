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
    }
}
