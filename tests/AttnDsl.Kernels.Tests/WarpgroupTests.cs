using System.Collections.Generic;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Runtime;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// The sm_90 warpgroup kernels on a 32-lane CPU accelerator: their swizzled Q/K/V tiles (the 128-byte swizzle of
    /// wgmma's descriptors), interleaved warp slices and copy lanes, with the emulated MMA in place of wgmma, against
    /// <see cref="AttentionReference"/>. The wgmma instructions themselves are checked on the GPU (tests/AttnDsl.DeviceChecks).
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class WarpgroupTests
    {
        private static readonly string[] ShapeNames = { "len65-gqa", "len130-mqa", "q17-k63", "decode-k65" };

        private readonly AcceleratorFixture _fixture;

        public WarpgroupTests(AcceleratorFixture fixture) => _fixture = fixture;

        /// <summary>Every test spec with a warpgroup kernel: the Warpgroup* specs on four shapes, the others (D = 128, slower here) on one.</summary>
        public static IEnumerable<object[]> Cases() =>
            from spec in SpecCatalog.All
            where spec.Info.HasWarpgroupKernel
            from shape in spec.Name.StartsWith("Warpgroup", System.StringComparison.Ordinal) ? ShapeNames : ShapeNames.Take(1)
            where !spec.SelfAttentionOnly || Shapes.IsSelfAttention(Shapes.Get(shape))
            select new object[] { spec.Name, shape };

        [Fact]
        public void Catalog_HasWarpgroupSpecsOfEveryKind()
        {
            var names = SpecCatalog.All.Where(s => s.Info.HasWarpgroupKernel).Select(s => s.Name).ToList();
            Assert.Contains("WarpgroupDocumentBf16", names);
            Assert.Contains("WarpgroupDocumentF16", names); // one slice per warp: P V in flight
            Assert.Contains(SpecCatalog.All, s => s.Info.HasWarpgroupKernel && s.Info.Quantize is not null);
            // Tiles that cannot take wgmma (16-column rows, two-warp groups) keep only the mma.sync kernel.
            Assert.DoesNotContain("DocumentCausalF16", names);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Warpgroup_MatchesReference(string spec, string shape)
        {
            var result = SpecCatalog.Get(spec).Execute(_fixture.WarpgroupAccelerator, Shapes.Get(shape), AttentionPath.TensorCore, (spec + shape).Length * 104729);
            result.AssertMatchesReference();
        }

        /// <summary>
        /// The warpgroup document kernels on rows of 4 to 7 key blocks and all five kinds of document ids (RuntimeData): batch 4's
        /// documents of 8 to 100 tokens put one document or two runs in most 32- and 64-key blocks, whose rows' keys come in
        /// closed form, next to the key-by-key test of batches 0 and 1.
        /// </summary>
        [Theory]
        [InlineData("WarpgroupDocumentBf16")]
        [InlineData("WarpgroupDocumentF16")]
        public void Warpgroup_Documents_LongRows_MatchReference(string spec)
        {
            var shape = new AttentionShape(5, 1, 1, 200, 200);
            var result = SpecCatalog.Get(spec).Execute(_fixture.WarpgroupAccelerator, shape, AttentionPath.TensorCore, 20261124);
            result.AssertMatchesReference();
        }

        [Fact]
        public void EmulateWarpgroup_IsPerAccelerator()
        {
            Assert.True(TensorCoreSupport.UsesWarpgroup(_fixture.WarpgroupAccelerator));
            Assert.False(TensorCoreSupport.UsesWarpgroup(_fixture.WarpAccelerator));
        }

        [Theory]
        [InlineData(".version 7.8\n.target sm_80\n.address_size 64\n", ".version 8.0\n.target sm_90a\n.address_size 64\n")]
        [InlineData(".version 8.3\n.target sm_90\n.address_size 64\n", ".version 8.3\n.target sm_90a\n.address_size 64\n")]
        public void RetargetSm90a_RaisesTargetAndVersion(string ptx, string expected) =>
            Assert.Equal(expected, TensorCoreSupport.RetargetSm90a(ptx));
    }
}
