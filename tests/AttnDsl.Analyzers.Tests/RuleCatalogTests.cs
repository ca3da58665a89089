using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using AttnDsl.Analyzers.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AttnDsl.Analyzers.Tests
{
    /// <summary>The analyzers as a set: ids, release tracking, help links, and a test of each kind per rule.</summary>
    public sealed class RuleCatalogTests
    {
        public static readonly DiagnosticAnalyzer[] Analyzers =
        {
            new SpecAttributeAnalyzer(), new ResourceAnalyzer(), new ModAnalyzer(), new CallSiteAnalyzer(),
        };

        private static IEnumerable<(DiagnosticAnalyzer Analyzer, DiagnosticDescriptor Descriptor)> All =>
            Analyzers.SelectMany(a => a.SupportedDiagnostics.Select(d => (a, d)));

        [Fact]
        public void Ids_AreUniqueAcrossAnalyzers_AndContiguousFrom1001()
        {
            var ids = All.Select(x => x.Descriptor.Id).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            var expected = Enumerable.Range(1001, ids.Count).Select(i => "ATTN" + i).ToList();
            Assert.Equal(expected, ids.OrderBy(i => i, StringComparer.Ordinal).ToList());
        }

        [Fact]
        public void EveryAnalyzerAssemblyAnalyzer_IsListed()
        {
            // A new analyzer class must join Analyzers (and so the fuzz test and the generator tests).
            var types = typeof(SpecAttributeAnalyzer).Assembly.GetTypes()
                .Where(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
                .Select(t => t.Name).OrderBy(n => n).ToList();
            Assert.Equal(Analyzers.Select(a => a.GetType().Name).OrderBy(n => n).ToList(), types);
        }

        [Fact]
        public void Descriptors_HaveHelpLinksToTheirDocsPage_AndMessagesWithoutTrailingPeriods()
        {
            foreach (var (_, d) in All)
            {
                Assert.Equal("docs/diagnostics/" + d.Id + ".md", d.HelpLinkUri);
                Assert.True(d.IsEnabledByDefault, d.Id);
                string format = d.MessageFormat.ToString();
                Assert.False(format.EndsWith(".", StringComparison.Ordinal), d.Id + " message ends with a period");
                Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString()), d.Id);
                Assert.StartsWith("AttnDsl.", d.Category);
            }
        }

        [Fact]
        public void UnshippedReleaseFile_ListsEveryRuleWithItsCategorySeverityAndAnalyzer()
        {
            string path = Path.Combine(TestReferences.RepositoryRoot(), "analyzers", "AttnDsl.Analyzers", "AnalyzerReleases.Unshipped.md");
            var rows = File.ReadAllLines(path)
                .Where(l => l.StartsWith("ATTN", StringComparison.Ordinal))
                .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
                .ToDictionary(c => c[0], c => c);
            foreach (var (analyzer, d) in All)
            {
                Assert.True(rows.TryGetValue(d.Id, out var row), d.Id + " is missing from AnalyzerReleases.Unshipped.md");
                Assert.Equal(d.Category, row![1]);
                Assert.Equal(d.DefaultSeverity.ToString(), row[2]);
                Assert.StartsWith(analyzer.GetType().Name, row[3]);
            }
            Assert.Equal(All.Count(), rows.Count);
        }

        [Fact]
        public void EveryRule_HasAReportedAndANotReportedTest()
        {
            var names = typeof(RuleCatalogTests).Assembly.GetTypes()
                .SelectMany(t => t.GetMethods())
                .Where(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any())
                .Select(m => m.Name)
                .ToList();
            var missing = new List<string>();
            foreach (var (_, d) in All)
            {
                if (!names.Any(n => n.StartsWith(d.Id + "_Reported", StringComparison.Ordinal)))
                    missing.Add(d.Id + " (reported)");
                if (!names.Any(n => n.StartsWith(d.Id + "_NotReported", StringComparison.Ordinal)))
                    missing.Add(d.Id + " (not reported)");
            }
            Assert.True(missing.Count == 0, "No test for: " + string.Join(", ", missing));
        }

        [Fact]
        public void Severities_AreTheChosenOnes()
        {
            // Errors: the generator emits nothing for the spec. Warnings: it works, but not as written.
            var warnings = new[] { "ATTN1007", "ATTN1008", "ATTN1009", "ATTN1015", "ATTN1016" };
            foreach (var (_, d) in All)
                Assert.Equal(warnings.Contains(d.Id) ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, d.DefaultSeverity);
        }
    }
}
