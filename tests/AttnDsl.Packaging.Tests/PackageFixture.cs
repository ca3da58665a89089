using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;

namespace AttnDsl.Packaging.Tests
{
    /// <summary>
    /// Packs src/AttnDsl once for the tests of a class, into a fresh folder with a version no cache has
    /// seen. The sources are copied first (without bin/obj), so the pack builds in isolation and never
    /// rewrites the outputs that the other test projects of the same run use.
    /// </summary>
    public sealed class PackageFixture : IDisposable
    {
        public static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(4);

        private static readonly string[] s_copied = { "src", "generators", "analyzers", "Directory.Build.props", "Directory.Packages.props", "global.json" };
        private static readonly HashSet<string> s_skipped = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", ".vs", "TestResults" };

        public PackageFixture()
        {
            RepoRoot = typeof(PackageFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
            Root = Path.Combine(Path.GetTempPath(), "attndsl-packaging-" + Guid.NewGuid().ToString("N"));
            Feed = Path.Combine(Root, "feed");
            Packages = Path.Combine(Root, "packages");
            Directory.CreateDirectory(Feed);
            Directory.CreateDirectory(Packages);
            // Stops MSBuild's search for Directory.Build.* above the throwaway projects.
            File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />\n");
            Version = "0.1.0-test" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N").Substring(0, 6);

            string sources = Path.Combine(Root, "repo");
            foreach (string entry in s_copied)
            {
                string from = Path.Combine(RepoRoot, entry);
                if (Directory.Exists(from))
                    CopyDirectory(from, Path.Combine(sources, entry));
                else if (File.Exists(from))
                    File.Copy(from, Path.Combine(sources, entry));
            }
            Pack = ChildProcess.Dotnet(sources,
                new[]
                {
                    "pack", Path.Combine("src", "AttnDsl", "AttnDsl.csproj"), "-c", "Release", "-o", Feed,
                    "-p:Version=" + Version, "-p:UseSharedCompilation=false", "-nodeReuse:false",
                },
                PackTimeout);
            PackagePath = Path.Combine(Feed, "AttnDsl." + Version + ".nupkg");
        }

        public string RepoRoot { get; }

        /// <summary>The temp folder everything of this fixture lives in.</summary>
        public string Root { get; }

        /// <summary>The local package source the package was packed into.</summary>
        public string Feed { get; }

        /// <summary>NUGET_PACKAGES of the throwaway restores: empty at first, never the global cache.</summary>
        public string Packages { get; }

        public string Version { get; }

        public ChildResult Pack { get; }

        public string PackagePath { get; }

        public void Dispose()
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                try
                {
                    if (Directory.Exists(Root))
                        Directory.Delete(Root, recursive: true);
                    return;
                }
                catch (IOException) { Thread.Sleep(500); }
                catch (UnauthorizedAccessException) { Thread.Sleep(500); }
            }
        }

        private static void CopyDirectory(string from, string to)
        {
            Directory.CreateDirectory(to);
            foreach (string file in Directory.GetFiles(from))
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            foreach (string directory in Directory.GetDirectories(from))
            {
                if (!s_skipped.Contains(Path.GetFileName(directory)))
                    CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
            }
        }
    }
}
