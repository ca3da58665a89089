using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AttnDsl.Analyzers
{
    /// <summary>
    /// Mask combinations that compile but do not mean what they say. The tiling and mod rules join
    /// this project with their own issue; the generator already refuses specs it cannot emit.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class MaskCombinationAnalyzer : DiagnosticAnalyzer
    {
        public static readonly DiagnosticDescriptor RightWindowUnderCausal = new(
            "ATTN1001",
            "SlidingWindow Right has no effect under Causal",
            "[SlidingWindow({0}, {1})] with [Causal]: keys after the query are masked by Causal, so Right = {1} does nothing; drop Right",
            "AttnDsl.Spec",
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: "docs/diagnostics/ATTN1001.md");

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(RightWindowUnderCausal);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
        }

        private static void AnalyzeType(SymbolAnalysisContext context)
        {
            var attributes = context.Symbol.GetAttributes();
            if (!attributes.Any(a => Is(a, "AttentionKernelAttribute")) || !attributes.Any(a => Is(a, "CausalAttribute")))
                return;
            foreach (var window in attributes.Where(a => Is(a, "SlidingWindowAttribute")))
            {
                if (window.ConstructorArguments.Length == 2 && window.ConstructorArguments[1].Value is int right && right > 0)
                {
                    var location = window.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation();
                    context.ReportDiagnostic(Diagnostic.Create(RightWindowUnderCausal, location,
                        window.ConstructorArguments[0].Value, right));
                }
            }
        }

        private static bool Is(AttributeData attribute, string name) =>
            attribute.AttributeClass is { } c && c.Name == name && c.ContainingNamespace?.ToDisplayString() == "AttnDsl";
    }
}
