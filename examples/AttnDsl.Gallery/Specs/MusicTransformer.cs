using System.Threading.Tasks;
using ILGPU;

namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// Music Transformer relative attention: logits = (q_i . k_j + q_i . E_h[clip(i - j)]) / sqrt(d).
    /// The relative term is query-dependent; as in the paper's memory-efficient "skewing" it is computed
    /// first as Q E_h^T, an (N x (R + 1)) table per head (here on the host; a small GEMM in a model),
    /// and the [ScoreMod] gathers it by the clipped distance, so no N x N x d tensor ever exists.
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal]
    public static partial class MusicTransformerRelative
    {
        /// <summary>Relative distances beyond this share the last embedding (the paper's clipping).</summary>
        public const int MaxDistance = 64;

        public const string Seed = "Music Transformer";

        public const string Description =
            "Causal + ScoreMod: score += relativeLogits[b, h, i, min(i - j, 64)], the precomputed scale * q_i . E_h[r] table (B x H x N x 65).";

        [ScoreMod]
        public static float RelativeLogits(float score, int batch, int head, int query, int key,
            ArrayView<float> relativeLogits, int heads, int queryLength)
        {
            int r = query - key;
            r = r < 0 ? 0 : r > MaxDistance ? MaxDistance : r;
            return score + relativeLogits[(((long)batch * heads + head) * queryLength + query) * (MaxDistance + 1) + r];
        }

        public static GalleryVariant Variant => new(
            "music-relative", Seed, Description, Info,
            context =>
            {
                var shape = context.Shape;
                int d = Info.HeadDim, width = MaxDistance + 1;
                // One learned embedding per (head, clipped distance); random stand-ins here.
                var embeddings = new float[shape.QueryHeads * width * d];
                for (int x = 0; x < embeddings.Length; x++)
                    embeddings[x] = (float)(context.Random.NextDouble() * 2 - 1);
                var table = new float[shape.QueryRows * width];
                var query = context.Query;
                float scale = Info.Scale;
                Parallel.For(0, shape.Batch * shape.QueryHeads, bh =>
                {
                    int h = bh % shape.QueryHeads;
                    for (int i = 0; i < shape.QueryLength; i++)
                    {
                        long row = (long)bh * shape.QueryLength + i;
                        for (int r = 0; r < width; r++)
                        {
                            float dot = 0f;
                            for (int t = 0; t < d; t++)
                                dot += query[row * d + t] * embeddings[(h * width + r) * d + t];
                            table[row * width + r] = scale * dot;
                        }
                    }
                });
                var logits = context.Tensors.Upload(table);
                int heads = shape.QueryHeads, length = shape.QueryLength;
                return new Binding(
                    (a, s, q, k, v, o, l, p) => Run(a, s, q, k, v, o, logits, heads, length, l, p),
                    CreateReferenceArguments(logits, heads, length));
            });
    }
}
