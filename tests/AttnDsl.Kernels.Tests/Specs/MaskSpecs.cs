using AttnDsl;

// Built-in masks, alone and combined. Float32 unless the spec is about the element type, so the
// comparison with the reference is tight (2e-5) and a single wrongly masked key shows up.
// Tiles are small (16-48) so that the test lengths 17..130 cross several key blocks and end in
// partial blocks.
namespace AttnDsl.Kernels.Tests.Specs
{
    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    public static partial class DenseF32;

    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal]
    public static partial class CausalF32;

    /// <summary>Left-only window without causal: j in [i' - 7, i'].</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [SlidingWindow(7)]
    public static partial class WindowLeftF32;

    /// <summary>Two-sided window without causal: j in [i' - 5, i' + 9].</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [SlidingWindow(5, 9)]
    public static partial class WindowBothF32;

    /// <summary>StreamingLLM: causal window of 20 plus 4 sink keys.</summary>
    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, SlidingWindow(20), AttentionSinks(4)]
    public static partial class StreamingLlmF32;

    /// <summary>Sinks without causal: keys 0..4 are visible to every query, the rest through a two-sided window.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [SlidingWindow(10, 3), AttentionSinks(5)]
    public static partial class SinksWindowF32;

    /// <summary>More sinks than one key block (BlockN 16): the sink range spans two blocks.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, SlidingWindow(3), AttentionSinks(19)]
    public static partial class ManySinksF32;

    /// <summary>PrefixLM alone: no local mask, so every key is visible (the prefix cannot add anything).</summary>
    // ATTN1008 says exactly that; this spec checks that the kernel agrees (the prefix argument is still validated).
#pragma warning disable ATTN1008
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [PrefixLM]
    public static partial class PrefixLmF32;
#pragma warning restore ATTN1008

    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, PrefixLM]
    public static partial class PrefixLmCausalF32;

    /// <summary>Prefix and sinks together: the block range takes the larger of the two.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, SlidingWindow(6), AttentionSinks(2), PrefixLM]
    public static partial class PrefixSinksWindowF32;

    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [DocumentMask]
    public static partial class DocumentF32;

    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, DocumentMask]
    public static partial class DocumentCausalF32;

    /// <summary>Documents on the tensor-core path: its key-block loop classifies 32 blocks per pass from precomputed document ranges.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float16)]
    [Causal, DocumentMask]
    public static partial class DocumentCausalF16;

    /// <summary>Radial attention, defaults (DecayFactor 1, SinkFrames 1), 8 tokens per frame: 130 tokens = 17 frames.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [TokenGrid(8), RadialDecay]
    public static partial class RadialF32;

    /// <summary>Radial attention with a wider window (DecayFactor 2.5) and no sink frame.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 32, Element = ElementType.Float32)]
    [TokenGrid(16), RadialDecay(DecayFactor = 2.5, SinkFrames = 0)]
    public static partial class RadialWideF32;

    /// <summary>Radial attention with a narrow window (DecayFactor 0.5) and two sink frames, under causal.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, TokenGrid(8), RadialDecay(DecayFactor = 0.5, SinkFrames = 2)]
    public static partial class RadialCausalSinkFramesF32;

    /// <summary>SlidingWindow(0): each query sees exactly the key at its aligned position.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [SlidingWindow(0)]
    public static partial class DiagonalWindowF32;

    /// <summary>Unbounded window and sinks (int.MaxValue): must not overflow; equals causal attention.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, SlidingWindow(int.MaxValue), AttentionSinks(int.MaxValue)]
    public static partial class HugeWindowCausalF32;

    /// <summary>Unbounded two-sided window without causal: must not overflow; equals dense attention.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [SlidingWindow(int.MaxValue, int.MaxValue)]
    public static partial class HugeWindowF32;

    /// <summary>Radial attention on a 3-token grid with 32-key blocks: a key block spans 11 frames (the block classifier's "many frames" path) and frames straddle blocks.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 32, Element = ElementType.Float32)]
    [TokenGrid(3), RadialDecay(DecayFactor = 3, SinkFrames = 1)]
    public static partial class RadialOddGridF32;
}
