namespace AttnDsl.GpuBench.Specs
{
    // The benchmarked specs: Float16, BHND, at HeadDim 64 and 128. HeadDim 128: BlockM = 128, BlockN = 128 for causal and
    // documents (8 warps x 16 rows; causal 442.7 vs 436.4 TFLOP/s at 128 x 64 on the H100 in an earlier binary, a tie
    // since: 508.0 / 528.0 vs 521.1 / 524.1) and 128 x 64 (FlashAttention-2's tile: 4 warps x 32 rows) for dense (491.3 vs
    // 486.0), the sliding window (385.3 / 387.3 vs 374.4 / 371.7) and ALiBi (478.6 / 474.4 vs 470.7 / 462.9). HeadDim 64:
    // 128 x 128 (4 warps x 32 rows): causal 377.0 vs 338.0 at 128 x 64; 8 warps x 16 rows ran 14-18% slower there; the
    // sliding window at 64 x 64 (322.0 / 321.3 vs 299.9 / 302.9 at 128 x 128). Figures of the window, documents and ALiBi
    // in two rounds on the binary after the band masks' cheaper steps (45584a6); documents at 128 x 128 at both head dims
    // (D=64: 230.2 / 228.2 vs 221.1 / 219.0 at 64 x 64). The variants below keep the comparisons. The same masks are built
    // in PyTorch by benchmarks/gpu/bench_torch.py.

    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    public static partial class DenseD64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    public static partial class DenseD128;

    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal]
    public static partial class CausalD64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal]
    public static partial class CausalD128;

    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class CausalWindowD64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class CausalWindowD128;

    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentCausalD64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentCausalD128;

    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, Alibi]
    public static partial class CausalAlibiD64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, Alibi]
    public static partial class CausalAlibiD128;

    // Tile variants (--variants): the same masks at other BlockM x BlockN, reported as
    // impl "attndsl-<BlockM>x<BlockN>" in the JSON lines, to choose the default tile above.
    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal]
    public static partial class CausalD64Tile64x64;

    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal]
    public static partial class CausalD64Tile128x64;

    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal]
    public static partial class CausalD128Tile64x64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 32, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal]
    public static partial class CausalD128Tile128x32;

    // HeadDim 128: the masked specs at 128 x 64 (4 warps x 32 rows) and dense at 128 x 128.
    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal]
    public static partial class CausalD128Tile128x64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    public static partial class DenseD128Tile128x128;

    // Documents at other tiles: a 128-row query tile sees about ten key blocks of the benchmark's documents, so a
    // tile's own start and end weigh more than under a plain causal mask; 64 x 64 was ahead at HeadDim 64 until 45584a6.
    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentD64Tile64x64;

    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentD64Tile64x128;

    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentD64Tile128x64;

    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentD128Tile64x64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentD128Tile128x64;

    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentD128Tile64x128;

    // The sliding window at other tiles: at HeadDim 64, 128 x 128 was ahead while each step searched and classified
    // its block at length (270.6 vs 257.3 at 64 x 64); 64 x 64 is since 45584a6 (see above).
    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class WindowD64Tile128x128;

    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class WindowD64Tile64x128;

    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class WindowD64Tile128x64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class WindowD128Tile128x128;

    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class WindowD128Tile64x64;

    // ALiBi at HeadDim 128 on the causal spec's tile.
    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, Alibi]
    public static partial class AlibiD128Tile128x128;

    // [BlockSelect] at HeadDim 128, 128 x 64 tiles (--sparse): TopFraction 0.08 of the causally visible key
    // blocks plus the diagonal and the first block keep about 10% of them at N = 32768.
    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, BlockSelect(BlockEstimator.MeanPooled, TopFraction = 0.08)]
    public static partial class SelectCausalD128;
}

namespace AttnDsl.GpuBench.Specs
{
    /// <summary>[Quantize] rows (GpuBench --quant): SageAttention's int8 QK^T with smoothed keys, tiles as the Float16 rows.</summary>
    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, Quantize(QuantFormat.Int8, Granularity = QuantGranularity.PerBlock, SmoothKeys = true)]
    public static partial class SageCausalD128;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Quantize(QuantFormat.Int8, Granularity = QuantGranularity.PerBlock, SmoothKeys = true)]
    public static partial class SageDenseD128;
}

namespace AttnDsl.GpuBench.Specs
{
    // What users write that the grid's specs do not (--variants): the window as a [MaskMod] (its blocks classified on the
    // device once per shape), and Gemma-2's soft-cap under the causal mask, each at the tiles of the built-in spec it is
    // compared with.

    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    public static partial class WindowModD64
    {
        [MaskMod]
        public static bool CausalWindow(int batch, int head, int query, int key) => key <= query && query - key <= 1024;
    }

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    public static partial class WindowModD128
    {
        [MaskMod]
        public static bool CausalWindow(int batch, int head, int query, int key) => key <= query && query - key <= 1024;
    }

    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SoftCap(50)]
    public static partial class CausalSoftCapD64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SoftCap(50)]
    public static partial class CausalSoftCapD128;
}

namespace AttnDsl.GpuBench.Specs
{
    /// <summary>
    /// <see cref="WindowModD128"/> with a tensor argument (one zero int): a mod that reads a tensor is classified on every call,
    /// so this row minus the cached one is the classification's cost per call.
    /// </summary>
    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    public static partial class WindowTensorModD128
    {
        [MaskMod]
        public static bool GatedCausalWindow(int batch, int head, int query, int key, ILGPU.ArrayView<int> gate) =>
            gate[0] == 0 && key <= query && query - key <= 1024;
    }
}
