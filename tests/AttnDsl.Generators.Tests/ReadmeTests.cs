using System;
using System.IO;
using System.Linq;
using AttnDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AttnDsl.Generators.Tests
{
    /// <summary>The README's Quickstart, as a new user pastes it into <c>dotnet new console</c>: it compiles with the generated code.</summary>
    public sealed class ReadmeTests
    {
        /// <summary>The global usings of the console template (ImplicitUsings = enable).</summary>
        private const string ConsoleImplicitUsings = """
            global using global::System;
            global using global::System.Collections.Generic;
            global using global::System.IO;
            global using global::System.Linq;
            global using global::System.Net.Http;
            global using global::System.Threading;
            global using global::System.Threading.Tasks;
            """;

        private static string Quickstart()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AttnDsl.sln")))
                dir = dir.Parent;
            Assert.True(dir is not null, "AttnDsl.sln not found above " + AppContext.BaseDirectory);
            string readme = File.ReadAllText(Path.Combine(dir!.FullName, "README.md")).Replace("\r\n", "\n");
            int section = readme.IndexOf("## Quickstart", StringComparison.Ordinal);
            Assert.True(section >= 0, "README.md has no Quickstart section");
            int start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
            int end = readme.IndexOf("```", start, StringComparison.Ordinal);
            return readme.Substring(start, end - start);
        }

        [Fact]
        public void Quickstart_CompilesAsAConsoleProgram()
        {
            string program = Quickstart();
            Assert.Contains("[AttentionKernel", program);
            var compilation = GeneratorHarness.CreateCompilation((ConsoleImplicitUsings, "/src/GlobalUsings.g.cs"), (program, "/src/Program.cs"))
                .WithOptions(GeneratorHarness.CompilationOptions.WithOutputKind(OutputKind.ConsoleApplication));
            var run = GeneratorHarness.Run(GeneratorHarness.CreateDriver(), compilation);
            Assert.True(run.GeneratorDiagnostics.IsEmpty, "Generator diagnostics:\n" + GeneratorHarness.Format(run.GeneratorDiagnostics));
            Assert.Single(run.SpecSources);
            var problems = run.OutputErrorsAndWarnings.Where(d => d.Id != "CS8019").ToList(); // unused usings are not the reader's problem
            Assert.True(problems.Count == 0, "The Quickstart does not compile cleanly:\n" + GeneratorHarness.Format(problems));
        }
    }
}
