using System.Linq;
using AttnDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AttnDsl.Generators.Tests
{
    /// <summary>The user's source plus the generated source compile without errors or warnings.</summary>
    public sealed class CompilationTests
    {
        [Fact]
        public void ReferenceSet_CompilesUserCodeAgainstRuntimeAndIlgpu()
        {
            // Guards the harness itself: the reference set must not produce version conflicts (CS1705) or
            // missing types, or every other compilation assertion here would be meaningless.
            var compilation = GeneratorHarness.CreateCompilation("""
                using AttnDsl;
                using ILGPU;
                using ILGPU.Runtime;

                public static class Probe
                {
                    public static AttentionShape Shape() => new AttentionShape(1, 8, 2, 128, 128);
                    public static float Max(ArrayView<float> view, Accelerator accelerator) => ILGPU.Algorithms.XMath.Max(view[0], 1f);
                    public static BFloat16 Zero() => default;
                    public static System.Type Info() => typeof(AttentionSpecInfo);
                }
                """);
            var problems = compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(problems.Count == 0, "Diagnostics:\n" + GeneratorHarness.Format(problems));
        }

        [Theory]
        [MemberData(nameof(SpecCatalog.Names), MemberType = typeof(SpecCatalog))]
        public void GeneratedCode_CompilesWithoutWarnings(string specName)
        {
            var spec = SpecCatalog.Get(specName);
            var run = GeneratorHarness.Run(spec.Source);

            // The user's source alone compiles cleanly, so anything below comes from generated code.
            var inputProblems = run.InputCompilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(inputProblems.Count == 0, "The catalog spec itself has diagnostics:\n" + GeneratorHarness.Format(inputProblems));

            Assert.True(run.GeneratorDiagnostics.IsEmpty, "Generator diagnostics:\n" + GeneratorHarness.Format(run.GeneratorDiagnostics));
            Assert.Single(run.SpecSources);
            Assert.Contains(run.GeneratedSources, s => s.HintName == GeneratorHarness.KernelAccessHintName);

            var problems = run.OutputErrorsAndWarnings;
            Assert.True(problems.IsEmpty,
                $"The output compilation of {specName} has {problems.Length} diagnostics:\n" + GeneratorHarness.Format(problems));
        }

        [Fact]
        public void AllCatalogSpecs_CompileTogetherInOneAssembly()
        {
            // Several specs in one compilation: generated names must not collide.
            var run = GeneratorHarness.Run(SpecCatalog.All.Select(s => s.Source).ToArray());
            Assert.Equal(SpecCatalog.All.Count, run.SpecSources.Length);
            Assert.Single(run.GeneratedSources, s => s.HintName == GeneratorHarness.KernelAccessHintName);
            Assert.Equal(
                SpecCatalog.All.Select(s => s.HintName).OrderBy(n => n, System.StringComparer.Ordinal),
                run.SpecSources.Select(s => s.HintName).OrderBy(n => n, System.StringComparer.Ordinal));
            var problems = run.OutputErrorsAndWarnings;
            Assert.True(problems.IsEmpty, "Diagnostics:\n" + GeneratorHarness.Format(problems));
        }

        [Fact]
        public void StrongNamedUserAssembly_Compiles()
        {
            // Libraries are often strong-named. Public-sign the user's assembly with some real public key (Roslyn's):
            // the generated code must still compile (an InternalsVisibleTo without a public key, for example,
            // is CS1726 in a strong-named assembly).
            byte[] publicKey = typeof(Compilation).Assembly.GetName().GetPublicKey()!;
            Assert.NotEmpty(publicKey);
            var compilation = GeneratorHarness.CreateCompilation(SpecCatalog.Get("DenseHalf64").Source);
            compilation = compilation.WithOptions(compilation.Options.WithPublicSign(true).WithCryptoPublicKey(System.Collections.Immutable.ImmutableArray.Create(publicKey)));
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

            var run = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);
            Assert.Single(run.SpecSources);
            var errors = run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, "Diagnostics:\n" + GeneratorHarness.Format(errors));
        }
    }
}
