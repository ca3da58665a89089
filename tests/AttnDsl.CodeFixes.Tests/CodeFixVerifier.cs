using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using SpecAnalyzer = AttnDsl.Analyzers.SpecAttributeAnalyzer;

namespace AttnDsl.CodeFixes.Tests
{
    /// <summary>
    /// Runs the real spec analyzer (ATTN1001-ATTN1008, ATTN1017-ATTN1020) on a source, applies <typeparamref name="TCodeFix"/>
    /// and compares the result, one fix at a time and through Fix All. The source compiles against the
    /// .NET 8 reference assemblies plus the AttnDsl runtime and ILGPU.
    /// </summary>
    internal static class CodeFixVerifier<TCodeFix>
        where TCodeFix : CodeFixProvider, new()
    {
        public const string Usings = "using AttnDsl;\n\n";

        public static CSharpCodeFixTest<SpecAnalyzer, TCodeFix, DefaultVerifier> Create(string source, string fixedSource)
        {
            var test = new CSharpCodeFixTest<SpecAnalyzer, TCodeFix, DefaultVerifier>
            {
                TestCode = Usings + source,
                FixedCode = Usings + fixedSource,
                ReferenceAssemblies = ReferenceAssemblies.Net.Net80,
            };
            test.TestState.AdditionalReferences.Add(typeof(AttnDsl.AttentionShape).Assembly);
            test.TestState.AdditionalReferences.Add(typeof(ILGPU.ArrayView<>).Assembly);
            return test;
        }

        /// <summary>Fixes <paramref name="source"/> and expects <paramref name="fixedSource"/>; the code action must be titled <paramref name="title"/>.</summary>
        public static Task VerifyAsync(string source, string fixedSource, string? title = null)
        {
            var test = Create(source, fixedSource);
            if (title is not null)
                test.CodeActionVerifier = (action, verifier) => verifier.Equal(title, action.Title);
            return test.RunAsync(CancellationToken.None);
        }

        /// <summary>The diagnostics in <paramref name="source"/> are reported, and no fix is offered for them.</summary>
        public static Task VerifyNoFixAsync(string source)
        {
            var test = Create(source, source);
            return test.RunAsync(CancellationToken.None);
        }
    }
}
