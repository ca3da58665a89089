using AttnDsl;
using ILGPU;

// Score modifiers (ALiBi, soft-cap) and custom [MaskMod]/[ScoreMod]s with tensors and scalars.
namespace AttnDsl.Kernels.Tests.Specs
{
    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Alibi]
    public static partial class AlibiF32;

    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, Alibi]
    public static partial class AlibiCausalF32;

    /// <summary>Scale 1 (not 1/sqrt(16)) so scores reach several times the cap and tanh saturates.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32, Scale = 1.0)]
    [SoftCap(2.5)]
    public static partial class SoftCapF32;

    /// <summary>Peaky softmax (scale 2): large score differences stress the online rescaling.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32, Scale = 2.0)]
    [Causal]
    public static partial class SharpCausalF32;

    /// <summary>
    /// Per-head policy from a tensor: flag 0 = every key, 1 = raw causal (key &lt;= query),
    /// anything else = no key (the whole head is masked: output 0, LSE -inf).
    /// </summary>
    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    public static partial class HeadFlagMaskF32
    {
        [MaskMod]
        public static bool HeadPolicy(int batch, int head, int query, int key, ArrayView<int> headFlags)
        {
            int flag = headFlags[head];
            return flag == 0 || (flag == 1 && key <= query);
        }
    }

    /// <summary>
    /// Relative-position bias from a float table (clamped index |query - key|) and a temperature scalar.
    /// Table entries of -inf mask the key (the score-mod masking path).
    /// </summary>
    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    public static partial class TableBiasScoreF32
    {
        [ScoreMod]
        public static float TableBias(float score, int batch, int head, int query, int key, ArrayView<float> bias, float temperature)
        {
            int distance = query > key ? query - key : key - query;
            int last = (int)bias.Length - 1;
            return score * temperature + bias[distance < last ? distance : last];
        }
    }

    /// <summary>Two mask mods that share the scalar <c>span</c> (one Run parameter), the second also reads a tensor.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    public static partial class SharedSpanMasksF32
    {
        [MaskMod]
        public static bool NotTooFarAhead(int batch, int head, int query, int key, int span) => key <= query + span;

        [MaskMod]
        public static bool NotTooFarBehind(int batch, int head, int query, int key, int span, ArrayView<int> blockedKeys) =>
            key >= query - 2 * span && blockedKeys[key % (int)blockedKeys.Length] == 0;
    }

    /// <summary>Two score mods applied in declaration order (scale then shift), over ALiBi and a soft-cap.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, Alibi, SoftCap(4)]
    public static partial class ChainedScoreModsF32
    {
        [ScoreMod]
        public static float Stretch(float score, int batch, int head, int query, int key, float factor) => score * factor;

        [ScoreMod]
        public static float ShiftOddKeys(float score, int batch, int head, int query, int key, ArrayView<float> shifts) =>
            (key & 1) == 1 ? score + shifts[head] : score;
    }

    /// <summary>Everything at once, BFloat16 / BNHD with BlockM != BlockN.</summary>
    [AttentionKernel(HeadDim = 32, BlockM = 32, BlockN = 16, Element = ElementType.BFloat16, Layout = TensorLayout.BNHD)]
    [Causal, SlidingWindow(24), AttentionSinks(3), PrefixLM, DocumentMask, Alibi, SoftCap(20)]
    public static partial class KitchenSinkBf16
    {
        [MaskMod]
        public static bool SkipKeysDivisibleBySeven(int batch, int head, int query, int key) => key == query || key % 7 != 0;

        [ScoreMod]
        public static float HeadBias(float score, int batch, int head, int query, int key, ArrayView<float> headBias) => score + headBias[head];
    }
}
