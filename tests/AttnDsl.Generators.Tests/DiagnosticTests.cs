using System;
using System.Collections.Generic;
using System.Linq;
using AttnDsl.Generators.Diagnostics;
using AttnDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AttnDsl.Generators.Tests
{
    /// <summary>
    /// A bad spec gets no code and no diagnostic from the generator; the analyzers (AttnDsl.Analyzers,
    /// which run the same shared SpecChecker) report the rule it breaks, ATTN1xxx.
    /// </summary>
    public sealed class DiagnosticTests
    {
        private const string Usings = "using AttnDsl;\nusing ILGPU;\n\nnamespace Samples;\n\n";

        /// <summary>Case name -> (the analyzer rule it breaks, source).</summary>
        private static readonly Dictionary<string, (string Id, string Source)> s_cases = new()
        {
            // ATTN1001: class shape.
            ["NotStatic"] = ("ATTN1001", "[AttentionKernel(HeadDim = 64)]\npublic partial class Spec { }"),
            ["NotPartial"] = ("ATTN1001", "[AttentionKernel(HeadDim = 64)]\npublic static class Spec { }"),
            ["Generic"] = ("ATTN1001", "[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec<T> { }"),
            ["RecordClass"] = ("ATTN1001", "[AttentionKernel(HeadDim = 64)]\npublic partial record Spec;"),
            ["NestedInNonPartial"] = ("ATTN1001", "public static class Outer\n{\n    [AttentionKernel(HeadDim = 64)]\n    public static partial class Spec { }\n}"),
            ["NestedInGeneric"] = ("ATTN1001", "public static partial class Outer<T>\n{\n    [AttentionKernel(HeadDim = 64)]\n    public static partial class Spec { }\n}"),

            // ATTN1002: head dimensions.
            ["HeadDimMissing"] = ("ATTN1002", "[AttentionKernel]\npublic static partial class Spec;"),
            ["HeadDim0"] = ("ATTN1002", "[AttentionKernel(HeadDim = 0)]\npublic static partial class Spec;"),
            ["HeadDim72"] = ("ATTN1002", "[AttentionKernel(HeadDim = 72)]\npublic static partial class Spec;"),
            ["HeadDim512"] = ("ATTN1002", "[AttentionKernel(HeadDim = 512)]\npublic static partial class Spec;"),
            ["HeadDimV40"] = ("ATTN1002", "[AttentionKernel(HeadDim = 64, HeadDimV = 40)]\npublic static partial class Spec;"),

            // ATTN1003: tiles.
            ["BlockM8"] = ("ATTN1003", "[AttentionKernel(HeadDim = 64, BlockM = 8)]\npublic static partial class Spec;"),
            ["BlockM300"] = ("ATTN1003", "[AttentionKernel(HeadDim = 64, BlockM = 300)]\npublic static partial class Spec;"),
            ["BlockN24"] = ("ATTN1003", "[AttentionKernel(HeadDim = 64, BlockN = 24)]\npublic static partial class Spec;"),

            // ATTN1004: attribute arguments.
            ["NegativeWindowLeft"] = ("ATTN1004", "[AttentionKernel(HeadDim = 64)]\n[SlidingWindow(-1)]\npublic static partial class Spec;"),
            ["NegativeWindowRight"] = ("ATTN1004", "[AttentionKernel(HeadDim = 64)]\n[SlidingWindow(16, -2)]\npublic static partial class Spec;"),
            ["ZeroSinks"] = ("ATTN1004", "[AttentionKernel(HeadDim = 64)]\n[Causal, AttentionSinks(0)]\npublic static partial class Spec;"),
            ["ZeroSoftCap"] = ("ATTN1004", "[AttentionKernel(HeadDim = 64)]\n[SoftCap(0)]\npublic static partial class Spec;"),
            ["SelectFractionAboveOne"] = ("ATTN1004", "[AttentionKernel(HeadDim = 64)]\n[Causal, BlockSelect(TopFraction = 1.5)]\npublic static partial class Spec;"),
            // ATTN1017/1018: [BlockSelect] rules.
            ["SelectWithoutRule"] = ("ATTN1017", "[AttentionKernel(HeadDim = 64)]\n[Causal, BlockSelect]\npublic static partial class Spec;"),
            ["SelectWithTwoRules"] = ("ATTN1017", "[AttentionKernel(HeadDim = 64)]\n[Causal, BlockSelect(TopK = 2, CumulativeMass = 0.9)]\npublic static partial class Spec;"),
            ["SelectWithSparse"] = ("ATTN1018", "[AttentionKernel(HeadDim = 64)]\n[Causal, BlockSparse, BlockSelect(TopK = 2)]\npublic static partial class Spec;"),
            // ATTN1019/1020: [Quantize] rules.
            ["QuantizeHeadDim48"] = ("ATTN1019", "[AttentionKernel(HeadDim = 48)]\n[Causal, Quantize]\npublic static partial class Spec;"),
            ["QuantizeHeadDim16"] = ("ATTN1019", "[AttentionKernel(HeadDim = 16, Element = ElementType.BFloat16)]\n[Quantize(QuantFormat.Int8, SmoothKeys = false)]\npublic static partial class Spec;"),
            ["QuantizeFloat32"] = ("ATTN1020", "[AttentionKernel(HeadDim = 64, Element = ElementType.Float32)]\n[Quantize]\npublic static partial class Spec;"),
            ["NegativeScale"] = ("ATTN1004", "[AttentionKernel(HeadDim = 64, Scale = -1)]\npublic static partial class Spec;"),
            ["ZeroTokensPerFrame"] = ("ATTN1004", "[AttentionKernel(HeadDim = 64)]\n[TokenGrid(0)]\npublic static partial class Spec;"),

            // ATTN1005: enum values outside the enum.
            ["UnknownElement"] = ("ATTN1005", "[AttentionKernel(HeadDim = 64, Element = (ElementType)7)]\npublic static partial class Spec;"),
            ["UnknownLayout"] = ("ATTN1005", "[AttentionKernel(HeadDim = 64, Layout = (TensorLayout)3)]\npublic static partial class Spec;"),
            ["UnknownQuantFormat"] = ("ATTN1005", "[AttentionKernel(HeadDim = 64)]\n[Quantize((QuantFormat)1)]\npublic static partial class Spec;"),
            ["UnknownQuantGranularity"] = ("ATTN1005", "[AttentionKernel(HeadDim = 64)]\n[Quantize(Granularity = (QuantGranularity)1)]\npublic static partial class Spec;"),

            // ATTN1006: radial decay without a grid.
            ["RadialWithoutGrid"] = ("ATTN1006", "[AttentionKernel(HeadDim = 64)]\n[RadialDecay]\npublic static partial class Spec;"),

            // ATTN1010: mod signatures.
            ["MaskModReturnsInt"] = ("ATTN1010", Mods("[MaskMod] public static int M(int batch, int head, int query, int key) => 1;")),
            ["MaskModThreeIndices"] = ("ATTN1010", Mods("[MaskMod] public static bool M(int batch, int head, int query) => true;")),
            ["MaskModInstance"] = ("ATTN1010", "[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec\n{\n    [MaskMod] public bool M(int batch, int head, int query, int key) => true;\n}"),
            ["MaskModGeneric"] = ("ATTN1010", Mods("[MaskMod] public static bool M<T>(int batch, int head, int query, int key) => true;")),
            ["MaskModRefParameter"] = ("ATTN1010", Mods("[MaskMod] public static bool M(int batch, int head, int query, ref int key) => true;")),
            ["MaskModOutParameter"] = ("ATTN1010", Mods("[MaskMod] public static bool M(int batch, int head, int query, out int key) { key = 0; return true; }")),
            ["MaskModLongIndex"] = ("ATTN1010", Mods("[MaskMod] public static bool M(int batch, int head, int query, long key) => true;")),
            ["MaskModParams"] = ("ATTN1010", Mods("[MaskMod] public static bool M(int batch, int head, int query, int key, params int[] rest) => true;")),
            ["ScoreModReturnsDouble"] = ("ATTN1010", Mods("[ScoreMod] public static double S(float score, int batch, int head, int query, int key) => score;")),
            ["ScoreModWithoutScore"] = ("ATTN1010", Mods("[ScoreMod] public static float S(int batch, int head, int query, int key) => 0f;")),
            ["BothModAttributes"] = ("ATTN1010", Mods("[MaskMod, ScoreMod] public static bool M(int batch, int head, int query, int key) => true;")),

            // ATTN1011: unsupported extra parameter types.
            ["ModStringParameter"] = ("ATTN1011", Mods("[MaskMod] public static bool M(int batch, int head, int query, int key, string name) => true;")),
            ["ModArrayParameter"] = ("ATTN1011", Mods("[MaskMod] public static bool M(int batch, int head, int query, int key, int[] lengths) => true;")),

            // ATTN1012: runtime argument conflicts.
            ["SharedNameDifferentTypes"] = ("ATTN1012", Mods(
                "[MaskMod] public static bool M(int batch, int head, int query, int key, ArrayView<int> table) => true;\n" +
                "    [ScoreMod] public static float S(float score, int batch, int head, int query, int key, ArrayView<float> table) => score;")),
            ["ParameterNamedQuery"] = ("ATTN1012", Mods("[ScoreMod] public static float S(float score, int b, int h, int q, int k, ArrayView<float> query) => score;")),
            ["ParameterNamedBlockMask"] = ("ATTN1012", "[AttentionKernel(HeadDim = 64)]\n[Causal, BlockSparse]\npublic static partial class Spec\n{\n    [MaskMod] public static bool M(int batch, int head, int query, int key, ArrayView<int> blockMask) => true;\n}"),
            ["ParameterNamedPrefixLength"] = ("ATTN1012", "[AttentionKernel(HeadDim = 64)]\n[Causal, PrefixLM]\npublic static partial class Spec\n{\n    [MaskMod] public static bool M(int batch, int head, int query, int key, ArrayView<int> prefixLength) => true;\n}"),

            // ATTN1013: kernel-unsafe mod bodies.
            ["ModAllocates"] = ("ATTN1013", Mods("[MaskMod] public static bool M(int batch, int head, int query, int key) => new object() != null;")),
            ["ModThrows"] = ("ATTN1013", Mods("[ScoreMod] public static float S(float score, int batch, int head, int query, int key) => key < 0 ? throw null! : score;")),
            ["ModUsesAString"] = ("ATTN1013", Mods("[MaskMod] public static bool M(int batch, int head, int query, int key) => \"abc\".Length > key;")),
            ["ModReadsMutableStatic"] = ("ATTN1013", Mods("[MaskMod] public static bool M(int batch, int head, int query, int key) => s_limit > key;\n    private static int s_limit = 3;")),

            // ATTN1014: shared memory of the tile.
            ["SharedMemoryOverLimit"] = ("ATTN1014", "[AttentionKernel(HeadDim = 256, BlockM = 128, BlockN = 96)]\npublic static partial class Spec;"),
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
        public void BadSpec_GeneratesNothingAndReportsNothing_TheAnalyzersReportItsRule(string caseName)
        {
            var (id, body) = s_cases[caseName];
            string source = Usings + body;
            var run = GeneratorHarness.Run(source);

            // The generator: no code, no diagnostic (the rules are the analyzers' to report).
            Assert.True(run.GeneratorDiagnostics.IsEmpty, "The generator reported:\n" + GeneratorHarness.Format(run.GeneratorDiagnostics));
            Assert.Empty(run.GeneratedSources);

            // The analyzers: exactly the expected rule.
            var diagnostics = GeneratorHarness.Analyze(run.OutputCompilation);
            var ids = diagnostics.Select(d => d.Id).Distinct().ToList();
            Assert.True(ids.SequenceEqual(new[] { id }), $"Expected exactly {id}; got:\n{GeneratorHarness.Format(diagnostics)}");
            foreach (var diagnostic in diagnostics)
            {
                Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
                // Points into the user's file at a non-empty span of the spec.
                var lineSpan = diagnostic.Location.GetLineSpan();
                Assert.True(lineSpan.IsValid, $"{diagnostic.Id} has no location");
                Assert.Equal("/src/Spec0.cs", lineSpan.Path);
                var span = diagnostic.Location.SourceSpan;
                Assert.True(span.Length > 0 && span.End <= source.Length, $"{diagnostic.Id} has span {span} in a source of {source.Length} characters");
                Assert.Equal(source.Substring(0, span.Start).Count(c => c == '\n'), lineSpan.StartLinePosition.Line);

                string message = diagnostic.GetMessage();
                Assert.DoesNotContain("{0}", message);
                Assert.DoesNotContain("{1}", message);
                Assert.Equal("docs/diagnostics/" + diagnostic.Id + ".md", diagnostic.Descriptor.HelpLinkUri);
            }
        }

        /// <summary>What the diagnostic's span covers, for rules where the location matters most.</summary>
        [Theory]
        [InlineData("HeadDim72", "HeadDim = 72")]
        [InlineData("BlockM8", "BlockM = 8")]
        [InlineData("NegativeWindowLeft", "SlidingWindow(-1)")]
        [InlineData("RadialWithoutGrid", "RadialDecay")]
        [InlineData("QuantizeHeadDim48", "Quantize")]
        [InlineData("QuantizeFloat32", "Quantize")]
        [InlineData("MaskModReturnsInt", "M")]
        [InlineData("ModStringParameter", "name")]
        [InlineData("ParameterNamedQuery", "query")]
        [InlineData("NotPartial", "Spec")]
        [InlineData("ModAllocates", "new object()")]
        public void Diagnostic_PointsAtTheOffendingCode(string caseName, string expectedText)
        {
            var (_, body) = s_cases[caseName];
            string source = Usings + body;
            var run = GeneratorHarness.Run(source);
            var diagnostic = Assert.Single(GeneratorHarness.Analyze(run.OutputCompilation));
            var span = diagnostic.Location.SourceSpan;
            Assert.Contains(expectedText, source.Substring(span.Start, span.Length));
        }

        [Fact]
        public void EveryErrorRule_IsCoveredByACase()
        {
            // Every analyzer error keeps the generator from emitting: each has a case above.
            var covered = s_cases.Values.Select(c => c.Id).ToHashSet();
            var errors = GeneratorHarness.Analyzers.SelectMany(a => a.SupportedDiagnostics)
                .Where(d => d.DefaultSeverity == DiagnosticSeverity.Error).Select(d => d.Id).ToList();
            Assert.NotEmpty(errors);
            var missing = errors.Where(id => !covered.Contains(id)).ToList();
            Assert.True(missing.Count == 0, "No test case for: " + string.Join(", ", missing));
        }

        [Fact]
        public void GeneratorDescriptors_AreOnlyItsInternalFailure()
        {
            // The spec rules moved to the analyzers (ATTN1xxx); the generator keeps ATTN0099 for its own failures.
            Assert.Equal(new[] { "ATTN0099" }, DiagnosticDescriptors.All.Select(d => d.Id).ToArray());
            Assert.All(DiagnosticDescriptors.All, d => Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity));
        }

        [Fact]
        public void HeadDim72_SuggestsNearestValid()
        {
            var run = GeneratorHarness.Run(Usings + "[AttentionKernel(HeadDim = 72)]\npublic static partial class Spec;");
            var diagnostic = Assert.Single(GeneratorHarness.Analyze(run.OutputCompilation));
            Assert.Equal("HeadDim is 72; it must be a positive multiple of 16 and at most 256 (nearest valid: 80)", diagnostic.GetMessage());
        }

        [Fact]
        public void SeveralProblems_AreAllReported()
        {
            var run = GeneratorHarness.Run(Usings + "[AttentionKernel(HeadDim = 72, BlockM = 8)]\n[SoftCap(-1)]\npublic static partial class Spec;");
            var ids = GeneratorHarness.Analyze(run.OutputCompilation).Select(d => d.Id).OrderBy(i => i, StringComparer.Ordinal).ToList();
            Assert.Equal(new[] { "ATTN1002", "ATTN1003", "ATTN1004" }, ids);
            Assert.Empty(run.GeneratedSources);
            Assert.Empty(run.GeneratorDiagnostics);
        }

        [Fact]
        public void BadSpec_DoesNotSuppressAValidSpecBesideIt()
        {
            var run = GeneratorHarness.Run(
                Usings + "[AttentionKernel(HeadDim = 72)]\npublic static partial class Bad;",
                SpecCatalog.Get("DenseHalf64").Source);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Equal("Samples.DenseAttention.g.cs", Assert.Single(run.SpecSources).HintName);
            var diagnostic = Assert.Single(GeneratorHarness.Analyze(run.OutputCompilation));
            Assert.Equal("ATTN1002", diagnostic.Id);
            Assert.Equal("/src/Spec0.cs", diagnostic.Location.GetLineSpan().Path);
            Assert.Empty(run.OutputErrorsAndWarnings);
        }

        [Theory]
        [MemberData(nameof(SpecCatalog.Names), MemberType = typeof(SpecCatalog))]
        public void ValidSpec_HasNoGeneratorOrAnalyzerDiagnostics(string specName)
        {
            var run = GeneratorHarness.Run(SpecCatalog.Get(specName).Source);
            Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics));
            Assert.Single(run.SpecSources);
            var diagnostics = GeneratorHarness.Analyze(run.OutputCompilation);
            Assert.True(diagnostics.IsEmpty, GeneratorHarness.Format(diagnostics));
        }

        /// <summary>Warnings (the spec works, but not as written) do not keep the generator from emitting.</summary>
        [Theory]
        [InlineData("ATTN1007", "[AttentionKernel(HeadDim = 64)]\n[Causal, SlidingWindow(128, 4)]\npublic static partial class Spec;")]
        [InlineData("ATTN1008", "[AttentionKernel(HeadDim = 64)]\n[AttentionSinks(4)]\npublic static partial class Spec;")]
        [InlineData("ATTN1009", "[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec;\npublic static class Helpers\n{\n    [MaskMod] public static bool M(int b, int h, int q, int k) => true;\n}")]
        public void WarningOnlySpec_StillGetsCode(string id, string body)
        {
            var run = GeneratorHarness.Run(Usings + body);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Single(run.SpecSources);
            Assert.Empty(run.OutputErrorsAndWarnings);
            var diagnostic = Assert.Single(GeneratorHarness.Analyze(run.OutputCompilation));
            Assert.Equal(id, diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        }

        /// <summary>ATTN1016 against the Run the generator emits (the analyzer tests use a stand-in).</summary>
        [Theory]
        [InlineData("new AttentionShape(1, 8, 3, 128, 128)", "shape.QueryHeads (8) must be a multiple of shape.KeyValueHeads (3): expected QueryHeads % KeyValueHeads == 0, actual remainder 2")]
        [InlineData("new AttentionShape(1, 8, 8, 1, 128)", "[DocumentMask] needs self-attention: expected shape.KeyLength == shape.QueryLength (1), actual 128")]
        [InlineData("new AttentionShape(0, 4, 64)", "shape.Batch must be positive: expected >= 1, actual 0")]
        [InlineData("new AttentionShape(1, 8, 2, 128, 128)", null)]
        public void CallSite_OfTheGeneratedRun_IsChecked(string shape, string? problem)
        {
            string source = Usings + $$"""
                [AttentionKernel(HeadDim = 64)]
                [DocumentMask]
                public static partial class Spec;

                public static class Caller
                {
                    public static void Call(ILGPU.Runtime.Accelerator accelerator, ArrayView<Half> q, ArrayView<Half> k, ArrayView<Half> v, ArrayView<Half> o, ArrayView<int> ids) =>
                        Spec.Run(accelerator, {{shape}}, q, k, v, o, ids);
                }
                """;
            var run = GeneratorHarness.Run(source);
            Assert.Single(run.SpecSources);
            Assert.Empty(run.OutputErrorsAndWarnings);
            var diagnostics = GeneratorHarness.Analyze(run.OutputCompilation);
            if (problem is null)
            {
                Assert.Empty(diagnostics);
                return;
            }
            var diagnostic = Assert.Single(diagnostics);
            Assert.Equal("ATTN1016", diagnostic.Id);
            Assert.Equal($"This call of Spec.Run will throw: {problem}", diagnostic.GetMessage());
            var span = diagnostic.Location.SourceSpan;
            Assert.Equal(shape, source.Substring(span.Start, span.Length));
        }

        /// <summary>
        /// A mod parameter becomes a parameter of Run and CreateReferenceArguments and a field of the kernel
        /// arguments. Whatever its name, the analyzers reject it (ATTN1012, and the generator emits nothing)
        /// or the generated code compiles.
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
            Assert.Empty(run.GeneratorDiagnostics);
            var diagnostics = GeneratorHarness.Analyze(run.OutputCompilation);
            if (diagnostics.Any())
            {
                Assert.All(diagnostics, d => Assert.Equal("ATTN1012", d.Id));
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
            // The generator reports no spec rules (the analyzers do), only ATTN0099 for its own failures (next test).
            Assert.All(run.GeneratorDiagnostics, d => Assert.Equal("ATTN0099", d.Id));
            // The analyzers do not throw on it either (Analyze fails on AD0001).
            var diagnostics = GeneratorHarness.Analyze(run.OutputCompilation);
            Assert.All(diagnostics, d => Assert.StartsWith("ATTN1", d.Id));
        }

        [Theory]
        [MemberData(nameof(MalformedCases))]
        public void MalformedSource_DoesNotReportInternalFailure(string caseName)
        {
            // A spec that does not bind is the compiler's to report; the generator should stay quiet,
            // not report ATTN0099 ("could not process").
            var run = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), GeneratorHarness.CreateCompilation(Usings + s_malformed[caseName]), throwOnGeneratorException: false);
            Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "ATTN0099");
        }
    }
}
