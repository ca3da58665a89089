using System;
using System.Collections.Generic;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// The block classification the kernels skip blocks by must agree with the element predicates
    /// they test inside partial blocks: a Full block has every (query, key) pair visible, an Empty
    /// block none. That is exactly what makes block skipping (Empty) and dropping the per-element
    /// test (Full) correct; Partial is always allowed.
    /// </summary>
    public sealed class MaskSemanticsTests
    {
        private const int Trials = 4000;

        /// <summary>Counts of each class seen, to make sure a property test was not vacuous.</summary>
        private sealed class Seen
        {
            public int Full, Empty, Partial;

            public void Add(BlockClass c)
            {
                if (c == BlockClass.Full) Full++;
                else if (c == BlockClass.Empty) Empty++;
                else Partial++;
            }

            public void AssertAllKinds(string what)
            {
                Assert.True(Full > 0 && Empty > 0 && Partial > 0, $"{what}: Full {Full}, Empty {Empty}, Partial {Partial}");
            }
        }

        /// <summary>Random aligned query rows [ia0, ia1] (negative when Nq &gt; Nk) and keys [j0, j1].</summary>
        private static (int Ia0, int Ia1, int J0, int J1) RandomRanges(Random rng, int maxRows = 70, int maxKeys = 70)
        {
            int ia0 = rng.Next(-40, 200);
            int ia1 = ia0 + rng.Next(0, maxRows);
            int j0 = rng.Next(0, 200);
            int j1 = j0 + rng.Next(0, maxKeys);
            return (ia0, ia1, j0, j1);
        }

        private static void AssertConsistent(BlockClass block, int ia0, int ia1, int j0, int j1, Func<int, int, bool> visible, string what)
        {
            if (block == BlockClass.Partial)
                return;
            bool expected = block == BlockClass.Full;
            for (int ia = ia0; ia <= ia1; ia++)
            for (int j = j0; j <= j1; j++)
            {
                if (visible(ia, j) != expected)
                    Assert.Fail($"{what}: block rows [{ia0}, {ia1}] keys [{j0}, {j1}] is {block} but (ia={ia}, j={j}) is {(expected ? "hidden" : "visible")}");
            }
        }

        [Fact]
        public void CausalBlock_IsConsistentWithCausal()
        {
            var rng = new Random(1);
            var seen = new Seen();
            for (int t = 0; t < Trials; t++)
            {
                var (ia0, ia1, j0, j1) = RandomRanges(rng);
                var block = MaskSemantics.CausalBlock(ia0, ia1, j0, j1);
                seen.Add(block);
                AssertConsistent(block, ia0, ia1, j0, j1, MaskSemantics.Causal, "Causal");
            }
            seen.AssertAllKinds("Causal");
        }

        [Fact]
        public void CausalBlock_IsExact()
        {
            // Causal is simple enough that the classification is exact, not just conservative.
            var rng = new Random(11);
            for (int t = 0; t < Trials; t++)
            {
                var (ia0, ia1, j0, j1) = RandomRanges(rng, 20, 20);
                int visible = 0, total = 0;
                for (int ia = ia0; ia <= ia1; ia++)
                for (int j = j0; j <= j1; j++) { total++; if (MaskSemantics.Causal(ia, j)) visible++; }
                var expected = visible == total ? BlockClass.Full : visible == 0 ? BlockClass.Empty : BlockClass.Partial;
                Assert.Equal(expected, MaskSemantics.CausalBlock(ia0, ia1, j0, j1));
            }
        }

        [Theory]
        [InlineData(0, 0)]
        [InlineData(7, 0)]
        [InlineData(5, 9)]
        [InlineData(0, 13)]
        [InlineData(64, 64)]
        [InlineData(int.MaxValue, int.MaxValue)]
        public void WindowBlock_IsConsistentWithWindow(int left, int right)
        {
            var rng = new Random(2 + left);
            var seen = new Seen();
            for (int t = 0; t < Trials; t++)
            {
                var (ia0, ia1, j0, j1) = RandomRanges(rng);
                var block = MaskSemantics.WindowBlock(ia0, ia1, j0, j1, left, right);
                seen.Add(block);
                AssertConsistent(block, ia0, ia1, j0, j1, (ia, j) => MaskSemantics.Window(ia, j, left, right), $"Window({left}, {right})");
            }
            if (left < 1000)
                Assert.True(seen.Empty > 0 && seen.Partial > 0, $"Window({left}, {right}): Empty {seen.Empty}, Partial {seen.Partial}");
            else
                Assert.Equal(Trials, seen.Full); // an unbounded window shows everything
        }

        [Theory]
        [InlineData(1)]
        [InlineData(4)]
        [InlineData(19)]
        [InlineData(150)]
        public void BelowBlock_IsConsistentWithBelow(int count)
        {
            var rng = new Random(3 + count);
            var seen = new Seen();
            for (int t = 0; t < Trials; t++)
            {
                var (ia0, ia1, j0, j1) = RandomRanges(rng);
                j0 = rng.Next(0, count + 20);
                j1 = j0 + rng.Next(0, Math.Min(count + 3, 40));
                var block = MaskSemantics.BelowBlock(j0, j1, count);
                seen.Add(block);
                AssertConsistent(block, 0, 0, j0, j1, (_, j) => MaskSemantics.Below(j, count), $"Below({count})");
            }
            seen.AssertAllKinds($"Below({count})");
        }

        [Theory]
        [InlineData(8, 1.0, 1)]
        [InlineData(16, 2.5, 0)]
        [InlineData(8, 0.5, 2)]
        [InlineData(5, 1.5, 1)]
        [InlineData(3, 1.0, 0)]
        [InlineData(1, 1.0, 0)]
        [InlineData(32, 0.3, 3)]
        public void RadialBlock_IsConsistentWithRadial(int tokensPerFrame, double decay, int sinkFrames)
        {
            float scale = MaskSemantics.RadialScale(decay, tokensPerFrame);
            var rng = new Random(4 + tokensPerFrame);
            var seen = new Seen();
            for (int t = 0; t < Trials; t++)
            {
                // Half the tiles within a frame (where the classifier can decide Full or Empty), half up to
                // ~10 frames (mostly Partial; past 8 frames the classifier does not enumerate).
                int span = rng.Next(2) == 0 ? Math.Max(1, tokensPerFrame / 2) : Math.Min(70, 10 * tokensPerFrame);
                var (ia0, ia1, j0, j1) = RandomRanges(rng, span, span);
                var block = MaskSemantics.RadialBlock(ia0, ia1, j0, j1, tokensPerFrame, scale, sinkFrames);
                seen.Add(block);
                AssertConsistent(block, ia0, ia1, j0, j1,
                    (ia, j) => MaskSemantics.Radial(ia, j, tokensPerFrame, scale, sinkFrames), $"Radial(T={tokensPerFrame}, decay={decay}, sinks={sinkFrames})");
            }
            // Not vacuous: the classifier decides some blocks (T = 1 makes every key visible: all Full).
            Assert.True(seen.Full + seen.Empty > Trials / 20, $"Radial: Full {seen.Full}, Empty {seen.Empty}, Partial {seen.Partial}");
        }

        [Fact]
        public void RadialBlock_SmallTiles_FindEmptyBlocks()
        {
            // Tiles within a frame pair far apart in time: the classification must be able to skip.
            float scale = MaskSemantics.RadialScale(1.0, 16);
            var seen = new Seen();
            var rng = new Random(44);
            for (int t = 0; t < Trials; t++)
            {
                var (ia0, ia1, j0, j1) = RandomRanges(rng, 4, 4);
                ia0 = Math.Abs(ia0) + 16;
                ia1 = ia0 + rng.Next(0, 4);
                var block = MaskSemantics.RadialBlock(ia0, ia1, j0, j1, 16, scale, 1);
                seen.Add(block);
                AssertConsistent(block, ia0, ia1, j0, j1, (ia, j) => MaskSemantics.Radial(ia, j, 16, scale, 1), "Radial small tiles");
            }
            seen.AssertAllKinds("Radial small tiles");
        }

        [Fact]
        public void DocumentBlock_IsConsistentWithDocument()
        {
            var rng = new Random(5);
            var seen = new Seen();
            for (int t = 0; t < Trials; t++)
            {
                int span = rng.Next(1, 6);
                var queryIds = Enumerable.Range(0, rng.Next(1, 12)).Select(_ => rng.Next(0, span)).ToArray();
                var keyIds = Enumerable.Range(0, rng.Next(1, 12)).Select(_ => rng.Next(0, span) + rng.Next(0, 2) * span).ToArray();
                var block = MaskSemantics.DocumentBlock(queryIds.Min(), queryIds.Max(), keyIds.Min(), keyIds.Max());
                seen.Add(block);
                AssertConsistent(block, 0, queryIds.Length - 1, 0, keyIds.Length - 1,
                    (i, j) => MaskSemantics.Document(queryIds[i], keyIds[j]), "Document");
            }
            seen.AssertAllKinds("Document");
        }

        [Fact]
        public void IdRange_FindsMinAndMax()
        {
            using var context = Context.CreateDefault();
            using var accelerator = context.CreateCPUAccelerator(0);
            var ids = new[] { 5, -3, 9, 9, 2, 7, -3, 11 };
            using var buffer = accelerator.Allocate1D(ids);
            for (int offset = 0; offset < ids.Length; offset++)
            for (int count = 1; offset + count <= ids.Length; count++)
            {
                MaskSemantics.IdRange(buffer.View, offset, count, out int min, out int max);
                var slice = ids.Skip(offset).Take(count).ToArray();
                Assert.Equal(slice.Min(), min);
                Assert.Equal(slice.Max(), max);
            }
        }

        [Fact]
        public void CombineBlock_IsConsistentWithCombine()
        {
            // Random element predicates for the five components over a 3 x 3 tile, each classified
            // exactly or (sometimes) conservatively as Partial; the combined class must be sound for
            // the combined predicate.
            var rng = new Random(6);
            var seen = new Seen();
            for (int t = 0; t < 20000; t++)
            {
                var grids = new bool[5][,];
                var classes = new BlockClass[5];
                for (int c = 0; c < 5; c++)
                {
                    grids[c] = new bool[3, 3];
                    int mode = rng.Next(4); // all true, all false, or random
                    for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                        grids[c][a, b] = mode == 0 || (mode != 1 && rng.Next(2) == 1);
                    bool all = true, none = true;
                    foreach (bool v in grids[c]) { all &= v; none &= !v; }
                    classes[c] = rng.Next(5) == 0 ? BlockClass.Partial : all ? BlockClass.Full : none ? BlockClass.Empty : BlockClass.Partial;
                }
                var block = MaskSemantics.Combine(classes[0], classes[1], classes[2], classes[3], classes[4]);
                seen.Add(block);
                AssertConsistent(block, 0, 2, 0, 2,
                    (a, b) => MaskSemantics.Combine(grids[0][a, b], grids[1][a, b], grids[2][a, b], grids[3][a, b], grids[4][a, b]), "Combine");
            }
            seen.AssertAllKinds("Combine");
        }

        [Fact]
        public void LocalKeyRange_ContainsEveryVisibleKey()
        {
            // The kernels visit keys [LocalKeyBegin(ia0), LocalKeyEnd(ia1)) for the local masks: every
            // key that Causal/SlidingWindow shows to a row of the tile must be inside.
            var rng = new Random(7);
            foreach (var (causal, window, left, right) in new[] { (true, false, 0, 0), (false, true, 7, 0), (false, true, 5, 9), (true, true, 20, 0), (false, true, 0, 0) })
            {
                for (int t = 0; t < Trials; t++)
                {
                    int nk = rng.Next(1, 150);
                    int ia0 = rng.Next(-60, nk + 20);
                    int ia1 = ia0 + rng.Next(0, 40);
                    int begin = MaskSemantics.LocalKeyBegin(ia0, nk, window, left);
                    int end = MaskSemantics.LocalKeyEnd(ia1, nk, causal, window, right);
                    Assert.InRange(begin, 0, nk);
                    Assert.InRange(end, 0, nk);
                    for (int ia = ia0; ia <= ia1; ia++)
                    for (int j = 0; j < nk; j++)
                    {
                        bool visible = (!causal || MaskSemantics.Causal(ia, j)) && (!window || MaskSemantics.Window(ia, j, left, right));
                        if (visible)
                            Assert.True(j >= begin && j < end, $"key {j} visible to row {ia} but outside [{begin}, {end}) (causal={causal}, window={window} {left},{right})");
                    }
                }
            }
        }

        [Theory]
        [InlineData(1, 1)]
        [InlineData(2, 2)]
        [InlineData(3, 2)]
        [InlineData(4, 3)]
        [InlineData(7, 3)]
        [InlineData(8, 4)]
        [InlineData(1023, 10)]
        [InlineData(1024, 11)]
        [InlineData(int.MaxValue, 31)]
        [InlineData(0, 0)]
        public void BitLength(int value, int bits) => Assert.Equal(bits, MaskSemantics.BitLength(value));

        [Fact]
        public void FloorDiv_RoundsTowardNegativeInfinity()
        {
            for (int a = -50; a <= 50; a++)
            for (int b = 1; b <= 9; b++)
                Assert.Equal((int)Math.Floor(a / (double)b), MaskSemantics.FloorDiv(a, b));
        }
    }
}
