using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using AttnDsl.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AttnDsl.Generators.Tests.Infrastructure
{
    /// <summary>What one generator run produced.</summary>
    public sealed record GeneratorRun(
        GeneratorDriver Driver,
        GeneratorDriverRunResult RunResult,
        Compilation InputCompilation,
        Compilation OutputCompilation,
        ImmutableArray<GeneratedSourceResult> GeneratedSources,
        ImmutableArray<Diagnostic> GeneratorDiagnostics,
        ImmutableArray<Diagnostic> OutputDiagnostics)
    {
        /// <summary>The generator's own result (one generator is run).</summary>
        public GeneratorRunResult Result => RunResult.Results.Single();

        /// <summary>Errors and warnings of the output compilation (user source + generated).</summary>
        public ImmutableArray<Diagnostic> OutputErrorsAndWarnings =>
            OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

        /// <summary>The per-spec sources: everything but the shared <see cref="GeneratorHarness.KernelAccessHintName"/>.</summary>
        public ImmutableArray<GeneratedSourceResult> SpecSources =>
            GeneratedSources.Where(s => s.HintName != GeneratorHarness.KernelAccessHintName).ToImmutableArray();

        /// <summary>The single per-spec source; fails with the generator's diagnostics if there is not exactly one.</summary>
        public GeneratedSourceResult SingleSource
        {
            get
            {
                var sources = SpecSources;
                if (sources.Length != 1)
                    throw new Xunit.Sdk.XunitException(
                        $"Expected exactly one generated spec source, got {sources.Length} " +
                        $"({string.Join(", ", GeneratedSources.Select(s => s.HintName))}). Generator diagnostics:{Environment.NewLine}" +
                        GeneratorHarness.Format(GeneratorDiagnostics));
                return sources[0];
            }
        }
    }

    /// <summary>Builds compilations from source strings and runs <see cref="AttentionKernelGenerator"/> over them.</summary>
    public static class GeneratorHarness
    {
        public static readonly CSharpParseOptions ParseOptions =
            CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

        /// <summary>The one source the generator adds once per compilation (when any spec is valid), besides one per spec.</summary>
        public const string KernelAccessHintName = "AttnDsl.KernelAccess.g.cs";

        /// <remarks>
        /// CS1701/CS1702 (assembly unification: ILGPU's lib/net7.0 references System.Runtime 7.0.0.0,
        /// satisfied by 8.0.0.0) are suppressed, as the .NET SDK does for every project by default
        /// (its NoWarn includes 1701;1702), so the harness sees what a user's build sees.
        /// </remarks>
        public static readonly CSharpCompilationOptions CompilationOptions =
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                })
                .WithNullableContextOptions(NullableContextOptions.Enable)
                .WithAllowUnsafe(false)
                .WithDeterministic(true);

        private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(BuildReferences);

        /// <summary>
        /// net8.0 reference assemblies (Basic.Reference.Assemblies.Net80), ILGPU, ILGPU.Algorithms and
        /// the net8.0 build of the AttnDsl runtime.
        /// </summary>
        /// <remarks>
        /// The AttnDsl runtime that this test project references is its net10.0 build
        /// (typeof(AttentionShape).Assembly), which references System.Runtime 10.0.0.0; compiled
        /// against the net8.0 reference assemblies it gives CS1705 on every use. So the harness takes
        /// the net8.0 build of the same project (the csproj builds it through a second
        /// ProjectReference and records its path in [AssemblyMetadata("AttnDslNet8Runtime")]).
        /// That keeps a proper reference-assembly set (rather than the running runtime's
        /// implementation assemblies from TRUSTED_PLATFORM_ASSEMBLIES) and checks the generated code
        /// against the lowest framework the runtime package supports. ILGPU's lib/net7.0 assembly
        /// references System.Runtime 7.0, which net8.0 satisfies.
        /// </remarks>
        public static ImmutableArray<MetadataReference> References => s_references.Value;

        public static CSharpCompilation CreateCompilation(params string[] sources) =>
            CreateCompilation(sources.Select((s, i) => (s, $"/src/Spec{i}.cs")).ToArray());

        public static CSharpCompilation CreateCompilation(params (string Source, string Path)[] sources) =>
            CSharpCompilation.Create(
                "AttnDsl.UserAssembly",
                sources.Select(s => CSharpSyntaxTree.ParseText(s.Source, ParseOptions, s.Path)),
                References,
                CompilationOptions);

        public static GeneratorDriver CreateDriver() =>
            CSharpGeneratorDriver.Create(
                new[] { new AttentionKernelGenerator().AsSourceGenerator() },
                additionalTexts: null,
                parseOptions: ParseOptions,
                optionsProvider: null,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>Runs a fresh driver over the sources.</summary>
        public static GeneratorRun Run(params string[] sources) => Run(CreateDriver(), CreateCompilation(sources));

        /// <summary>Runs <paramref name="driver"/> (fresh or from an earlier run) over <paramref name="compilation"/>.</summary>
        /// <param name="throwOnGeneratorException">Throw when the generator threw (the driver turns that into CS8785); false lets a test inspect it.</param>
        public static GeneratorRun Run(GeneratorDriver driver, Compilation compilation, bool throwOnGeneratorException = true)
        {
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics);
            var runResult = driver.GetRunResult();
            var generatorResult = runResult.Results.Single();
            if (throwOnGeneratorException && generatorResult.Exception is not null)
                throw new InvalidOperationException("The generator threw: " + generatorResult.Exception, generatorResult.Exception);

            var generatorDiagnostics = generatorResult.Diagnostics.AddRange(driverDiagnostics).Distinct().ToImmutableArray();
            return new GeneratorRun(
                driver,
                runResult,
                compilation,
                output,
                generatorResult.GeneratedSources,
                generatorDiagnostics,
                output.GetDiagnostics());
        }

        /// <summary>The AttnDsl analyzers (AttnDsl.Analyzers), which report the spec rules (ATTN1xxx) that the generator only obeys.</summary>
        public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = ImmutableArray.Create<DiagnosticAnalyzer>(
            new SpecAttributeAnalyzer(), new ResourceAnalyzer(), new ModAnalyzer(), new CallSiteAnalyzer());

        /// <summary>
        /// What the analyzers report on <paramref name="compilation"/> (the output compilation of a run, as in a
        /// build, where analyzers see the generated sources too), in source order. Throws if an analyzer threw.
        /// </summary>
        public static ImmutableArray<Diagnostic> Analyze(Compilation compilation)
        {
            var exceptions = new List<string>();
            var withAnalyzers = compilation.WithAnalyzers(Analyzers, new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                onAnalyzerException: (ex, analyzer, _) => { lock (exceptions) exceptions.Add($"{analyzer.GetType().Name}: {ex}"); },
                concurrentAnalysis: false,
                logAnalyzerExecutionTime: false));
            var diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
            if (exceptions.Count > 0 || diagnostics.Any(d => d.Id == "AD0001"))
                throw new InvalidOperationException("An analyzer threw:\n" + string.Join("\n", exceptions) + Format(diagnostics.Where(d => d.Id == "AD0001")));
            return diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal).ToImmutableArray();
        }

        /// <summary>Diagnostics as readable lines, for assertion messages.</summary>
        public static string Format(IEnumerable<Diagnostic> diagnostics, int max = 20)
        {
            var all = diagnostics.ToList();
            var lines = all.Take(max).Select(d => "  " + d.ToString()).ToList();
            if (all.Count > max)
                lines.Add($"  ... and {all.Count - max} more");
            return lines.Count == 0 ? "  (none)" : string.Join(Environment.NewLine, lines);
        }

        private static ImmutableArray<MetadataReference> BuildReferences()
        {
            var references = new List<MetadataReference>(Basic.Reference.Assemblies.Net80.References.All);
            references.Add(MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location));
            references.Add(MetadataReference.CreateFromFile(typeof(ILGPU.Algorithms.XMath).Assembly.Location));
            references.Add(MetadataReference.CreateFromFile(Net8RuntimePath()));
            return references.ToImmutableArray();
        }

        /// <summary>The net8.0 AttnDsl.dll that the project file records.</summary>
        public static string Net8RuntimePath()
        {
            string? path = typeof(GeneratorHarness).Assembly
                .GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "AttnDslNet8Runtime")?.Value;
            if (string.IsNullOrEmpty(path) || !File.Exists(path))
                throw new InvalidOperationException(
                    $"The net8.0 build of the AttnDsl runtime was not found (recorded path: '{path}'). " +
                    "Build the test project with dotnet build so that its ProjectReference builds it.");
            return path!;
        }
    }
}
