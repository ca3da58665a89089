using AttnDsl;

// Specs whose tiles take the sm_90 warpgroup kernel (64-column panels, warpgroups of four warps): on the CPU their
// swizzled shared tiles and interleaved slices run through the MMA emulation (WarpgroupTests), on the GPU through wgmma.
namespace AttnDsl.Kernels.Tests.Specs
{
    /// <summary>Causal window with sinks (rows that are not one interval), one slice per warp, 32-key blocks.</summary>
    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 32, Element = ElementType.Float16)]
    [Causal, SlidingWindow(40), AttentionSinks(3)]
    public static partial class WarpgroupWindowSinksF16;

    /// <summary>Documents in BFloat16, two slices per warp (rows 16 w and 64 + 16 w), 64-key blocks.</summary>
    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 64, Element = ElementType.BFloat16)]
    [Causal, DocumentMask]
    public static partial class WarpgroupDocumentBf16;

    /// <summary>Documents with one slice per warp: the P V wgmma left in flight across the document kernel's key-block steps.</summary>
    [AttentionKernel(HeadDim = 64, BlockM = 64, BlockN = 32, Element = ElementType.Float16)]
    [Causal, DocumentMask]
    public static partial class WarpgroupDocumentF16;

    /// <summary>ALiBi on a wider V (two 64-column panels, V copied by its own lanes) and 16-key blocks (wgmma n = 16).</summary>
    [AttentionKernel(HeadDim = 64, HeadDimV = 128, BlockM = 64, BlockN = 16, Element = ElementType.Float16)]
    [Alibi]
    public static partial class WarpgroupAlibiWideF16;

    /// <summary>[Quantize]'s int8 Q and K (128-column panels, wgmma k32 .s8) with smoothed keys and a causal mask; V stays 16-bit.</summary>
    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 32, Element = ElementType.Float16)]
    [Causal, Quantize(QuantFormat.Int8, Granularity = QuantGranularity.PerBlock, SmoothKeys = true)]
    public static partial class WarpgroupQuantCausalF16;
}
