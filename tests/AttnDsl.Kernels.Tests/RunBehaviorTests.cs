using System;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Kernels.Tests.Specs;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>The generated Run's overloads, its kernel cache and the generated Info.</summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class RunBehaviorTests
    {
        private readonly AcceleratorFixture _fixture;
        private readonly Accelerator _accelerator;

        public RunBehaviorTests(AcceleratorFixture fixture)
        {
            _fixture = fixture;
            _accelerator = fixture.Accelerator;
        }

        /// <summary>Device inputs for a Float16 spec, as ILGPU.Half and as System.Half (same bits).</summary>
        private sealed class HalfInputs : IDisposable
        {
            public HalfInputs(Accelerator accelerator, AttentionSpecInfo spec, AttentionShape shape, int seed)
            {
                var inputs = KernelCheck.RandomInputs<ILGPU.Half>(spec, shape, new Random(seed));
                Q = accelerator.Allocate1D(Elements.FromFloats<ILGPU.Half>(inputs.Query));
                K = accelerator.Allocate1D(Elements.FromFloats<ILGPU.Half>(inputs.Key));
                V = accelerator.Allocate1D(Elements.FromFloats<ILGPU.Half>(inputs.Value));
                SQ = accelerator.Allocate1D(Elements.FromFloats<System.Half>(inputs.Query));
                SK = accelerator.Allocate1D(Elements.FromFloats<System.Half>(inputs.Key));
                SV = accelerator.Allocate1D(Elements.FromFloats<System.Half>(inputs.Value));
                O = KernelCheck.Filled(accelerator, shape.QueryElements(spec.HeadDimV), KernelCheck.Sentinel<ILGPU.Half>());
                SO = KernelCheck.Filled(accelerator, shape.QueryElements(spec.HeadDimV), KernelCheck.Sentinel<System.Half>());
                L = KernelCheck.Filled(accelerator, shape.QueryRows, float.NaN);
                SL = KernelCheck.Filled(accelerator, shape.QueryRows, float.NaN);
                Inputs = inputs;
            }

            public Inputs Inputs { get; }
            public MemoryBuffer1D<ILGPU.Half, Stride1D.Dense> Q, K, V, O;
            public MemoryBuffer1D<System.Half, Stride1D.Dense> SQ, SK, SV, SO;
            public MemoryBuffer1D<float, Stride1D.Dense> L, SL;

            public void Dispose()
            {
                foreach (var b in new IDisposable[] { Q, K, V, O, SQ, SK, SV, SO, L, SL }) b.Dispose();
            }
        }

        private static ushort[] Bits(ILGPU.Half[] values) => values.Select(h => System.Runtime.CompilerServices.Unsafe.As<ILGPU.Half, ushort>(ref h)).ToArray();

        private static ushort[] Bits(System.Half[] values) => values.Select(BitConverter.HalfToUInt16Bits).ToArray();

        [Theory]
        [InlineData("len65-gqa")]
        [InlineData("decode-k65")]
        public void SystemHalfOverload_GivesTheSameBitsAsIlgpuHalf(string shapeName)
        {
            var shape = Shapes.Get(shapeName);
            using var d = new HalfInputs(_accelerator, CausalBnhdF16.Info, shape, 41);
            CausalBnhdF16.Run(_accelerator, shape, d.Q.View, d.K.View, d.V.View, d.O.View, d.L.View);
            CausalBnhdF16.Run(_accelerator, shape, d.SQ.View, d.SK.View, d.SV.View, d.SO.View, d.SL.View);
            _accelerator.Synchronize();
            var ilgpu = d.O.GetAsArray1D();
            var system = d.SO.GetAsArray1D();
            Assert.Equal(Bits(ilgpu), Bits(system));
            Assert.Equal(d.L.GetAsArray1D(), d.SL.GetAsArray1D());
            // And the result is right, not just equal.
            var reference = AttentionReference.Compute(CausalBnhdF16.Info, shape, d.Inputs.Query, d.Inputs.Key, d.Inputs.Value);
            var tolerance = Tolerance.For(ElementType.Float16, d.Inputs.MaxAbsValue);
            for (int x = 0; x < system.Length; x++)
                Assert.True(Math.Abs((float)system[x] - reference.Output[x]) <= tolerance.Output, $"output[{x}]");
        }

        [Fact]
        public void SystemHalfOverload_WithoutLogSumExp()
        {
            var shape = Shapes.Get("len17");
            using var d = new HalfInputs(_accelerator, DefaultsF16.Info, shape, 42);
            DefaultsF16.Run(_accelerator, shape, d.Q.View, d.K.View, d.V.View, d.O.View);
            DefaultsF16.Run(_accelerator, shape, d.SQ.View, d.SK.View, d.SV.View, d.SO.View);
            _accelerator.Synchronize();
            Assert.Equal(Bits(d.O.GetAsArray1D()), Bits(d.SO.GetAsArray1D()));
            Assert.DoesNotContain(d.SO.GetAsArray1D(), System.Half.IsNaN);
        }

        [Fact]
        public void SystemHalfOverload_ValidatesLikeTheIlgpuOverload()
        {
            var shape = Shapes.Get("len17");
            using var d = new HalfInputs(_accelerator, DefaultsF16.Info, shape, 43);
            var ex = Assert.ThrowsAny<ArgumentException>(() =>
                DefaultsF16.Run(_accelerator, shape, d.SQ.View.SubView(0, d.SQ.Length - 1), d.SK.View, d.SV.View, d.SO.View));
            Assert.Equal("query", ex.ParamName);
            Assert.All(d.SO.GetAsArray1D(), x => Assert.True(System.Half.IsNaN(x)));
        }

        [Theory]
        [InlineData(AttentionPath.RowStreaming)]
        [InlineData(AttentionPath.Tiled)]
        public void SecondCall_ReusesTheKernelAndGivesIdenticalResults(AttentionPath path)
        {
            // Two calls on the same inputs (the second through the compiled-kernel cache) and a third
            // on a fresh accelerator (its own cache entry): bit-identical outputs.
            var spec = SpecCatalog.Get(nameof(StreamingLlmF32));
            var shape = Shapes.Get("len17");
            var first = spec.Execute(_accelerator, shape, path, 51);
            var second = spec.Execute(_accelerator, shape, path, 51);
            first.AssertMatchesReference();
            Assert.Equal(first.Output, second.Output);
            Assert.Equal(first.LogSumExp, second.LogSumExp);
            using var other = _fixture.Context.CreateCPUAccelerator(0);
            var third = spec.Execute(other, shape, path, 51);
            Assert.Equal(first.Output, third.Output);
            Assert.Equal(first.LogSumExp, third.LogSumExp);
        }

        [Fact]
        public void SecondCall_WithDifferentShape_UsesTheSameKernelCorrectly()
        {
            // The kernel is compiled once per accelerator, not per shape: sizes are arguments.
            var spec = SpecCatalog.Get(nameof(DocumentCausalF32));
            spec.Execute(_accelerator, Shapes.Get("len63"), AttentionPath.RowStreaming, 52).AssertMatchesReference();
            spec.Execute(_accelerator, Shapes.Get("batch5"), AttentionPath.RowStreaming, 53).AssertMatchesReference();
            spec.Execute(_accelerator, Shapes.Get("len1"), AttentionPath.RowStreaming, 54).AssertMatchesReference();
        }

        [Theory]
        [InlineData(nameof(CausalF32))]
        [InlineData(nameof(RadialF32))]
        public void AutoPath_OnTheCpuAccelerator_IsRowStreaming(string name)
        {
            // Auto (also the path of the overload without one) picks the barrier-free kernel on a
            // CPU accelerator; same arithmetic in the same order, so identical bits.
            var spec = SpecCatalog.Get(name);
            var shape = Shapes.Get("len65-gqa");
            var auto = spec.Execute(_accelerator, shape, AttentionPath.Auto, 61);
            var row = spec.Execute(_accelerator, shape, AttentionPath.RowStreaming, 61);
            Assert.Equal(row.Output, auto.Output);
            Assert.Equal(row.LogSumExp, auto.LogSumExp);
        }

        [Fact]
        public void DefaultOverload_MatchesExplicitPath()
        {
            var shape = Shapes.Get("len17");
            var rng = new Random(62);
            var inputs = KernelCheck.RandomInputs<float>(CausalF32.Info, shape, rng);
            using var q = _accelerator.Allocate1D(inputs.Query);
            using var k = _accelerator.Allocate1D(inputs.Key);
            using var v = _accelerator.Allocate1D(inputs.Value);
            using var o1 = _accelerator.Allocate1D<float>(inputs.Query.Length);
            using var o2 = _accelerator.Allocate1D<float>(inputs.Query.Length);
            CausalF32.Run(_accelerator, shape, q.View, k.View, v.View, o1.View);
            CausalF32.Run(_accelerator, shape, q.View, k.View, v.View, o2.View, default, AttentionPath.RowStreaming);
            _accelerator.Synchronize();
            Assert.Equal(o2.GetAsArray1D(), o1.GetAsArray1D());
        }

        [Fact]
        public void Info_ReflectsTheAttributes()
        {
            var defaults = DefaultsF16.Info;
            Assert.Equal(64, defaults.HeadDim);
            Assert.Equal(64, defaults.HeadDimV);
            // Tiles not set: the chosen tile of a causal 16-bit spec at HeadDim 64 (TileChoice).
            Assert.Equal(128, defaults.BlockM);
            Assert.Equal(128, defaults.BlockN);
            Assert.Equal(ElementType.Float16, defaults.Element);
            Assert.Equal(TensorLayout.BHND, defaults.Layout);
            Assert.Equal(0.125f, defaults.Scale);
            Assert.True(defaults.Causal);
            Assert.Empty(defaults.RuntimeArguments);

            var window = WindowBothF32.Info;
            Assert.True(window.HasSlidingWindow);
            Assert.Equal((5, 9), (window.WindowLeft, window.WindowRight));
            Assert.False(window.Causal);

            var radial = RadialCausalSinkFramesF32.Info;
            Assert.Equal(8, radial.TokensPerFrame);
            Assert.True(radial.HasRadialDecay);
            Assert.Equal(0.5, radial.RadialDecayFactor);
            Assert.Equal(2, radial.RadialSinkFrames);

            Assert.Equal(1f, SoftCapF32.Info.Scale);
            Assert.Equal(2.5f, SoftCapF32.Info.SoftCap);
            Assert.Equal(64, WideValueF32.Info.HeadDimV);
            Assert.Equal(TensorLayout.BNHD, NarrowValueBnhdF32.Info.Layout);

            var sink = KitchenSinkBf16.Info;
            Assert.Equal(new[] { "prefixLength", "documentIds", "headBias" }, sink.RuntimeArguments.Select(a => a.Name));
            Assert.Equal(new[] { "SkipKeysDivisibleBySeven" }, sink.MaskMods);
            Assert.Equal(new[] { "HeadBias" }, sink.ScoreMods);
            Assert.Equal(3, sink.SinkCount);
        }

        [Fact]
        public void Info_SharedModParameter_IsOneRuntimeArgument()
        {
            var info = SharedSpanMasksF32.Info;
            Assert.Equal(new[] { "span", "blockedKeys" }, info.RuntimeArguments.Select(a => a.Name));
            Assert.Equal(new[] { "NotTooFarAhead", "NotTooFarBehind" }, info.MaskMods);
            var table = TableBiasScoreF32.Info;
            Assert.Equal(new[] { "bias", "temperature" }, table.RuntimeArguments.Select(a => a.Name));
        }

        [Fact]
        public void SharedModParameter_ReachesBothMods()
        {
            // span = 6: keys in [query - 12, query + 6], minus keys with key % 5 == 2. A different span
            // changes the result, so both mods must read the one Run argument.
            var shape = new AttentionShape(1, 1, 1, 40, 40);
            var rng = new Random(71);
            var inputs = KernelCheck.RandomInputs<float>(SharedSpanMasksF32.Info, shape, rng);
            using var q = _accelerator.Allocate1D(inputs.Query);
            using var k = _accelerator.Allocate1D(inputs.Key);
            using var v = _accelerator.Allocate1D(inputs.Value);
            using var blocked = _accelerator.Allocate1D(RuntimeData.BlockedKeys());
            using var o = _accelerator.Allocate1D<float>(inputs.Query.Length);
            using var l = _accelerator.Allocate1D<float>(shape.QueryRows);
            foreach (int span in new[] { 0, 3, 6 })
            {
                SharedSpanMasksF32.Run(_accelerator, shape, q.View, k.View, v.View, o.View, span, blocked.View, l.View, AttentionPath.RowStreaming);
                _accelerator.Synchronize();
                var lse = l.GetAsArray1D();
                var reference = AttentionReference.Compute(SharedSpanMasksF32.Info, shape, inputs.Query, inputs.Key, inputs.Value,
                    SharedSpanMasksF32.CreateReferenceArguments(span, blocked.View));
                for (int i = 0; i < lse.Length; i++)
                {
                    if (double.IsNegativeInfinity(reference.LogSumExp[i]))
                        Assert.Equal(float.NegativeInfinity, lse[i]);
                    else
                        Assert.Equal(reference.LogSumExp[i], lse[i], 1e-4);
                }
                // Independently: with span 0 only keys in [i - 0, i + 0] = {i} survive (unless blocked).
                if (span == 0)
                {
                    for (int i = 0; i < 40; i++)
                        Assert.Equal(i % 5 == 2, float.IsNegativeInfinity(lse[i]));
                }
            }
        }
    }
}
