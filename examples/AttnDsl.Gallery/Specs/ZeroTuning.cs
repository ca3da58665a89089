namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// ZeroTuning / ACT: rescale the attention the initial (sink) token receives. Multiplying its
    /// post-softmax weight by gamma and renormalising is exactly adding ln(gamma) to its logit, so the
    /// reweighting is a [ScoreMod] on key 0 and stays inside the fused kernel.
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal]
    public static partial class SinkReweight
    {
        public const string Seed = "ZeroTuning / ACT";

        public const string Description =
            "Causal + ScoreMod: score(j = 0) += ln(gamma), gamma = 0.5 a runtime float (halves the sink token's share).";

        [ScoreMod]
        public static float ScaleInitialToken(float score, int batch, int head, int query, int key, float gamma)
        {
            return key == 0 ? score + KernelMath.Log(gamma) : score;
        }

        public static GalleryVariant Variant => new(
            "zerotuning-sink", Seed, Description, Info,
            _ =>
            {
                const float gamma = 0.5f;
                return new Binding(
                    (a, s, q, k, v, o, l, p) => Run(a, s, q, k, v, o, gamma, l, p),
                    CreateReferenceArguments(gamma));
            });
    }
}
