using System.Collections.Generic;
using ILGPU;

namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// Block-Attention for RAG: retrieved passages are independent blocks (each attends causally to
    /// itself only, so their KV states can be cached and reused), and the final block (the question)
    /// attends causally to everything. [DocumentMask] cannot express this: it is ANDed with the other
    /// masks, so no mod could re-open the other blocks to the final one. The block ids are therefore a
    /// [MaskMod] tensor, with the id of the final block a runtime scalar.
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal]
    public static partial class BlockAttentionRag
    {
        public const string Seed = "Block-Attention";

        public const string Description =
            "Causal + MaskMod over block ids (batch, token): same block, or the query is in the final block; 7 passages of uneven length + a question block.";

        [MaskMod]
        public static bool IndependentBlocks(int batch, int head, int query, int key,
            ArrayView<int> blockIds, int tokens, int finalBlock)
        {
            int queryBlock = blockIds[(long)batch * tokens + query];
            return queryBlock == finalBlock || queryBlock == blockIds[(long)batch * tokens + key];
        }

        public static GalleryVariant Variant => new(
            "block-attention", Seed, Description, Info,
            context =>
            {
                int n = context.Shape.KeyLength;
                const int passages = 7;
                var ids = new int[context.Shape.Batch * n];
                for (int b = 0; b < context.Shape.Batch; b++)
                {
                    // Passage boundaries at uneven, non-block-aligned positions; the last eighth is the question.
                    var bounds = new List<int>();
                    int questionStart = n - n / 8;
                    for (int p = 1; p < passages; p++)
                        bounds.Add(questionStart * p / passages + context.Random.Next(-n / 64, n / 64 + 1));
                    bounds.Add(questionStart);
                    int block = 0;
                    for (int t = 0; t < n; t++)
                    {
                        while (block < bounds.Count && t >= bounds[block])
                            block++;
                        ids[b * n + t] = block;
                    }
                }
                var blockIds = context.Tensors.Upload(ids);
                const int finalBlock = passages;
                return new Binding(
                    (a, s, q, k, v, o, l, p) => Run(a, s, q, k, v, o, blockIds, n, finalBlock, l, p),
                    CreateReferenceArguments(blockIds, n, finalBlock));
            });
    }
}
