using System.Collections.Immutable;
using AttnDsl.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AttnDsl.Analyzers
{
    /// <summary>
    /// ATTN1009-1013: [MaskMod]/[ScoreMod] methods. Outside a spec class (ATTN1009); in one, their
    /// signatures (ATTN1010), extra parameter types (ATTN1011), the Run arguments they become (ATTN1012)
    /// and kernel-unsafe code in their bodies (ATTN1013). The rules live in <see cref="SpecChecker"/>
    /// and <see cref="ModSafety"/>, shared with the generator.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ModAnalyzer : SpecAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            SpecDescriptors.OrphanMod,
            SpecDescriptors.InvalidModSignature,
            SpecDescriptors.UnsupportedModParameter,
            SpecDescriptors.RuntimeArgumentConflict,
            SpecDescriptors.KernelUnsafeMod);

        protected override void Register(CompilationStartAnalysisContext start)
        {
            // Signatures and runtime arguments need every mod of the spec at once.
            start.RegisterSymbolAction(static context =>
            {
                var type = (INamedTypeSymbol)context.Symbol;
                if (SpecChecker.KernelAttributeOf(type) is not null)
                    SpecChecker.CheckModDeclarations(type, context.ReportDiagnostic, context.CancellationToken);
            }, SymbolKind.NamedType);

            start.RegisterSymbolAction(static context =>
                SpecChecker.CheckOrphanMod((IMethodSymbol)context.Symbol, context.ReportDiagnostic), SymbolKind.Method);

            // Bodies: the operations the compiler hands us, no semantic model of our own.
            start.RegisterOperationBlockAction(static context =>
            {
                if (context.OwningSymbol is not IMethodSymbol method || SpecChecker.ModKindOf(method) is null
                    || method.ContainingType is not { } type || SpecChecker.KernelAttributeOf(type) is null)
                    return;
                foreach (var block in context.OperationBlocks)
                {
                    // Attribute applications and parameter defaults are not code the kernel runs.
                    if (block is IAttributeOperation or IParameterInitializerOperation)
                        continue;
                    SpecChecker.CheckModBody(method, block, context.ReportDiagnostic);
                }
            });
        }
    }
}
