using System.Collections.Immutable;
using AttnDsl.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AttnDsl.Analyzers
{
    /// <summary>
    /// ATTN1001-1008 and ATTN1017-1020: the spec class declaration, the [AttentionKernel] sizes, enum values
    /// and scale, the arguments of the mask, score, [BlockSelect] and [Quantize] attributes, and combinations
    /// that contradict each other or do nothing.
    /// The rules are <see cref="SpecChecker.CheckClassAndAttributes"/>, shared with the generator.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class SpecAttributeAnalyzer : SpecAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            SpecDescriptors.SpecClassShape,
            SpecDescriptors.InvalidHeadDim,
            SpecDescriptors.InvalidBlock,
            SpecDescriptors.InvalidArgument,
            SpecDescriptors.UnknownEnumValue,
            SpecDescriptors.RadialWithoutGrid,
            SpecDescriptors.RightWindowUnderCausal,
            SpecDescriptors.NoEffect,
            SpecDescriptors.BlockSelectRule,
            SpecDescriptors.SelectWithSparse,
            SpecDescriptors.QuantizedHeadDim,
            SpecDescriptors.QuantizeElement);

        protected override void Register(CompilationStartAnalysisContext start)
        {
            start.RegisterSymbolAction(static context =>
            {
                var type = (INamedTypeSymbol)context.Symbol;
                if (SpecChecker.KernelAttributeOf(type) is { } kernel)
                    SpecChecker.CheckClassAndAttributes(type, kernel, context.ReportDiagnostic, context.CancellationToken);
            }, SymbolKind.NamedType);
        }
    }
}
