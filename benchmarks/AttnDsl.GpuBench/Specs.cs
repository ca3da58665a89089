namespace AttnDsl.GpuBench.Specs
{
    // The benchmarked specs: Float16, BHND, at HeadDim 64 and 128. HeadDim 128: BlockM = 128, BlockN = 128 for the masks
    // (8 warps x 16 rows; causal 442.7 vs 436.4 TFLOP/s at 128 x 64 on the H100, and ahead on ALiBi and documents in an
    // earlier binary) and 128 x 64 for dense (FlashAttention-2's tile: 4 warps x 32 rows; 491.3 vs 486.0). HeadDim 64:
    // 128 x 128 (4 warps x 32 rows): causal 377.0 vs 338.0 at 128 x 64; 8 warps x 16 rows ran 14-18% slower there;
    // documents at 64 x 64 (183.0 vs 174.6 at 128 x 128 on the benchmark's documents, 196.6 vs 181.9 at B = 4).
    // The variants below keep the comparisons. The same masks are built in PyTorch by benchmarks/gpu/bench_torch.py.

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

    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class CausalWindowD64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class CausalWindowD128;

    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentCausalD64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentCausalD128;

    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, Alibi]
    public static partial class CausalAlibiD64;

    [AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
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
    // tile's own start and end weigh more than under a plain causal mask, and smaller tiles balance the SMs better.
    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentD64Tile128x128;

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

    // The sliding window at HeadDim 64 on smaller tiles: 128 x 128 stays ahead (270.6 vs 257.3 at 64 x 64, 249.0 at
    // 64 x 128, 249.9 at 128 x 64 on the H100).
    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class WindowD64Tile64x64;

    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 128, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class WindowD64Tile64x128;

    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class WindowD64Tile128x64;

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
