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
        // Float32, 128 x 128 tiles of HeadDim 128, rows padded by 8: (128*136 + 2*128*272) * 4 = 348160 bytes.
        [InlineData("[{|ATTN1014:AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float32)|}]")]
        // Float16, HeadDim 256, BlockN 112: (64*256 + 2*112*512) * 2 = 262144 bytes (and 252 registers, under the limit).
        [InlineData("[{|ATTN1014:AttentionKernel(HeadDim = 256, BlockN = 112)|}]")]
        // HeadDimV counts: (64*64 + 2*128*(64+256)) * 4 = 344064 bytes.
        [InlineData("[{|ATTN1014:AttentionKernel(HeadDim = 64, HeadDimV = 256, BlockN = 128, Element = ElementType.Float32)|}]")]
        public Task ATTN1014_Reported_WhenTheTileNeedsTooMuchSharedMemory(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 128, BlockM = 64, BlockN = 32, Element = ElementType.Float32)]")]
        [InlineData("[AttentionKernel(HeadDim = 256, BlockM = 64, BlockN = 64)]")]
        [InlineData("[AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 64, Element = ElementType.Float32)]")]
        [InlineData("[AttentionKernel(HeadDim = 16, BlockM = 256, BlockN = 256)]")]
        // Invalid sizes are ATTN1002/1003's business: no estimate for them.
        [InlineData("[AttentionKernel(HeadDim = 1024, BlockM = 256, BlockN = 256, Element = ElementType.Float32)]")]
        public Task ATTN1014_NotReported_WhenTheTileFits(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1014_Message_StatesEstimateLimitAndNearestValidTile() => V.AnalyzeAsync(
            "[{|#0:AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float32)|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1014").WithLocation(0).WithArguments("128", "128", "128", "128", "Float32", "348160", "232448", "BlockN = 64"));

        [Fact]
        public Task ATTN1014_Message_ShrinksBlockMWhenNoBlockNFits() => V.AnalyzeAsync(
            // The Q tile of BlockM 256 alone needs 256*256*4 = 262144 bytes; BlockM 160 with BlockN 16 is the largest that fits.
            "[{|#0:AttentionKernel(HeadDim = 256, BlockM = 256, BlockN = 32, Element = ElementType.Float32)|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1014").WithLocation(0).WithArguments("256", "32", "256", "256", "Float32", "405504", "232448", "BlockM = 144, BlockN = 16"));

        // ---------------------------------------------------------------- ATTN1015

        [Fact]
        public Task ATTN1015_Reported_WhenTheFragmentsNeedTooManyRegisters() => V.AnalyzeAsync(
            // 256/2 + 256/2 + 256/4 + 4 = 324 registers; the shared memory is over too (see ATTN1014).
            "[{|#0:AttentionKernel(HeadDim = 256, BlockM = 16, BlockN = 256)|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1014").WithLocation(0).WithArguments("16", "256", "256", "256", "16-bit elements", "549120", "232448", "BlockN = 96"),
            V.Diagnostic("ATTN1015").WithLocation(0).WithArguments("256", "256", "256", "324", "255", "112"));

        [Theory]
        [InlineData("[{|ATTN1014:AttentionKernel(HeadDim = 128, BlockM = 128, BlockN = 128, Element = ElementType.Float32)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 256, BlockM = 64, BlockN = 64)]")]
        [InlineData("[AttentionKernel(HeadDim = 64, BlockN = 256)]")]
        public Task ATTN1015_NotReported_WhenTheFragmentsFit(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");
    }
}
