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
    /// A CPU accelerator with 64 threads per group (16 warps of 4), so the tiled kernel runs tiles of
    /// the specs' own BlockM (32, 64) as on a GPU, instead of the default CPU device's 16-row tiles.
    /// </summary>
    public sealed class WideGroupFixture : IDisposable
    {
        public WideGroupFixture()
        {
            Context = Context.Create(builder => builder.CPU(new CPUDevice(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: 16, numMultiprocessors: 1)));
            Accelerator = Context.GetCPUDevice(0).CreateCPUAccelerator(Context);
        }

        public Context Context { get; }

        public Accelerator Accelerator { get; }

        public void Dispose()
        {
            Accelerator.Dispose();
            Context.Dispose();
        }
    }

    [CollectionDefinition(Name)]
    public sealed class WideGroupCollection : ICollectionFixture<WideGroupFixture>
    {
        public const string Name = "CPU accelerator, 64-thread groups";
    }

    [Collection(WideGroupCollection.Name)]
    public sealed class WideGroupTiledTests
    {
        private readonly Accelerator _accelerator;

        public WideGroupTiledTests(WideGroupFixture fixture) => _accelerator = fixture.Accelerator;

        public static IEnumerable<object[]> Cases() =>
            from spec in SpecCatalog.All
            from shape in new[] { "len65-gqa", "q17-k63", "q65-k17", "batch5", "len130-mqa" }
            where !spec.SelfAttentionOnly || Shapes.IsSelfAttention(Shapes.Get(shape))
            select new object[] { spec.Name, shape };

        [Fact]
        public void GroupsHold64Threads() => Assert.Equal(64, _accelerator.MaxNumThreadsPerGroup);

        [Theory]
        [MemberData(nameof(Cases))]
        public void Tiled_FullHeightTiles_MatchReference(string spec, string shape)
        {
            var result = SpecCatalog.Get(spec).Execute(_accelerator, Shapes.Get(shape), AttentionPath.Tiled, 1000 + shape.Length);
            result.AssertMatchesReference();
        }
    }
}
