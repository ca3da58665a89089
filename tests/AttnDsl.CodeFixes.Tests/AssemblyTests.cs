using System.Linq;
using AttnDsl.Analyzers;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace AttnDsl.CodeFixes.Tests
{
    public class AssemblyTests
    {
        private static readonly CodeFixProvider[] s_fixes =
        {
            new MakeSpecStaticPartialCodeFixProvider(), new RoundToValidSizeCodeFixProvider(), new DropRightWindowCodeFixProvider(),
        };

        [Fact]
        public void AnalyzerAssemblyDoesNotNeedWorkspaces()
        {
            // The command-line compiler loads analyzers without Workspaces; only the code-fix assembly may use it.
            var analyzerReferences = typeof(SpecAttributeAnalyzer).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
            Assert.Contains("Microsoft.CodeAnalysis", analyzerReferences);
            Assert.DoesNotContain(analyzerReferences, n => n!.StartsWith("Microsoft.CodeAnalysis.Workspaces", System.StringComparison.Ordinal)
                || n == "Microsoft.CodeAnalysis.CSharp.Workspaces");
            var fixReferences = typeof(MakeSpecStaticPartialCodeFixProvider).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
            Assert.Contains("Microsoft.CodeAnalysis.Workspaces", fixReferences);
        }

        [Fact]
        public void EveryFixedIdIsReportedBySpecAttributeAnalyzer()
        {
            var reported = new SpecAttributeAnalyzer().SupportedDiagnostics.Select(d => d.Id).ToHashSet();
            var fixedIds = s_fixes.SelectMany(f => f.FixableDiagnosticIds).ToList();
            Assert.Equal(new[] { "ATTN1001", "ATTN1002", "ATTN1003", "ATTN1007", "ATTN1019" }, fixedIds.OrderBy(i => i));
            Assert.All(fixedIds, id => Assert.Contains(id, reported));
        }

        [Fact]
        public void EveryFixSupportsFixAllInBatches()
        {
            Assert.All(s_fixes, f => Assert.Same(WellKnownFixAllProviders.BatchFixer, f.GetFixAllProvider()));
        }
    }
}
