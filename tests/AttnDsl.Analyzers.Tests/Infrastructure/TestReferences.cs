using System;
using System.Collections.Immutable;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace AttnDsl.Analyzers.Tests.Infrastructure
{
    /// <summary>What user code under test compiles against: .NET 8 reference assemblies, ILGPU and the AttnDsl runtime.</summary>
    public static class TestReferences
    {
        /// <summary>
        /// Microsoft.NETCore.App.Ref 8.0.0, which Microsoft.CodeAnalysis.Testing resolves from NuGet (or its
        /// package cache) on first use.
        /// </summary>
        public static ReferenceAssemblies ReferenceAssemblies => ReferenceAssemblies.Net.Net80;

        /// <summary>
        /// The AttnDsl runtime (its net8.0 build, which this project references) and ILGPU with ILGPU.Algorithms
        /// (which generated kernels use).
        /// </summary>
        public static ImmutableArray<MetadataReference> Additional { get; } = ImmutableArray.Create<MetadataReference>(
            MetadataReference.CreateFromFile(typeof(AttnDsl.AttentionShape).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(ILGPU.Algorithms.XMath).Assembly.Location));

        private static readonly Lazy<Task<ImmutableArray<MetadataReference>>> s_all = new(async () =>
        {
            var framework = await ReferenceAssemblies.ResolveAsync(LanguageNames.CSharp, CancellationToken.None).ConfigureAwait(false);
            return framework.AddRange(Additional);
        });

        /// <summary>Everything, for compilations the tests build themselves (the fuzz test).</summary>
        public static Task<ImmutableArray<MetadataReference>> AllAsync() => s_all.Value;

        /// <summary>The repository root (the folder with AttnDsl.sln).</summary>
        public static string RepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "AttnDsl.sln")))
                    return dir.FullName;
            throw new InvalidOperationException("AttnDsl.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
