using System;
using ILGPU.Runtime;

namespace AttnDsl.Kernels.Tests.Harness
{
    /// <summary>Seeded random block masks for the [BlockSparse] specs.</summary>
    public static class BlockMasks
    {
        /// <summary>
        /// Dense classes (batch, heads, query blocks, key blocks): each block is listed with probability
        /// <paramref name="density"/>, then Full with probability <paramref name="fullShare"/>, else Partial.
        /// With <paramref name="emptyRows"/> every third (batch, head, query block) row lists nothing.
        /// </summary>
        public static BlockClass[] RandomClasses(AttentionSpecInfo spec, AttentionShape shape, int heads,
            double density, double fullShare, Random rng, bool emptyRows = false)
        {
            int qb = (shape.QueryLength + spec.BlockM - 1) / spec.BlockM;
            int kb = (shape.KeyLength + spec.BlockN - 1) / spec.BlockN;
            long rows = (long)shape.Batch * heads * qb;
            var classes = new BlockClass[rows * kb];
            for (long row = 0; row < rows; row++)
            {
                bool empty = emptyRows && row % 3 == 1;
                for (int k = 0; k < kb; k++)
                {
                    bool listed = !empty && rng.NextDouble() < density;
                    classes[row * kb + k] = !listed ? BlockClass.Empty : rng.NextDouble() < fullShare ? BlockClass.Full : BlockClass.Partial;
                }
            }
            return classes;
        }

        /// <summary>A random mask of the spec's tiles for <paramref name="shape"/>, on <paramref name="accelerator"/>.</summary>
        public static BlockMask Random(Accelerator accelerator, AttentionSpecInfo spec, AttentionShape shape, int heads,
            double density, double fullShare, Random rng, bool emptyRows = false) =>
            BlockMask.FromBlockBitmap(accelerator, RandomClasses(spec, shape, heads, density, fullShare, rng, emptyRows),
                shape.Batch, heads, shape.QueryLength, shape.KeyLength, spec.BlockM, spec.BlockN);

        /// <summary>The catalog's mask for a shape: density 0.6, half of the blocks full, heads broadcast on odd seeds.</summary>
        public static BlockMask ForCatalog(Accelerator accelerator, AttentionSpecInfo spec, AttentionShape shape, Random rng)
        {
            int heads = rng.Next(2) == 0 ? 1 : shape.QueryHeads;
            return Random(accelerator, spec, shape, heads, 0.6, 0.5, rng, emptyRows: true);
        }
    }
}
