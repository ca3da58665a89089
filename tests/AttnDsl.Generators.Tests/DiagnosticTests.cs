using System;
using System.Collections.Generic;
using System.Linq;
using AttnDsl.Generators.Diagnostics;
using AttnDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AttnDsl.Generators.Tests
{
    /// <summary>Every ATTN0xxx rule fires on a bad spec, and a spec with a diagnostic gets no code.</summary>
    public sealed class DiagnosticTests
    {
        private const string Usings = "using AttnDsl;\nusing ILGPU;\n\nnamespace Samples;\n\n";

        /// <summary>Case name -> (expected id, source).</summary>
        private static readonly Dictionary<string, (string Id, string Source)> s_cases = new()
        {
            // ATTN0001: class shape.
            ["NotStatic"] = ("ATTN0001", "[AttentionKernel(HeadDim = 64)]\npublic partial class Spec { }"),
            ["NotPartial"] = ("ATTN0001", "[AttentionKernel(HeadDim = 64)]\npublic static class Spec { }"),
            ["Generic"] = ("ATTN0001", "[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec<T> { }"),
            ["RecordClass"] = ("ATTN0001", "[AttentionKernel(HeadDim = 64)]\npublic partial record Spec;"),
            ["NestedInNonPartial"] = ("ATTN0001", "public static class Outer\n{\n    [AttentionKernel(HeadDim = 64)]\n    public static partial class Spec { }\n}"),
            ["NestedInGeneric"] = ("ATTN0001", "public static partial class Outer<T>\n{\n    [AttentionKernel(HeadDim = 64)]\n    public static partial class Spec { }\n}"),

            // ATTN0002: head dimensions.
            ["HeadDimMissing"] = ("ATTN0002", "[AttentionKernel]\npublic static partial class Spec;"),
            ["HeadDim0"] = ("ATTN0002", "[AttentionKernel(HeadDim = 0)]\npublic static partial class Spec;"),
            ["HeadDim72"] = ("ATTN0002", "[AttentionKernel(HeadDim = 72)]\npublic static partial class Spec;"),
            ["HeadDim512"] = ("ATTN0002", "[AttentionKernel(HeadDim = 512)]\npublic static partial class Spec;"),
            ["HeadDimV40"] = ("ATTN0002", "[AttentionKernel(HeadDim = 64, HeadDimV = 40)]\npublic static partial class Spec;"),

            // ATTN0003: tiles.
            ["BlockM8"] = ("ATTN0003", "[AttentionKernel(HeadDim = 64, BlockM = 8)]\npublic static partial class Spec;"),
            ["BlockM300"] = ("ATTN0003", "[AttentionKernel(HeadDim = 64, BlockM = 300)]\npublic static partial class Spec;"),
            ["BlockN24"] = ("ATTN0003", "[AttentionKernel(HeadDim = 64, BlockN = 24)]\npublic static partial class Spec;"),

            // ATTN0004: attribute arguments.
            ["NegativeWindowLeft"] = ("ATTN0004", "[AttentionKernel(HeadDim = 64)]\n[SlidingWindow(-1)]\npublic static partial class Spec;"),
            ["NegativeWindowRight"] = ("ATTN0004", "[AttentionKernel(HeadDim = 64)]\n[SlidingWindow(16, -2)]\npublic static partial class Spec;"),
            ["ZeroSinks"] = ("ATTN0004", "[AttentionKernel(HeadDim = 64)]\n[AttentionSinks(0)]\npublic static partial class Spec;"),
            ["ZeroSoftCap"] = ("ATTN0004", "[AttentionKernel(HeadDim = 64)]\n[SoftCap(0)]\npublic static partial class Spec;"),
            ["NegativeScale"] = ("ATTN0004", "[AttentionKernel(HeadDim = 64, Scale = -1)]\npublic static partial class Spec;"),
            ["ZeroTokensPerFrame"] = ("ATTN0004", "[AttentionKernel(HeadDim = 64)]\n[TokenGrid(0)]\npublic static partial class Spec;"),

            // ATTN0005: radial decay without a grid.
            ["RadialWithoutGrid"] = ("ATTN0005", "[AttentionKernel(HeadDim = 64)]\n[RadialDecay]\npublic static partial class Spec;"),

            // ATTN0006: mod signatures.
            ["MaskModReturnsInt"] = ("ATTN0006", Mods("[MaskMod] public static int M(int batch, int head, int query, int key) => 1;")),
            ["MaskModThreeIndices"] = ("ATTN0006", Mods("[MaskMod] public static bool M(int batch, int head, int query) => true;")),
            ["MaskModInstance"] = ("ATTN0006", "[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec\n{\n    [MaskMod] public bool M(int batch, int head, int query, int key) => true;\n}"),
            ["MaskModGeneric"] = ("ATTN0006", Mods("[MaskMod] public static bool M<T>(int batch, int head, int query, int key) => true;")),
            ["MaskModRefParameter"] = ("ATTN0006", Mods("[MaskMod] public static bool M(int batch, int head, int query, ref int key) => true;")),
            ["MaskModLongIndex"] = ("ATTN0006", Mods("[MaskMod] public static bool M(int batch, int head, int query, long key) => true;")),
            ["MaskModParams"] = ("ATTN0006", Mods("[MaskMod] public static bool M(int batch, int head, int query, int key, params int[] rest) => true;")),
            ["ScoreModReturnsDouble"] = ("ATTN0006", Mods("[ScoreMod] public static double S(float score, int batch, int head, int query, int key) => score;")),
            ["ScoreModWithoutScore"] = ("ATTN0006", Mods("[ScoreMod] public static float S(int batch, int head, int query, int key) => 0f;")),

            // ATTN0007: unsupported extra parameter types.
            ["ModStringParameter"] = ("ATTN0007", Mods("[MaskMod] public static bool M(int batch, int head, int query, int key, string name) => true;")),
            ["ModArrayParameter"] = ("ATTN0007", Mods("[MaskMod] public static bool M(int batch, int head, int query, int key, int[] lengths) => true;")),

            // ATTN0008: runtime argument conflicts.
            ["SharedNameDifferentTypes"] = ("ATTN0008", Mods(
                "[MaskMod] public static bool M(int batch, int head, int query, int key, ArrayView<int> table) => true;\n" +
                "    [ScoreMod] public static float S(float score, int batch, int head, int query, int key, ArrayView<float> table) => score;")),
            ["ParameterNamedQuery"] = ("ATTN0008", Mods("[ScoreMod] public static float S(float score, int b, int h, int q, int k, ArrayView<float> query) => score;")),
            ["ParameterNamedPrefixLength"] = ("ATTN0008", "[AttentionKernel(HeadDim = 64)]\n[PrefixLM]\npublic static partial class Spec\n{\n    [MaskMod] public static bool M(int batch, int head, int query, int key, ArrayView<int> prefixLength) => true;\n}"),

            // ATTN0009: enum values outside the enum.
            ["UnknownElement"] = ("ATTN0009", "[AttentionKernel(HeadDim = 64, Element = (ElementType)7)]\npublic static partial class Spec;"),
            ["UnknownLayout"] = ("ATTN0009", "[AttentionKernel(HeadDim = 64, Layout = (TensorLayout)3)]\npublic static partial class Spec;"),
        };

        private static string Mods(string members) =>
            "[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec\n{\n    " + members + "\n}";

        public static TheoryData<string> Cases
        {
            get
            {
                var data = new TheoryData<string>();
                foreach (var name in s_cases.Keys)
                    data.Add(name);
                return data;
            }
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void BadSpec_ReportsItsDiagnostic_AndGeneratesNothing(string caseName)
        {
            var (id, body) = s_cases[caseName];
            var run = GeneratorHarness.Run(Usings + body);

            var ids = run.GeneratorDiagnostics.Select(d => d.Id).Distinct().ToList();
            Assert.True(ids.SequenceEqual(new[] { id }),
                $"Expected exactly {id}; got:\n{GeneratorHarness.Format(run.GeneratorDiagnostics)}");
            Assert.Empty(run.GeneratedSources);

            string source = Usings + body;
            foreach (var diagnostic in run.GeneratorDiagnostics)
            {
                Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
                // Points into the user's file (the generator recreates locations from plain data, so they are
                // external-file locations rather than tree locations) at a non-empty span of the spec.
                var lineSpan = diagnostic.Location.GetLineSpan();
                Assert.True(lineSpan.IsValid, $"{diagnostic.Id} has no location");
                Assert.Equal("/src/Spec0.cs", lineSpan.Path);
                var span = diagnostic.Location.SourceSpan;
                Assert.True(span.Length > 0 && span.End <= source.Length, $"{diagnostic.Id} has span {span} in a source of {source.Length} characters");
                Assert.Equal(source.Substring(0, span.Start).Count(c => c == '\n'), lineSpan.StartLinePosition.Line);

                string message = diagnostic.GetMessage();
                Assert.DoesNotContain("{0}", message);
                Assert.DoesNotContain("{1}", message);
                Assert.False(string.IsNullOrWhiteSpace(diagnostic.Descriptor.HelpLinkUri), $"{diagnostic.Id} has no help link");
            }
        }

        /// <summary>What the diagnostic's span covers, for rules where the location matters most.</summary>
        [Theory]
        [InlineData("HeadDim72", "HeadDim = 72")]
        [InlineData("BlockM8", "BlockM = 8")]
        [InlineData("NegativeWindowLeft", "SlidingWindow(-1)")]
        [InlineData("RadialWithoutGrid", "RadialDecay")]
        [InlineData("MaskModReturnsInt", "M")]
        [InlineData("ModStringParameter", "name")]
        [InlineData("ParameterNamedQuery", "query")]
        [InlineData("NotPartial", "Spec")]
        public void Diagnostic_PointsAtTheOffendingCode(string caseName, string expectedText)
        {
            var (_, body) = s_cases[caseName];
            string source = Usings + body;
            var run = GeneratorHarness.Run(source);
            var diagnostic = Assert.Single(run.GeneratorDiagnostics);
            var span = diagnostic.Location.SourceSpan;
            Assert.Contains(expectedText, source.Substring(span.Start, span.Length));
        }

        [Fact]
        public void EveryDescriptor_IsCoveredByACase()
        {
            // ATTN0099 (internal failure) cannot be provoked by a spec on purpose.
            var covered = s_cases.Values.Select(c => c.Id).ToHashSet();
            var missing = DiagnosticDescriptors.All.Select(d => d.Id).Where(id => id != "ATTN0099" && !covered.Contains(id)).ToList();
            Assert.True(missing.Count == 0, "No test case for: " + string.Join(", ", missing));
        }

        [Fact]
        public void Descriptors_HaveUniqueGeneratorIds()
        {
            var ids = DiagnosticDescriptors.All.Select(d => d.Id).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.All(ids, id => Assert.Matches("^ATTN0[0-9]{3}$", id));
            Assert.All(DiagnosticDescriptors.All, d => Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity));
        }

        [Fact]
        public void HeadDim72_SuggestsNearestValid()
        {
            var run = GeneratorHarness.Run(Usings + "[AttentionKernel(HeadDim = 72)]\npublic static partial class Spec;");
            var diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Contains("HeadDim", diagnostic.GetMessage());
            Assert.Contains("72", diagnostic.GetMessage());
            Assert.Contains("80", diagnostic.GetMessage());
        }

        [Fact]
        public void SeveralProblems_AreAllReported()
        {
            var run = GeneratorHarness.Run(Usings + "[AttentionKernel(HeadDim = 72, BlockM = 8)]\n[SoftCap(-1)]\npublic static partial class Spec;");
            var ids = run.GeneratorDiagnostics.Select(d => d.Id).OrderBy(i => i, StringComparer.Ordinal).ToList();
            Assert.Equal(new[] { "ATTN0002", "ATTN0003", "ATTN0004" }, ids);
            Assert.Empty(run.GeneratedSources);
        }

        [Fact]
        public void BadSpec_DoesNotSuppressAValidSpecBesideIt()
        {
            var run = GeneratorHarness.Run(
                Usings + "[AttentionKernel(HeadDim = 72)]\npublic static partial class Bad;",
                SpecCatalog.Get("DenseHalf64").Source);
            Assert.Equal("ATTN0002", Assert.Single(run.GeneratorDiagnostics).Id);
            Assert.Equal("Samples.DenseAttention.g.cs", Assert.Single(run.SpecSources).HintName);
        }

        [Theory]
        [MemberData(nameof(SpecCatalog.Names), MemberType = typeof(SpecCatalog))]
        public void ValidSpec_HasNoGeneratorDiagnostics(string specName)
        {
            var run = GeneratorHarness.Run(SpecCatalog.Get(specName).Source);
            Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics));
            Assert.Single(run.SpecSources);
        }

        /// <summary>
        /// A mod parameter becomes a parameter of Run and CreateReferenceArguments and a field of the kernel
        /// arguments. Whatever its name, the generator either rejects it (ATTN0008) or emits code that compiles.
        /// </summary>
        [Theory]
        [InlineData("batch")]
        [InlineData("head")]
        [InlineData("score")]
        [InlineData("plan")]
        [InlineData("arguments")]
        [InlineData("writeLogSumExp")]
        [InlineData("Query")]
        [InlineData("Batch")]
        [InlineData("LogSumExp")]
        [InlineData("WriteLogSumExp")]
        [InlineData("QueryBlocks")]
        [InlineData("s_kernels")]
        [InlineData("Info")]
        [InlineData("Run")]
        [InlineData("AttnDslKernels")]
        [InlineData("@class")]
        [InlineData("@event")]
        [InlineData("path")]
        [InlineData("logSumExp")]
        public void ModParameterName_IsRejectedOrCompiles(string name)
        {
            string source = Usings + $$"""
                [AttentionKernel(HeadDim = 64)]
                public static partial class Spec
                {
                    [MaskMod]
                    public static bool M(int bi, int hi, int qi, int ki, ArrayView<int> {{name}}) => {{name}}[bi] > ki;

                    [ScoreMod]
                    public static float S(float sc, int bi, int hi, int qi, int ki, ArrayView<int> {{name}}) => sc + {{name}}[hi];
                }
                """;
            var run = GeneratorHarness.Run(source);
            Assert.Empty(run.InputCompilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            if (run.GeneratorDiagnostics.Any())
            {
                Assert.All(run.GeneratorDiagnostics, d => Assert.Equal("ATTN0008", d.Id));
                Assert.Empty(run.GeneratedSources);
                return;
            }
            var errors = run.OutputErrorsAndWarnings.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, $"A mod parameter named '{name}' gives generated code that does not compile:\n" + GeneratorHarness.Format(errors));
        }

        /// <summary>Sources with compile errors in and around the spec, or values at the edges of their types.</summary>
        private static readonly Dictionary<string, string> s_malformed = new()
        {
            ["HeadDimString"] = "[AttentionKernel(HeadDim = \"sixty\")]\npublic static partial class Spec;",
            ["HeadDimNoValue"] = "[AttentionKernel(HeadDim = )]\npublic static partial class Spec;",
            ["PositionalArgument"] = "[AttentionKernel(64)]\npublic static partial class Spec;",
            ["UnknownProperty"] = "[AttentionKernel(HeadDim = 64, Heads = 8)]\npublic static partial class Spec;",
            ["WindowMissingArgument"] = "[AttentionKernel(HeadDim = 64)]\n[SlidingWindow]\npublic static partial class Spec;",
            ["WindowStringArguments"] = "[AttentionKernel(HeadDim = 64)]\n[SlidingWindow(\"a\", \"b\")]\npublic static partial class Spec;",
            ["SoftCapString"] = "[AttentionKernel(HeadDim = 64)]\n[SoftCap(\"x\")]\npublic static partial class Spec;",
            ["SinksDouble"] = "[AttentionKernel(HeadDim = 64)]\n[AttentionSinks(2.5)]\npublic static partial class Spec;",
            ["ElementFromInt"] = "[AttentionKernel(HeadDim = 64, Element = 5)]\npublic static partial class Spec;",
            ["ExtremeValues"] = "[AttentionKernel(HeadDim = int.MaxValue, HeadDimV = int.MinValue, BlockM = int.MinValue, BlockN = int.MaxValue, Scale = double.NaN)]\n[SlidingWindow(int.MinValue, int.MaxValue)]\npublic static partial class Spec;",
            ["RadialNaN"] = "[AttentionKernel(HeadDim = 64)]\n[TokenGrid(-5), RadialDecay(DecayFactor = double.NaN, SinkFrames = -1)]\npublic static partial class Spec;",
            ["MissingClassName"] = "[AttentionKernel(HeadDim = 64)]\npublic static partial class",
            ["UnclosedClass"] = "[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec\n{\n    [MaskMod] public static bool M(int batch, int head, int query, int key) =>",
            ["ModSyntaxError"] = Mods("[MaskMod] public static bool M(int batch, int head, int query, ) => true;"),
            ["ModUnknownParameterType"] = Mods("[MaskMod] public static bool M(int batch, int head, int query, int key, Missing.Type table) => true;"),
            ["ModUnknownViewElement"] = Mods("[MaskMod] public static bool M(int batch, int head, int query, int key, ArrayView<Missing> table) => true;"),
            ["DuplicateAttribute"] = "[AttentionKernel(HeadDim = 64)]\n[AttentionKernel(HeadDim = 32)]\npublic static partial class Spec;",
            ["AttributeOnStruct"] = "[AttentionKernel(HeadDim = 64)]\npublic partial struct Spec { }",
            ["PartialSplitWithAttributeTwice"] = "[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec;\n[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec;",
            ["DuplicateMods"] = Mods("[MaskMod] public static bool M(int batch, int head, int query, int key) => true;\n    [MaskMod] public static bool M(int batch, int head, int query, int key) => false;"),
            ["GarbageAroundSpec"] = "}}} [AttentionKernel(HeadDim = 64)] public static partial class Spec; ((( ",
        };

        public static TheoryData<string> MalformedCases
        {
            get
            {
                var data = new TheoryData<string>();
                foreach (var name in s_malformed.Keys)
                    data.Add(name);
                return data;
            }
        }

        [Theory]
        [MemberData(nameof(MalformedCases))]
        public void MalformedSource_NeverThrowsIntoTheCompiler(string caseName)
        {
            var compilation = GeneratorHarness.CreateCompilation(Usings + s_malformed[caseName]);
            var run = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation, throwOnGeneratorException: false);

            Assert.Null(run.Result.Exception);
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id is "CS8785" or "CS8784");
            Assert.DoesNotContain(run.OutputDiagnostics, d => d.Id is "CS8785" or "CS8784");
            // Anything the generator does report is one of its own rules, as an error with a location.
            Assert.All(run.GeneratorDiagnostics, d => Assert.StartsWith("ATTN0", d.Id));
        }

        [Theory]
        [MemberData(nameof(MalformedCases))]
        public void MalformedSource_DoesNotReportInternalFailure(string caseName)
        {
            // A spec that does not bind is the compiler's to report; the generator should stay quiet
            // or report a spec rule, not ATTN0099 ("could not process").
            var run = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), GeneratorHarness.CreateCompilation(Usings + s_malformed[caseName]), throwOnGeneratorException: false);
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "ATTN0099");
        }
    }
}
