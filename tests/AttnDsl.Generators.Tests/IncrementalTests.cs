using System;
using System.Collections.Generic;
using System.Linq;
using AttnDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AttnDsl.Generators.Tests
{
    /// <summary>
    /// Edits that do not change a spec must not re-emit it: the parse step's outputs stay Cached or
    /// Unchanged and so do the source outputs. Changing the spec must give Modified.
    /// </summary>
    public sealed class IncrementalTests
    {
        private const string SpecPath = "/src/Specs.cs";
        private const string OtherPath = "/src/Other.cs";

        // Two specs with runtime arguments and mods, so the cached model includes arrays of records,
        // plus an unrelated class in the same file whose body the tests edit.
        private const string Specs = """
            using AttnDsl;
            using ILGPU;

            namespace Samples;

            [AttentionKernel(HeadDim = 64)]
            [Causal, PrefixLM]
            public static partial class PrefixAttention
            {
                [MaskMod]
                public static bool KeyIsValid(int batch, int head, int query, int key, ArrayView<int> keyLengths) => key < keyLengths[batch];

                [ScoreMod]
                public static float Bias(float score, int batch, int head, int query, int key, float strength) => score + strength;
            }

            [AttentionKernel(HeadDim = 128, Element = ElementType.BFloat16)]
            [SlidingWindow(256), AttentionSinks(4)]
            public static partial class WindowAttention;

            public static class Helpers
            {
                public static int Twice(int x) => 2 * x;
            }
            """;

        private const string Other = """
            namespace Samples;

            // A comment that the tests edit.
            public sealed class Unrelated
            {
                public int Value { get; set; }
            }
            """;

        public static TheoryData<string> UnrelatedEdits => new()
        {
            "AddUnrelatedClassInNewFile",
            "EditCommentInOtherFile",
            "EditMethodBodyInOtherFile",
            "EditUnrelatedMethodBodyInSpecFile",
            "AddWhitespaceInSpecFile",
        };

        [Theory]
        [MemberData(nameof(UnrelatedEdits))]
        public void UnrelatedEdit_KeepsSpecAndOutputCached(string edit)
        {
            var (driver, compilation) = FirstRun();
            var edited = Apply(edit, compilation);

            var second = GeneratorHarness.Run(driver, edited);
            var result = second.Result;

            var specOutputs = SpecStepOutputs(result);
            Assert.Equal(2, specOutputs.Count);
            Assert.All(specOutputs, o => Assert.True(
                o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"{TrackingNames.Spec} output after '{edit}' was {o.Reason}, expected Cached or Unchanged"));

            var sourceOutputs = SourceOutputReasons(result);
            Assert.NotEmpty(sourceOutputs);
            Assert.All(sourceOutputs, r => Assert.True(
                r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"Source output after '{edit}' was {r}, expected Cached or Unchanged"));

            Assert.Equal(2, second.SpecSources.Length);
        }

        [Fact]
        public void EditInSpecFile_ReparsesToAnEqualModel()
        {
            // Editing the spec's own file reruns the parse (the syntax tree changed); the model it yields
            // must compare equal to the previous one, so the reason is Unchanged, not Modified.
            var (driver, compilation) = FirstRun();
            var second = GeneratorHarness.Run(driver, Apply("EditUnrelatedMethodBodyInSpecFile", compilation));
            var reasons = SpecStepOutputs(second.Result).Select(o => o.Reason).ToList();
            Assert.Contains(IncrementalStepRunReason.Unchanged, reasons);
            Assert.DoesNotContain(IncrementalStepRunReason.Modified, reasons);
        }

        [Fact]
        public void ChangingHeadDim_ModifiesThatSpecOnly()
        {
            var (driver, compilation) = FirstRun();
            var edited = ReplaceTree(compilation, SpecPath, Specs.Replace("[AttentionKernel(HeadDim = 64)]", "[AttentionKernel(HeadDim = 128)]"));

            var second = GeneratorHarness.Run(driver, edited);
            var reasons = SpecStepOutputs(second.Result).Select(o => o.Reason).ToList();
            Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.Modified));
            Assert.Equal(1, reasons.Count(r => r is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached));

            var sourceReasons = SourceOutputReasons(second.Result);
            Assert.Contains(IncrementalStepRunReason.Modified, sourceReasons);

            // The edited spec's source changed; the other spec's did not.
            var first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);
            Assert.NotEqual(SourceOf(first, "Samples.PrefixAttention.g.cs"), SourceOf(second, "Samples.PrefixAttention.g.cs"));
            Assert.Equal(SourceOf(first, "Samples.WindowAttention.g.cs"), SourceOf(second, "Samples.WindowAttention.g.cs"));
        }

        [Fact]
        public void ChangingAModParameter_ModifiesTheSpec()
        {
            var (driver, compilation) = FirstRun();
            var edited = ReplaceTree(compilation, SpecPath, Specs.Replace("float strength) => score + strength;", "float strength, float offset) => score + strength + offset;"));

            var second = GeneratorHarness.Run(driver, edited);
            Assert.Contains(IncrementalStepRunReason.Modified, SpecStepOutputs(second.Result).Select(o => o.Reason));
            var prefix = second.GeneratedSources.Single(s => s.HintName == "Samples.PrefixAttention.g.cs");
            Assert.Contains("offset", prefix.SourceText.ToString());
        }

        [Fact]
        public void RemovingTheAttribute_RemovesTheSource()
        {
            var (driver, compilation) = FirstRun();
            var edited = ReplaceTree(compilation, SpecPath, Specs.Replace("[AttentionKernel(HeadDim = 128, Element = ElementType.BFloat16)]", ""));

            var second = GeneratorHarness.Run(driver, edited);
            Assert.Equal(new[] { "Samples.PrefixAttention.g.cs" }, second.SpecSources.Select(s => s.HintName));
        }

        private static (GeneratorDriver Driver, Compilation Compilation) FirstRun()
        {
            var compilation = GeneratorHarness.CreateCompilation((Specs, SpecPath), (Other, OtherPath));
            var first = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);
            Assert.True(first.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(first.GeneratorDiagnostics));
            Assert.Equal(2, first.SpecSources.Length);

            // The first run computes everything: the tracked step exists and its outputs are New.
            var outputs = SpecStepOutputs(first.Result);
            Assert.Equal(2, outputs.Count);
            Assert.All(outputs, o => Assert.Equal(IncrementalStepRunReason.New, o.Reason));
            return (first.Driver, compilation);
        }

        private static string SourceOf(GeneratorRun run, string hintName) =>
            run.GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

        private static Compilation Apply(string edit, Compilation compilation) => edit switch
        {
            "AddUnrelatedClassInNewFile" => compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
                "namespace Samples; public static class Added { public static int One() => 1; }", GeneratorHarness.ParseOptions, "/src/Added.cs")),
            "EditCommentInOtherFile" => ReplaceTree(compilation, OtherPath, Other.Replace("A comment that the tests edit.", "An edited comment.")),
            "EditMethodBodyInOtherFile" => ReplaceTree(compilation, OtherPath, Other.Replace("public int Value { get; set; }", "public int Value { get; set; }\n    public int Doubled() => Value * 2;")),
            "EditUnrelatedMethodBodyInSpecFile" => ReplaceTree(compilation, SpecPath, Specs.Replace("=> 2 * x;", "=> x + x;")),
            "AddWhitespaceInSpecFile" => ReplaceTree(compilation, SpecPath, "\n\n" + Specs),
            _ => throw new ArgumentOutOfRangeException(nameof(edit), edit, null),
        };

        private static Compilation ReplaceTree(Compilation compilation, string path, string newText)
        {
            var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
            Assert.NotEqual(old.ToString(), newText);
            return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(newText, GeneratorHarness.ParseOptions, path));
        }

        private static List<(object Value, IncrementalStepRunReason Reason)> SpecStepOutputs(GeneratorRunResult result)
        {
            Assert.True(result.TrackedSteps.TryGetValue(TrackingNames.Spec, out var steps),
                $"No tracked step named {TrackingNames.Spec}; steps: {string.Join(", ", result.TrackedSteps.Keys)}");
            return steps.SelectMany(s => s.Outputs).ToList();
        }

        private static List<IncrementalStepRunReason> SourceOutputReasons(GeneratorRunResult result) =>
            result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
    }
}
