using AttnDsl;

// Tile sizes, head dimensions, element types and layouts.
namespace AttnDsl.Kernels.Tests.Specs
{
    /// <summary>Every [AttentionKernel] default: Float16, BHND, BlockM = BlockN = 64, HeadDimV = HeadDim, scale 1/8.</summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal]
    public static partial class DefaultsF16;

    /// <summary>HeadDimV != HeadDim: the value/output rows are twice as wide as query/key rows.</summary>
    [AttentionKernel(HeadDim = 32, HeadDimV = 64, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal]
    public static partial class WideValueF32;

    /// <summary>HeadDimV &lt; HeadDim, BNHD, under a window.</summary>
    [AttentionKernel(HeadDim = 64, HeadDimV = 16, BlockM = 16, BlockN = 32, Element = ElementType.Float32, Layout = TensorLayout.BNHD)]
    [SlidingWindow(12, 4)]
    public static partial class NarrowValueBnhdF32;

    /// <summary>BlockM &gt; BlockN.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 64, BlockN = 16, Element = ElementType.Float32)]
    [Causal, SlidingWindow(30)]
    public static partial class TallTileF32;

    /// <summary>BlockN &gt; BlockM and not a power of two.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 48, Element = ElementType.Float32)]
    [Causal]
    public static partial class WideTileF32;

    /// <summary>BlockN 128 at HeadDim 64 Float32 exceeds the 32 KB stage budget: the tiled kernel stages each key block in two halves (StageKeys 64).</summary>
    [AttentionKernel(HeadDim = 64, BlockM = 16, BlockN = 128, Element = ElementType.Float32)]
    [Causal]
    public static partial class SplitStageF32;

    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32, Layout = TensorLayout.BNHD)]
    [Causal]
    public static partial class CausalBnhdF32;

    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float16)]
    [Causal]
    public static partial class CausalF16;

    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float16, Layout = TensorLayout.BNHD)]
    [Causal]
    public static partial class CausalBnhdF16;

    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.BFloat16)]
    [Causal]
    public static partial class CausalBf16;

    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.BFloat16, Layout = TensorLayout.BNHD)]
    [Causal]
    public static partial class CausalBnhdBf16;

    /// <summary>Float16 with a non-causal window and sinks, BNHD.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float16, Layout = TensorLayout.BNHD)]
    [SlidingWindow(9, 9), AttentionSinks(3)]
    public static partial class WindowSinksBnhdF16;

    /// <summary>BFloat16 with HeadDimV != HeadDim and ALiBi.</summary>
    [AttentionKernel(HeadDim = 16, HeadDimV = 32, BlockM = 16, BlockN = 16, Element = ElementType.BFloat16)]
    [Alibi]
    public static partial class AlibiWideValueBf16;

    /// <summary>Float16 radial attention on the BNHD layout.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float16, Layout = TensorLayout.BNHD)]
    [TokenGrid(16), RadialDecay(SinkFrames = 2)]
    public static partial class RadialBnhdF16;

    /// <summary>
    /// HeadDim 80: the tensor-core group's 64 threads are not a multiple of the ten 16-byte copies per row, so each
    /// K/V copy finds its own row and part (IssueBlock's general form).
    /// </summary>
    [AttentionKernel(HeadDim = 80, BlockM = 32, BlockN = 32, Element = ElementType.Float16)]
    [Causal]
    public static partial class HeadDim80F16;

    /// <summary>
    /// 128 tensor-core threads copy 32 rows per pass of a 16-key block: the copy lanes past the tile's rows stay idle.
    /// </summary>
    [AttentionKernel(HeadDim = 32, BlockM = 64, BlockN = 16, Element = ElementType.Float16, Layout = TensorLayout.BNHD)]
    [SlidingWindow(20, 3)]
    public static partial class ShortBlockBnhdF16;
}
