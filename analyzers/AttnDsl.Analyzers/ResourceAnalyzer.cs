using System.Collections.Immutable;
using AttnDsl.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AttnDsl.Analyzers
{
    /// <summary>
    /// ATTN1014-1015: estimated shared memory per block and accumulator registers per thread of a spec's
    /// tile, from the <see cref="ResourceEstimates"/> functions the dispatcher and emitters use
    /// (<see cref="SpecChecker.CheckResources"/>, shared with the generator).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ResourceAnalyzer : SpecAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            SpecDescriptors.SharedMemoryOverLimit,
            SpecDescriptors.RegistersOverLimit);

        protected override void Register(CompilationStartAnalysisContext start)
        {
            start.RegisterSymbolAction(static context =>
            {
                var type = (INamedTypeSymbol)context.Symbol;
                if (SpecChecker.KernelAttributeOf(type) is { } kernel)
                    SpecChecker.CheckResources(type, kernel, context.ReportDiagnostic, context.CancellationToken);
            }, SymbolKind.NamedType);
        }
    }
}
