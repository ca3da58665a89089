using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace AttnDsl.Analyzers.Tests.Infrastructure
{
    /// <summary>
    /// CSharpAnalyzerTest with DefaultVerifier over a source with {|ATTN1xxx:...|} markup: the analyzer must
    /// report exactly the marked diagnostics (and the source must compile without errors).
    /// </summary>
    public static class Verify<TAnalyzer>
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        /// <summary>Prepended to every source: the usings specs need.</summary>
        public const string Usings = "using System;\nusing AttnDsl;\nusing ILGPU;\n\n";

        public static Task AnalyzeAsync(string source, params DiagnosticResult[] expected)
        {
            var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
            {
                TestCode = Usings + source,
                ReferenceAssemblies = TestReferences.ReferenceAssemblies,
            };
            test.TestState.AdditionalReferences.AddRange(TestReferences.Additional);
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync();
        }

        /// <summary>A diagnostic of <paramref name="id"/> (with its default severity), to locate with WithLocation.</summary>
        public static DiagnosticResult Diagnostic(string id) => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic(id);
    }
}
