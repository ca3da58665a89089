using System;
using System.Collections.Generic;
using ILGPU;

namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// MInference's block-sparse prefill pattern (inferred from the paper): estimate the block structure
    /// online from mean-pooled queries and keys, keep per query block the top-k key blocks plus the
    /// diagonal and the first key block, and run exact attention on the kept blocks only.
    /// </summary>
    // The tiles chosen for FlashAttentionCausal, the dense spec this one is compared with: a [BlockSparse] spec keeps
    // 64 x 64 unless its tiles are set, since its BlockMask is per tile.
    [AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 128)]
    [Causal, BlockSparse]
    public static partial class MInference
    {
        public const string Seed = "MInference";

        /// <summary>Fraction of a query block's causally visible key blocks kept by the top-k (at least 1).</summary>
        public const double TopFraction = 0.1;

        public const string Description =
            "BlockMask built on the host per (batch, head, query block): mean-pooled q.k^T * scale over causally visible key blocks, " +
            "top-k (k = max(1, 10% of them)) + diagonal + key block 0; kept blocks Full, diagonal Partial (causal test), rest skipped. " +
            "PASS = exact attention on the kept blocks.";

        /// <summary>The plain causal spec the sparse output approximates (same tiles).</summary>
        private static AttentionSpecInfo Dense => FlashAttentionCausal.Info;

        public static GalleryVariant Variant => new(
            "minference", Seed, Description, Info,
            context =>
            {
                var shape = context.Shape;
                var classes = EstimateBlocks(Info, shape, context.Query, context.Key);
                var blockMask = context.Tensors.Own(BlockMask.FromBlockBitmap(context.Tensors.Device, classes,
                    shape.Batch, shape.QueryHeads, shape.QueryLength, shape.KeyLength, Info.BlockM, Info.BlockN));
                var reference = CreateReferenceArguments(blockMask);
                return new Binding(
                    (a, s, q, k, v, o, l, p) => Run(a, s, q, k, v, o, blockMask, l, p),
                    reference,
                    note => Note(note, reference));
            });

        /// <summary>
        /// Dense block classes (Batch, QueryHeads, QueryBlocks, KeyBlocks). Query block q of BlockM rows sees key
        /// blocks 0..last(q) under the causal mask (last(q) = the block of its last row's aligned position); the
        /// pooled score of (q, k) is mean(q rows) · mean(k keys) · scale.
        /// </summary>
        public static BlockClass[] EstimateBlocks(AttentionSpecInfo spec, AttentionShape shape, float[] query, float[] key)
        {
            int d = spec.HeadDim, bm = spec.BlockM, bn = spec.BlockN;
            int nq = shape.QueryLength, nk = shape.KeyLength, hq = shape.QueryHeads, hk = shape.KeyValueHeads;
            int qb = (nq + bm - 1) / bm, kb = (nk + bn - 1) / bn, group = hq / hk;
            var classes = new BlockClass[(long)shape.Batch * hq * qb * kb];
            var qMean = new double[qb * d];
            var kMean = new double[kb * d];
            var scores = new double[kb];
            var order = new List<int>(kb);
            for (int b = 0; b < shape.Batch; b++)
            for (int h = 0; h < hq; h++)
            {
                Pool(query, spec.Layout, b, h, hq, nq, d, bm, qMean);
                Pool(key, spec.Layout, b, h / group, hk, nk, d, bn, kMean);
                for (int q = 0; q < qb; q++)
                {
                    long row = (((long)b * hq + h) * qb + q) * kb;
                    int iLast = Math.Min((q + 1) * bm, nq) - 1;
                    int ia0 = MaskSemantics.AlignQuery(q * bm, nq, nk), iaLast = MaskSemantics.AlignQuery(iLast, nq, nk);
                    if (iaLast < 0)
                        continue; // no key visible to the whole block
                    int last = Math.Min(iaLast / bn, kb - 1);
                    order.Clear();
                    for (int k = 0; k <= last; k++)
                    {
                        double s = 0;
                        for (int t = 0; t < d; t++)
                            s += qMean[q * d + t] * kMean[k * d + t];
                        scores[k] = s * spec.Scale;
                        order.Add(k);
                    }
                    int keep = Math.Max(1, (int)((last + 1) * TopFraction));
                    order.Sort((x, y) => scores[y].CompareTo(scores[x]));
                    for (int r = 0; r < keep; r++)
                        classes[row + order[r]] = BlockClass.Full;
                    classes[row] = BlockClass.Full;
                    // The diagonal: blocks with keys past the first row's position are always kept, with the causal test.
                    for (int k = Math.Max(0, ia0) / bn; k <= last; k++)
                        if (k * bn + bn - 1 > ia0)
                            classes[row + k] = BlockClass.Partial;
                }
            }
            return classes;
        }

        private static void Pool(float[] x, TensorLayout layout, int b, int h, int heads, int n, int d, int block, double[] mean)
        {
            Array.Clear(mean);
            for (int i = 0; i < n; i++)
            {
                long o = AttentionReference.Offset(layout, b, h, i, heads, n, d);
                int blk = i / block;
                for (int t = 0; t < d; t++)
                    mean[blk * d + t] += x[o + t];
            }
            for (int blk = 0; blk * block < n; blk++)
            {
                int count = Math.Min(block, n - blk * block);
                for (int t = 0; t < d; t++)
                    mean[blk * d + t] /= count;
            }
        }

        /// <summary>Sparsity against causal attention and, when the output is known, the error against the dense causal reference.</summary>
        private static string Note(NoteInputs inputs, ReferenceArguments sparse)
        {
            var shape = inputs.Shape;
            if (Dense.BlockM != Info.BlockM || Dense.BlockN != Info.BlockN || Dense.HeadDim != Info.HeadDim || Dense.Layout != Info.Layout)
                throw new InvalidOperationException($"{Dense.Name} and {Info.Name} must share tiles, head dim and layout.");
            var sparseStats = BlockAnalysis.Count(Info, shape, sparse, Info.BlockM);
            var causalStats = BlockAnalysis.Count(Dense, shape, new ReferenceArguments(), Info.BlockM);
            double skipped = 1.0 - (double)sparseStats.VisitedBlocks / causalStats.VisitedBlocks;
            string text = $"N{shape.QueryLength}: {sparseStats.VisitedBlocks} of {causalStats.VisitedBlocks} causal key blocks visited, " +
                          $"{100 * skipped:F1}% skipped";
            if (inputs.Output is null)
                return text;
            var dense = AttentionReference.Compute(Dense, shape, inputs.Query, inputs.Key, inputs.Value);
            double err = 0, maxV = 0;
            for (int x = 0; x < inputs.Output.Length; x++)
                err = Math.Max(err, Math.Abs(inputs.Output[x] - dense.Output[x]));
            foreach (float v in inputs.Value)
                maxV = Math.Max(maxV, Math.Abs(v));
            return text + $"; max |sparse - dense causal| = {err:0.00E+0} ({err / maxV:0.0E+0} of max|v|, the approximation MInference accepts; random inputs have no block structure to exploit)";
        }
    }
}
