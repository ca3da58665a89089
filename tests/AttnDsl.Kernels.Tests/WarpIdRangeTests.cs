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
