using System;
using System.IO;
using Xunit;

namespace AttnDsl.Generators.Tests.Snapshots
{
    /// <summary>The snapshot helper's own naming, normalization and diff.</summary>
    public sealed class SnapshotVerifierTests
    {
        [Fact]
        public void VerifiedPath_FollowsVerifyNaming()
        {
            string file = ThisFile();
            string directory = Path.GetDirectoryName(file)!;
            Assert.Equal(Path.Combine(directory, "SnapshotVerifierTests.Method.verified.cs"),
                SnapshotVerifier.GetVerifiedPath(file, null, "Method", null));
            Assert.Equal(Path.Combine(directory, "SnapshotTests.Method_Case1.verified.cs"),
                SnapshotVerifier.GetVerifiedPath(file, "SnapshotTests", "Method", "Case1"));
            Assert.Equal(Path.Combine(directory, "SnapshotVerifierTests.Method_a_b_c.verified.cs"),
                SnapshotVerifier.GetVerifiedPath(file, null, "Method", "a/b:c"));
            Assert.Equal(Path.Combine(directory, "X.M.received.cs"),
                SnapshotVerifier.ReceivedPathFor(Path.Combine(directory, "X.M.verified.cs")));
        }

        [Fact]
        public void Normalize_UnifiesLineEndingsAndDropsBom()
        {
            Assert.Equal("a\nb\nc\n", SnapshotVerifier.Normalize("\uFEFFa\r\nb\rc\n"));
        }

        [Fact]
        public void Diff_ShowsOnlyChangedLinesWithContext()
        {
            string expected = string.Join("\n", Lines(1, 40)) + "\n";
            string actual = expected.Replace("line 20\n", "line twenty\n");
            string diff = SnapshotVerifier.Diff(expected, actual);

            Assert.Contains("- line 20", diff);
            Assert.Contains("+ line twenty", diff);
            Assert.Contains("  line 17", diff);   // context before
            Assert.Contains("  line 23", diff);   // context after
            Assert.DoesNotContain("line 10", diff);
            Assert.DoesNotContain("line 30", diff);
        }

        [Fact]
        public void Diff_OfEqualTextsIsEmptyOfChanges()
        {
            string diff = SnapshotVerifier.Diff("a\nb\n", "a\nb\n");
            Assert.DoesNotContain("- ", diff);
            Assert.DoesNotContain("+ ", diff);
        }

        private static string[] Lines(int from, int to)
        {
            var lines = new string[to - from + 1];
            for (int i = 0; i < lines.Length; i++)
                lines[i] = "line " + (from + i);
            return lines;
        }

        private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
    }
}
