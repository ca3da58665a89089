using ILGPU;

namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// Sparse VideoGen: each head is either spatial (attends within its frame) or temporal (attends to
    /// the same in-frame position in every frame), chosen per head by a runtime flag tensor.
    /// [TokenGrid] records the grid (and lends the mod its constant); the per-head choice is a [MaskMod].
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    [TokenGrid(FrameTokens)]
    public static partial class SparseVideoGen
    {
        /// <summary>Tokens per frame (an 8x16 latent).</summary>
        public const int FrameTokens = 128;

        public const string Seed = "Sparse VideoGen";

        public const string Description =
            "Grid of 128 tokens/frame; MaskMod with per-head flags: spatial heads see their frame, temporal heads see the same position in every frame.";

        /// <summary>temporalHeads[h] != 0: head h is temporal, else spatial.</summary>
        [MaskMod]
        public static bool SpatialOrTemporal(int batch, int head, int query, int key, ArrayView<int> temporalHeads)
        {
            if (temporalHeads[head] != 0)
                return query % FrameTokens == key % FrameTokens;
            return query / FrameTokens == key / FrameTokens;
        }

        public static GalleryVariant Variant => new(
            "sparse-videogen", Seed, Description, Info,
            context =>
            {
                var flags = new int[context.Shape.QueryHeads];
                for (int h = 0; h < flags.Length; h++)
                    flags[h] = h % 2; // odd heads temporal, even heads spatial
                var temporal = context.Tensors.Upload(flags);
                return new Binding(
                    (a, s, q, k, v, o, l, p) => Run(a, s, q, k, v, o, temporal, l, p),
                    CreateReferenceArguments(temporal));
            });
    }
}
