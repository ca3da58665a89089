using System.Collections.Generic;
using AttnDsl.Gallery.Specs;

namespace AttnDsl.Gallery
{
    /// <summary>The gallery rows, in the order of the seed table (docs: /shared/seeds/README.md, "Gallery targets").</summary>
    public static class GalleryRegistry
    {
        public static IReadOnlyList<GalleryVariant> All { get; } = new[]
        {
            FlashAttentionCausal.Variant,
            StreamingLlm.Variant,
            LocalWindow.Variant,
            LongLoraS2.Variant,
            DuoAttention.Variant,
            BlockAttentionRag.Variant,
            PrefixLm.Variant,
            RadialAttention.Variant,
            SparseVideoGen.Variant,
            ClearCircular.Variant,
            DraftAttention.Variant,
            SeerAttention.Variant,
            FlexPrefill.Variant,
            MInference.Variant,
            AlibiCausal.Variant,
            MusicTransformerRelative.Variant,
            SelectiveTemperature.Variant,
            SinkReweight.Variant,
            Gemma2SoftCap.Variant,
            SageAttention.Variant,
        };
    }
}
