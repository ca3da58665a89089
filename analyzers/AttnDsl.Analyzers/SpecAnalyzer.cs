using AttnDsl.Rules;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AttnDsl.Analyzers
{
    /// <summary>
    /// The set-up every AttnDsl analyzer shares: no analysis of generated code, concurrent execution,
    /// and nothing at all in a compilation that does not reference the AttnDsl runtime.
    /// </summary>
    public abstract class SpecAnalyzer : DiagnosticAnalyzer
    {
        public sealed override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                if (SpecChecker.ReferencesAttnDsl(start.Compilation))
                    Register(start);
            });
        }

        /// <summary>Registers this family's actions for a compilation that uses AttnDsl.</summary>
        protected abstract void Register(CompilationStartAnalysisContext start);
    }
}
