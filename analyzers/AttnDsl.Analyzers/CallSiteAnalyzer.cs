using System.Collections.Immutable;
using AttnDsl.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AttnDsl.Analyzers
{
    /// <summary>
    /// ATTN1016: <c>Spec.Run(accelerator, new AttentionShape(constants), ...)</c> whose constants make Run
    /// throw before it launches: a non-positive size, QueryHeads not a multiple of KeyValueHeads, or
    /// QueryLength != KeyLength under [DocumentMask] (<see cref="SpecChecker.CheckCallSite"/>, with the
    /// numbers in <see cref="ShapeRules"/>).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class CallSiteAnalyzer : SpecAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            SpecDescriptors.ShapeContradictsSpec);

        protected override void Register(CompilationStartAnalysisContext start)
        {
            start.RegisterOperationAction(static context =>
                SpecChecker.CheckCallSite((IInvocationOperation)context.Operation, context.ReportDiagnostic), OperationKind.Invocation);
        }
    }
}
