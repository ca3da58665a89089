using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using AttnDsl.Analyzers.Tests.Infrastructure;
using AttnDsl.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace AttnDsl.Analyzers.Tests
{
    /// <summary>
    /// Random specs (seeded): random sizes including invalid ones, random subsets of the mask and score
    /// attributes and [Quantize] with random arguments, random mods with right and wrong signatures, parameters and
    /// bodies. For each, the generator and all analyzers run over it; neither may throw (no CS8785, no
    /// AD0001), and the spec either gets generated code that compiles without errors and no ATTN1xxx
    /// error, or no code and at least one ATTN1xxx error.
    /// </summary>
    public sealed class FuzzTests
    {
        private const int Seed = 20261123;
        private const int Count = 300;

        private static readonly CSharpParseOptions s_parseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

        private static readonly CSharpCompilationOptions s_options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                // Assembly unification (ILGPU references System.Runtime 7.0), suppressed by the SDK in every build.
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });

        private readonly ITestOutputHelper _output;

        public FuzzTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public async Task RandomSpecs_NeverCrash_AndEitherCompileOrReportAnError()
        {
            var references = await TestReferences.AllAsync();
            var random = new Random(Seed);
            var specs = Enumerable.Range(0, Count).Select(i => SpecSource.Random(random, i)).ToList();

            var failures = new ConcurrentBag<string>();
            int generated = 0, rejected = 0;
            var rejectedIds = new ConcurrentDictionary<string, int>();
            var messages = new ConcurrentDictionary<string, int>();
            await Parallel.ForEachAsync(specs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (spec, ct) =>
            {
                try
                {
                    var outcome = await CheckAsync(spec, references, ct);
                    if (outcome.Failure is not null)
                        failures.Add($"{outcome.Failure}\n--- source ---\n{spec}");
                    else if (outcome.Generated)
                        Interlocked.Increment(ref generated);
                    else
                    {
                        Interlocked.Increment(ref rejected);
                        foreach (var id in outcome.Errors.Select(e => e.Substring(0, 8)).Distinct())
                            rejectedIds.AddOrUpdate(id, 1, (_, n) => n + 1);
                        foreach (var message in outcome.Errors)
                            messages.TryAdd(message, 0);
                    }
                }
                catch (Exception ex)
                {
                    failures.Add($"The check threw {ex}\n--- source ---\n{spec}");
                }
            });

            _output.WriteLine($"{generated} specs generated code, {rejected} were rejected; errors: " +
                string.Join(", ", rejectedIds.OrderBy(p => p.Key).Select(p => $"{p.Key} x{p.Value}")));
            foreach (var message in messages.Keys.OrderBy(m => m, StringComparer.Ordinal))
                _output.WriteLine("  " + message);
            if (!failures.IsEmpty)
                Assert.Fail($"{failures.Count} of {Count} specs failed; the first:\n{failures.First()}");
            // The generator must have exercised both outcomes, or the test proves little.
            Assert.InRange(generated, Count / 10, Count - Count / 10);
            Assert.True(rejectedIds.Count >= 8, "Too few distinct errors: " + string.Join(", ", rejectedIds.Keys));
        }

        [Fact]
        public void SpecSource_IsDeterministicForASeed()
        {
            var a = Enumerable.Range(0, 20).Select(i => SpecSource.Random(new Random(Seed + i), i)).ToList();
            var b = Enumerable.Range(0, 20).Select(i => SpecSource.Random(new Random(Seed + i), i)).ToList();
            Assert.Equal(a, b);
            Assert.True(a.Distinct().Count() > 15);
        }

        private sealed record Outcome(bool Generated, string? Failure, IReadOnlyList<string> Errors);

        private static async Task<Outcome> CheckAsync(string source, ImmutableArray<MetadataReference> references, CancellationToken ct)
        {
            var compilation = CSharpCompilation.Create("Fuzz", new[] { CSharpSyntaxTree.ParseText(source, s_parseOptions, "/src/Spec.cs", cancellationToken: ct) }, references, s_options);
            var inputErrors = compilation.GetDiagnostics(ct).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (inputErrors.Count > 0)
                return new Outcome(false, "The fuzzer wrote a source that does not compile (a fuzzer bug):\n" + Format(inputErrors), Array.Empty<string>());

            GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new AttentionKernelGenerator().AsSourceGenerator() }, parseOptions: s_parseOptions);
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics, ct);
            var result = driver.GetRunResult().Results.Single();
            if (result.Exception is not null)
                return new Outcome(false, "The generator threw: " + result.Exception, Array.Empty<string>());
            var generatorDiagnostics = result.Diagnostics.AddRange(driverDiagnostics);
            if (generatorDiagnostics.Any(d => d.Id is "CS8785" or "CS8784" or "ATTN0099"))
                return new Outcome(false, "The generator failed:\n" + Format(generatorDiagnostics), Array.Empty<string>());
            if (generatorDiagnostics.Any())
                return new Outcome(false, "The generator reports spec rules itself (the analyzers should):\n" + Format(generatorDiagnostics), Array.Empty<string>());
            bool generated = result.GeneratedSources.Any(s => s.HintName != "AttnDsl.KernelAccess.g.cs");

            var analyzerExceptions = new ConcurrentBag<string>();
            var withAnalyzers = output.WithAnalyzers(
                RuleCatalogTests.Analyzers.ToImmutableArray(),
                new CompilationWithAnalyzersOptions(
                    new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                    onAnalyzerException: (ex, analyzer, _) => analyzerExceptions.Add($"{analyzer.GetType().Name}: {ex}"),
                    concurrentAnalysis: false,
                    logAnalyzerExecutionTime: false));
            var all = await withAnalyzers.GetAllDiagnosticsAsync(ct);
            if (!analyzerExceptions.IsEmpty || all.Any(d => d.Id is "AD0001" or "CS8785"))
                return new Outcome(generated, "An analyzer threw:\n" + string.Join("\n", analyzerExceptions) + Format(all.Where(d => d.Id == "AD0001")), Array.Empty<string>());

            var ruleErrors = all.Where(d => d.Id.StartsWith("ATTN1", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error).ToList();
            var compileErrors = all.Where(d => !d.Id.StartsWith("ATTN", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error).ToList();
            if (generated && compileErrors.Count > 0)
                return new Outcome(true, "The generated code does not compile:\n" + Format(compileErrors), Array.Empty<string>());
            if (generated && ruleErrors.Count > 0)
                return new Outcome(true, "The generator emitted code for a spec the analyzers reject:\n" + Format(ruleErrors), Array.Empty<string>());
            if (!generated && ruleErrors.Count == 0)
                return new Outcome(false, "The generator emitted nothing, yet no analyzer reports an error:\n" + Format(all), Array.Empty<string>());
            return new Outcome(generated, null, ruleErrors.Select(d => d.Id + ": " + d.GetMessage(CultureInfo.InvariantCulture)).Distinct().ToList());
        }

        private static string Format(IEnumerable<Diagnostic> diagnostics) =>
            string.Join("\n", diagnostics.Take(20).Select(d => "  " + d));

        /// <summary>Writes one random spec (always valid C#; the spec rules are what varies).</summary>
        private static class SpecSource
        {
            public static string Random(Random r, int index)
            {
                var s = new StringBuilder("using System;\nusing AttnDsl;\nusing ILGPU;\n\nnamespace Fuzz;\n\n");
                bool isStatic = r.NextDouble() < 0.96;
                bool partial = r.NextDouble() < 0.97;
                bool generic = r.NextDouble() < 0.02;

                // [AttentionKernel]: mostly valid sizes, now and then an invalid one.
                var kernel = new List<string>();
                if (r.NextDouble() < 0.97)
                    kernel.Add("HeadDim = " + Either(r, 0.08, new[] { 64, 64, 128, 32, 16, 256, 96 }, new[] { 0, 8, 72, 264, 512, -16 }));
                if (r.NextDouble() < 0.2)
                    kernel.Add("HeadDimV = " + Either(r, 0.1, new[] { 0, 32, 64, 256 }, new[] { 100, -32 }));
                if (r.NextDouble() < 0.5)
                    kernel.Add("BlockM = " + Either(r, 0.08, new[] { 16, 32, 64, 128, 256, 48 }, new[] { 8, 0, 300, -64 }));
                if (r.NextDouble() < 0.5)
                    kernel.Add("BlockN = " + Either(r, 0.08, new[] { 16, 32, 64, 128, 256, 80 }, new[] { 24, 0, 512 }));
                if (r.NextDouble() < 0.3)
                    kernel.Add("Element = " + Either(r, 0.06, new[] { "ElementType.Float16", "ElementType.BFloat16", "ElementType.Float32" }, new[] { "(ElementType)5" }));
                if (r.NextDouble() < 0.2)
                    kernel.Add("Layout = " + Either(r, 0.06, new[] { "TensorLayout.BHND", "TensorLayout.BNHD" }, new[] { "(TensorLayout)2" }));
                if (r.NextDouble() < 0.15)
                    kernel.Add("Scale = " + Either(r, 0.3, new[] { "0", "0.125", "1.0" }, new[] { "-1", "double.NaN", "double.PositiveInfinity" }));
                var attributes = new List<string> { kernel.Count == 0 ? "AttentionKernel" : $"AttentionKernel({string.Join(", ", kernel)})" };

                // Mask and score attributes, each at most once, mostly with valid arguments.
                if (r.NextDouble() < 0.35) attributes.Add("Causal");
                if (r.NextDouble() < 0.25)
                {
                    string left = Either(r, 0.06, new[] { "0", "3", "64", "1024" }, new[] { "-1" });
                    attributes.Add(r.NextDouble() < 0.6 ? $"SlidingWindow({left})" : $"SlidingWindow({left}, {Either(r, 0.1, new[] { "0", "2", "16" }, new[] { "-3" })})");
                }
                if (r.NextDouble() < 0.2) attributes.Add($"AttentionSinks({Either(r, 0.1, new[] { "1", "4" }, new[] { "0", "-2" })})");
                if (r.NextDouble() < 0.15) attributes.Add("PrefixLM");
                if (r.NextDouble() < 0.15) attributes.Add("DocumentMask");
                bool radial = r.NextDouble() < 0.2;
                if (radial ? r.NextDouble() < 0.85 : r.NextDouble() < 0.05)
                    attributes.Add($"TokenGrid({Either(r, 0.1, new[] { "8", "16", "1" }, new[] { "0", "-2" })})");
                if (radial)
                {
                    var arguments = new List<string>();
                    if (r.NextDouble() < 0.5) arguments.Add("DecayFactor = " + Either(r, 0.15, new[] { "0.5", "1", "2.5" }, new[] { "0", "-1", "double.NaN" }));
                    if (r.NextDouble() < 0.5) arguments.Add("SinkFrames = " + Either(r, 0.1, new[] { "0", "1", "2" }, new[] { "-1" }));
                    attributes.Add(arguments.Count == 0 ? "RadialDecay" : $"RadialDecay({string.Join(", ", arguments)})");
                }
                if (r.NextDouble() < 0.2) attributes.Add("Alibi");
                if (r.NextDouble() < 0.2) attributes.Add($"SoftCap({Either(r, 0.15, new[] { "20", "50.5" }, new[] { "0", "-1", "double.PositiveInfinity" })})");
                if (r.NextDouble() < 0.15)
                {
                    // [Quantize]: besides its own enum values, the HeadDim (16 is not a multiple of 32) and the
                    // Element (Float32) drawn above decide whether the spec is valid.
                    var arguments = new List<string>();
                    if (r.NextDouble() < 0.5) arguments.Add(Either(r, 0.1, new[] { "QuantFormat.Int8", "QueryKey = QuantFormat.Int8" }, new[] { "(QuantFormat)1", "QueryKey = (QuantFormat)(-1)" }));
                    if (r.NextDouble() < 0.3) arguments.Add("Granularity = " + Either(r, 0.1, new[] { "QuantGranularity.PerBlock" }, new[] { "(QuantGranularity)2" }));
                    if (r.NextDouble() < 0.4) arguments.Add("SmoothKeys = " + Pick(r, "true", "false"));
                    attributes.Add(arguments.Count == 0 ? "Quantize" : $"Quantize({string.Join(", ", arguments)})");
                }
                Shuffle(r, attributes);

                // The class: attributes split over one or two lines.
                int split = r.Next(1, attributes.Count + 1);
                s.Append('[').Append(string.Join(", ", attributes.Take(split))).Append("]\n");
                if (split < attributes.Count)
                    s.Append('[').Append(string.Join(", ", attributes.Skip(split))).Append("]\n");
                s.Append("public ").Append(isStatic ? "static " : "").Append(partial ? "partial " : "")
                    .Append("class Spec").Append(index.ToString(CultureInfo.InvariantCulture)).Append(generic ? "<T>" : "").Append("\n{\n");

                int mods = r.Next(0, 4);
                var members = new List<string>();
                for (int m = 0; m < mods; m++)
                    members.Add(Mod(r, m, isStatic));
                foreach (var member in members)
                    s.Append("    ").Append(member).Append('\n');
                s.Append("}\n");
                return s.ToString();
            }

            /// <summary>One of <paramref name="invalid"/> with probability <paramref name="pInvalid"/>, else one of <paramref name="valid"/>.</summary>
            private static string Either<T>(Random r, double pInvalid, T[] valid, T[] invalid) =>
                Convert.ToString(r.NextDouble() < pInvalid ? Pick(r, invalid) : Pick(r, valid), CultureInfo.InvariantCulture)!;

            private static string Mod(Random r, int m, bool staticClass)
            {
                bool mask = r.NextDouble() < 0.55;
                string name = (mask ? "M" : "S") + m.ToString(CultureInfo.InvariantCulture);
                string attribute = mask ? "[MaskMod]" : "[ScoreMod]";
                string returnType = mask ? "bool" : "float";
                string modifiers = "public static ";
                string typeParameters = "";
                var fixedParameters = mask ? new List<string> { "int b", "int h", "int q", "int k" } : new List<string> { "float s", "int b", "int h", "int q", "int k" };
                string body = mask ? "q >= k || (b + h + k) % 3 == 0" : "s * 0.5f + (q - k) * 0.01f";

                // A wrong signature, now and then.
                if (r.NextDouble() < 0.12)
                {
                    switch (r.Next(0, staticClass ? 8 : 9))
                    {
                        case 0: returnType = mask ? "int" : "double"; body = mask ? "1" : "s"; break;
                        case 1: fixedParameters.RemoveAt(fixedParameters.Count - 1); body = mask ? "q >= 0" : "s"; break;
                        case 2: typeParameters = "<T>"; break;
                        case 3: fixedParameters[fixedParameters.Count - 1] = "ref int k"; break;
                        case 4: fixedParameters[fixedParameters.Count - 1] = "long k"; break;
                        case 5: fixedParameters.Add("params int[] rest"); break;
                        case 6: attribute = "[MaskMod, ScoreMod]"; break;
                        case 7: fixedParameters[0] = mask ? "uint b" : "double s"; body = mask ? "q >= k" : "(float)s"; break;
                        case 8: modifiers = "public "; break; // instance method (only in a non-static class)
                    }
                }

                // Extra parameters: supported, unsupported, and names that clash with Run's.
                var extras = new List<string>();
                int extraCount = fixedParameters.Any(p => p.StartsWith("params", StringComparison.Ordinal)) ? 0 : r.Next(0, 3);
                for (int e = 0; e < extraCount; e++)
                {
                    string extra = Either(r, 0.15,
                        new[] { "ArrayView<int> table", "ArrayView<float> bias", "float temperature", "int span", "ArrayView<ILGPU.Half> halves", "double weight", "ArrayView<BFloat16> scales", "ArrayView<int> prefixLength", "ArrayView<int> documentIds" },
                        new[] { "ArrayView<float> table", "string label", "int[] lengths", "ArrayView<int> query", "bool flag", "long shape" });
                    string extraName = extra.Substring(extra.LastIndexOf(' ') + 1);
                    if (extras.Any(x => x.EndsWith(" " + extraName, StringComparison.Ordinal)))
                        continue;
                    extras.Add(extra);
                }

                // Kernel-unsafe code, now and then.
                string extraMembers = "";
                if (r.NextDouble() < 0.1)
                {
                    string condition = r.Next(0, 7) switch
                    {
                        0 => "new object() != null",
                        1 => "\"abc\".Length > k",
                        2 => "(k < 0 ? throw new InvalidOperationException() : true)",
                        3 => "((Func<int, bool>)(x => x > 0))(k)",
                        4 => "System.Linq.Enumerable.Count(System.Linq.Enumerable.Range(0, 3)) > k",
                        5 => $"s_state{name} > k",
                        _ => $"s_gate{name}.GetHashCode() > k",
                    };
                    if (condition.Contains("s_state", StringComparison.Ordinal))
                        extraMembers = $"\n    private static int s_state{name} = 1;";
                    if (condition.Contains("s_gate", StringComparison.Ordinal))
                        extraMembers = $"\n    private static readonly object s_gate{name} = new object();";
                    if (returnType == "bool")
                        body = $"({body}) && {condition}";
                    else if (returnType is "float" or "double")
                        body = $"{condition} ? {body} : 0f";
                    else
                        body = $"{condition} ? {body} : 0";
                    if (!fixedParameters.Any(p => p.EndsWith(" k", StringComparison.Ordinal)))
                        body = body.Replace(" > k", " > 0", StringComparison.Ordinal).Replace("k < 0", "0 < 0", StringComparison.Ordinal).Replace("(k)", "(1)", StringComparison.Ordinal);
                }
                if (fixedParameters.Contains("long k"))
                    body = body.Replace("(k)", "((int)k)", StringComparison.Ordinal);
                if (body.Contains("q >= k", StringComparison.Ordinal) && !fixedParameters.Any(p => p.EndsWith(" k", StringComparison.Ordinal)))
                    body = body.Replace("q >= k", "q >= 0", StringComparison.Ordinal).Replace("(b + h + k)", "(b + h)", StringComparison.Ordinal);
                if (body.Contains("(q - k)", StringComparison.Ordinal) && !fixedParameters.Any(p => p.EndsWith(" k", StringComparison.Ordinal)))
                    body = body.Replace("(q - k)", "q", StringComparison.Ordinal);

                var parameters = fixedParameters.Where(p => !p.StartsWith("params", StringComparison.Ordinal)).Concat(extras)
                    .Concat(fixedParameters.Where(p => p.StartsWith("params", StringComparison.Ordinal)));
                return $"{attribute} {modifiers}{returnType} {name}{typeParameters}({string.Join(", ", parameters)}) => {body};{extraMembers}";
            }

            private static T Pick<T>(Random r, params T[] values) => values[r.Next(values.Length)];

            private static void Shuffle<T>(Random r, List<T> list)
            {
                for (int i = list.Count - 1; i > 0; i--)
                {
                    int j = r.Next(i + 1);
                    (list[i], list[j]) = (list[j], list[i]);
                }
            }
        }
    }
}
