using System;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Runtime;
using ILGPU.Runtime;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// <see cref="TileOrder"/> (the launch order of a [DocumentMask] spec's tensor-core grid): the deadline order of the
    /// (tile, head) pairs, computed on the host from its definition, for tile counts below, at and above the group size,
    /// few and many heads, and spacings from one to more than the whole spread of work.
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class TileOrderTests
    {
        private readonly AcceleratorFixture _fixture;

        public TileOrderTests(AcceleratorFixture fixture) => _fixture = fixture;

        /// <summary>The order by its definition: keys (h + 1) P - work, equal keys by head, then by the stable rank of the work.</summary>
        private static int[] Expected(int[] work, int heads, int slots)
        {
            long total = work.Sum(w => (long)w);
            long spacing = Math.Clamp(total / (2L * slots), 1, int.MaxValue);
            int[] rank = new int[work.Length];
            var byWork = Enumerable.Range(0, work.Length).OrderByDescending(t => work[t]).ThenBy(t => t).ToArray();
            for (int r = 0; r < byWork.Length; r++)
                rank[byWork[r]] = r;
            return Enumerable.Range(0, heads).SelectMany(h => Enumerable.Range(0, work.Length).Select(t => (h, t)))
                .OrderBy(p => (p.h + 1) * spacing - work[p.t]).ThenBy(p => p.h).ThenBy(p => rank[p.t])
                .Select(p => p.t * heads + p.h).ToArray();
        }

        [Theory]
        [InlineData(1, 1, 132)]
        [InlineData(7, 3, 1)]
        [InlineData(128, 16, 132)]
        [InlineData(257, 5, 264)]
        [InlineData(300, 32, 4)]
        [InlineData(1000, 2, 100000)]
        public void Order_IsTheDeadlineOrder(int tiles, int heads, int slots)
        {
            var random = new Random(20261124 + tiles * 31 + heads);
            // Few distinct values with a wide spread, as visible-block counts of documents are: many ties.
            int[] work = Enumerable.Range(0, tiles).Select(_ => TileOrder.Work(random.Next(4) == 0 ? random.Next(40) : random.Next(6), random.Next(3))).ToArray();
            int[] expected = Expected(work, heads, slots);
            Assert.Equal(Enumerable.Range(0, tiles * heads), expected.OrderBy(e => e)); // the definition gives a permutation
            foreach (var accelerator in new[] { _fixture.Accelerator, _fixture.WarpAccelerator })
            {
                using var workBuffer = accelerator.Allocate1D(work);
                using var scratch = accelerator.Allocate1D<int>(TileOrder.ScratchLength(tiles));
                using var order = accelerator.Allocate1D(Enumerable.Repeat(-1, tiles * heads).ToArray());
                TileOrder.Launch(accelerator, TileOrder.Load(accelerator), workBuffer.View, heads, slots, scratch.View, order.View);
                accelerator.Synchronize();
                Assert.Equal(expected, order.GetAsArray1D());
            }
            if (tiles > 100)
                Assert.True(work.Distinct().Count() < tiles / 2, "the case has ties");
        }

        [Fact]
        public void Order_StartsEachHeadsLongestTilesFirst_AndTheHeadsInTurn()
        {
            // 4 heads of 64 tiles, works 1..64 blocks: each head's tiles come longest first, and a head's longest tile
            // starts before the previous head's shortest but after the first head's longest.
            int tiles = 64, heads = 4;
            int[] work = Enumerable.Range(0, tiles).Select(t => TileOrder.Work(t + 1, 0)).ToArray();
            var accelerator = _fixture.Accelerator;
            using var workBuffer = accelerator.Allocate1D(work);
            using var scratch = accelerator.Allocate1D<int>(TileOrder.ScratchLength(tiles));
            using var orderBuffer = accelerator.Allocate1D<int>(tiles * heads);
            TileOrder.Launch(accelerator, TileOrder.Load(accelerator), workBuffer.View, heads, 32, scratch.View, orderBuffer.View); // spacing 166: half the spread of work
            accelerator.Synchronize();
            int[] order = orderBuffer.GetAsArray1D();
            for (int h = 0; h < heads; h++)
            {
                int[] own = order.Where(e => e % heads == h).Select(e => e / heads).ToArray();
                Assert.Equal(Enumerable.Range(0, tiles).Reverse(), own);
            }
            int Place(int t, int h) => Array.IndexOf(order, t * heads + h);
            for (int h = 1; h < heads; h++)
            {
                Assert.True(Place(tiles - 1, h) < Place(0, h - 1), $"head {h}'s longest tile waits for head {h - 1}'s shortest");
                Assert.True(Place(tiles - 1, h) > Place(tiles - 1, 0), $"head {h}'s longest tile starts before head 0's");
            }
        }

        [Fact]
        public void Work_GrowsWithEachBlock_AndPartialBlocksCostMore()
        {
            Assert.True(TileOrder.Work(1, 0) > TileOrder.Work(0, 0));
            Assert.True(TileOrder.Work(0, 1) > TileOrder.Work(1, 0));
            Assert.True(TileOrder.Work(2, 0) > TileOrder.Work(0, 1));
        }

        [Fact]
        public void Launch_RefusesAnOrderOrScratchOfAnotherLength()
        {
            var accelerator = _fixture.Accelerator;
            var kernels = TileOrder.Load(accelerator);
            using var work = accelerator.Allocate1D<int>(10);
            using var scratch = accelerator.Allocate1D<int>(TileOrder.ScratchLength(10));
            using var order = accelerator.Allocate1D<int>(29);
            var error = Assert.Throws<ArgumentException>(() => TileOrder.Launch(accelerator, kernels, work.View, 3, 132, scratch.View, order.View));
            Assert.Equal("order", error.ParamName);
            Assert.Contains("expected 30, got 29", error.Message);
            using var fullOrder = accelerator.Allocate1D<int>(30);
            error = Assert.Throws<ArgumentException>(() => TileOrder.Launch(accelerator, kernels, work.View, 3, 132, scratch.View.SubView(0, 20), fullOrder.View));
            Assert.Equal("scratch", error.ParamName);
            Assert.Contains("expected at least 21, got 20", error.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => TileOrder.Launch(accelerator, kernels, work.View, 3, 0, scratch.View, fullOrder.View));
        }
    }
}
