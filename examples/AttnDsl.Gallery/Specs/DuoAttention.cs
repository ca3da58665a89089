using ILGPU;

namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// DuoAttention: retrieval heads keep full causal attention, streaming heads only see the attention
    /// sinks and the recent tokens. The head kind is a runtime per-head flag tensor; the sink and
    /// recent sizes are runtime scalars (128 and 256 in the authors' config).
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal]
    public static partial class DuoAttention
    {
        public const string Seed = "DuoAttention";

        public const string Description =
            "Causal + MaskMod with per-head flags: retrieval heads (h % 4 == 0) full causal, streaming heads j < 128 sinks or i - j < 256 recent.";

        [MaskMod]
        public static bool RetrievalOrStreaming(int batch, int head, int query, int key,
            ArrayView<int> retrievalHeads, int sinkTokens, int recentTokens)
        {
            if (retrievalHeads[head] != 0)
                return true;
            return key < sinkTokens || query - key < recentTokens;
        }

        public static GalleryVariant Variant => new(
            "duo-attention", Seed, Description, Info,
            context =>
            {
                var flags = new int[context.Shape.QueryHeads];
                for (int h = 0; h < flags.Length; h++)
                    flags[h] = h % 4 == 0 ? 1 : 0; // a quarter of the heads are retrieval heads
                var retrieval = context.Tensors.Upload(flags);
                const int sinks = 128, recent = 256; // duo-attention's config.json
                return new Binding(
                    (a, s, q, k, v, o, l, p) => Run(a, s, q, k, v, o, retrieval, sinks, recent, l, p),
                    CreateReferenceArguments(retrieval, sinks, recent));
            });
    }
}
