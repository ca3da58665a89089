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
    /// The tensor-core kernels (mma.sync fragments, ldmatrix and cp.async layouts) on a 32-lane-warp CPU
    /// accelerator, where the MMA is the warp-shuffle emulation, against <see cref="AttentionReference"/>:
    /// every 16-bit spec on every test shape.
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class TensorCoreTests
    {
        private readonly AcceleratorFixture _fixture;

        public TensorCoreTests(AcceleratorFixture fixture) => _fixture = fixture;

        /// <summary>
        /// Every 16-bit spec on every test shape, but specs of 128 x 128 tiles (the tile chosen for the user at HeadDim 64,
        /// whose emulated MMAs cost four times a 64 x 64 tile's on the CPU) on the shapes that reach what differs between
        /// tiles: one key, a ragged row, two query tiles of grouped heads, more queries than keys.
        /// </summary>
        public static IEnumerable<object[]> Cases() =>
            from spec in SpecCatalog.All
            where spec.Info.Element != ElementType.Float32
            from shape in Shapes.ByName
            where !spec.SelfAttentionOnly || Shapes.IsSelfAttention(shape.Value)
            where spec.Info.BlockM * spec.Info.BlockN < 128 * 128 || LargeTileShapes.Contains(shape.Key)
            select new object[] { spec.Name, shape.Key };

        private static readonly HashSet<string> LargeTileShapes = new() { "len1", "len63", "len130-mqa", "q65-k17" };

        [Theory]
        [MemberData(nameof(Cases))]
        public void TensorCore_MatchesReference(string spec, string shape)
        {
            var result = SpecCatalog.Get(spec).Execute(_fixture.WarpAccelerator, Shapes.Get(shape), AttentionPath.TensorCore, (spec + shape).Length * 7919);
            result.AssertMatchesReference();
        }

        /// <summary>
        /// Rows of 69 key blocks, so the document spec's key-block loop takes several 32-block passes of
        /// classification: batch 0 has short contiguous documents (most blocks skipped), batch 1 interleaved ids
        /// (every block partial), batch 2 one document, batch 3 one document per token, batch 4 documents of 8 to
        /// 100 tokens (blocks of one document or of two runs, whose rows' keys come in closed form).
        /// </summary>
        [Fact]
        public void DocumentMask_LongRows_MatchReference()
        {
            var shape = new AttentionShape(5, 2, 1, 1100, 1100);
            var result = SpecCatalog.Get("DocumentCausalF16").Execute(_fixture.WarpAccelerator, shape, AttentionPath.TensorCore, 20261124);
            result.AssertMatchesReference();
        }
    }
}
