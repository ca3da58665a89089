using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using AttnDsl.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace AttnDsl.CodeFixes.Tests
{
    /// <summary>docs/diagnostics holds one page per rule, titled and rated as the rule is, and no stale pages.</summary>
    public class DocsTests
    {
        private static readonly DiagnosticAnalyzer[] s_analyzers =
        {
            new SpecAttributeAnalyzer(), new ResourceAnalyzer(), new ModAnalyzer(), new CallSiteAnalyzer(),
        };

        /// <summary>The generator's own diagnostic, which has a page too.</summary>
        private const string GeneratorFailureId = "ATTN0099";

        private static string DocsFolder =>
            Path.Combine(typeof(DocsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!, "docs", "diagnostics");

        private static IEnumerable<DiagnosticDescriptor> Descriptors => s_analyzers.SelectMany(a => a.SupportedDiagnostics);

        [Fact]
        public void EveryRuleHasAPageTitledWithItsIdAndTitle()
        {
            var problems = new List<string>();
            foreach (var d in Descriptors)
            {
                string path = Path.Combine(DocsFolder, d.Id + ".md");
                if (!File.Exists(path))
                {
                    problems.Add($"{d.Id}: no page {path}");
                    continue;
                }
                var lines = File.ReadAllLines(path);
                string heading = $"# {d.Id}: {d.Title}";
                if (lines.Length == 0 || lines[0] != heading)
                    problems.Add($"{d.Id}: first line is '{lines.FirstOrDefault()}', expected '{heading}'");
                string severity = "**Severity:** " + (d.DefaultSeverity == DiagnosticSeverity.Error ? "error" : "warning");
                if (!lines.Any(l => l.StartsWith(severity, StringComparison.Ordinal)))
                    problems.Add($"{d.Id}: no line starting with '{severity}'");
                string text = string.Join("\n", lines);
                foreach (string section in new[] { "## What it means", "## Why", "## How to fix", "## Example", "```csharp" })
                    if (!text.Contains(section, StringComparison.Ordinal))
                        problems.Add($"{d.Id}: no '{section}'");
            }
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        [Fact]
        public void EveryPageBelongsToARule()
        {
            var ids = Descriptors.Select(d => d.Id).Append(GeneratorFailureId).ToHashSet(StringComparer.Ordinal);
            var pages = Directory.GetFiles(DocsFolder, "ATTN*.md").Select(Path.GetFileNameWithoutExtension).ToList();
            Assert.Contains(GeneratorFailureId, pages);
            Assert.DoesNotContain(pages, p => !ids.Contains(p!));
        }

        [Fact]
        public void PagesOfFixableRulesNameTheirCodeFix()
        {
            foreach (string id in new[] { "ATTN1001", "ATTN1002", "ATTN1003", "ATTN1007", "ATTN1019" })
                Assert.Contains("**Code fix:** yes", File.ReadAllText(Path.Combine(DocsFolder, id + ".md")), StringComparison.Ordinal);
        }
    }
}
