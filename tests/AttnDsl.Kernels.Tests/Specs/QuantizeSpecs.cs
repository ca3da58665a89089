using AttnDsl;

// [Quantize] specs: int8 QK^T with and without smoothing, in both layouts and 16-bit types, composed with
// masks, score transforms (which see the smoothing shift added back), [MaskMod]s and [BlockSelect].
// HeadDim is a multiple of 32 (one int8 MMA step).
namespace AttnDsl.Kernels.Tests.Specs
{
    /// <summary>Causal with smoothed keys, small tiles so test lengths hold several quantization blocks.</summary>
    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float16)]
    [Causal, Quantize(QuantFormat.Int8, Granularity = QuantGranularity.PerBlock, SmoothKeys = true)]
    public static partial class QuantCausalF16;

    /// <summary>No smoothing, BNHD, BFloat16, a two-sided window with sinks, unequal tiles.</summary>
    [AttentionKernel(HeadDim = 64, BlockM = 32, BlockN = 16, Element = ElementType.BFloat16, Layout = TensorLayout.BNHD)]
    [SlidingWindow(24, 8), AttentionSinks(2), Quantize(SmoothKeys = false)]
    public static partial class QuantWindowBnhdBf16;

    /// <summary>Soft-cap, ALiBi and a [ScoreMod] after smoothing: the row's shift must be added back before them.</summary>
    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 32, Element = ElementType.Float16)]
    [SoftCap(5), Alibi, Quantize]
    public static partial class QuantSoftCapModF16
    {
        [ScoreMod]
        public static float Tilt(float score, int batch, int head, int query, int key) => score + 0.01f * (key % 7);
    }

    /// <summary>Documents and a [MaskMod] on quantized scores.</summary>
    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float16)]
    [Causal, DocumentMask, Quantize]
    public static partial class QuantDocumentModF16
    {
        [MaskMod]
        public static bool Stripe(int batch, int head, int query, int key) => (key + head) % 5 != 4;
    }

    /// <summary>[BlockSelect] on a quantized kernel: the estimator pools the unquantized inputs, the kernel attends in int8.</summary>
    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float16)]
    [Causal, BlockSelect(TopK = 2), Quantize]
    public static partial class QuantSelectF16;
}

namespace AttnDsl.Kernels.Tests.Specs
{
    /// <summary>SageAttention's setting for the accuracy figures: HeadDim 128, 64 x 64 blocks, smoothed keys.</summary>
    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 64, Element = ElementType.Float16)]
    [Quantize(QuantFormat.Int8, Granularity = QuantGranularity.PerBlock, SmoothKeys = true)]
    public static partial class SageD128;

    /// <summary>The same without smoothing, to show what smoothing buys on keys with channel offsets.</summary>
    [AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 64, Element = ElementType.Float16)]
    [Quantize(QuantFormat.Int8, Granularity = QuantGranularity.PerBlock, SmoothKeys = false)]
    public static partial class SageD128NoSmoothing;
}
