namespace AttnDsl.Gallery.Specs
{
    /// <summary>Gemma-2 logit soft-capping (an anchor row, not a seed paper).</summary>
    [AttentionKernel(HeadDim = 64)]
    [SoftCap(50), Causal]
    public static partial class Gemma2SoftCap
    {
        public const string Seed = "Gemma 2 (anchor)";

        public const string Description =
            "Causal, score = 50 * tanh(score / 50) on the scaled score before the softmax.";

        public static GalleryVariant Variant => new(
            "gemma2-softcap", Seed, Description, Info,
            _ => new Binding(Run, new ReferenceArguments()));
    }
}
