using System;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Kernels.Tests.Specs;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// The kernels and <see cref="AttentionReference"/> share <see cref="MaskSemantics"/> and
    /// <see cref="ScoreSemantics"/>, so a kernel-vs-reference comparison cannot catch a wrong
    /// semantic. These tests check those shared definitions against the contract's formulas
    /// (DESIGN.md section 2), written out independently here.
    /// </summary>
    public sealed class SemanticsOracleTests
    {
        // ---- the contract's formulas, independently ----------------------------------------------

        private static int Bitlen(int d) => d == 0 ? 0 : 1 + (int)Math.Floor(Math.Log2(d));

        /// <summary>DESIGN: video frame f = n / T, p = n % T, d = |fi - fj|; visible iff d == 0 or fj &lt; SinkFrames or |pi - pj| &lt;= floor(DecayFactor * T / 2^bitlen(d)).</summary>
        private static bool RadialOracle(int i, int j, int t, double decay, int sinkFrames)
        {
            int fi = i / t, fj = j / t, d = Math.Abs(fi - fj);
            if (d == 0 || fj < sinkFrames)
                return true;
            return Math.Abs(i % t - j % t) <= Math.Floor(decay * t / Math.Pow(2, Bitlen(d)));
        }

        /// <summary>ALiBi paper (Press et al.), get_slopes: powers of two use start^(h+1) with start = 2^(-8/n); otherwise the closest power of two n's slopes, then every other slope of 2n.</summary>
        private static double AlibiOracle(int head, int heads)
        {
            static double[] PowerOfTwo(int n) => Enumerable.Range(0, n).Select(k => Math.Pow(Math.Pow(2, -8.0 / n), k + 1)).ToArray();
            if ((heads & (heads - 1)) == 0)
                return PowerOfTwo(heads)[head];
            int closest = 1 << (int)Math.Floor(Math.Log2(heads));
            var slopes = PowerOfTwo(closest).Concat(PowerOfTwo(2 * closest).Where((_, k) => k % 2 == 0).Take(heads - closest)).ToArray();
            return slopes[head];
        }

        // ---- element masks --------------------------------------------------------------------

        [Theory]
        [InlineData(8, 1.0, 1)]
        [InlineData(16, 2.5, 0)]
        [InlineData(8, 0.5, 2)]
        [InlineData(5, 1.5, 1)]
        [InlineData(12, 0.75, 3)]
        public void Radial_MatchesTheContract(int t, double decay, int sinkFrames)
        {
            float scale = MaskSemantics.RadialScale(decay, t);
            int checkedHidden = 0;
            for (int i = 0; i < 300; i++)
            for (int j = 0; j < 300; j++)
            {
                bool expected = RadialOracle(i, j, t, decay, sinkFrames);
                Assert.True(expected == MaskSemantics.Radial(i, j, t, scale, sinkFrames), $"Radial(i={i}, j={j}, T={t}, decay={decay}, sinks={sinkFrames}): expected {expected}");
                if (!expected) checkedHidden++;
            }
            Assert.True(checkedHidden > 1000);
        }

        [Fact]
        public void Radial_WindowHalvesWithEachDoublingOfFrameDistance()
        {
            // T = 16, decay 1: W(1) = 8, W(2..3) = 4, W(4..7) = 2, W(8..15) = 1, W(16..) = 0.
            float scale = MaskSemantics.RadialScale(1, 16);
            var expected = new (int D, int W)[] { (1, 8), (2, 4), (3, 4), (4, 2), (7, 2), (8, 1), (15, 1), (16, 0), (1000, 0) };
            foreach (var (d, w) in expected)
                Assert.Equal(w, MaskSemantics.RadialWidth(d, scale));
        }

        [Fact]
        public void CausalAndWindow_MatchTheContract()
        {
            for (int ia = -20; ia < 60; ia++)
            for (int j = 0; j < 60; j++)
            {
                Assert.Equal(j <= ia, MaskSemantics.Causal(ia, j));
                Assert.Equal(ia - 5 <= j && j <= ia + 9, MaskSemantics.Window(ia, j, 5, 9));
                Assert.Equal(ia - 7 <= j && j <= ia, MaskSemantics.Window(ia, j, 7, 0));
            }
            Assert.True(MaskSemantics.Window(int.MaxValue, 0, int.MaxValue, int.MaxValue)); // no overflow
            Assert.True(MaskSemantics.Window(0, int.MaxValue, 0, int.MaxValue));
        }

        [Fact]
        public void AlignQuery_IsBottomRight()
        {
            Assert.Equal(64, MaskSemantics.AlignQuery(0, 1, 65));   // decode: the query is the last key
            Assert.Equal(-48, MaskSemantics.AlignQuery(0, 65, 17)); // more queries than keys
            Assert.Equal(46, MaskSemantics.AlignQuery(0, 17, 63));  // chunked prefill
            Assert.Equal(5, MaskSemantics.AlignQuery(5, 9, 9));
        }

        // ---- composition through the reference, per spec ---------------------------------------

        private static void AssertVisibility(AttentionSpecInfo spec, AttentionShape shape, ReferenceArguments arguments, Func<int, int, int, int, bool> oracle)
        {
            for (int b = 0; b < shape.Batch; b++)
            for (int h = 0; h < shape.QueryHeads; h++)
            for (int i = 0; i < shape.QueryLength; i++)
            for (int j = 0; j < shape.KeyLength; j++)
            {
                bool expected = oracle(b, h, i, j);
                if (expected != AttentionReference.IsVisible(spec, shape, arguments, b, h, i, j))
                    Assert.Fail($"{spec.Name} {shape}: (b={b}, h={h}, i={i}, j={j}) expected {(expected ? "visible" : "hidden")}");
            }
        }

        [Theory]
        [InlineData(40, 40)]
        [InlineData(1, 40)]
        [InlineData(40, 9)]
        public void StreamingLlm_IsWindowOrCausalSinks(int nq, int nk)
        {
            // [Causal, SlidingWindow(20), AttentionSinks(4)]: j <= i' and (i' - 20 <= j or j < 4).
            var shape = new AttentionShape(1, 1, 1, nq, nk);
            AssertVisibility(StreamingLlmF32.Info, shape, new ReferenceArguments(), (_, _, i, j) =>
            {
                int ia = i + nk - nq;
                return j <= ia && (ia - 20 <= j || j < 4);
            });
        }

        [Fact]
        public void SinksWithoutCausal_AreVisibleToEveryQuery()
        {
            // [SlidingWindow(10, 3), AttentionSinks(5)]: window, or j < 5 for every query.
            var shape = new AttentionShape(1, 1, 1, 30, 40);
            AssertVisibility(SinksWindowF32.Info, shape, new ReferenceArguments(), (_, _, i, j) =>
            {
                int ia = i + 10;
                return (ia - 10 <= j && j <= ia + 3) || j < 5;
            });
        }

        [Fact]
        public void PrefixLM_OrsThePrefixIntoCausal()
        {
            var shape = new AttentionShape(3, 1, 1, 20, 20);
            var prefix = new[] { 7, 0, 25 };
            AssertVisibility(PrefixLmCausalF32.Info, shape, new ReferenceArguments { PrefixLength = prefix },
                (b, _, i, j) => j <= i || j < prefix[b]);
        }

        [Fact]
        public void DocumentMask_AndsTheDocumentIntoCausal()
        {
            var shape = new AttentionShape(2, 1, 1, 12, 12);
            var ids = new[] { 0, 0, 1, 1, 1, 0, 2, 2, 0, 5, 5, 5, /* batch 1 */ 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 };
            AssertVisibility(DocumentCausalF32.Info, shape, new ReferenceArguments { DocumentIds = ids },
                (b, _, i, j) => j <= i && ids[b * 12 + i] == ids[b * 12 + j]);
        }

        [Fact]
        public void KitchenSink_Composition()
        {
            // visible = ((causal and window) or (sink and causal) or prefix) and document and mod.
            var shape = new AttentionShape(2, 1, 1, 50, 50);
            var prefix = new[] { 10, 0 };
            var rng = new Random(9);
            var ids = Enumerable.Range(0, 100).Select(x => x < 50 ? x / 17 : rng.Next(3)).ToArray();
            var arguments = new ReferenceArguments
            {
                PrefixLength = prefix,
                DocumentIds = ids,
                MaskMod = (b, h, q, k) => KitchenSinkBf16.SkipKeysDivisibleBySeven(b, h, q, k),
            };
            AssertVisibility(KitchenSinkBf16.Info, shape, arguments, (b, _, i, j) =>
            {
                bool causal = j <= i;
                bool local = causal && i - 24 <= j;
                bool sink = j < 3 && causal;
                bool pre = j < prefix[b];
                return (local || sink || pre) && ids[b * 50 + i] == ids[b * 50 + j] && (j == i || j % 7 != 0);
            });
        }

        // ---- score semantics ---------------------------------------------------------------------

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        [InlineData(6)]
        [InlineData(8)]
        [InlineData(12)]
        [InlineData(16)]
        [InlineData(20)]
        [InlineData(32)]
        public void AlibiSlope_MatchesThePaper(int heads)
        {
            for (int h = 0; h < heads; h++)
            {
                double expected = AlibiOracle(h, heads);
                Assert.True(Math.Abs(ScoreSemantics.AlibiSlope(h, heads) - expected) <= 2e-7 * expected,
                    $"slope of head {h} of {heads}: {ScoreSemantics.AlibiSlope(h, heads)}, expected {expected}");
            }
        }

        [Fact]
        public void AlibiSlope_KnownValues()
        {
            // 8 heads: 1/2, 1/4, ..., 1/256. 6 heads: the 4-head slopes (2^-2, 2^-4, 2^-6, 2^-8), then the first two of every other 8-head slope (2^-1, 2^-3).
            for (int h = 0; h < 8; h++)
                Assert.Equal(Math.Pow(2, -(h + 1)), ScoreSemantics.AlibiSlope(h, 8));
            Assert.Equal(new[] { 0.25f, 0.0625f, 0.015625f, 0.00390625f, 0.5f, 0.125f },
                Enumerable.Range(0, 6).Select(h => ScoreSemantics.AlibiSlope(h, 6)));
        }

        [Fact]
        public void AlibiBias_IsMinusSlopeTimesDistance()
        {
            Assert.Equal(-0.5f * 7, ScoreSemantics.AlibiBias(0.5f, 10, 3));
            Assert.Equal(-0.5f * 7, ScoreSemantics.AlibiBias(0.5f, 3, 10));
            Assert.Equal(0f, -ScoreSemantics.AlibiBias(0.5f, 4, 4));
        }

        [Fact]
        public void SoftCap_IsCapTimesTanh()
        {
            foreach (float cap in new[] { 2.5f, 20f, 50f })
            for (float s = -200; s <= 200; s += 0.37f)
            {
                double expected = cap * Math.Tanh(s / cap);
                Assert.True(Math.Abs(ScoreSemantics.SoftCap(s, cap) - expected) <= 1e-6 * cap, $"SoftCap({s}, {cap})");
                Assert.True(Math.Abs(ScoreSemantics.SoftCap(s, cap)) <= cap);
            }
        }

        [Fact]
        public void Reference_SoftCapIsAppliedBeforeAlibiAndScoreMods()
        {
            // One query, two keys, exact numbers: with q = k rows chosen so the scaled scores are known.
            // ChainedScoreModsF32: [Causal, Alibi, SoftCap(4)] then Stretch(factor) then ShiftOddKeys.
            var spec = ChainedScoreModsF32.Info;
            var shape = new AttentionShape(1, 1, 1, 1, 2);
            var q = new float[16];
            var k = new float[32];
            var v = new float[32];
            q[0] = 1f;
            k[0] = 40f;      // key 0: scaled score 40 * 0.25 = 10
            k[16] = -4f;     // key 1: scaled score -1
            v[0] = 1f;       // value of key 0 in dim 0
            v[16 + 1] = 1f;  // value of key 1 in dim 1
            const float factor = 1.5f, shift = 0.75f;
            var arguments = new ReferenceArguments
            {
                // Stretch(factor), then ShiftOddKeys with shifts[head 0] = shift, as the generated bridge composes them.
                ScoreMod = (s, b, h, qi, kj) => ChainedScoreModsF32.Stretch(s, b, h, qi, kj, factor) + ((kj & 1) == 1 ? shift : 0f),
            };
            var result = AttentionReference.Compute(spec, shape, q, k, v, arguments);
            // Query 0 aligns to key 1 (ia = 1). Scores: key 0: (4 tanh(10/4) - 1 * slope(0 of 1)) * 1.5; key 1: (4 tanh(-1/4) - 0) * 1.5 + 0.75.
            double slope = ScoreSemantics.AlibiSlope(0, 1);
            double s0 = (4 * Math.Tanh(10.0 / 4) - slope * 1) * factor;
            double s1 = 4 * Math.Tanh(-1.0 / 4) * factor + shift;
            double p0 = 1 / (1 + Math.Exp(s1 - s0));
            Assert.Equal(p0, result.Output[0], 1e-6);
            Assert.Equal(1 - p0, result.Output[1], 1e-6);
            Assert.Equal(Math.Max(s0, s1) + Math.Log(Math.Exp(s0 - Math.Max(s0, s1)) + Math.Exp(s1 - Math.Max(s0, s1))), result.LogSumExp[0], 1e-6);
        }
    }
}
