using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using AttnDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AttnDsl.Generators.Tests
{
    /// <summary>
    /// The generated members a user programs against (DESIGN.md section 3): Info, the Run overloads and
    /// CreateReferenceArguments, checked on the symbols of the output compilation, and Info's values
    /// checked by loading the compiled assembly.
    /// </summary>
    public sealed class GeneratedApiTests
    {
        [Theory]
        [MemberData(nameof(SpecCatalog.Names), MemberType = typeof(SpecCatalog))]
        public void RunOverloads_FollowTheContract(string specName)
        {
            var spec = SpecCatalog.Get(specName);
            var (type, _) = CompileSpec(spec);

            string element = ElementTypeOf(spec);
            var runs = type.GetMembers("Run").OfType<IMethodSymbol>().ToList();
            Assert.NotEmpty(runs);
            Assert.All(runs, r =>
            {
                Assert.True(r.IsStatic, "Run must be static");
                Assert.Equal(Accessibility.Public, r.DeclaredAccessibility);
                Assert.True(r.ReturnsVoid, "Run returns void");
            });

            // The main overload: accelerator, shape, q, k, v, o, runtime arguments in order, optional logSumExp.
            var expected = new List<(string Name, string? Type)>
            {
                ("accelerator", "global::ILGPU.Runtime.Accelerator"),
                ("shape", "global::AttnDsl.AttentionShape"),
                ("query", $"global::ILGPU.ArrayView<{element}>"),
                ("key", $"global::ILGPU.ArrayView<{element}>"),
                ("value", $"global::ILGPU.ArrayView<{element}>"),
                ("output", $"global::ILGPU.ArrayView<{element}>"),
            };
            expected.AddRange(spec.RuntimeArguments.Select(a => (a, (string?)null)));
            expected.Add(("logSumExp", "global::ILGPU.ArrayView<float>"));
            int optional = 1;
            if (spec.BlockSelect)
            {
                // [BlockSelect]: the selection (an optional output, or the input with reuseSelection) after logSumExp.
                expected.Add(("selection", null));
                expected.Add(("reuseSelection", "bool"));
                optional = 3;
            }

            var main = runs.Where(r => Matches(r, expected)).ToList();
            Assert.True(main.Count == 1,
                $"Expected one Run({string.Join(", ", expected.Select(e => e.Name))}); found:\n  " +
                string.Join("\n  ", runs.Select(r => r.ToDisplayString())));
            Assert.All(main[0].Parameters.Skip(main[0].Parameters.Length - optional), p => Assert.True(p.HasExplicitDefaultValue && p.IsOptional, $"{p.Name} must be optional"));
            Assert.All(main[0].Parameters.Take(main[0].Parameters.Length - optional), p => Assert.False(p.IsOptional, $"{p.Name} must not be optional"));

            if (element == "global::ILGPU.Half")
            {
                // The System.Half convenience overload (DESIGN.md: welcome, same bits).
                var system = expected.Select(e => e.Type == "global::ILGPU.ArrayView<global::ILGPU.Half>" ? (e.Name, "global::ILGPU.ArrayView<global::System.Half>") : e).ToList();
                Assert.Single(runs, r => Matches(r, system));
            }
        }

        [Theory]
        [MemberData(nameof(SpecCatalog.Names), MemberType = typeof(SpecCatalog))]
        public void InfoAndReferenceBridge_AreDeclared(string specName)
        {
            var spec = SpecCatalog.Get(specName);
            var (type, _) = CompileSpec(spec);

            var info = Assert.Single(type.GetMembers("Info").OfType<IPropertySymbol>());
            Assert.True(info.IsStatic);
            Assert.Equal(Accessibility.Public, info.DeclaredAccessibility);
            Assert.True(info.IsReadOnly, "Info has a getter only");
            Assert.Equal("global::AttnDsl.AttentionSpecInfo", info.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));

            var bridge = Assert.Single(type.GetMembers("CreateReferenceArguments").OfType<IMethodSymbol>());
            Assert.True(bridge.IsStatic);
            Assert.Equal(Accessibility.Public, bridge.DeclaredAccessibility);
            Assert.Equal(spec.BlockSelect ? spec.RuntimeArguments.Append("selection") : spec.RuntimeArguments, bridge.Parameters.Select(p => p.Name));

            var kernels = Assert.Single(type.GetTypeMembers("AttnDslKernels"));
            Assert.True(kernels.IsStatic, "AttnDslKernels is a static class");

            // Every generated member is marked as generated code.
            foreach (var member in new ISymbol[] { info, bridge, kernels }.Concat(type.GetMembers("Run")))
            {
                Assert.Contains(member.GetAttributes(), a => a.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute");
            }
        }

        [Theory]
        [MemberData(nameof(SpecCatalog.Names), MemberType = typeof(SpecCatalog))]
        public void Info_DescribesTheSpec(string specName)
        {
            var spec = SpecCatalog.Get(specName);
            var (_, run) = CompileSpec(spec);

            var context = new AssemblyLoadContext("AttnDsl.GeneratedApiTests." + specName, isCollectible: true);
            try
            {
                using var image = new MemoryStream();
                var emit = run.OutputCompilation.Emit(image);
                Assert.True(emit.Success, GeneratorHarness.Format(emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
                image.Position = 0;
                var assembly = context.LoadFromStream(image);

                string fullName = spec.HintName.Substring(0, spec.HintName.Length - ".g.cs".Length);
                string metadataName = MetadataNameOf(assembly, fullName);
                var type = assembly.GetType(metadataName, throwOnError: true)!;
                var info = (AttentionSpecInfo)type.GetProperty("Info", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

                Assert.Equal(fullName, info.Name);
                Assert.Equal(fullName + ": " + spec.Description, info.Describe());
                float expectedScale = spec.ExplicitScale is { } s ? (float)s : (float)(1.0 / Math.Sqrt(info.HeadDim));
                Assert.Equal(expectedScale, info.Scale);
                Assert.Equal(spec.RuntimeArguments, info.RuntimeArguments.Select(a => a.Name));
            }
            finally
            {
                context.Unload();
            }
        }

        private static (INamedTypeSymbol Type, GeneratorRun Run) CompileSpec(CatalogSpec spec)
        {
            var run = GeneratorHarness.Run(spec.Source);
            Assert.True(run.GeneratorDiagnostics.IsEmpty, GeneratorHarness.Format(run.GeneratorDiagnostics));
            var errors = run.OutputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, GeneratorHarness.Format(errors));
            var type = run.OutputCompilation.GetSymbolsWithName(spec.ClassName, SymbolFilter.Type).OfType<INamedTypeSymbol>().Single();
            return (type, run);
        }

        private static bool Matches(IMethodSymbol method, IReadOnlyList<(string Name, string? Type)> expected)
        {
            if (method.Parameters.Length != expected.Count)
                return false;
            for (int i = 0; i < expected.Count; i++)
            {
                var p = method.Parameters[i];
                if (p.Name != expected[i].Name)
                    return false;
                if (expected[i].Type is { } t && p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) != t)
                    return false;
            }
            return true;
        }

        private static string ElementTypeOf(CatalogSpec spec) =>
            spec.Description.Contains(", BFloat16,") ? "global::AttnDsl.BFloat16"
            : spec.Description.Contains(", Float32,") ? "float"
            : "global::ILGPU.Half";

        /// <summary>"A.B.Outer.Inner" to the reflection name, which spells nesting with '+'.</summary>
        private static string MetadataNameOf(Assembly assembly, string fullName) =>
            assembly.GetTypes().Single(t => t.FullName!.Replace('+', '.') == fullName).FullName!;
    }
}
