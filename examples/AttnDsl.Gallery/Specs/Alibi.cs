namespace AttnDsl.Gallery.Specs
{
    /// <summary>ALiBi linear distance bias (FaceFormer's biased causal attention uses the same recipe).</summary>
    [AttentionKernel(HeadDim = 64)]
    [Alibi, Causal]
    public static partial class AlibiCausal
    {
        public const string Seed = "ALiBi / FaceFormer";

        public const string Description =
            "Causal, score += -slope_h * |i - j| with the ALiBi paper's geometric per-head slopes.";

        public static GalleryVariant Variant => new(
            "alibi", Seed, Description, Info,
            _ => new Binding(Run, new ReferenceArguments()));
    }
}
