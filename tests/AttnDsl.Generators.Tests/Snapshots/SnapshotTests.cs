using AttnDsl.Generators.Tests.Infrastructure;
using Xunit;

namespace AttnDsl.Generators.Tests.Snapshots
{
    /// <summary>
    /// The generated source of every catalog spec, compared with SnapshotTests.GeneratedSource_{spec}.verified.cs
    /// beside this file. Accept intended changes with ATTNDSL_UPDATE_SNAPSHOTS=1.
    /// </summary>
    public sealed class SnapshotTests
    {
        [Theory]
        [MemberData(nameof(SpecCatalog.Names), MemberType = typeof(SpecCatalog))]
        public void GeneratedSource(string specName)
        {
            var spec = SpecCatalog.Get(specName);
            var run = GeneratorHarness.Run(spec.Source);

            Assert.True(run.GeneratorDiagnostics.IsEmpty, "Generator diagnostics:\n" + GeneratorHarness.Format(run.GeneratorDiagnostics));
            var source = run.SingleSource;
            Assert.Equal(spec.HintName, source.HintName);

            SnapshotVerifier.Verify(source.SourceText.ToString(), specName);
        }

        [Fact]
        public void KernelAccessSource()
        {
            // The one source added per compilation (not per spec) when any spec is valid.
            var run = GeneratorHarness.Run(SpecCatalog.Get("DenseHalf64").Source, SpecCatalog.Get("Alibi").Source);
            var access = Assert.Single(run.GeneratedSources, s => s.HintName == GeneratorHarness.KernelAccessHintName);
            SnapshotVerifier.Verify(access.SourceText.ToString());
        }
    }
}
