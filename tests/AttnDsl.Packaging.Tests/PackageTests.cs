using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace AttnDsl.Packaging.Tests
{
    /// <summary>
    /// `dotnet pack src/AttnDsl` yields one package with the runtime under lib/ and the generator,
    /// analyzers and code fixes under analyzers/dotnet/cs, and a project that references only that
    /// package gets the generated Run for a valid spec and an ATTN1xxx error for an invalid one.
    /// </summary>
    public sealed class PackageTests : IClassFixture<PackageFixture>
    {
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(3);

        private readonly PackageFixture _fixture;

        public PackageTests(PackageFixture fixture) => _fixture = fixture;

        [Fact]
        public void PackageHoldsTheRuntimeAndEveryRoslynComponent()
        {
            var entries = PackageEntries();
            Assert.Contains("lib/net8.0/AttnDsl.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/AttnDsl.Generators.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/AttnDsl.Analyzers.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/AttnDsl.CodeFixes.dll", entries);
            // Roslyn components must not be runtime assets.
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal)
                && (e.EndsWith("Generators.dll", StringComparison.Ordinal) || e.EndsWith("Analyzers.dll", StringComparison.Ordinal) || e.EndsWith("CodeFixes.dll", StringComparison.Ordinal)));
        }

        [Fact]
        public void PackageDependsOnIlgpuButNotOnRoslynOrItsOwnComponents()
        {
            var dependencies = NuspecDependencies();
            Assert.Contains("ILGPU", dependencies);
            Assert.DoesNotContain(dependencies, d => d.StartsWith("Microsoft.CodeAnalysis", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(dependencies, d => d.StartsWith("AttnDsl.", StringComparison.OrdinalIgnoreCase));
        }

        [Fact]
        public void ValidSpecBuildsAgainstThePackageWithTheGeneratedRun()
        {
            string project = WriteConsumer("valid", """
                using AttnDsl;
                using ILGPU;
                using ILGPU.Runtime;

                [AttentionKernel(HeadDim = 64)]
                [Causal, SlidingWindow(128)]
                public static partial class PackagedSpec;

                public static class Program
                {
                    // Info and Run exist only if the generator from the package ran on PackagedSpec.
                    public static int Main()
                    {
                        System.Console.WriteLine("HeadDim=" + PackagedSpec.Info.HeadDim + " WindowLeft=" + PackagedSpec.Info.WindowLeft);
                        return 0;
                    }

                    public static void Launch(Accelerator accelerator, ArrayView<Half> q, ArrayView<Half> k, ArrayView<Half> v, ArrayView<Half> o) =>
                        PackagedSpec.Run(accelerator, new AttentionShape(1, 2, 2, 128, 128), q, k, v, o);
                }
                """);
            var build = Build(project);
            Assert.True(build.ExitCode == 0, build.Describe());
            AssertRoslynComponentsLoaded(build);
            Assert.DoesNotContain("warning ATTN", build.Output, StringComparison.Ordinal);

            string dll = Path.Combine(project, "bin", "Release", "net10.0", "Consumer.dll");
            Assert.True(File.Exists(dll), "no Consumer.dll after the build:\n" + build.Describe());
            var run = ChildProcess.Dotnet(project, new[] { dll }, TimeSpan.FromMinutes(1));
            Assert.True(run.ExitCode == 0, run.Describe());
            Assert.Contains("HeadDim=64 WindowLeft=128", run.Output, StringComparison.Ordinal);
        }

        [Fact]
        public void InvalidSpecFailsTheBuildWithTheAnalyzerError()
        {
            string project = WriteConsumer("invalid", """
                using AttnDsl;

                [AttentionKernel(HeadDim = 72)]
                public static partial class PackagedSpec;

                public static class Program
                {
                    public static int Main() => 0;
                }
                """);
            var build = Build(project);
            Assert.False(build.TimedOut, build.Describe());
            Assert.True(build.ExitCode != 0, "the build of a spec with HeadDim = 72 succeeded:\n" + build.Describe());
            Assert.Contains("error ATTN1002", build.Output, StringComparison.Ordinal);
            Assert.Contains("HeadDim is 72", build.Output, StringComparison.Ordinal);
            // The analyzer, not a restore problem or a compiler error, failed the build.
            Assert.DoesNotContain("error NU", build.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("error CS", build.Output, StringComparison.Ordinal);
            AssertRoslynComponentsLoaded(build);
        }

        private HashSet<string> PackageEntries()
        {
            Assert.True(_fixture.Pack.ExitCode == 0, _fixture.Pack.Describe());
            Assert.True(File.Exists(_fixture.PackagePath), $"{_fixture.PackagePath} was not written:\n{_fixture.Pack.Describe()}");
            using var zip = ZipFile.OpenRead(_fixture.PackagePath);
            return zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);
        }

        private List<string> NuspecDependencies()
        {
            Assert.True(_fixture.Pack.ExitCode == 0, _fixture.Pack.Describe());
            using var zip = ZipFile.OpenRead(_fixture.PackagePath);
            var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase) && !e.FullName.Contains('/'));
            using var stream = entry.Open();
            var nuspec = XDocument.Load(stream);
            return nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
                .Select(e => (string?)e.Attribute("id") ?? "").Distinct().ToList();
        }

        /// <summary>A console project in its own folder whose only reference is the packed AttnDsl.</summary>
        private string WriteConsumer(string name, string program)
        {
            Assert.True(_fixture.Pack.ExitCode == 0, _fixture.Pack.Describe());
            string project = Path.Combine(_fixture.Root, "consumer-" + name);
            Directory.CreateDirectory(project);
            File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="attndsl-test" value="{_fixture.Feed}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>disable</ImplicitUsings>
                    <AssemblyName>Consumer</AssemblyName>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="AttnDsl" Version="[{_fixture.Version}]" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(project, "Program.cs"), program);
            return project;
        }

        private ChildResult Build(string project) =>
            ChildProcess.Dotnet(project,
                new[] { "build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false" },
                BuildTimeout,
                new Dictionary<string, string> { ["NUGET_PACKAGES"] = _fixture.Packages });

        /// <summary>No analyzer or generator in the package failed to load or threw.</summary>
        private static void AssertRoslynComponentsLoaded(ChildResult build)
        {
            foreach (string id in new[] { "CS8032", "CS8033", "CS8784", "CS8785", "AD0001" })
                Assert.False(build.Output.Contains(id, StringComparison.Ordinal), $"{id} in the build output:\n{build.Describe()}");
        }
    }
}
