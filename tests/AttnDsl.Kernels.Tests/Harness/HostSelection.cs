using System;
using System.Collections.Generic;
using System.Linq;

namespace AttnDsl.Kernels.Tests.Harness
{
    /// <summary>
    /// The block classification and the [BlockSelect] rule written plainly on the host, independent of the
    /// generated kernels: the tests compare the device masks with these, block for block. Float arithmetic
    /// follows the documented order (pooled sums in row order, dots in dimension order, the cumulative mass
    /// summed in rank order), so on the CPU accelerator the results agree exactly.
    /// </summary>
    public static class HostSelection
    {
        /// <summary>
        /// The class of every (batch, head, query block, key block) under the spec's own masks (a given BlockMask
        /// not included): a block is Empty when no pair is visible, Full when every pair is, else Partial. Without
        /// [MaskMod]s the analytic classes of <see cref="BlockAnalysis.Classify"/> (which keeps some all-hidden
        /// document or window blocks Partial, as the kernels do); with them, every pair is tested.
        /// </summary>
        public static BlockClass[] SpecClasses(AttentionSpecInfo spec, AttentionShape shape, ReferenceArguments arguments, int heads)
        {
            int bm = spec.BlockM, bn = spec.BlockN, nq = shape.QueryLength, nk = shape.KeyLength;
            int qb = (nq + bm - 1) / bm, kb = (nk + bn - 1) / bn;
            var plain = new AttentionSpecInfo
            {
                Name = spec.Name, HeadDim = spec.HeadDim, HeadDimV = spec.HeadDimV, BlockM = bm, BlockN = bn, Element = spec.Element,
                Layout = spec.Layout, Scale = spec.Scale, Causal = spec.Causal, HasSlidingWindow = spec.HasSlidingWindow,
                WindowLeft = spec.WindowLeft, WindowRight = spec.WindowRight, SinkCount = spec.SinkCount, PrefixLM = spec.PrefixLM,
                DocumentMask = spec.DocumentMask, TokensPerFrame = spec.TokensPerFrame, HasRadialDecay = spec.HasRadialDecay,
                RadialDecayFactor = spec.RadialDecayFactor, RadialSinkFrames = spec.RadialSinkFrames, MaskMods = spec.MaskMods,
            };
            var classes = new BlockClass[(long)shape.Batch * heads * qb * kb];
            for (int b = 0; b < shape.Batch; b++)
            for (int h = 0; h < heads; h++)
            for (int q = 0; q < qb; q++)
            for (int k = 0; k < kb; k++)
            {
                int i0 = q * bm, iLast = Math.Min(i0 + bm, nq) - 1, j0 = k * bn, j1 = Math.Min(j0 + bn, nk) - 1;
                var c = BlockAnalysis.Classify(plain, shape, arguments, b, i0, iLast, j0, j1);
                if (c == BlockClass.Partial && spec.MaskMods.Count > 0)
                {
                    bool seen = false, hidden = false;
                    for (int i = i0; i <= iLast; i++)
                        for (int j = j0; j <= j1; j++)
                        {
                            if (AttentionReference.IsVisible(plain, shape, arguments, b, h, i, j)) seen = true;
                            else hidden = true;
                        }
                    c = seen && hidden ? BlockClass.Partial : seen ? BlockClass.Full : BlockClass.Empty;
                }
                classes[(((long)b * heads + h) * qb + q) * kb + k] = c;
            }
            return classes;
        }

        /// <summary>Mean of each block of rows, summed in row order in float: (batch, heads, blocks, HeadDim).</summary>
        public static float[] Pool(AttentionSpecInfo spec, float[] x, int batch, int heads, int length, int block)
        {
            int d = spec.HeadDim, blocks = (length + block - 1) / block;
            var pooled = new float[(long)batch * heads * blocks * d];
            for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
            for (int blk = 0; blk < blocks; blk++)
            for (int t = 0; t < d; t++)
            {
                int first = blk * block, end = Math.Min(first + block, length);
                float sum = 0f;
                for (int i = first; i < end; i++)
                    sum += x[AttentionReference.Offset(spec.Layout, b, h, i, heads, length, d) + t];
                pooled[(((long)b * heads + h) * blocks + blk) * d + t] = sum / (end - first);
            }
            return pooled;
        }

        /// <summary>
        /// The selection of a [BlockSelect] spec: (batch, QueryHeads, query blocks, key blocks) classes, the spec's
        /// class for kept blocks and Empty for the rest; also the base-2 pooled scores (-inf where the masks hide a block).
        /// </summary>
        public static (BlockClass[] Classes, float[] Scores) Select(AttentionSpecInfo spec, AttentionShape shape, float[] query, float[] key, ReferenceArguments arguments)
        {
            var rule = spec.BlockSelect ?? throw new ArgumentException($"{spec.Name} has no [BlockSelect].", nameof(spec));
            int d = spec.HeadDim, bm = spec.BlockM, bn = spec.BlockN, nq = shape.QueryLength, nk = shape.KeyLength;
            int hq = shape.QueryHeads, hk = shape.KeyValueHeads, qb = (nq + bm - 1) / bm, kb = (nk + bn - 1) / bn;
            var pq = Pool(spec, query, shape.Batch, hq, nq, bm);
            var pk = Pool(spec, key, shape.Batch, hk, nk, bn);
            var classes = SpecClasses(spec, shape, arguments, hq);
            var scores = new float[classes.Length];
            float scale = (float)(spec.Scale * 1.4426950408889634);
            for (int b = 0; b < shape.Batch; b++)
            for (int h = 0; h < hq; h++)
            for (int q = 0; q < qb; q++)
            {
                long row = ((long)b * hq + h) * qb + q;
                for (int k = 0; k < kb; k++)
                {
                    float dot = 0f;
                    for (int t = 0; t < d; t++)
                        dot += pq[row * d + t] * pk[(((long)b * hk + h / (hq / hk)) * kb + k) * d + t];
                    scores[row * kb + k] = classes[row * kb + k] == BlockClass.Empty ? float.NegativeInfinity : dot * scale;
                }
                var ranking = Enumerable.Range(0, kb).Where(k => scores[row * kb + k] > float.NegativeInfinity)
                    .OrderByDescending(k => scores[row * kb + k]).ThenBy(k => k).ToList();
                int keep = Keep(rule, ranking.Select(k => scores[row * kb + k]).ToList());
                var kept = new HashSet<int>(ranking.Take(keep));
                int ia0 = MaskSemantics.AlignQuery(q * bm, nq, nk), ia1 = MaskSemantics.AlignQuery(Math.Min(q * bm + bm, nq) - 1, nq, nk);
                for (int k = 0; k < kb; k++)
                {
                    bool forced = k < rule.KeepSinkBlocks || (rule.KeepDiagonal && k * bn <= ia1 && k * bn + bn - 1 >= ia0);
                    if (!kept.Contains(k) && !forced)
                        classes[row * kb + k] = BlockClass.Empty;
                }
            }
            return (classes, scores);
        }

        /// <summary>How many of the ranked candidates (scores best first) the rule keeps.</summary>
        public static int Keep(BlockSelectInfo rule, IReadOnlyList<float> ranked)
        {
            int n = ranked.Count;
            if (rule.TopK > 0)
                return Math.Min(rule.TopK, n);
            if (rule.TopFraction > 0)
                return n == 0 ? 0 : Math.Min(n, Math.Max(1, (int)Math.Ceiling(rule.TopFraction * n)));
            float total = 0f;
            foreach (float s in ranked)
                total += KernelMath.Exp2(s - ranked[0]);
            float target = (float)rule.CumulativeMass * total, mass = 0f;
            for (int r = 0; r < n; r++)
            {
                mass += KernelMath.Exp2(ranked[r] - ranked[0]);
                if (mass >= target)
                    return r + 1;
            }
            return n;
        }
    }
}
