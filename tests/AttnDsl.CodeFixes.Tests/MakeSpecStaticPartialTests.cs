using System.Threading.Tasks;
using Xunit;
using Verify = AttnDsl.CodeFixes.Tests.CodeFixVerifier<AttnDsl.CodeFixes.MakeSpecStaticPartialCodeFixProvider>;

namespace AttnDsl.CodeFixes.Tests
{
    public class MakeSpecStaticPartialTests
    {
        [Fact]
        public Task AddsStaticAndPartialAfterTheAccessibility() => Verify.VerifyAsync(
            """
            [AttentionKernel(HeadDim = 64)]
            public class {|ATTN1001:Spec|}
            {
            }
            """,
            """
            [AttentionKernel(HeadDim = 64)]
            public static partial class Spec
            {
            }
            """,
            "Make the class static partial");

        [Fact]
        public Task AddsPartialOnlyWhenAlreadyStatic() => Verify.VerifyAsync(
            """
            [AttentionKernel(HeadDim = 64)]
            internal static class {|ATTN1001:Spec|}
            {
            }
            """,
            """
            [AttentionKernel(HeadDim = 64)]
            internal static partial class Spec
            {
            }
            """);

        [Fact]
        public Task AddsStaticInFrontOfPartialAndKeepsLeadingTrivia() => Verify.VerifyAsync(
            """
            [AttentionKernel(HeadDim = 64)]
            // The spec.
            partial class {|ATTN1001:Spec|}
            {
            }
            """,
            """
            [AttentionKernel(HeadDim = 64)]
            // The spec.
            static partial class Spec
            {
            }
            """);

        [Fact]
        public Task AddsBothToAClassWithoutModifiers() => Verify.VerifyAsync(
            """
            namespace N
            {
                [AttentionKernel(HeadDim = 64)]
                class {|ATTN1001:Spec|}
                {
                }
            }
            """,
            """
            namespace N
            {
                [AttentionKernel(HeadDim = 64)]
                static partial class Spec
                {
                }
            }
            """);

        [Fact]
        public Task DropsSealedWhichAStaticClassCannotHave() => Verify.VerifyAsync(
            """
            [AttentionKernel(HeadDim = 64)]
            public sealed class {|ATTN1001:Spec|}
            {
            }
            """,
            """
            [AttentionKernel(HeadDim = 64)]
            public static partial class Spec
            {
            }
            """);

        [Fact]
        public Task MakesNonPartialContainingTypesPartial() => Verify.VerifyAsync(
            """
            public class Outer
            {
                internal struct Middle
                {
                    [AttentionKernel(HeadDim = 64)]
                    public static partial class {|ATTN1001:Spec|}
                    {
                    }
                }
            }
            """,
            """
            public partial class Outer
            {
                internal partial struct Middle
                {
                    [AttentionKernel(HeadDim = 64)]
                    public static partial class Spec
                    {
                    }
                }
            }
            """,
            "Make the containing types partial");

        [Fact]
        public Task FixesTheClassAndItsContainerTogether() => Verify.VerifyAsync(
            """
            public static class Outer
            {
                [AttentionKernel(HeadDim = 64)]
                public class {|ATTN1001:Spec|}
                {
                }
            }
            """,
            """
            public static partial class Outer
            {
                [AttentionKernel(HeadDim = 64)]
                public static partial class Spec
                {
                }
            }
            """,
            "Make the class static partial");

        [Fact]
        public Task OffersNoFixForAGenericSpec() => Verify.VerifyNoFixAsync(
            """
            [AttentionKernel(HeadDim = 64)]
            public static partial class {|ATTN1001:Spec|}<T>
            {
            }
            """);

        [Fact]
        public Task OffersNoFixForARecord() => Verify.VerifyNoFixAsync(
            // 'static record' does not exist: the declaration has to become a class by hand.
            """
            [AttentionKernel(HeadDim = 64)]
            public partial record {|ATTN1001:Spec|};
            """);

        [Fact]
        public Task OffersNoFixForASpecNestedInAGenericType() => Verify.VerifyNoFixAsync(
            """
            public partial class Outer<T>
            {
                [AttentionKernel(HeadDim = 64)]
                public class {|ATTN1001:Spec|}
                {
                }
            }
            """);

        [Fact]
        public Task FixAllFixesEverySpecOfTheDocument()
        {
            var test = Verify.Create(
                """
                [AttentionKernel(HeadDim = 64)]
                public class {|ATTN1001:First|}
                {
                }

                [AttentionKernel(HeadDim = 128)]
                internal static class {|ATTN1001:Second|}
                {
                }

                public class Outer
                {
                    [AttentionKernel(HeadDim = 32)]
                    public class {|ATTN1001:Third|}
                    {
                    }

                    [AttentionKernel(HeadDim = 32)]
                    public static partial class {|ATTN1001:Fourth|}
                    {
                    }
                }
                """,
                """
                [AttentionKernel(HeadDim = 64)]
                public static partial class First
                {
                }

                [AttentionKernel(HeadDim = 128)]
                internal static partial class Second
                {
                }

                public partial class Outer
                {
                    [AttentionKernel(HeadDim = 32)]
                    public static partial class Third
                    {
                    }

                    [AttentionKernel(HeadDim = 32)]
                    public static partial class Fourth
                    {
                    }
                }
                """);
            // One Fix All pass fixes all four (the two nested specs both make Outer partial).
            test.NumberOfFixAllIterations = 1;
            return test.RunAsync();
        }
    }
}
