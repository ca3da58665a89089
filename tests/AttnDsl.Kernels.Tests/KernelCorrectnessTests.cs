using System;
using System.Collections.Generic;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Kernels.Tests.Specs;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// Every test spec against <see cref="AttentionReference"/> on ILGPU's CPU accelerator, on every
    /// test shape (<see cref="Shapes"/>), with both kernel shapes: row-streaming and tiled.
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class KernelCorrectnessTests
    {
        private readonly Accelerator _accelerator;

        public KernelCorrectnessTests(AcceleratorFixture fixture) => _accelerator = fixture.Accelerator;

        private static int Seed(string spec, string shape) => StableHash(spec + "/" + shape);

        private static int StableHash(string text)
        {
            unchecked
            {
                int h = 17;
                foreach (char c in text) h = h * 31 + c;
                return h & 0x7FFFFFFF;
            }
        }

        public static IEnumerable<object[]> RowStreamingCases() =>
            from spec in SpecCatalog.All
            from shape in Shapes.ByName
            where !spec.SelfAttentionOnly || Shapes.IsSelfAttention(shape.Value)
            select new object[] { spec.Name, shape.Key };

        /// <summary>
        /// The tiled kernel gets the same matrix. Its group barriers are OS-thread barriers on the CPU
        /// accelerator, but at these sizes (at most 2 x 4 x 65 rows) a case costs 0.01-0.6 s: the whole
        /// tiled matrix measured 15 s on the 2-core machine, so no subset is needed.
        /// </summary>
        public static IEnumerable<object[]> TiledCases() => RowStreamingCases();

        [Theory]
        [MemberData(nameof(RowStreamingCases))]
        public void RowStreaming_MatchesReference(string spec, string shape)
        {
            var result = SpecCatalog.Get(spec).Execute(_accelerator, Shapes.Get(shape), AttentionPath.RowStreaming, Seed(spec, shape));
            result.AssertMatchesReference();
        }

        [Theory]
        [MemberData(nameof(TiledCases))]
        public void Tiled_MatchesReference(string spec, string shape)
        {
            var result = SpecCatalog.Get(spec).Execute(_accelerator, Shapes.Get(shape), AttentionPath.Tiled, Seed(spec, shape));
            result.AssertMatchesReference();
        }

        [Theory]
        [InlineData(AttentionPath.RowStreaming)]
        [InlineData(AttentionPath.Tiled)]
        public void Causal_MoreQueriesThanKeys_RowsBeforeTheFirstKeyAreEmpty(AttentionPath path)
        {
            // Nq = 65, Nk = 17: query i aligns to i - 48, so queries 0..47 see no key.
            var shape = Shapes.Get("q65-k17");
            var result = SpecCatalog.Get(nameof(CausalF32)).Execute(_accelerator, shape, path, 11);
            Assert.Equal(shape.Batch * shape.QueryHeads * 48, result.MaskedRows);
            for (int h = 0; h < shape.QueryHeads; h++)
            {
                Assert.Equal(float.NegativeInfinity, result.LogSumExp[h * 65 + 47]);
                Assert.True(float.IsFinite(result.LogSumExp[h * 65 + 48]));
            }
            result.AssertMatchesReference();
        }

        [Fact]
        public void Causal_Decode_SeesEveryKey()
        {
            // Nq = 1 aligns to the last key: the single query sees all 65 keys, so the output is a
            // softmax over all of them (same as dense attention on the same inputs).
            var shape = Shapes.Get("decode-k65");
            var causal = SpecCatalog.Get(nameof(CausalF32)).Execute(_accelerator, shape, AttentionPath.RowStreaming, 5);
            var dense = SpecCatalog.Get(nameof(DenseF32)).Execute(_accelerator, shape, AttentionPath.RowStreaming, 5);
            Assert.Equal(0, causal.MaskedRows);
            causal.AssertMatchesReference();
            for (int x = 0; x < causal.Output.Length; x++)
                Assert.Equal(dense.Output[x], causal.Output[x], 5e-6f);
        }

        [Theory]
        [InlineData(AttentionPath.RowStreaming)]
        [InlineData(AttentionPath.Tiled)]
        public void PrefixLM_RowsAlignedBeforeKeyZero_StillSeeThePrefix(AttentionPath path)
        {
            // Causal alone would leave queries 0..47 empty (see above); batch 0's prefix (17/3+1 = 6
            // keys) is visible to every query, so no row is empty.
            var shape = Shapes.Get("q65-k17");
            var result = SpecCatalog.Get(nameof(PrefixLmCausalF32)).Execute(_accelerator, shape, path, 12);
            Assert.Equal(0, result.MaskedRows);
            result.AssertMatchesReference();
        }

        [Theory]
        [InlineData(AttentionPath.RowStreaming)]
        [InlineData(AttentionPath.Tiled)]
        public void MaskMod_FullyMaskedHead_GivesZeroOutputAndNegativeInfinityLse(AttentionPath path)
        {
            // Heads cycle through flags 0, 1, 2; flag 2 masks every key of the head.
            var shape = new AttentionShape(1, 3, 1, 17, 17);
            var result = SpecCatalog.Get(nameof(HeadFlagMaskF32)).Execute(_accelerator, shape, path, 13);
            Assert.Equal(17, result.MaskedRows);
            for (int i = 0; i < 17; i++)
                Assert.Equal(float.NegativeInfinity, result.LogSumExp[2 * 17 + i]);
            result.AssertMatchesReference();
        }

        [Theory]
        [InlineData(AttentionPath.RowStreaming)]
        [InlineData(AttentionPath.Tiled)]
        public void ScoreMod_NegativeInfinity_MasksTheKey(AttentionPath path)
        {
            // The table is -inf at distances 3 and 11: those keys must get zero weight. Query 3's first
            // key (key 0, distance 3) is one of them, so a kernel that fed -inf into the online softmax
            // while its running max is still -inf would compute exp2(-inf - -inf) = NaN for that row.
            var shape = new AttentionShape(1, 1, 1, 17, 17);
            var result = SpecCatalog.Get(nameof(TableBiasScoreF32)).Execute(_accelerator, shape, path, 14);
            Assert.Equal(0, result.MaskedRows);
            result.AssertMatchesReference();
        }

        [Theory]
        [InlineData(6)]
        [InlineData(12)]
        [InlineData(16)]
        public void Alibi_HeadCounts(int heads)
        {
            // Non-power-of-two head counts take the paper's interleaved slopes for heads >= 4 (6) or 8 (12).
            var shape = new AttentionShape(1, heads, heads / 2, 33, 33);
            foreach (var name in new[] { nameof(AlibiF32), nameof(AlibiCausalF32) })
                SpecCatalog.Get(name).Execute(_accelerator, shape, AttentionPath.RowStreaming, heads).AssertMatchesReference();
        }

        [Fact]
        public void LogSumExpOmitted_OutputUnchanged()
        {
            var spec = SpecCatalog.Get(nameof(StreamingLlmF32));
            var shape = Shapes.Get("len65-gqa");
            var with = spec.Execute(_accelerator, shape, AttentionPath.RowStreaming, 21);
            var without = spec.Execute(_accelerator, shape, AttentionPath.RowStreaming, 21, withLogSumExp: false);
            Assert.Equal(with.Output, without.Output);
            Assert.All(without.LogSumExp, l => Assert.True(float.IsNaN(l), "logSumExp was not requested but the buffer was written"));
        }

        [Theory]
        [InlineData(nameof(CausalF16), "len65-gqa")]
        [InlineData(nameof(KitchenSinkBf16), "batch5")]
        [InlineData(nameof(WideValueF32), "q17-k63")]
        public void TiledAndRowStreaming_Agree(string spec, string shape)
        {
            // Both shapes run the same block ranges and the same per-key arithmetic, in the same key order.
            var s = SpecCatalog.Get(spec);
            var row = s.Execute(_accelerator, Shapes.Get(shape), AttentionPath.RowStreaming, 31);
            var tiled = s.Execute(_accelerator, Shapes.Get(shape), AttentionPath.Tiled, 31);
            Assert.Equal(row.Inputs.Query, tiled.Inputs.Query);
            var tolerance = Tolerance.For(row.Element, row.Inputs.MaxAbsValue);
            for (int x = 0; x < row.Output.Length; x++)
                Assert.True(Math.Abs(row.Output[x] - tiled.Output[x]) <= tolerance.Output, $"output[{x}]: {row.Output[x]} vs {tiled.Output[x]}");
            for (int x = 0; x < row.LogSumExp.Length; x++)
                Assert.True(row.LogSumExp[x].Equals(tiled.LogSumExp[x]) || Math.Abs(row.LogSumExp[x] - tiled.LogSumExp[x]) <= 1e-5 * (1 + Math.Abs(row.LogSumExp[x])),
                    $"lse[{x}]: {row.LogSumExp[x]} vs {tiled.LogSumExp[x]}");
        }

        [Theory]
        [InlineData(AttentionPath.RowStreaming)]
        [InlineData(AttentionPath.Tiled)]
        public void SingleVisibleKey_OutputIsExactlyThatValue(AttentionPath path)
        {
            // Independent of the reference: a row that sees exactly one key gets weight exp2(0) = 1,
            // so its output is that key's value row, bit for bit, and its LSE is the scaled score.
            // DiagonalWindowF32 (SlidingWindow(0)) with Nq = 65, Nk = 17: query i sees key i - 48 only.
            var shape = Shapes.Get("q65-k17");
            var result = SpecCatalog.Get(nameof(DiagonalWindowF32)).Execute(_accelerator, shape, path, 77);
            result.AssertMatchesReference();
            int dv = result.Spec.HeadDimV;
            for (int h = 0; h < shape.QueryHeads; h++)
            for (int i = 48; i < 65; i++)
            for (int t = 0; t < dv; t++)
                Assert.Equal(result.Inputs.Value[(i - 48) * dv + t], result.Output[((h * 65) + i) * dv + t]);

            // DocumentF32, batch 3 of "batch5": every token is its own document.
            shape = Shapes.Get("batch5");
            result = SpecCatalog.Get(nameof(DocumentF32)).Execute(_accelerator, shape, path, 78);
            result.AssertMatchesReference();
            dv = result.Spec.HeadDimV;
            long batch = 3L * 40 * dv;
            for (int x = 0; x < 40 * dv; x++)
                Assert.Equal(result.Inputs.Value[batch + x], result.Output[batch + x]);
        }

        [Fact]
        public void MaskSpecs_AreNotTrivial()
        {
            // Guards the test specs themselves: each masking spec must hide some pairs and show some
            // at length 65, or the comparisons above would not test the mask.
            var shape = Shapes.Get("len65-gqa");
            var trivial = new[] { nameof(DenseF32), nameof(PrefixLmF32), nameof(HugeWindowF32), nameof(AlibiF32), nameof(SoftCapF32), nameof(TableBiasScoreF32), nameof(AlibiWideValueBf16), nameof(QuantSoftCapModF16), nameof(WarpgroupAlibiWideF16) };
            foreach (var spec in SpecCatalog.All.Where(s => !trivial.Contains(s.Name)))
            {
                var (reference, buffers) = spec.BindReference(_accelerator, shape, new Random(1));
                long visible = 0, total = 0;
                for (int b = 0; b < shape.Batch; b++)
                for (int h = 0; h < shape.QueryHeads; h++)
                for (int i = 0; i < shape.QueryLength; i++)
                for (int j = 0; j < shape.KeyLength; j++)
                {
                    total++;
                    if (AttentionReference.IsVisible(spec.Info, shape, reference, b, h, i, j)) visible++;
                }
                buffers.Dispose();
                Assert.True(visible > 0 && visible < total, $"{spec.Name}: {visible} of {total} pairs visible");
            }
        }
    }
}
