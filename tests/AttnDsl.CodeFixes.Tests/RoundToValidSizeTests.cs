using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using Verify = AttnDsl.CodeFixes.Tests.CodeFixVerifier<AttnDsl.CodeFixes.RoundToValidSizeCodeFixProvider>;

namespace AttnDsl.CodeFixes.Tests
{
    public class RoundToValidSizeTests
    {
        [Theory]
        [InlineData("HeadDim = 70", "HeadDim = 64", "Round HeadDim to 64")]
        [InlineData("HeadDim = 72", "HeadDim = 80", "Round HeadDim to 80")]      // a tie rounds away from zero, as SpecRules does
        [InlineData("HeadDim = 0", "HeadDim = 16", "Round HeadDim to 16")]
        [InlineData("HeadDim = 300", "HeadDim = 256", "Round HeadDim to 256")]
        [InlineData("HeadDim = -40", "HeadDim = 16", "Round HeadDim to 16")]
        public Task RoundsHeadDim(string before, string after, string title) => Verify.VerifyAsync(
            $$"""
            [{|ATTN1002:AttentionKernel({{before}}, BlockM = 32)|}]
            public static partial class Spec
            {
            }
            """,
            $$"""
            [AttentionKernel({{after}}, BlockM = 32)]
            public static partial class Spec
            {
            }
            """,
            title);

        [Fact]
        public Task RoundsOnlyTheHeadDimTheDiagnosticNames() => Verify.VerifyAsync(
            """
            [{|ATTN1002:AttentionKernel(HeadDim = 64, HeadDimV = 100)|}]
            public static partial class Spec
            {
            }
            """,
            """
            [AttentionKernel(HeadDim = 64, HeadDimV = 96)]
            public static partial class Spec
            {
            }
            """,
            "Round HeadDimV to 96");

        [Theory]
        [InlineData("BlockM = 100", "BlockM = 96", "Round BlockM to 96")]
        [InlineData("BlockN = 8", "BlockN = 16", "Round BlockN to 16")]
        [InlineData("BlockN = 512", "BlockN = 256", "Round BlockN to 256")]
        public Task RoundsBlocks(string before, string after, string title) => Verify.VerifyAsync(
            $$"""
            [{|ATTN1003:AttentionKernel(HeadDim = 64, {{before}})|}]
            public static partial class Spec
            {
            }
            """,
            $$"""
            [AttentionKernel(HeadDim = 64, {{after}})]
            public static partial class Spec
            {
            }
            """,
            title);

        [Fact]
        public Task ReplacesAConstantExpressionAndKeepsItsTrivia() => Verify.VerifyAsync(
            """
            [{|ATTN1003:AttentionKernel(HeadDim = 64, BlockN = Sizes.Tile * 3 /* wide */, BlockM = 32)|}]
            public static partial class Spec
            {
            }

            internal static class Sizes
            {
                public const int Tile = 30;
            }
            """,
            """
            [AttentionKernel(HeadDim = 64, BlockN = 96 /* wide */, BlockM = 32)]
            public static partial class Spec
            {
            }

            internal static class Sizes
            {
                public const int Tile = 30;
            }
            """,
            "Round BlockN to 96");

        [Fact]
        public Task OffersNoFixWhenHeadDimIsNotWritten() =>
            // HeadDim defaults to 0: the rule fires, but there is no argument to round.
            Verify.VerifyNoFixAsync(
                """
                [{|ATTN1002:AttentionKernel(BlockM = 32)|}]
                public static partial class Spec
                {
                }
                """);

        [Fact]
        public Task FixAllRoundsEverySizeOfEverySpec()
        {
            var test = Verify.Create(
                """
                [{|#0:AttentionKernel(HeadDim = 70, BlockM = 100, BlockN = 8)|}]
                public static partial class First
                {
                }

                [{|ATTN1002:AttentionKernel(HeadDim = 64, HeadDimV = 20)|}]
                public static partial class Second
                {
                }
                """,
                """
                [AttentionKernel(HeadDim = 64, BlockM = 96, BlockN = 16)]
                public static partial class First
                {
                }

                [AttentionKernel(HeadDim = 64, HeadDimV = 16)]
                public static partial class Second
                {
                }
                """);
            // First has three diagnostics on the same attribute, each fixed separately.
            test.ExpectedDiagnostics.Add(Error("ATTN1002").WithLocation(0).WithArguments("HeadDim", "70", "64"));
            test.ExpectedDiagnostics.Add(Error("ATTN1003").WithLocation(0).WithArguments("BlockM", "100", "96"));
            test.ExpectedDiagnostics.Add(Error("ATTN1003").WithLocation(0).WithArguments("BlockN", "8", "16"));
            test.NumberOfIncrementalIterations = 4;
            test.NumberOfFixAllIterations = 1;
            return test.RunAsync();
        }

        // ---------------------------------------------------------------- ATTN1019: int8 [Quantize]

        [Theory]
        [InlineData("HeadDim = 48", "Quantize", "HeadDim = 64", "Round HeadDim to 64")]   // halfway: up, so no lane is dropped
        [InlineData("HeadDim = 16", "Quantize(QuantFormat.Int8)", "HeadDim = 32", "Round HeadDim to 32")]
        [InlineData("HeadDim = 240", "Quantize(QueryKey = QuantFormat.Int8, SmoothKeys = false)", "HeadDim = 256", "Round HeadDim to 256")]
        public Task RoundsHeadDimUpToAMultipleOf32ForInt8Quantize(string before, string quantize, string after, string title) => Verify.VerifyAsync(
            $$"""
            [AttentionKernel({{before}}, BlockM = 32)]
            [Causal, {|ATTN1019:{{quantize}}|}]
            public static partial class Spec
            {
            }
            """,
            $$"""
            [AttentionKernel({{after}}, BlockM = 32)]
            [Causal, {{quantize}}]
            public static partial class Spec
            {
            }
            """,
            title);

        [Fact]
        public Task RoundsTheHeadDimOfAnotherPartialDeclaration() => Verify.VerifyAsync(
            """
            [AttentionKernel(HeadDim = 80, HeadDimV = 80)]
            public static partial class Spec
            {
            }

            [{|ATTN1019:Quantize|}]
            public static partial class Spec
            {
            }
            """,
            """
            [AttentionKernel(HeadDim = 96, HeadDimV = 80)]
            public static partial class Spec
            {
            }

            [Quantize]
            public static partial class Spec
            {
            }
            """,
            "Round HeadDim to 96");

        [Fact]
        public Task RoundsTheHeadDimOfAPartialDeclarationInAnotherFile()
        {
            var test = Verify.Create(
                """
                [{|ATTN1019:Quantize|}]
                public static partial class Spec
                {
                }
                """,
                """
                [Quantize]
                public static partial class Spec
                {
                }
                """);
            test.TestState.Sources.Add(("Kernel.cs", Verify.Usings + "[AttentionKernel(HeadDim = 208)]\npublic static partial class Spec;\n"));
            test.FixedState.Sources.Add(("Kernel.cs", Verify.Usings + "[AttentionKernel(HeadDim = 224)]\npublic static partial class Spec;\n"));
            test.CodeActionVerifier = (action, verifier) => verifier.Equal("Round HeadDim to 224", action.Title);
            return test.RunAsync();
        }

        [Fact]
        public Task FixAllRoundsTheQuantizedHeadDimBesideABlock()
        {
            var test = Verify.Create(
                """
                [{|#0:AttentionKernel(HeadDim = 112, BlockN = 20)|}]
                [{|#1:Quantize|}]
                public static partial class First
                {
                }

                [AttentionKernel(HeadDim = 144)]
                [{|ATTN1019:Quantize(SmoothKeys = false)|}]
                public static partial class Second
                {
                }
                """,
                """
                [AttentionKernel(HeadDim = 128, BlockN = 16)]
                [Quantize]
                public static partial class First
                {
                }

                [AttentionKernel(HeadDim = 160)]
                [Quantize(SmoothKeys = false)]
                public static partial class Second
                {
                }
                """);
            test.ExpectedDiagnostics.Add(Error("ATTN1003").WithLocation(0).WithArguments("BlockN", "20", "16"));
            test.ExpectedDiagnostics.Add(Error("ATTN1019").WithLocation(1).WithArguments("112", "128"));
            test.NumberOfIncrementalIterations = 3;
            test.NumberOfFixAllIterations = 1;
            return test.RunAsync();
        }

        private static DiagnosticResult Error(string id) => new(id, DiagnosticSeverity.Error);
    }
}
