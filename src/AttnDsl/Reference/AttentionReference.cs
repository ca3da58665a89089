using System;

namespace AttnDsl
{
    /// <summary>Runtime inputs of a spec for <see cref="AttentionReference"/>, on the host.</summary>
    public sealed class ReferenceArguments
    {
        /// <summary>[PrefixLM]: one length per batch.</summary>
        public int[]? PrefixLength { get; init; }

        /// <summary>[DocumentMask]: (batch, tokens) document ids.</summary>
        public int[]? DocumentIds { get; init; }

        /// <summary>[BlockSparse]: the block mask's classes on the host (<see cref="AttnDsl.BlockMask.ToHost"/>).</summary>
        public HostBlockMask? BlockMask { get; init; }

        /// <summary>All [MaskMod]s of the spec ANDed: (batch, head, query, key) => visible.</summary>
        public Func<int, int, int, int, bool>? MaskMod { get; init; }

        /// <summary>All [ScoreMod]s of the spec in order: (score, batch, head, query, key) => score.</summary>
        public Func<float, int, int, int, int, float>? ScoreMod { get; init; }
    }

    /// <summary>Output of <see cref="AttentionReference.Compute"/>.</summary>
    /// <param name="Output">Same layout as the spec's output tensor.</param>
    /// <param name="LogSumExp">(batch, query head, query), natural log; -inf for rows that see no key.</param>
    public sealed record ReferenceResult(double[] Output, double[] LogSumExp);

    /// <summary>
    /// Exact attention for any spec: double accumulation, the masks of <see cref="MaskSemantics"/>
    /// and the score modifiers of <see cref="ScoreSemantics"/>, two passes (no online rescaling).
    /// </summary>
    public static class AttentionReference
    {
        /// <summary>Computes attention for <paramref name="spec"/> on host tensors laid out as the spec says.</summary>
        public static ReferenceResult Compute(AttentionSpecInfo spec, AttentionShape shape,
            ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, ReferenceArguments? arguments = null)
        {
            if (spec is null) throw new ArgumentNullException(nameof(spec));
            arguments ??= new ReferenceArguments();
            int d = spec.HeadDim, dv = spec.HeadDimV;
            int b = shape.Batch, hq = shape.QueryHeads, hk = shape.KeyValueHeads, nq = shape.QueryLength, nk = shape.KeyLength;
            if (b <= 0 || hq <= 0 || hk <= 0 || nq <= 0 || nk <= 0 || hq % hk != 0)
                throw new ArgumentException($"Invalid shape {shape}.", nameof(shape));
            Expect(nameof(query), query.Length, shape.QueryElements(d));
            Expect(nameof(key), key.Length, shape.KeyElements(d));
            Expect(nameof(value), value.Length, shape.KeyElements(dv));
            if (spec.PrefixLM) Expect(nameof(ReferenceArguments.PrefixLength), arguments.PrefixLength?.Length ?? 0, b);
            if (spec.DocumentMask) Expect(nameof(ReferenceArguments.DocumentIds), arguments.DocumentIds?.Length ?? 0, (long)b * nk);
            if (spec.UsesBlockMask)
            {
                if (arguments.BlockMask is null)
                    throw new ArgumentException("The spec is [BlockSparse] or [BlockSelect]; pass the mask (or the selection) as ReferenceArguments.BlockMask.", nameof(arguments));
                arguments.BlockMask.Validate(spec, shape, nameof(ReferenceArguments.BlockMask));
            }
            if (spec.MaskMods.Count > 0 && arguments.MaskMod is null)
                throw new ArgumentException("The spec has [MaskMod]s; pass them as ReferenceArguments.MaskMod.", nameof(arguments));
            if (spec.ScoreMods.Count > 0 && arguments.ScoreMod is null)
                throw new ArgumentException("The spec has [ScoreMod]s; pass them as ReferenceArguments.ScoreMod.", nameof(arguments));

            var output = new double[shape.QueryElements(dv)];
            var lse = new double[shape.QueryRows];
            var scores = new double[nk];
            var visible = new bool[nk];
            var acc = new double[dv];
            int group = hq / hk;
            for (int bi = 0; bi < b; bi++)
            for (int h = 0; h < hq; h++)
            {
                int kh = h / group;
                float slope = spec.Alibi ? ScoreSemantics.AlibiSlope(h, hq) : 0f;
                for (int i = 0; i < nq; i++)
                {
                    long qo = Offset(spec.Layout, bi, h, i, hq, nq, d);
                    int ia = MaskSemantics.AlignQuery(i, nq, nk);
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < nk; j++)
                    {
                        visible[j] = IsVisible(spec, shape, arguments, bi, h, i, j);
                        if (!visible[j]) continue;
                        long ko = Offset(spec.Layout, bi, kh, j, hk, nk, d);
                        double dot = 0;
                        for (int t = 0; t < d; t++) dot += (double)query[(int)(qo + t)] * key[(int)(ko + t)];
                        double s = dot * spec.Scale;
                        if (spec.SoftCap > 0) s = spec.SoftCap * Math.Tanh(s / spec.SoftCap);
                        if (spec.Alibi) s += ScoreSemantics.AlibiBias(slope, ia, j);
                        if (arguments.ScoreMod is not null) s = arguments.ScoreMod((float)s, bi, h, i, j);
                        if (double.IsNegativeInfinity(s)) { visible[j] = false; continue; }
                        scores[j] = s;
                        if (s > max) max = s;
                    }
                    Array.Clear(acc);
                    double sum = 0;
                    for (int j = 0; j < nk; j++)
                    {
                        if (!visible[j]) continue;
                        double p = Math.Exp(scores[j] - max);
                        sum += p;
                        long vo = Offset(spec.Layout, bi, kh, j, hk, nk, dv);
                        for (int t = 0; t < dv; t++) acc[t] += p * value[(int)(vo + t)];
                    }
                    long oo = Offset(spec.Layout, bi, h, i, hq, nq, dv);
                    for (int t = 0; t < dv; t++) output[oo + t] = sum > 0 ? acc[t] / sum : 0;
                    lse[((long)bi * hq + h) * nq + i] = sum > 0 ? max + Math.Log(sum) : double.NegativeInfinity;
                }
            }
            return new ReferenceResult(output, lse);
        }

        /// <summary>Whether query <paramref name="query"/> sees key <paramref name="key"/> under every mask of the spec.</summary>
        public static bool IsVisible(AttentionSpecInfo spec, AttentionShape shape, ReferenceArguments arguments,
            int batch, int head, int query, int key)
        {
            if (spec.UsesBlockMask)
            {
                // Unlisted blocks are invisible, full blocks visible whole, partial blocks per the other masks.
                var block = arguments.BlockMask!.Class(batch, head, query / spec.BlockM, key / spec.BlockN);
                if (block != BlockClass.Partial)
                    return block == BlockClass.Full;
            }
            int ia = MaskSemantics.AlignQuery(query, shape.QueryLength, shape.KeyLength);
            bool causal = !spec.Causal || MaskSemantics.Causal(ia, key);
            bool local = causal
                && (!spec.HasSlidingWindow || MaskSemantics.Window(ia, key, spec.WindowLeft, spec.WindowRight))
                && (!spec.HasRadialDecay || MaskSemantics.Radial(ia, key, spec.TokensPerFrame,
                        MaskSemantics.RadialScale(spec.RadialDecayFactor, spec.TokensPerFrame), spec.RadialSinkFrames));
            bool sink = spec.SinkCount > 0 && MaskSemantics.Below(key, spec.SinkCount) && causal;
            bool prefix = spec.PrefixLM && MaskSemantics.Below(key, arguments.PrefixLength![batch]);
            bool document = !spec.DocumentMask || MaskSemantics.Document(
                arguments.DocumentIds![(long)batch * shape.KeyLength + query], arguments.DocumentIds[(long)batch * shape.KeyLength + key]);
            bool mods = arguments.MaskMod is null || arguments.MaskMod(batch, head, query, key);
            return MaskSemantics.Combine(local, sink, prefix, document, mods);
        }

        /// <summary>Element offset of a (batch, head, token) row in a tensor of the given layout.</summary>
        public static long Offset(TensorLayout layout, int batch, int head, int token, int heads, int tokens, int dim) =>
            layout == TensorLayout.BHND
                ? (((long)batch * heads + head) * tokens + token) * dim
                : (((long)batch * tokens + token) * heads + head) * dim;

        private static void Expect(string name, long actual, long expected)
        {
            if (actual != expected)
                throw new ArgumentException($"{name} has {actual} elements; expected {expected}.", name);
        }
    }
}
