namespace AttnDsl.GpuBench.Specs
{
    // The benchmarked specs: Float16, BHND, BlockM = BlockN = 64 (written out, although they are the defaults),
    // each at HeadDim 64 and 128. The same masks are built in PyTorch by benchmarks/gpu/bench_torch.py.

    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    public static partial class DenseD64;

    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    public static partial class DenseD128;

    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal]
    public static partial class CausalD64;

    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal]
    public static partial class CausalD128;

    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class CausalWindowD64;

    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, SlidingWindow(1024)]
    public static partial class CausalWindowD128;

    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentCausalD64;

    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [DocumentMask, Causal]
    public static partial class DocumentCausalD128;

    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, Alibi]
    public static partial class CausalAlibiD64;

    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 64, Element = ElementType.Float16, Layout = TensorLayout.BHND)]
    [Causal, Alibi]
    public static partial class CausalAlibiD128;
}
