using System.Threading.Tasks;
using Xunit;
using V = AttnDsl.Analyzers.Tests.Infrastructure.Verify<AttnDsl.Analyzers.ResourceAnalyzer>;

namespace AttnDsl.Analyzers.Tests
{
    /// <summary>ATTN1014-1015: shared memory and registers of the tensor-core tile.</summary>
    public sealed class ResourceAnalyzerTests
    {
        // ---------------------------------------------------------------- ATTN1014

        [Theory]
        // Float16, HeadDim 256, 128 x 96 tiles, rows padded by 8: (128*264 + 2*96*528) * 2 = 270336 bytes (244 registers, under the limit).
        [InlineData("[{|ATTN1014:AttentionKernel(HeadDim = 256, BlockM = 128, BlockN = 96)|}]")]
        // A written BlockN that fits with no BlockM: the chosen BlockM shrinks to 16 and the estimate still says no.
        [InlineData("[{|ATTN1014:AttentionKernel(HeadDim = 256, BlockN = 112)|}]")]
        // HeadDimV counts: (64*72 + 2*192*(72+264)) * 2 = 267264 bytes.
        [InlineData("[{|ATTN1014:AttentionKernel(HeadDim = 64, HeadDimV = 256, BlockM = 64, BlockN = 192)|}]")]
        public Task ATTN1014_Reported_WhenTheTileNeedsTooMuchSharedMemory(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 32, Element = ElementType.Float32)]")]
        [InlineData("[AttentionKernel(HeadDim = 256, BlockM = 64, BlockN = 64)]")]
        [InlineData("[AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 64, Element = ElementType.Float32)]")]
        [InlineData("[AttentionKernel(HeadDim = 16, BlockM = 256, BlockN = 256)]")]
        // Invalid sizes are ATTN1002/1003's business: no estimate for them.
        [InlineData("[AttentionKernel(HeadDim = 1024, BlockM = 256, BlockN = 256, Element = ElementType.Float32)]")]
        // Float32 specs run the portable kernels only (their K/V stage fits by construction): no tensor-core estimate.
        [InlineData("[AttentionKernel(HeadDim = 256, BlockM = 128, BlockN = 128, Element = ElementType.Float32)]")]
        // Tiles not written are chosen to fit, at every head dim.
        [InlineData("[AttentionKernel(HeadDim = 256)]")]
        [InlineData("[AttentionKernel(HeadDim = 256, HeadDimV = 32)]")]
        [InlineData("[AttentionKernel(HeadDim = 240, BlockM = 128)]")]
        public Task ATTN1014_NotReported_WhenTheTileFits(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1014_Message_StatesEstimateLimitAndNearestValidTile() => V.AnalyzeAsync(
            "[{|#0:AttentionKernel(HeadDim = 256, BlockM = 128, BlockN = 96)|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1014").WithLocation(0).WithArguments("128", "96", "256", "256", "16-bit elements", "270336", "232448", "BlockN = 64"));

        /// <summary>Every head dim, with and without a distinct HeadDimV, under each mask class of the tile table.</summary>
        public static TheoryData<string> UnsetTiles()
        {
            var data = new TheoryData<string>();
            foreach (string masks in new[] { "", "[Causal]", "[Causal, SlidingWindow(256)]", "[Causal, Alibi]" })
                for (int d = 16; d <= 256; d += 16)
                    foreach (int dv in new[] { d, 272 - d })
                        data.Add($"[AttentionKernel(HeadDim = {d}, HeadDimV = {dv})]\n{masks}");
            return data;
        }

        [Theory]
        [MemberData(nameof(UnsetTiles))]
        public Task ChosenTiles_PassTheEstimates(string attributes) => V.AnalyzeAsync(attributes + "\npublic static partial class Spec;");

        // ---------------------------------------------------------------- ATTN1015

        [Fact]
        public Task ATTN1015_Reported_WhenTheFragmentsNeedTooManyRegisters() => V.AnalyzeAsync(
            // 256/2 + 256/2 + 256/4 + 4 = 324 registers; the shared memory is over too (see ATTN1014).
            "[{|#0:AttentionKernel(HeadDim = 256, BlockM = 16, BlockN = 256)|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1014").WithLocation(0).WithArguments("16", "256", "256", "256", "16-bit elements", "549120", "232448", "BlockN = 96"),
            V.Diagnostic("ATTN1015").WithLocation(0).WithArguments("256", "256", "256", "324", "255", "112"));

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 256, Element = ElementType.Float32)]")]
        [InlineData("[AttentionKernel(HeadDim = 256, BlockM = 64, BlockN = 64)]")]
        [InlineData("[AttentionKernel(HeadDim = 64, BlockN = 256)]")]
        public Task ATTN1015_NotReported_WhenTheFragmentsFit(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");
    }
}
