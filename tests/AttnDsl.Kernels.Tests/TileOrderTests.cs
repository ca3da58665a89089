using System;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Runtime;
using ILGPU.Runtime;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// <see cref="TileOrder"/> (the launch order of a [DocumentMask] spec's query tiles): a permutation of the tiles by
    /// decreasing work, equal work in index order, whatever the count against the group size.
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class TileOrderTests
    {
        private readonly AcceleratorFixture _fixture;

        public TileOrderTests(AcceleratorFixture fixture) => _fixture = fixture;

        [Theory]
        [InlineData(1)]
        [InlineData(7)]
        [InlineData(256)]
        [InlineData(257)]
        [InlineData(1000)]
        public void Order_IsTheStableSortByDecreasingWork(int count)
        {
            var random = new Random(20261124 + count);
            // Few distinct values, as visible-block counts are: many ties.
            int[] work = Enumerable.Range(0, count).Select(_ => TileOrder.Work(random.Next(12), random.Next(3))).ToArray();
            int[] expected = Enumerable.Range(0, count).OrderByDescending(t => work[t]).ThenBy(t => t).ToArray();
            foreach (var accelerator in new[] { _fixture.Accelerator, _fixture.WarpAccelerator })
            {
                using var workBuffer = accelerator.Allocate1D(work);
                using var orderBuffer = accelerator.Allocate1D(Enumerable.Repeat(-1, count).ToArray());
                TileOrder.Launch(accelerator, TileOrder.Load(accelerator), workBuffer.View, orderBuffer.View);
                accelerator.Synchronize();
                Assert.Equal(expected, orderBuffer.GetAsArray1D());
            }
            if (count > 100)
                Assert.True(work.Distinct().Count() < count / 4, "the case has ties");
        }

        [Fact]
        public void Work_GrowsWithEachBlock_AndPartialBlocksCostMore()
        {
            Assert.True(TileOrder.Work(1, 0) > TileOrder.Work(0, 0));
            Assert.True(TileOrder.Work(0, 1) > TileOrder.Work(1, 0));
            Assert.True(TileOrder.Work(2, 0) > TileOrder.Work(0, 1));
        }

        [Fact]
        public void Launch_RefusesAnOrderOfAnotherLength()
        {
            var accelerator = _fixture.Accelerator;
            using var work = accelerator.Allocate1D<int>(10);
            using var order = accelerator.Allocate1D<int>(9);
            var error = Assert.Throws<ArgumentException>(() => TileOrder.Launch(accelerator, TileOrder.Load(accelerator), work.View, order.View));
            Assert.Equal("order", error.ParamName);
            Assert.Contains("expected 10, got 9", error.Message);
        }
    }
}
