using System.Threading.Tasks;
using Xunit;
using V = AttnDsl.Analyzers.Tests.Infrastructure.Verify<AttnDsl.Analyzers.CallSiteAnalyzer>;

namespace AttnDsl.Analyzers.Tests
{
    /// <summary>
    /// ATTN1016: a Run call whose constant AttentionShape Run would reject. The generator is not part of
    /// these tests, so each spec declares a stand-in Run with the generated one's leading parameters
    /// (Generators.Tests checks the rule against the real generated Run).
    /// </summary>
    public sealed class CallSiteAnalyzerTests
    {
        private static string Source(string call, string attributes = "") => $$"""
            [AttentionKernel(HeadDim = 64)]
            {{attributes}}
            public static partial class Spec
            {
                public static void Run(ILGPU.Runtime.Accelerator accelerator, AttentionShape shape, ArrayView<float> query = default) { }
            }

            public static class Caller
            {
                public static void Call(ILGPU.Runtime.Accelerator accelerator, int n)
                {
                    {{call}}
                }
            }
            """;

        [Theory]
        [InlineData("", "Spec.Run(accelerator, {|ATTN1016:new AttentionShape(0, 8, 8, 128, 128)|});")]
        [InlineData("", "Spec.Run(accelerator, {|ATTN1016:new AttentionShape(1, 8, 8, -1, 128)|});")]
        [InlineData("", "Spec.Run(accelerator, {|ATTN1016:new AttentionShape(1, 8, 3, 128, 128)|});")]
        [InlineData("", "Spec.Run(accelerator, {|ATTN1016:new AttentionShape(1, 8, 0, 128, 128)|});")]
        [InlineData("", "Spec.Run(accelerator, {|ATTN1016:new AttentionShape(2, 4, 0)|});")]
        [InlineData("", "Spec.Run(accelerator, {|ATTN1016:new AttentionShape(1, 8, 3, 128, 128)|}, default);")]
        [InlineData("", "Spec.Run(shape: {|ATTN1016:new AttentionShape(KeyLength: 64, QueryLength: 64, KeyValueHeads: 4, QueryHeads: 6, Batch: 1)|}, accelerator: accelerator);")]
        [InlineData("", "Spec.Run(accelerator, {|ATTN1016:new(1, 2 * 3, 4, 16, 16)|});")]
        [InlineData("[DocumentMask]", "Spec.Run(accelerator, {|ATTN1016:new AttentionShape(1, 8, 8, 1, 128)|});")]
        public Task ATTN1016_Reported_ForConstantShapesThatRunRejects(string attributes, string call) => V.AnalyzeAsync(Source(call, attributes));

        [Theory]
        [InlineData("", "Spec.Run(accelerator, new AttentionShape(1, 8, 2, 128, 128));")]
        [InlineData("", "Spec.Run(accelerator, new AttentionShape(2, 4, 64));")]
        // Nq != Nk is fine without [DocumentMask] (decode, chunked prefill).
        [InlineData("", "Spec.Run(accelerator, new AttentionShape(1, 8, 8, 1, 128));")]
        [InlineData("[DocumentMask]", "Spec.Run(accelerator, new AttentionShape(1, 8, 8, 128, 128));")]
        // Not all constants: nothing is known at build time.
        [InlineData("", "Spec.Run(accelerator, new AttentionShape(1, 8, 3, n, 128));")]
        [InlineData("", "var shape = new AttentionShape(1, 8, 8, n, n); Spec.Run(accelerator, shape);")]
        public Task ATTN1016_NotReported_ForShapesRunAccepts(string attributes, string call) => V.AnalyzeAsync(Source(call, attributes));

        [Fact]
        public Task ATTN1016_NotReported_OnRunOfAClassWithoutAttentionKernel() => V.AnalyzeAsync("""
            public static class NotASpec
            {
                public static void Run(ILGPU.Runtime.Accelerator accelerator, AttentionShape shape) { }
            }

            public static class Caller
            {
                public static void Call(ILGPU.Runtime.Accelerator accelerator) => NotASpec.Run(accelerator, new AttentionShape(0, 8, 3, 128, 128));
            }
            """);

        [Fact]
        public Task ATTN1016_NotReported_OnOtherMethodsOfASpec() => V.AnalyzeAsync("""
            [AttentionKernel(HeadDim = 64)]
            public static partial class Spec
            {
                public static void Plan(AttentionShape shape) { }
            }

            public static class Caller
            {
                public static void Call() => Spec.Plan(new AttentionShape(0, 8, 3, 128, 128));
            }
            """);

        [Fact]
        public Task ATTN1016_Message_SaysWhichCheckFails() => V.AnalyzeAsync(
            Source("Spec.Run(accelerator, {|#0:new AttentionShape(1, 8, 3, 0, 128)|});", "[DocumentMask]"),
            V.Diagnostic("ATTN1016").WithLocation(0).WithArguments("Spec",
                "shape.QueryLength must be positive: expected >= 1, actual 0; shape.QueryHeads (8) must be a multiple of shape.KeyValueHeads (3): expected QueryHeads % KeyValueHeads == 0, actual remainder 2; [DocumentMask] needs self-attention: expected shape.KeyLength == shape.QueryLength (0), actual 128"));

        [Fact]
        public Task ATTN1016_Message_ReportsTooManyQueryRows() => V.AnalyzeAsync(
            Source("Spec.Run(accelerator, {|#0:new AttentionShape(65536, 128, 128, 1024, 1024)|});"),
            V.Diagnostic("ATTN1016").WithLocation(0).WithArguments("Spec", "Batch * QueryHeads * QueryLength is 8589934592; at most 2147483647 query rows are supported per call"));
    }
}
