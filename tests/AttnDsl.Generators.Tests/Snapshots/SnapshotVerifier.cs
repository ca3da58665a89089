using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit;

namespace AttnDsl.Generators.Tests.Snapshots
{
    /// <summary>
    /// A small in-repo snapshot helper with Verify's file naming:
    /// <c>{TestClass}.{TestMethod}.verified.cs</c>, or <c>{TestClass}.{TestMethod}_{param}.verified.cs</c>
    /// for parameterized tests, stored next to the test's source file.
    /// </summary>
    /// <remarks>
    /// On a mismatch (or a missing verified file) the actual text goes to <c>*.received.cs</c> beside
    /// the verified file and the test fails with a line diff. With <c>ATTNDSL_UPDATE_SNAPSHOTS=1</c>
    /// the verified file is overwritten instead and the test passes. Line endings are normalized to
    /// <c>\n</c> on both sides; a stale received file is deleted when the comparison passes.
    /// </remarks>
    public static class SnapshotVerifier
    {
        public const string UpdateVariable = "ATTNDSL_UPDATE_SNAPSHOTS";

        private const int ContextLines = 3;
        private const int MaxDiffLines = 400;

        public static bool UpdateMode => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

        /// <summary>Verifies <paramref name="actual"/> against the snapshot of the calling test.</summary>
        /// <param name="actual">The text to verify.</param>
        /// <param name="parameter">For parameterized tests: the case name, appended as <c>_{parameter}</c>.</param>
        /// <param name="testClass">The test class name; defaults to the caller's file name, which is the class name in this project.</param>
        public static void Verify(
            string actual,
            string? parameter = null,
            string? testClass = null,
            [CallerFilePath] string sourceFile = "",
            [CallerMemberName] string testMethod = "")
        {
            string path = GetVerifiedPath(sourceFile, testClass, testMethod, parameter);
            string receivedPath = ReceivedPathFor(path);
            string normalizedActual = Normalize(actual);

            if (UpdateMode)
            {
                File.WriteAllText(path, normalizedActual, Utf8NoBom);
                DeleteIfExists(receivedPath);
                return;
            }

            if (!File.Exists(path))
            {
                File.WriteAllText(receivedPath, normalizedActual, Utf8NoBom);
                Assert.Fail(
                    $"No verified snapshot at {path}.{Environment.NewLine}" +
                    $"The actual text was written to {receivedPath}; review it and rename it to the .verified.cs name, " +
                    $"or rerun with {UpdateVariable}=1 to accept it.{Environment.NewLine}" +
                    Diff("", normalizedActual));
                return;
            }

            string expected = Normalize(File.ReadAllText(path));
            if (string.Equals(expected, normalizedActual, StringComparison.Ordinal))
            {
                DeleteIfExists(receivedPath);
                return;
            }

            File.WriteAllText(receivedPath, normalizedActual, Utf8NoBom);
            Assert.Fail(
                $"Snapshot mismatch for {path}.{Environment.NewLine}" +
                $"Received text written to {receivedPath}. Rerun with {UpdateVariable}=1 to accept it if the change is intended." +
                $"{Environment.NewLine}--- verified{Environment.NewLine}+++ received{Environment.NewLine}" +
                Diff(expected, normalizedActual));
        }

        /// <summary>The verified-file path for a test, following Verify's naming.</summary>
        public static string GetVerifiedPath(string sourceFile, string? testClass, string testMethod, string? parameter)
        {
            if (string.IsNullOrEmpty(sourceFile) || !File.Exists(sourceFile))
                throw new InvalidOperationException(
                    $"The test source file '{sourceFile}' (from [CallerFilePath]) does not exist on this machine; " +
                    "snapshots are stored next to it, so the tests must run from a build of this checkout.");

            string directory = Path.GetDirectoryName(sourceFile)!;
            string className = testClass ?? Path.GetFileNameWithoutExtension(sourceFile);
            string name = className + "." + testMethod;
            if (!string.IsNullOrEmpty(parameter))
                name += "_" + Sanitize(parameter!);
            return Path.Combine(directory, name + ".verified.cs");
        }

        public static string ReceivedPathFor(string verifiedPath) =>
            verifiedPath.Substring(0, verifiedPath.Length - ".verified.cs".Length) + ".received.cs";

        /// <summary>Line endings to <c>\n</c>; a BOM is dropped.</summary>
        public static string Normalize(string text) =>
            text.TrimStart('\uFEFF').Replace("\r\n", "\n").Replace('\r', '\n');

        /// <summary>A line diff showing only the changed lines with <see cref="ContextLines"/> lines of context.</summary>
        public static string Diff(string expected, string actual)
        {
            DiffPaneModel model = InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false, ignoreCase: false);
            List<DiffPiece> lines = model.Lines;

            // Mark the lines to print: every change plus its context.
            var show = new bool[lines.Count];
            for (int i = 0; i < lines.Count; i++)
            {
                if (lines[i].Type is ChangeType.Unchanged)
                    continue;
                for (int k = Math.Max(0, i - ContextLines); k <= Math.Min(lines.Count - 1, i + ContextLines); k++)
                    show[k] = true;
            }

            var sb = new StringBuilder();
            int oldLine = 0, newLine = 0, printed = 0;
            bool gap = false;
            for (int i = 0; i < lines.Count; i++)
            {
                DiffPiece piece = lines[i];
                bool inOld = piece.Type is ChangeType.Unchanged or ChangeType.Deleted or ChangeType.Modified;
                bool inNew = piece.Type is ChangeType.Unchanged or ChangeType.Inserted or ChangeType.Modified;
                if (inOld) oldLine++;
                if (inNew) newLine++;

                if (!show[i])
                {
                    gap = true;
                    continue;
                }

                if (printed >= MaxDiffLines)
                {
                    sb.Append("... (diff truncated after ").Append(MaxDiffLines).Append(" lines)").AppendLine();
                    break;
                }

                if (gap || printed == 0)
                {
                    sb.Append("@@ verified line ").Append(Math.Max(oldLine, 1)).Append(", received line ").Append(Math.Max(newLine, 1)).Append(" @@").AppendLine();
                    gap = false;
                }

                string prefix = piece.Type switch
                {
                    ChangeType.Deleted => "- ",
                    ChangeType.Inserted => "+ ",
                    ChangeType.Modified => "~ ",
                    _ => "  ",
                };
                sb.Append(prefix).Append(piece.Text).AppendLine();
                printed++;
            }

            return printed == 0 ? "(no line differences; the texts differ only in a trailing newline)" : sb.ToString();
        }

        private static string Sanitize(string parameter)
        {
            var invalid = new HashSet<char>(Path.GetInvalidFileNameChars()) { ' ', '"', '<', '>', '|', ':', '*', '?', '\\', '/' };
            var sb = new StringBuilder(parameter.Length);
            foreach (char c in parameter)
                sb.Append(invalid.Contains(c) ? '_' : c);
            return sb.ToString();
        }

        private static void DeleteIfExists(string path)
        {
            if (File.Exists(path))
                File.Delete(path);
        }

        private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    }
}
