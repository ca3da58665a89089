namespace AttnDsl.Gallery.Specs
{
    /// <summary>Dense causal attention, the FlashAttention baseline every other row is measured against.</summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal]
    public static partial class FlashAttentionCausal
    {
        public const string Seed = "FlashAttention";

        public const string Description =
            "Causal self-attention, exact, tiled with online softmax; blocks above the diagonal are skipped analytically.";

        public static GalleryVariant Variant => new(
            "flash-causal", Seed, Description, Info,
            _ => new Binding(Run, new ReferenceArguments()));
    }
}
