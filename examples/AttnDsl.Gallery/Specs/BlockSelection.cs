using System;
using System.Collections.Generic;
using System.Linq;
using ILGPU;
using Half = ILGPU.Half;

namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// What the [BlockSelect] rows share: binding a spec's estimator to a row (the selection is estimated once on the
    /// row's inputs for the reference, and again by every Run, which the timing includes) and the report line: the
    /// sparsity reached against causal attention, the error against the dense causal reference, and the recall of
    /// the kept blocks against the oracle blocks of the exact attention map.
    /// </summary>
    public static class BlockSelection
    {
        /// <summary>The selecting Run of a [BlockSelect] spec: (accelerator, shape, q, k, v, o, logSumExp, path, selection).</summary>
        public delegate void SelectingRun(ILGPU.Runtime.Accelerator accelerator, AttentionShape shape, ArrayView<Half> query, ArrayView<Half> key,
            ArrayView<Half> value, ArrayView<Half> output, ArrayView<float> logSumExp, AttentionPath path, BlockMask? selection, bool reuseSelection);

        public static Binding Bind(BindContext context, AttentionSpecInfo spec, SelectingRun run,
            Func<ILGPU.Runtime.Accelerator, AttentionShape, ArrayView<Half>, ArrayView<Half>, BlockMask?, BlockMask> select)
        {
            var shape = context.Shape;
            var device = context.Tensors.Device;
            var selection = context.Tensors.Own(BlockMask.Allocate(device, shape.Batch, shape.QueryHeads, shape.QueryLength, shape.KeyLength, spec.BlockM, spec.BlockN));
            var q = context.Tensors.Upload(context.Query.Select(x => (Half)x).ToArray());
            var k = context.Tensors.Upload(context.Key.Select(x => (Half)x).ToArray());
            select(device, shape, q, k, selection);
            var host = selection.ToHost();
            var reference = new ReferenceArguments { BlockMask = host };
            return new Binding(
                (a, s, qv, kv, vv, o, l, p) => run(a, s, qv, kv, vv, o, l, p, selection, false),
                reference,
                note => Note(spec, note, host));
        }

        /// <summary>Sparsity against causal; with the checked output, the error against dense causal and the block recall.</summary>
        private static string Note(AttentionSpecInfo spec, NoteInputs inputs, HostBlockMask selection)
        {
            var shape = inputs.Shape;
            var dense = FlashAttentionCausal.Info;
            var sparse = BlockAnalysis.Count(spec, shape, new ReferenceArguments { BlockMask = selection }, spec.BlockM);
            var causal = BlockAnalysis.Count(CausalWithTiles(spec), shape, new ReferenceArguments(), spec.BlockM);
            string text = $"N{shape.QueryLength}: kept {sparse.VisitedBlocks} of {causal.VisitedBlocks} causal blocks " +
                          $"({100 * (1 - (double)sparse.VisitedBlocks / causal.VisitedBlocks):F1}% skipped)";
            if (inputs.Output is null)
                return text;
            if (dense.HeadDim != spec.HeadDim || dense.Layout != spec.Layout)
                throw new InvalidOperationException($"{dense.Name} and {spec.Name} must share head dim and layout.");
            var exact = AttentionReference.Compute(dense, shape, inputs.Query, inputs.Key, inputs.Value);
            double err = 0, maxV = inputs.Value.Max(v => Math.Abs((double)v));
            for (int x = 0; x < inputs.Output.Length; x++)
                err = Math.Max(err, Math.Abs(inputs.Output[x] - exact.Output[x]));
            var (recall, mass) = Recall(spec, shape, inputs, exact, selection);
            return text + $"; max |sparse - dense causal| = {err / maxV:0.0E+0} of max|v|; recall of the oracle top blocks {100 * recall:F1}%, " +
                   $"attention mass kept {100 * mass:F1}% (random inputs: no block structure for the estimator to find)";
        }

        private static AttentionSpecInfo CausalWithTiles(AttentionSpecInfo spec) => new()
        {
            Name = spec.Name + " (causal)", HeadDim = spec.HeadDim, HeadDimV = spec.HeadDimV, BlockM = spec.BlockM, BlockN = spec.BlockN,
            Element = spec.Element, Layout = spec.Layout, Scale = spec.Scale, Causal = true,
        };

        /// <summary>
        /// Per (batch, head, query block): the exact causal attention mass of each key block (probabilities from the reference's
        /// LSE); the oracle keeps as many blocks as the selection, the heaviest first. Returns the mean share of oracle blocks
        /// the selection holds, and the mean attention mass the selection covers.
        /// </summary>
        private static (double Recall, double Mass) Recall(AttentionSpecInfo spec, AttentionShape shape, NoteInputs inputs, ReferenceResult exact, HostBlockMask selection)
        {
            int d = spec.HeadDim, bm = spec.BlockM, bn = spec.BlockN, n = shape.QueryLength, qb = selection.QueryBlocks, kb = selection.KeyBlocks;
            double recallSum = 0, massSum = 0;
            int rows = 0;
            var blockMass = new double[kb];
            for (int b = 0; b < shape.Batch; b++)
            for (int h = 0; h < shape.QueryHeads; h++)
            for (int q = 0; q < qb; q++)
            {
                Array.Clear(blockMass);
                int rowsInBlock = 0;
                for (int i = q * bm; i < Math.Min(q * bm + bm, n); i++, rowsInBlock++)
                {
                    long qo = AttentionReference.Offset(spec.Layout, b, h, i, shape.QueryHeads, n, d);
                    double lse = exact.LogSumExp[((long)b * shape.QueryHeads + h) * n + i];
                    for (int j = 0; j <= i; j++)
                    {
                        long ko = AttentionReference.Offset(spec.Layout, b, h / (shape.QueryHeads / shape.KeyValueHeads), j, shape.KeyValueHeads, n, d);
                        double s = 0;
                        for (int t = 0; t < d; t++)
                            s += (double)inputs.Query[qo + t] * inputs.Key[ko + t];
                        blockMass[j / bn] += Math.Exp(s * spec.Scale - lse);
                    }
                }
                var kept = Enumerable.Range(0, kb).Where(k => selection.Class(b, h, q, k) != BlockClass.Empty).ToList();
                if (kept.Count == 0)
                    continue;
                var oracle = Enumerable.Range(0, kb).OrderByDescending(k => blockMass[k]).Take(kept.Count).ToHashSet();
                recallSum += (double)kept.Count(oracle.Contains) / kept.Count;
                massSum += kept.Sum(k => blockMass[k]) / rowsInBlock;
                rows++;
            }
            return (recallSum / Math.Max(1, rows), massSum / Math.Max(1, rows));
        }
    }

    /// <summary>DraftAttention: pooled (draft) attention map, the top 10% of key blocks per query block.</summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal, BlockSelect(BlockEstimator.MeanPooled, TopFraction = 0.1)]
    public static partial class DraftAttention
    {
        public const string Seed = "DraftAttention";

        public const string Description =
            "[BlockSelect(MeanPooled, TopFraction = 0.1)]: a draft map of mean-pooled q.k^T per (query block, key block) on the device, " +
            "the top 10% of each query block's causally visible key blocks plus the diagonal and the first block, exact attention on them " +
            "(DraftAttention reuses the selection across denoising steps: Run(..., selection, reuseSelection: true)). PASS = exact attention on the selection.";

        public static GalleryVariant Variant => new("draft-attention", Seed, Description, Info,
            context => BlockSelection.Bind(context, Info, (a, s, q, k, v, o, l, p, sel, reuse) => Run(a, s, q, k, v, o, l, p, sel, reuse),
                (a, s, q, k, into) => Select(a, s, q, k, into)));
    }

    /// <summary>SeerAttention: a fixed budget of key blocks per query block from pooled scores.</summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal, BlockSelect(BlockEstimator.MeanPooled, TopK = 4)]
    public static partial class SeerAttention
    {
        public const string Seed = "SeerAttention";

        public const string Description =
            "[BlockSelect(MeanPooled, TopK = 4)]: mean-pooled block scores in place of SeerAttention's learned gate (pooling is its input), " +
            "the 4 best key blocks per query block plus the diagonal and the first block. PASS = exact attention on the selection.";

        public static GalleryVariant Variant => new("seer-attention", Seed, Description, Info,
            context => BlockSelection.Bind(context, Info, (a, s, q, k, v, o, l, p, sel, reuse) => Run(a, s, q, k, v, o, l, p, sel, reuse),
                (a, s, q, k, into) => Select(a, s, q, k, into)));
    }

    /// <summary>FlexPrefill: per query block, the fewest key blocks whose pooled attention reaches a cumulative threshold.</summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal, BlockSelect(BlockEstimator.MeanPooled, CumulativeMass = 0.9)]
    public static partial class FlexPrefill
    {
        public const string Seed = "FlexPrefill";

        public const string Description =
            "[BlockSelect(MeanPooled, CumulativeMass = 0.9)]: softmax over the pooled block scores, the shortest best-first prefix " +
            "holding 90% of it (FlexPrefill's cumulative-attention rule, gamma = 0.9) plus the diagonal and the first block. PASS = exact attention on the selection.";

        public static GalleryVariant Variant => new("flex-prefill", Seed, Description, Info,
            context => BlockSelection.Bind(context, Info, (a, s, q, k, v, o, l, p, sel, reuse) => Run(a, s, q, k, v, o, l, p, sel, reuse),
                (a, s, q, k, into) => Select(a, s, q, k, into)));
    }
}
