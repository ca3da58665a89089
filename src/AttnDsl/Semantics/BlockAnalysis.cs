using System;

namespace AttnDsl
{
    /// <summary>Work of one launch at block granularity: what the kernels skip and what they compute.</summary>
    /// <param name="TotalBlocks">(batch, head, query tile, key block) pairs of the dense problem.</param>
    /// <param name="VisitedBlocks">Pairs the kernel visits (classified Partial or Full).</param>
    /// <param name="PartialBlocks">Visited pairs tested per element.</param>
    /// <param name="Flops">2 * rows * keys * (HeadDim + HeadDimV) over the visited pairs (QK^T and PV).</param>
    public readonly record struct BlockStatistics(long TotalBlocks, long VisitedBlocks, long PartialBlocks, double Flops)
    {
        public double SkippedFraction => TotalBlocks == 0 ? 0 : 1.0 - (double)VisitedBlocks / TotalBlocks;
    }

    /// <summary>
    /// The kernels' block decisions on the host, for any spec through its <see cref="AttentionSpecInfo"/>:
    /// the same <see cref="KeyBlockSchedule"/> and the same <see cref="MaskSemantics"/> composition the
    /// generator specializes. A [MaskMod] is opaque to the analysis: blocks it touches count as Partial.
    /// </summary>
    public static class BlockAnalysis
    {
        /// <summary>Classifies key block [j0, j1] for query rows [i0, iLast] of batch <paramref name="batch"/>.</summary>
        public static BlockClass Classify(AttentionSpecInfo spec, AttentionShape shape, ReferenceArguments arguments,
            int batch, int i0, int iLast, int j0, int j1)
        {
            int nq = shape.QueryLength, nk = shape.KeyLength;
            int ia0 = MaskSemantics.AlignQuery(i0, nq, nk), ia1 = MaskSemantics.AlignQuery(iLast, nq, nk);
            var causal = spec.Causal ? MaskSemantics.CausalBlock(ia0, ia1, j0, j1) : BlockClass.Full;
            var local = causal;
            if (spec.HasSlidingWindow)
                local = MaskSemantics.And(local, MaskSemantics.WindowBlock(ia0, ia1, j0, j1, spec.WindowLeft, spec.WindowRight));
            if (spec.HasRadialDecay)
                local = MaskSemantics.And(local, MaskSemantics.RadialBlock(ia0, ia1, j0, j1, spec.TokensPerFrame,
                    MaskSemantics.RadialScale(spec.RadialDecayFactor, spec.TokensPerFrame), spec.RadialSinkFrames));
            var sink = spec.SinkCount > 0 ? MaskSemantics.And(causal, MaskSemantics.BelowBlock(j0, j1, spec.SinkCount)) : BlockClass.Empty;
            var prefix = spec.PrefixLM ? MaskSemantics.BelowBlock(j0, j1, arguments.PrefixLength![batch]) : BlockClass.Empty;
            var document = BlockClass.Full;
            if (spec.DocumentMask)
            {
                var ids = arguments.DocumentIds!;
                Range(ids, (long)batch * nk + i0, iLast - i0 + 1, out int queryMin, out int queryMax);
                Range(ids, (long)batch * nk + j0, j1 - j0 + 1, out int keyMin, out int keyMax);
                document = MaskSemantics.DocumentBlock(queryMin, queryMax, keyMin, keyMax);
            }
            var mods = spec.MaskMods.Count > 0 ? BlockClass.Partial : BlockClass.Full;
            return MaskSemantics.Combine(local, sink, prefix, document, mods);
        }

        /// <summary>
        /// Counts the blocks a launch visits with query tiles of <paramref name="tileRows"/> rows (the tiled
        /// kernel's group size, BlockM on GPUs; 1 for the row-streaming kernel).
        /// </summary>
        public static BlockStatistics Count(AttentionSpecInfo spec, AttentionShape shape, ReferenceArguments arguments, int tileRows)
        {
            if (tileRows <= 0)
                throw new ArgumentOutOfRangeException(nameof(tileRows), tileRows, "Expected at least 1 row per tile.");
            if (spec.UsesBlockMask)
                return CountSparse(spec, shape, arguments);
            int nq = shape.QueryLength, nk = shape.KeyLength, blockN = spec.BlockN;
            int tiles = (nq + tileRows - 1) / tileRows;
            int keyBlocks = (nk + blockN - 1) / blockN;
            long visited = 0, partial = 0;
            double flops = 0;
            // Built-in masks and the block schedule do not depend on the head: count one and multiply.
            for (int b = 0; b < shape.Batch; b++)
            {
                int prefix = spec.PrefixLM ? arguments.PrefixLength![b] : 0;
                for (int tile = 0; tile < tiles; tile++)
                {
                    int i0 = tile * tileRows;
                    int iLast = Math.Min(i0 + tileRows, nq) - 1;
                    var schedule = KeyBlockSchedule.Create(
                        MaskSemantics.AlignQuery(i0, nq, nk), MaskSemantics.AlignQuery(iLast, nq, nk), nk, blockN,
                        KeyBlockSchedule.ExtraKeys(spec.SinkCount, prefix, nk),
                        spec.Causal, spec.HasSlidingWindow, spec.WindowLeft, spec.WindowRight);
                    for (int step = 0; step < schedule.Count; step++)
                    {
                        int j0 = schedule.KeyBlock(step) * blockN;
                        int j1 = Math.Min(j0 + blockN, nk) - 1;
                        var block = Classify(spec, shape, arguments, b, i0, iLast, j0, j1);
                        if (block == BlockClass.Empty)
                            continue;
                        visited++;
                        partial += block == BlockClass.Partial ? 1 : 0;
                        flops += 2.0 * (iLast - i0 + 1) * (j1 - j0 + 1) * (spec.HeadDim + spec.HeadDimV);
                    }
                }
            }
            int heads = shape.QueryHeads;
            return new BlockStatistics((long)shape.Batch * heads * tiles * keyBlocks, visited * heads, partial * heads, flops * heads);
        }

        /// <summary>
        /// [BlockSparse]: the blocks of <see cref="ReferenceArguments.BlockMask"/> per (batch, head, query block of
        /// BlockM rows); a listed partial block the spec's own masks leave empty is skipped, as the kernels do.
        /// </summary>
        private static BlockStatistics CountSparse(AttentionSpecInfo spec, AttentionShape shape, ReferenceArguments arguments)
        {
            var mask = arguments.BlockMask ?? throw new ArgumentException("The spec is [BlockSparse] or [BlockSelect]; pass the mask (or the selection) as ReferenceArguments.BlockMask.", nameof(arguments));
            mask.Validate(spec, shape, nameof(ReferenceArguments.BlockMask));
            int nq = shape.QueryLength, nk = shape.KeyLength, qb = mask.QueryBlocks, kb = mask.KeyBlocks;
            long visited = 0, partial = 0;
            double flops = 0;
            for (int b = 0; b < shape.Batch; b++)
            for (int h = 0; h < mask.Heads; h++)
            for (int q = 0; q < qb; q++)
            {
                int i0 = q * spec.BlockM, iLast = Math.Min(i0 + spec.BlockM, nq) - 1;
                for (int k = 0; k < kb; k++)
                {
                    var block = mask.Class(b, h, q, k);
                    int j0 = k * spec.BlockN, j1 = Math.Min(j0 + spec.BlockN, nk) - 1;
                    if (block == BlockClass.Partial)
                        block = Classify(spec, shape, arguments, b, i0, iLast, j0, j1);
                    if (block == BlockClass.Empty)
                        continue;
                    visited++;
                    partial += block == BlockClass.Partial ? 1 : 0;
                    flops += 2.0 * (iLast - i0 + 1) * (j1 - j0 + 1) * (spec.HeadDim + spec.HeadDimV);
                }
            }
            int factor = mask.Heads == 1 ? shape.QueryHeads : 1;
            return new BlockStatistics((long)shape.Batch * shape.QueryHeads * qb * kb, visited * factor, partial * factor, flops * factor);
        }

        private static void Range(int[] ids, long offset, int count, out int min, out int max)
        {
            min = ids[offset];
            max = min;
            for (int t = 1; t < count; t++)
            {
                int v = ids[offset + t];
                min = v < min ? v : min;
                max = v > max ? v : max;
            }
        }
    }
}
