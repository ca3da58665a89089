using System;
using System.Collections.Generic;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// <see cref="MaskSemantics.WarpIdRange"/> (the tensor-core kernel's document-id scan) gives every lane of the
    /// warp the same range <see cref="MaskSemantics.IdRange"/> computes, for counts below, at and above the warp size.
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class WarpIdRangeTests
    {
        private readonly AcceleratorFixture _fixture;

        public WarpIdRangeTests(AcceleratorFixture fixture) => _fixture = fixture;

        /// <summary>One group (one warp) per case: case g scans cases[2g + 1] ids from cases[2g]; each lane writes its min and max.</summary>
        private static void ScanKernel(ArrayView<int> ids, ArrayView<int> cases, ArrayView<int> results)
        {
            int g = Grid.IdxX, lane = Group.IdxX;
            MaskSemantics.WarpIdRange(ids, cases[2 * g], cases[2 * g + 1], out int min, out int max);
            results[(g * Group.DimX + lane) * 2] = min;
            results[(g * Group.DimX + lane) * 2 + 1] = max;
        }

        [Fact]
        public void EveryLane_GetsTheRangeOfTheScan()
        {
            var accelerator = _fixture.WarpAccelerator;
            Assert.Equal(32, accelerator.WarpSize);
            var random = new Random(20261124);
            // Unsorted ids with runs, like document ids of packed sequences and arbitrary ones.
            int[] ids = Enumerable.Range(0, 400).Select(i => i % 7 == 0 ? random.Next(-50, 50) : i / 37).ToArray();
            var cases = new (int Offset, int Count)[] { (0, 1), (5, 16), (3, 31), (40, 32), (100, 33), (0, 64), (17, 200), (150, 250) };
            using var idsBuffer = accelerator.Allocate1D(ids);
            using var casesBuffer = accelerator.Allocate1D(cases.SelectMany(c => new[] { c.Offset, c.Count }).ToArray());
            using var results = accelerator.Allocate1D<int>(cases.Length * 32 * 2);
            var kernel = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>>(ScanKernel);
            kernel(new KernelConfig(cases.Length, 32), idsBuffer.View, casesBuffer.View, results.View);
            accelerator.Synchronize();
            int[] got = results.GetAsArray1D();
            for (int g = 0; g < cases.Length; g++)
            {
                var slice = ids.Skip(cases[g].Offset).Take(cases[g].Count).ToArray();
                for (int lane = 0; lane < 32; lane++)
                {
                    Assert.Equal((slice.Min(), slice.Max()), (got[(g * 32 + lane) * 2], got[(g * 32 + lane) * 2 + 1]));
                }
            }
            Assert.True(ids.Skip(17).Take(200).Distinct().Count() > 5, "the long case spans several ids");
        }

        /// <summary>One group (one warp) per case: each lane writes what <see cref="MaskSemantics.WarpIdRuns"/> gave it.</summary>
        private static void RunsKernel(ArrayView<int> ids, ArrayView<int> cases, ArrayView<int> results)
        {
            int g = Grid.IdxX, lane = Group.IdxX;
            MaskSemantics.WarpIdRuns(ids, cases[2 * g], cases[2 * g + 1], out int min, out int max, out int first, out int split);
            int at = (g * Group.DimX + lane) * 4;
            results[at] = min;
            results[at + 1] = max;
            results[at + 2] = first;
            results[at + 3] = split;
        }

        /// <summary>
        /// <see cref="MaskSemantics.WarpIdRuns"/>: the range, the first id, and the second run's offset exactly when the ids
        /// are two runs (one run, three runs, a run that comes back, and runs that meet at a lane or a pass boundary).
        /// </summary>
        [Fact]
        public void EveryLane_GetsTheRunsOfTheScan()
        {
            var accelerator = _fixture.WarpAccelerator;
            var blocks = new List<int[]>
            {
                new[] { 7 },                                                             // one id
                Enumerable.Repeat(4, 64).ToArray(),                                      // one run
                Enumerable.Range(0, 64).Select(t => t < 1 ? 2 : 3).ToArray(),            // second run at 1
                Enumerable.Range(0, 64).Select(t => t < 63 ? 2 : 3).ToArray(),           // at the last key
                Enumerable.Range(0, 64).Select(t => t < 32 ? 9 : 5).ToArray(),           // at the second pass, descending ids
                Enumerable.Range(0, 100).Select(t => t < 31 ? 1 : 6).ToArray(),          // at lane 31
                Enumerable.Range(0, 64).Select(t => t < 20 ? 1 : t < 40 ? 2 : 3).ToArray(), // three runs
                Enumerable.Range(0, 64).Select(t => t < 20 || t >= 40 ? 1 : 2).ToArray(),   // a run that comes back
                Enumerable.Range(0, 17).Select(t => t % 2).ToArray(),                    // interleaved
                Enumerable.Range(0, 130).Select(t => t < 77 ? -3 : 12).ToArray(),        // five passes
            };
            int[] ids = blocks.SelectMany(x => x).ToArray();
            var cases = new List<int>();
            int offset = 0;
            foreach (var block in blocks)
            {
                cases.Add(offset);
                cases.Add(block.Length);
                offset += block.Length;
            }
            using var idsBuffer = accelerator.Allocate1D(ids);
            using var casesBuffer = accelerator.Allocate1D(cases.ToArray());
            using var results = accelerator.Allocate1D<int>(blocks.Count * 32 * 4);
            var kernel = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>>(RunsKernel);
            kernel(new KernelConfig(blocks.Count, 32), idsBuffer.View, casesBuffer.View, results.View);
            accelerator.Synchronize();
            int[] got = results.GetAsArray1D();
            int[] expectedSplits = { 0, 0, 1, 63, 32, 31, 0, 0, 0, 77 };
            for (int g = 0; g < blocks.Count; g++)
            {
                var block = blocks[g];
                int boundaries = Enumerable.Range(1, block.Length - 1).Count(t => block[t] != block[t - 1]);
                int split = boundaries == 1 ? Enumerable.Range(1, block.Length - 1).First(t => block[t] != block[t - 1]) : 0;
                Assert.Equal(expectedSplits[g], split);
                for (int lane = 0; lane < 32; lane++)
                {
                    int at = (g * 32 + lane) * 4;
                    Assert.Equal((block.Min(), block.Max(), block[0], split), (got[at], got[at + 1], got[at + 2], got[at + 3]));
                }
            }
        }

        /// <summary>
        /// <see cref="MaskSemantics.RunInterval"/> against a key-by-key test of the same two-run block: for every row document
        /// (either run's or another) and every causal interval, the narrowed interval holds exactly the keys of the row's
        /// document inside the row's interval.
        /// </summary>
        [Fact]
        public void RunInterval_KeepsTheRowsDocumentOnly()
        {
            const int j0 = 64, count = 16, split = 5, firstId = 8, lastId = 3;
            int Id(int j) => j - j0 < split ? firstId : lastId;
            int checkedCases = 0;
            foreach (int document in new[] { firstId, lastId, 11 })
            {
                for (int lo0 = j0; lo0 < j0 + count; lo0++)
                {
                    for (int hi0 = lo0 - 1; hi0 < j0 + count; hi0++)
                    {
                        int lo = lo0, hi = hi0;
                        MaskSemantics.RunInterval(document, j0, split, firstId, lastId, ref lo, ref hi);
                        for (int j = j0; j < j0 + count; j++)
                        {
                            bool expected = j >= lo0 && j <= hi0 && Id(j) == document;
                            Assert.Equal(expected, j >= lo && j <= hi);
                        }
                        checkedCases++;
                    }
                }
            }
            Assert.Equal(3 * (16 * 17 / 2 + 16), checkedCases);
        }

        /// <summary>One warp per case: lane l of case g flags flags[32g + l]; each lane writes the ballot it got.</summary>
        private static void BallotKernel(ArrayView<int> flags, ArrayView<uint> results)
        {
            int index = Grid.IdxX * Group.DimX + Group.IdxX;
            results[index] = Runtime.WarpReduce.Ballot(flags[index] != 0);
        }

        /// <summary><see cref="Runtime.WarpReduce.Ballot"/> (the document kernel's verdicts on 32 key-block steps) on every lane.</summary>
        [Fact]
        public void Ballot_HasEachLanesFlag_OnEveryLane()
        {
            var accelerator = _fixture.WarpAccelerator;
            var random = new Random(20261125);
            var cases = new List<int[]>
            {
                new int[32],                                                     // none
                Enumerable.Range(0, 32).Select(l => 1).ToArray(),                // all: bit 31 included
                Enumerable.Range(0, 32).Select(l => l == 31 ? 1 : 0).ToArray(),  // the last lane only
                Enumerable.Range(0, 32).Select(l => l >= 17 ? 1 : 0).ToArray(),
            };
            for (int c = 0; c < 12; c++)
                cases.Add(Enumerable.Range(0, 32).Select(l => random.Next(8) == 0 ? 1 : 0).ToArray());
            using var flags = accelerator.Allocate1D(cases.SelectMany(c => c).ToArray());
            using var results = accelerator.Allocate1D<uint>(cases.Count * 32);
            var kernel = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<uint>>(BallotKernel);
            kernel(new KernelConfig(cases.Count, 32), flags.View, results.View);
            accelerator.Synchronize();
            uint[] got = results.GetAsArray1D();
            for (int g = 0; g < cases.Count; g++)
            {
                uint expected = 0;
                for (int l = 0; l < 32; l++)
                    expected |= (uint)cases[g][l] << l;
                for (int lane = 0; lane < 32; lane++)
                    Assert.Equal(expected, got[g * 32 + lane]);
            }
            Assert.Equal(uint.MaxValue, got[32]);
        }
    }
}
