using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;

namespace AttnDsl.Packaging.Tests
{
    /// <summary>The outcome of a child <c>dotnet</c> command: exit code (null on timeout) and the merged output.</summary>
    public sealed record ChildResult(string CommandLine, int? ExitCode, string Output, TimeSpan Elapsed)
    {
        public bool TimedOut => ExitCode is null;

        /// <summary>The command, its outcome and its whole output, for an assertion message.</summary>
        public string Describe() =>
            $"`{CommandLine}` {(TimedOut ? "timed out" : $"exited with {ExitCode}")} after {Elapsed.TotalSeconds:F0} s; output:\n{Output}";
    }

    /// <summary>Runs <c>dotnet</c> with a time limit; on timeout the process and its children are killed.</summary>
    public static class ChildProcess
    {
        public static ChildResult Dotnet(string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
        {
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
            var info = new ProcessStartInfo(dotnet)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
                info.ArgumentList.Add(argument);

            // The test runs inside `dotnet test`: its MSBuild variables must not leak into a separate build.
            var inherited = new List<string>();
            foreach (string key in info.Environment.Keys)
                inherited.Add(key);
            foreach (string key in inherited)
                if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                    info.Environment.Remove(key);
            info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            info.Environment["DOTNET_NOLOGO"] = "1";
            info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
            info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            if (environment is not null)
                foreach (var pair in environment)
                    info.Environment[pair.Key] = pair.Value;

            var output = new StringBuilder();
            var watch = Stopwatch.StartNew();
            using var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            bool exited = process.WaitForExit((int)timeout.TotalMilliseconds);
            if (!exited)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                process.WaitForExit(10_000);
            }
            else
            {
                process.WaitForExit(); // drains the asynchronous output readers
            }
            string commandLine = dotnet + " " + string.Join(" ", info.ArgumentList);
            lock (output)
                return new ChildResult(commandLine, exited ? process.ExitCode : null, output.ToString(), watch.Elapsed);
        }
    }
}
