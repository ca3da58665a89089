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

namespace AttnDsl.Benchmarks
{
    /// <summary>The causal window of <see cref="Window64"/> written as a [MaskMod]: its blocks are classified on the device.</summary>
    [AttentionKernel(HeadDim = 64, Element = ElementType.Float32)]
    public static partial class WindowMod64
    {
        [MaskMod]
        public static bool CausalWindow(int batch, int head, int query, int key) => key <= query && query - key <= 256;
    }

    [AttentionKernel(HeadDim = 64, Element = ElementType.Float32)]
    [Causal, SlidingWindow(256)]
    public static partial class Window64;
}
