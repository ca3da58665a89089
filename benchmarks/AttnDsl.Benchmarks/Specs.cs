using AttnDsl;

namespace AttnDsl.Benchmarks
{
    [AttentionKernel(HeadDim = 64, Element = ElementType.Float32)]
    public static partial class Dense64;

    [AttentionKernel(HeadDim = 64, Element = ElementType.Float32)]
    [Causal]
    public static partial class Causal64;

    [AttentionKernel(HeadDim = 64, Element = ElementType.Float32)]
    [Causal, SlidingWindow(128), AttentionSinks(4)]
    public static partial class Streaming64;
}
