using System.Threading.Tasks;
using Xunit;
using Verify = AttnDsl.CodeFixes.Tests.CodeFixVerifier<AttnDsl.CodeFixes.DropRightWindowCodeFixProvider>;

namespace AttnDsl.CodeFixes.Tests
{
    public class DropRightWindowTests
    {
        [Theory]
        [InlineData("SlidingWindow(128, 4)", "SlidingWindow(128)")]
        [InlineData("SlidingWindow(left: 128, right: 4)", "SlidingWindow(left: 128)")]
        [InlineData("SlidingWindow(right: 4, left: 128)", "SlidingWindow(left: 128)")]
        [InlineData("SlidingWindow(128, right: 4)", "SlidingWindow(128)")]
        [InlineData("SlidingWindow( 128 , 4 )", "SlidingWindow( 128 )")]
        public Task DropsRight(string before, string after) => Verify.VerifyAsync(
            $$"""
            [AttentionKernel(HeadDim = 64)]
            [Causal, {|ATTN1007:{{before}}|}]
            public static partial class Spec
            {
            }
            """,
            $$"""
            [AttentionKernel(HeadDim = 64)]
            [Causal, {{after}}]
            public static partial class Spec
            {
            }
            """,
            "Drop Right from SlidingWindow");

        [Fact]
        public Task FixAllDropsRightEverywhere()
        {
            var test = Verify.Create(
                """
                [AttentionKernel(HeadDim = 64), Causal, {|ATTN1007:SlidingWindow(256, 16)|}]
                public static partial class First
                {
                }

                [AttentionKernel(HeadDim = 64)]
                [{|ATTN1007:SlidingWindow(left: 8, right: 8)|}]
                [Causal]
                public static partial class Second
                {
                }
                """,
                """
                [AttentionKernel(HeadDim = 64), Causal, SlidingWindow(256)]
                public static partial class First
                {
                }

                [AttentionKernel(HeadDim = 64)]
                [SlidingWindow(left: 8)]
                [Causal]
                public static partial class Second
                {
                }
                """);
            test.NumberOfFixAllIterations = 1;
            return test.RunAsync();
        }
    }
}
