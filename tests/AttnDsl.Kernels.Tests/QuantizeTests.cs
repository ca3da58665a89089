using System;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Kernels.Tests.Specs;
using ILGPU;
using ILGPU.Runtime;
using Xunit;
using Xunit.Abstractions;
using Half = ILGPU.Half;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// [Quantize]: the generated prologue equals the int8 rule applied on the host; Run computes with the int8
    /// values (not the 16-bit inputs); its accuracy against exact attention of the unquantized inputs meets
    /// SageAttention's figures with smoothing; the per-accelerator buffers follow the shape; bad arguments are
    /// refused. The kernels' agreement with the reference on the dequantized tensors is in the catalog runs.
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class QuantizeTests
    {
        private readonly Accelerator _accelerator;
        private readonly ITestOutputHelper _output;

        public QuantizeTests(AcceleratorFixture fixture, ITestOutputHelper output)
        {
            _accelerator = fixture.Accelerator;
            _output = output;
        }

        private static float[] Uniform(long count, Random rng, float range, Func<float, float> round)
        {
            var data = new float[count];
            for (long x = 0; x < count; x++)
                data[x] = round((float)((rng.NextDouble() * 2 - 1) * range));
            return data;
        }

        private static float RoundHalf(float x) => Elements.ToFloat(Elements.FromFloat<Half>(x));

        private static float RoundBf16(float x) => Elements.ToFloat(Elements.FromFloat<BFloat16>(x));

        [Theory]
        [InlineData(nameof(QuantCausalF16), "len65-gqa")]
        [InlineData(nameof(QuantCausalF16), "q17-k63")]
        [InlineData(nameof(QuantWindowBnhdBf16), "len130-mqa")]
        [InlineData(nameof(QuantWindowBnhdBf16), "decode-k65")]
        public void Prologue_MatchesTheRuleOnTheHost(string spec, string shapeName)
        {
            var shape = Shapes.Get(shapeName);
            var rng = new Random(shapeName.Length * 31 + spec.Length);
            bool bf16 = spec == nameof(QuantWindowBnhdBf16);
            var info = bf16 ? QuantWindowBnhdBf16.Info : QuantCausalF16.Info;
            int d = info.HeadDim;
            var query = Uniform(shape.QueryElements(d), rng, 3f, bf16 ? RoundBf16 : RoundHalf);
            // Keys with a per-channel offset, which smoothing removes.
            var key = Uniform(shape.KeyElements(d), rng, 1f, bf16 ? RoundBf16 : RoundHalf);
            for (long x = 0; x < key.Length; x++)
                key[x] = (bf16 ? (Func<float, float>)RoundBf16 : RoundHalf)(key[x] + (x % d) * 0.25f);

            HostQuantizedInputs host;
            if (bf16)
            {
                using var q = _accelerator.Allocate1D(Elements.FromFloats<BFloat16>(query));
                using var k = _accelerator.Allocate1D(Elements.FromFloats<BFloat16>(key));
                using var quantized = QuantWindowBnhdBf16.Quantize(_accelerator, shape, q.View, k.View);
                host = quantized.ToHost();
            }
            else
            {
                using var q = _accelerator.Allocate1D(Elements.FromFloats<Half>(query));
                using var k = _accelerator.Allocate1D(Elements.FromFloats<Half>(key));
                using var quantized = QuantCausalF16.Quantize(_accelerator, shape, q.View, k.View);
                host = quantized.ToHost();
            }
            bool smooth = info.Quantize!.SmoothKeys;
            Assert.Equal(smooth, host.SmoothKeys);

            long Offset(int b, int h, int n, int heads, int tokens) => AttentionReference.Offset(info.Layout, b, h, n, heads, tokens, d);

            // Key mean: the device sums in float, in a fixed order; the host in double.
            for (int b = 0; b < shape.Batch; b++)
                for (int h = 0; h < shape.KeyValueHeads; h++)
                    for (int c = 0; c < d; c++)
                    {
                        double mean = 0;
                        for (int j = 0; j < shape.KeyLength; j++)
                            mean += key[Offset(b, h, j, shape.KeyValueHeads, shape.KeyLength) + c];
                        mean = smooth ? mean / shape.KeyLength : 0;
                        float device = host.KeyMean[((long)b * shape.KeyValueHeads + h) * d + c];
                        Assert.True(Math.Abs(device - mean) <= 1e-5 * (1 + Math.Abs(mean)), $"mean (b={b}, h={h}, d={c}) = {device}, host {mean}");
                    }

            // Scales and int8 values follow exactly from the rule, given the device's mean.
            void CheckBlocks(bool isQuery)
            {
                int heads = isQuery ? shape.QueryHeads : shape.KeyValueHeads;
                int tokens = isQuery ? shape.QueryLength : shape.KeyLength;
                int block = isQuery ? info.BlockM : info.BlockN;
                int blocks = (tokens + block - 1) / block;
                var source = isQuery ? query : key;
                var scales = isQuery ? host.QueryScales : host.KeyScales;
                var values = isQuery ? host.Query : host.Key;
                for (int b = 0; b < shape.Batch; b++)
                    for (int h = 0; h < heads; h++)
                        for (int blk = 0; blk < blocks; blk++)
                        {
                            int n0 = blk * block, n1 = Math.Min(n0 + block, tokens);
                            float X(int n, int c) => isQuery
                                ? source[Offset(b, h, n, heads, tokens) + c]
                                : source[Offset(b, h, n, heads, tokens) + c] - host.KeyMean[((long)b * heads + h) * d + c];
                            float max = 0f;
                            for (int n = n0; n < n1; n++)
                                for (int c = 0; c < d; c++)
                                    max = Math.Max(max, Math.Abs(X(n, c)));
                            float scale = scales[((long)b * heads + h) * blocks + blk];
                            Assert.Equal(QuantizationSemantics.Scale(max), scale);
                            int largest = 0;
                            for (int n = n0; n < n1; n++)
                                for (int c = 0; c < d; c++)
                                {
                                    int expected = QuantizationSemantics.Quantize(X(n, c), scale);
                                    int actual = values[(((long)b * heads + h) * tokens + n) * d + c];
                                    Assert.True(expected == actual, $"{(isQuery ? "query" : "key")} (b={b}, h={h}, n={n}, d={c}): int8 {actual}, rule {expected}");
                                    largest = Math.Max(largest, Math.Abs(actual));
                                }
                            Assert.Equal(max > 0f ? 127 : 0, largest); // the block's largest magnitude maps to 127
                        }
            }
            CheckBlocks(isQuery: true);
            CheckBlocks(isQuery: false);

            // The smoothing shift of each query row: scale_Q * (Q_q . mean).
            for (int b = 0; b < shape.Batch; b++)
                for (int h = 0; h < shape.QueryHeads; h++)
                    for (int i = 0; i < shape.QueryLength; i++)
                    {
                        int kvh = h / shape.GroupSize;
                        double dot = 0;
                        for (int c = 0; c < d; c++)
                            dot += host.Query[(((long)b * shape.QueryHeads + h) * shape.QueryLength + i) * d + c] * (double)host.KeyMean[((long)b * shape.KeyValueHeads + kvh) * d + c];
                        double expected = dot * host.QueryScales[((long)b * shape.QueryHeads + h) * host.QueryBlocks + i / info.BlockM];
                        float actual = host.QueryShift[((long)b * shape.QueryHeads + h) * shape.QueryLength + i];
                        Assert.True(Math.Abs(actual - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"shift (b={b}, h={h}, i={i}) = {actual}, host {expected}");
                    }
        }

        /// <summary>Runs a Float16 [Quantize] spec and returns its output with the two references: exact on the inputs, and on the dequantized tensors.</summary>
        private (float[] Output, ReferenceResult Exact, ReferenceResult Dequantized) RunHalf(AttentionSpecInfo info, AttentionShape shape,
            float[] query, float[] key, float[] value, AttentionPath path,
            Action<Accelerator, AttentionShape, ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, AttentionPath> run,
            Func<Accelerator, AttentionShape, ArrayView<Half>, ArrayView<Half>, QuantizedInputs> quantize)
        {
            using var q = _accelerator.Allocate1D(Elements.FromFloats<Half>(query));
            using var k = _accelerator.Allocate1D(Elements.FromFloats<Half>(key));
            using var v = _accelerator.Allocate1D(Elements.FromFloats<Half>(value));
            using var o = _accelerator.Allocate1D<Half>(shape.QueryElements(info.HeadDimV));
            run(_accelerator, shape, q.View, k.View, v.View, o.View, path);
            _accelerator.Synchronize();
            var output = Elements.ToFloats(o.GetAsArray1D());
            using var quantized = quantize(_accelerator, shape, q.View, k.View);
            var host = quantized.ToHost();
            var exact = AttentionReference.Compute(info, shape, query, key, value);
            var dequantized = AttentionReference.Compute(info, shape, host.DequantizedQuery(info.Layout), host.DequantizedKey(info.Layout), value);
            return (output, exact, dequantized);
        }

        [Fact]
        public void Run_ComputesWithTheInt8Values()
        {
            // One large query entry per block squeezes the rest of its block into few int8 levels: the quantized
            // scores differ visibly from the exact ones, so output close to the dequantized reference and far from
            // the exact one shows that the kernels used the int8 values.
            var shape = new AttentionShape(1, 2, 2, 48, 48);
            var rng = new Random(5);
            var query = Uniform(shape.QueryElements(32), rng, 2f, RoundHalf);
            for (int row = 0; row < shape.QueryRows; row += QuantCausalF16.Info.BlockM)
                query[(long)row * 32] = 400f;
            var key = Uniform(shape.KeyElements(32), rng, 2f, RoundHalf);
            var value = Uniform(shape.KeyElements(32), rng, 1f, RoundHalf);
            foreach (var path in new[] { AttentionPath.RowStreaming, AttentionPath.Tiled })
            {
                var (output, exact, dequantized) = RunHalf(QuantCausalF16.Info, shape, query, key, value, path,
                    (a, s, q, k, v, o, p) => QuantCausalF16.Run(a, s, q, k, v, o, default, p), (a, s, q, k) => QuantCausalF16.Quantize(a, s, q, k));
                var toDequantized = AttentionAccuracy.Compare(dequantized.Output, output);
                var toExact = AttentionAccuracy.Compare(exact.Output, output);
                _output.WriteLine($"{path}: vs dequantized reference {toDequantized}; vs exact reference {toExact}");
                Assert.True(toDequantized.MaxAbsError < 2e-3, $"{path}: {toDequantized}");
                Assert.True(toExact.MaxAbsError > 20 * toDequantized.MaxAbsError, $"{path}: the output is as close to the exact reference ({toExact}) as to the dequantized one ({toDequantized})");
            }
        }

        /// <summary>Key outliers of the accuracy runs.</summary>
        public enum KeyOutliers
        {
            /// <summary>Q, K, V standard normal.</summary>
            None,

            /// <summary>
            /// K gets a per-channel offset (standard normal), four channels' offsets 20x: the channel-wise bias
            /// SageAttention found in real keys, shared by all tokens, which smoothing removes.
            /// </summary>
            ChannelBias,

            /// <summary>Four K channels scaled 20x whole (offset and per-token noise): smoothing removes only the offset.</summary>
            ChannelScale,
        }

        private static readonly int[] s_outlierChannels = { 3, 17, 64, 101 };

        /// <summary>Normal inputs (rounded to Float16) with the given key outliers.</summary>
        public static (float[] Q, float[] K, float[] V) NormalInputs(AttentionShape shape, int d, KeyOutliers outliers, int seed)
        {
            var rng = new Random(seed);
            double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            float[] Make(long count) => Enumerable.Range(0, (int)count).Select(_ => RoundHalf((float)Normal())).ToArray();
            var q = Make(shape.QueryElements(d));
            var k = Make(shape.KeyElements(d));
            var v = Make(shape.KeyElements(d));
            if (outliers != KeyOutliers.None)
            {
                var offset = Enumerable.Range(0, d).Select(_ => Normal()).ToArray();
                for (long x = 0; x < k.Length; x++)
                {
                    int c = (int)(x % d);
                    bool outlier = Array.IndexOf(s_outlierChannels, c) >= 0;
                    double value = outliers == KeyOutliers.ChannelBias
                        ? k[x] + (outlier ? 20 : 1) * offset[c]
                        : (outlier ? 20 : 1) * (k[x] + offset[c]);
                    k[x] = RoundHalf((float)value);
                }
            }
            return (q, k, v);
        }

        [Theory]
        [InlineData(KeyOutliers.None)]
        [InlineData(KeyOutliers.ChannelBias)]
        [InlineData(KeyOutliers.ChannelScale)]
        public void Accuracy_AgainstExactAttention(KeyOutliers outliers)
        {
            // SageAttention's targets against exact attention of the unquantized inputs: cosine >= 0.999 and
            // relative L1 <= 0.02 with smoothed keys, on normal inputs and on keys with channel-wise bias (which
            // without smoothing cost accuracy). Channels scaled whole keep their per-token spread after smoothing,
            // so there only the improvement is asserted; the figures are printed for all three.
            var shape = new AttentionShape(1, 2, 2, 256, 256);
            var (q, k, v) = NormalInputs(shape, 128, outliers, 7 + (int)outliers);
            var (smoothOut, exact, _) = RunHalf(SageD128.Info, shape, q, k, v, AttentionPath.RowStreaming,
                (a, s, qq, kk, vv, o, p) => SageD128.Run(a, s, qq, kk, vv, o, default, p), (a, s, qq, kk) => SageD128.Quantize(a, s, qq, kk));
            var (plainOut, _, _) = RunHalf(SageD128NoSmoothing.Info, shape, q, k, v, AttentionPath.RowStreaming,
                (a, s, qq, kk, vv, o, p) => SageD128NoSmoothing.Run(a, s, qq, kk, vv, o, default, p), (a, s, qq, kk) => SageD128NoSmoothing.Quantize(a, s, qq, kk));
            var smooth = AttentionAccuracy.Compare(exact.Output, smoothOut);
            var plain = AttentionAccuracy.Compare(exact.Output, plainOut);
            _output.WriteLine($"{outliers}, D=128, N=256: smoothed {smooth}; not smoothed {plain}");
            if (outliers == KeyOutliers.ChannelScale)
            {
                Assert.True(smooth.RelativeL1 < plain.RelativeL1, $"smoothed {smooth}, not smoothed {plain}");
                return;
            }
            Assert.True(smooth.CosineSimilarity >= 0.999, $"smoothed: {smooth}");
            Assert.True(smooth.RelativeL1 <= 0.02, $"smoothed: {smooth}");
            if (outliers == KeyOutliers.ChannelBias)
                Assert.True(plain.RelativeL1 > 2 * smooth.RelativeL1, $"smoothing should matter with channel bias: smoothed {smooth}, not smoothed {plain}");
        }

        [Fact]
        public void Run_FollowsTheShapeAcrossCalls()
        {
            // Run keeps its int8 buffers per accelerator: a larger shape grows them, a smaller one reuses them.
            foreach (var shape in new[] { new AttentionShape(1, 2, 2, 40, 40), new AttentionShape(2, 4, 2, 70, 70), new AttentionShape(1, 1, 1, 17, 33) })
            {
                var result = SpecCatalog.Get(nameof(QuantCausalF16)).Execute(_accelerator, shape, AttentionPath.RowStreaming, shape.QueryLength);
                result.AssertMatchesReference();
            }
        }

        [Fact]
        public void Quantize_RefusesBuffersThatDoNotFit()
        {
            var shape = new AttentionShape(1, 2, 2, 40, 40);
            using var q = _accelerator.Allocate1D<Half>(shape.QueryElements(32));
            using var k = _accelerator.Allocate1D<Half>(shape.KeyElements(32));
            using (var small = QuantizedInputs.Allocate(_accelerator, new AttentionShape(1, 2, 2, 20, 20), 32, 16, 16, smoothKeys: true))
            {
                var e = Assert.Throws<ArgumentException>(() => QuantCausalF16.Quantize(_accelerator, shape, q.View, k.View, small));
                Assert.Equal("into", e.ParamName);
                Assert.Contains("cannot hold", e.Message);
            }
            using (var other = QuantizedInputs.Allocate(_accelerator, shape, 32, 16, 16, smoothKeys: false))
            {
                var e = Assert.Throws<ArgumentException>(() => QuantCausalF16.Quantize(_accelerator, shape, q.View, k.View, other));
                Assert.Equal("into", e.ParamName);
                Assert.Contains("SmoothKeys=False", e.Message);
            }
            var disposed = QuantizedInputs.Allocate(_accelerator, shape, 32, 16, 16, smoothKeys: true);
            disposed.Dispose();
            Assert.Equal("into", Assert.Throws<ArgumentException>(() => QuantCausalF16.Quantize(_accelerator, shape, q.View, k.View, disposed)).ParamName);
            using var shortKey = _accelerator.Allocate1D<Half>(shape.KeyElements(32) - 1);
            var keyError = Assert.Throws<ArgumentException>(() => QuantCausalF16.Quantize(_accelerator, shape, q.View, shortKey.View));
            Assert.Equal("key", keyError.ParamName);
            Assert.Throws<ArgumentOutOfRangeException>(() => QuantizedInputs.Allocate(_accelerator, shape, 48, 16, 16, smoothKeys: true));
        }

        [Fact]
        public void Quantize_WritesIntoGivenBuffers()
        {
            var shape = new AttentionShape(1, 2, 2, 40, 40);
            var rng = new Random(3);
            using var q = _accelerator.Allocate1D(Elements.FromFloats<Half>(Uniform(shape.QueryElements(32), rng, 2f, RoundHalf)));
            using var k = _accelerator.Allocate1D(Elements.FromFloats<Half>(Uniform(shape.KeyElements(32), rng, 2f, RoundHalf)));
            using var into = QuantizedInputs.Allocate(_accelerator, new AttentionShape(1, 2, 2, 64, 64), 32, 16, 16, smoothKeys: true);
            var returned = QuantCausalF16.Quantize(_accelerator, shape, q.View, k.View, into);
            Assert.Same(into, returned);
            Assert.Equal(shape, into.Shape);
            using var fresh = QuantCausalF16.Quantize(_accelerator, shape, q.View, k.View);
            var a = into.ToHost();
            var b = fresh.ToHost();
            Assert.Equal(b.Query, a.Query);
            Assert.Equal(b.Key, a.Key);
            Assert.Equal(b.QueryScales, a.QueryScales);
            Assert.Equal(b.KeyScales, a.KeyScales);
            Assert.Equal(b.QueryShift, a.QueryShift);
        }
    }
}
