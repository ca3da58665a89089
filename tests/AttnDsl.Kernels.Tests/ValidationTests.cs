using System;
using System.Globalization;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Kernels.Tests.Specs;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// Bad input: Run throws ArgumentException / ArgumentOutOfRangeException naming the argument,
    /// with the expected and the actual size in the message, and launches nothing (the output and
    /// logSumExp buffers, filled with a NaN sentinel first, are untouched).
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class ValidationTests
    {
        private readonly AcceleratorFixture _fixture;
        private readonly Accelerator _accelerator;

        public ValidationTests(AcceleratorFixture fixture)
        {
            _fixture = fixture;
            _accelerator = fixture.Accelerator;
        }

        private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>
        /// A valid call of <see cref="KitchenSinkBf16"/> (every kind of runtime argument: prefixLength,
        /// documentIds, a mod tensor) whose views the tests replace one at a time.
        /// </summary>
        private sealed class KitchenSinkCall : IDisposable
        {
            public static readonly AttentionShape ValidShape = new(2, 4, 2, 17, 17);
            private readonly MemoryBuffer1D<BFloat16, Stride1D.Dense> _q, _k, _v, _o;
            private readonly MemoryBuffer1D<float, Stride1D.Dense> _lse, _bias;
            private readonly MemoryBuffer1D<int, Stride1D.Dense> _prefix, _docs;

            public KitchenSinkCall(Accelerator accelerator)
            {
                var s = ValidShape;
                int d = KitchenSinkBf16.Info.HeadDim, dv = KitchenSinkBf16.Info.HeadDimV;
                var rng = new Random(3);
                var inputs = KernelCheck.RandomInputs<BFloat16>(KitchenSinkBf16.Info, s, rng);
                _q = accelerator.Allocate1D(Elements.FromFloats<BFloat16>(inputs.Query));
                _k = accelerator.Allocate1D(Elements.FromFloats<BFloat16>(inputs.Key));
                _v = accelerator.Allocate1D(Elements.FromFloats<BFloat16>(inputs.Value));
                _o = KernelCheck.Filled(accelerator, s.QueryElements(dv), KernelCheck.Sentinel<BFloat16>());
                _lse = KernelCheck.Filled(accelerator, s.QueryRows, float.NaN);
                _prefix = accelerator.Allocate1D(RuntimeData.PrefixLengths(s, 16));
                _docs = accelerator.Allocate1D(RuntimeData.DocumentIds(s, rng));
                _bias = accelerator.Allocate1D(RuntimeData.PerHead(s, rng));
                Shape = s;
                Query = _q.View; Key = _k.View; Value = _v.View; Output = _o.View;
                LogSumExp = _lse.View; PrefixLength = _prefix.View; DocumentIds = _docs.View; HeadBias = _bias.View;
                Assert.Equal(s.QueryElements(d), Query.Length);
            }

            public AttentionShape Shape;
            public ArrayView<BFloat16> Query, Key, Value, Output;
            public ArrayView<float> LogSumExp, HeadBias;
            public ArrayView<int> PrefixLength, DocumentIds;

            public void Run(Accelerator accelerator) =>
                KitchenSinkBf16.Run(accelerator, Shape, Query, Key, Value, Output, PrefixLength, DocumentIds, HeadBias, LogSumExp, AttentionPath.RowStreaming);

            /// <summary>The output and LSE buffers still hold only the sentinel.</summary>
            public void AssertUntouched()
            {
                ushort sentinel = KernelCheck.Sentinel<BFloat16>().RawValue;
                Assert.All(_o.GetAsArray1D(), x => Assert.Equal(sentinel, x.RawValue));
                Assert.All(_lse.GetAsArray1D(), x => Assert.True(float.IsNaN(x), "logSumExp was written"));
            }

            public void Dispose()
            {
                foreach (var b in new IDisposable[] { _q, _k, _v, _o, _lse, _bias, _prefix, _docs }) b.Dispose();
            }
        }

        [Fact]
        public void Baseline_ValidCallSucceedsAndWritesEveryOutput()
        {
            // The calls below differ from this one in exactly one argument.
            using var call = new KitchenSinkCall(_accelerator);
            call.Run(_accelerator);
            _accelerator.Synchronize();
            Assert.DoesNotContain(ArrayViewExtensions.GetAsArray1D<float>(call.LogSumExp), float.IsNaN);
            Assert.DoesNotContain(ArrayViewExtensions.GetAsArray1D<BFloat16>(call.Output), x => float.IsNaN(x.ToSingle()));
        }

        /// <summary>Each case replaces one view of the valid call by one of a wrong length.</summary>
        [Theory]
        [InlineData("query", -1)]
        [InlineData("query", +16)]
        [InlineData("key", -1)]
        [InlineData("key", +32)]
        [InlineData("value", -32)]
        [InlineData("value", +1)]
        [InlineData("output", -1)]
        [InlineData("output", +32)]
        [InlineData("logSumExp", -1)]
        [InlineData("logSumExp", +17)]
        [InlineData("prefixLength", -1)]
        [InlineData("prefixLength", +1)]
        [InlineData("documentIds", -17)]
        [InlineData("documentIds", +1)]
        public void WrongViewLength_Throws(string argument, int delta)
        {
            using var call = new KitchenSinkCall(_accelerator);
            var s = call.Shape;
            long expected = argument switch
            {
                "query" or "output" => s.QueryElements(32),
                "key" or "value" => s.KeyElements(32),
                "logSumExp" => s.QueryRows,
                "prefixLength" => s.Batch,
                "documentIds" => (long)s.Batch * s.KeyLength,
                _ => throw new ArgumentException(argument),
            };
            long actual = expected + delta;
            using var bf = _accelerator.Allocate1D<BFloat16>(actual);
            using var fl = _accelerator.Allocate1D<float>(actual);
            using var it = _accelerator.Allocate1D<int>(actual);
            switch (argument)
            {
                case "query": call.Query = bf.View; break;
                case "key": call.Key = bf.View; break;
                case "value": call.Value = bf.View; break;
                case "output": call.Output = bf.View; break;
                case "logSumExp": call.LogSumExp = fl.View; break;
                case "prefixLength": call.PrefixLength = it.View; break;
                case "documentIds": call.DocumentIds = it.View; break;
            }
            var ex = Assert.ThrowsAny<ArgumentException>(() => call.Run(_accelerator));
            Assert.Equal(argument, ex.ParamName);
            Assert.Contains(N(expected), ex.Message);
            Assert.Contains(N(actual), ex.Message);
            call.AssertUntouched();
        }

        [Theory]
        [InlineData("query")]
        [InlineData("key")]
        [InlineData("value")]
        [InlineData("output")]
        [InlineData("prefixLength")]
        [InlineData("documentIds")]
        public void DefaultView_ForRequiredTensor_Throws(string argument)
        {
            using var call = new KitchenSinkCall(_accelerator);
            var s = call.Shape;
            long expected = argument switch
            {
                "query" or "output" => s.QueryElements(32),
                "key" or "value" => s.KeyElements(32),
                "prefixLength" => s.Batch,
                _ => (long)s.Batch * s.KeyLength,
            };
            switch (argument)
            {
                case "query": call.Query = default; break;
                case "key": call.Key = default; break;
                case "value": call.Value = default; break;
                case "output": call.Output = default; break;
                case "prefixLength": call.PrefixLength = default; break;
                case "documentIds": call.DocumentIds = default; break;
            }
            var ex = Assert.ThrowsAny<ArgumentException>(() => call.Run(_accelerator));
            Assert.Equal(argument, ex.ParamName);
            Assert.Contains(N(expected), ex.Message);
            Assert.Contains("actual 0", ex.Message);
            call.AssertUntouched();
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void EmptyModTensor_Throws(bool zeroLengthSubView)
        {
            using var call = new KitchenSinkCall(_accelerator);
            using var buffer = _accelerator.Allocate1D<float>(8);
            call.HeadBias = zeroLengthSubView ? buffer.View.SubView(0, 0) : default;
            var ex = Assert.ThrowsAny<ArgumentException>(() => call.Run(_accelerator));
            Assert.Equal("headBias", ex.ParamName);
            Assert.Contains("expected at least 1", ex.Message);
            Assert.Contains("actual 0", ex.Message);
            call.AssertUntouched();
        }

        [Fact]
        public void EmptyTensorOfAMaskMod_Throws()
        {
            // Same check for a tensor read by a [MaskMod] in a spec without built-in runtime arguments.
            var shape = new AttentionShape(1, 2, 1, 5, 5);
            using var q = _accelerator.Allocate1D<float>(shape.QueryElements(32));
            using var k = _accelerator.Allocate1D<float>(shape.KeyElements(32));
            using var v = _accelerator.Allocate1D<float>(shape.KeyElements(32));
            using var o = KernelCheck.Filled(_accelerator, shape.QueryElements(32), float.NaN);
            var ex = Assert.ThrowsAny<ArgumentException>(() =>
                HeadFlagMaskF32.Run(_accelerator, shape, q.View, k.View, v.View, o.View, default(ArrayView<int>)));
            Assert.Equal("headFlags", ex.ParamName);
            Assert.Contains("actual 0", ex.Message);
            Assert.All(o.GetAsArray1D(), x => Assert.True(float.IsNaN(x)));
        }

        [Theory]
        [InlineData(nameof(AttentionShape.Batch), 0)]
        [InlineData(nameof(AttentionShape.Batch), -1)]
        [InlineData(nameof(AttentionShape.QueryHeads), 0)]
        [InlineData(nameof(AttentionShape.KeyValueHeads), 0)]
        [InlineData(nameof(AttentionShape.KeyValueHeads), -2)]
        [InlineData(nameof(AttentionShape.QueryLength), 0)]
        [InlineData(nameof(AttentionShape.QueryLength), -17)]
        [InlineData(nameof(AttentionShape.KeyLength), 0)]
        public void NonPositiveShapeField_Throws(string field, int value)
        {
            using var call = new KitchenSinkCall(_accelerator);
            var s = call.Shape;
            call.Shape = field switch
            {
                nameof(AttentionShape.Batch) => s with { Batch = value },
                nameof(AttentionShape.QueryHeads) => s with { QueryHeads = value },
                nameof(AttentionShape.KeyValueHeads) => s with { KeyValueHeads = value },
                nameof(AttentionShape.QueryLength) => s with { QueryLength = value },
                _ => s with { KeyLength = value },
            };
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => call.Run(_accelerator));
            Assert.Equal("shape", ex.ParamName);
            Assert.Equal(value, ex.ActualValue);
            Assert.Contains(field, ex.Message);
            Assert.Contains("expected >= 1", ex.Message);
            Assert.Contains("actual " + N(value), ex.Message);
            call.AssertUntouched();
        }

        [Theory]
        [InlineData(4, 3)]
        [InlineData(2, 4)]
        [InlineData(6, 4)]
        public void QueryHeadsNotAMultipleOfKeyValueHeads_Throws(int queryHeads, int keyValueHeads)
        {
            using var call = new KitchenSinkCall(_accelerator);
            call.Shape = call.Shape with { QueryHeads = queryHeads, KeyValueHeads = keyValueHeads };
            var ex = Assert.ThrowsAny<ArgumentException>(() => call.Run(_accelerator));
            Assert.Equal("shape", ex.ParamName);
            Assert.Contains($"QueryHeads ({queryHeads})", ex.Message);
            Assert.Contains($"KeyValueHeads ({keyValueHeads})", ex.Message);
            Assert.Contains("actual remainder " + N(queryHeads % keyValueHeads), ex.Message);
            call.AssertUntouched();
        }

        [Theory]
        [InlineData(17, 16)]
        [InlineData(1, 65)]
        [InlineData(65, 17)]
        public void DocumentMask_QueryLengthDiffersFromKeyLength_Throws(int queryLength, int keyLength)
        {
            // Every view matches the shape, so the only problem is Nq != Nk.
            var shape = new AttentionShape(1, 2, 2, queryLength, keyLength);
            using var q = _accelerator.Allocate1D<float>(shape.QueryElements(32));
            using var k = _accelerator.Allocate1D<float>(shape.KeyElements(32));
            using var v = _accelerator.Allocate1D<float>(shape.KeyElements(32));
            using var o = KernelCheck.Filled(_accelerator, shape.QueryElements(32), float.NaN);
            using var l = KernelCheck.Filled(_accelerator, shape.QueryRows, float.NaN);
            using var docs = _accelerator.Allocate1D<int>((long)shape.Batch * keyLength);
            var ex = Assert.ThrowsAny<ArgumentException>(() =>
                DocumentF32.Run(_accelerator, shape, q.View, k.View, v.View, o.View, docs.View, l.View, AttentionPath.RowStreaming));
            Assert.Equal("shape", ex.ParamName);
            Assert.Contains("[DocumentMask]", ex.Message);
            Assert.Contains(N(queryLength), ex.Message);
            Assert.Contains(N(keyLength), ex.Message);
            Assert.All(o.GetAsArray1D(), x => Assert.True(float.IsNaN(x)));
            Assert.All(l.GetAsArray1D(), x => Assert.True(float.IsNaN(x)));
        }

        [Fact]
        public void TooManyQueryRows_Throws()
        {
            // 65536 * 65536 rows overflow the int row index of the kernels; checked before the views.
            using var call = new KitchenSinkCall(_accelerator);
            call.Shape = new AttentionShape(65536, 65536, 1, 1, 1);
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => call.Run(_accelerator));
            Assert.Equal("shape", ex.ParamName);
            Assert.Contains(N(65536L * 65536), ex.Message);
            Assert.Contains(N(int.MaxValue), ex.Message);
            call.AssertUntouched();
        }

        [Fact]
        public void HeadDimV_SizesValueAndOutput()
        {
            // WideValueF32: HeadDim 32, HeadDimV 64. A value tensor sized with HeadDim is wrong.
            var shape = new AttentionShape(1, 2, 1, 9, 9);
            using var q = _accelerator.Allocate1D<float>(shape.QueryElements(32));
            using var k = _accelerator.Allocate1D<float>(shape.KeyElements(32));
            using var vSmall = _accelerator.Allocate1D<float>(shape.KeyElements(32));
            using var v = _accelerator.Allocate1D<float>(shape.KeyElements(64));
            using var oSmall = KernelCheck.Filled(_accelerator, shape.QueryElements(32), float.NaN);
            using var o = KernelCheck.Filled(_accelerator, shape.QueryElements(64), float.NaN);
            var ex = Assert.ThrowsAny<ArgumentException>(() => WideValueF32.Run(_accelerator, shape, q.View, k.View, vSmall.View, o.View));
            Assert.Equal("value", ex.ParamName);
            Assert.Contains(N(shape.KeyElements(64)), ex.Message);
            Assert.Contains(N(shape.KeyElements(32)), ex.Message);
            ex = Assert.ThrowsAny<ArgumentException>(() => WideValueF32.Run(_accelerator, shape, q.View, k.View, v.View, oSmall.View));
            Assert.Equal("output", ex.ParamName);
            Assert.Contains(N(shape.QueryElements(64)), ex.Message);
            Assert.Contains(N(shape.QueryElements(32)), ex.Message);
            Assert.All(o.GetAsArray1D(), x => Assert.True(float.IsNaN(x)));
            Assert.All(oSmall.GetAsArray1D(), x => Assert.True(float.IsNaN(x)));
        }

        /// <summary>
        /// Overlap cases on Float32 specs, where every tensor is a float view and can be carved out
        /// of one shared buffer: query, key, value and the score-mod table are inputs; output and
        /// logSumExp must not overlap any of them (nor each other).
        /// </summary>
        [Theory]
        [InlineData("query", "output")]
        [InlineData("key", "output")]
        [InlineData("value", "output")]
        [InlineData("bias", "output")]
        [InlineData("query", "logSumExp")]
        [InlineData("bias", "logSumExp")]
        [InlineData("output", "logSumExp")]
        public void OutputOverlappingAnotherView_Throws(string input, string outputName)
        {
            var shape = new AttentionShape(1, 2, 2, 9, 9);
            long qLen = shape.QueryElements(32), kLen = shape.KeyElements(32), rows = shape.QueryRows;
            const long biasLen = 40;
            long size = qLen + 2 * kLen + biasLen + qLen + rows;
            // Separate, disjoint slices first; then move the output slice onto the input slice.
            long qAt = 0, kAt = qLen, vAt = qLen + kLen, bAt = qLen + 2 * kLen, oAt = bAt + biasLen, lAt = oAt + qLen;
            long inputAt = input switch { "query" => qAt, "key" => kAt, "value" => vAt, "bias" => bAt, _ => oAt };
            if (outputName == "output")
                oAt = inputAt + 3; // overlaps the input's tail by all but 3 of its elements
            else
                lAt = inputAt + 1;
            var initial = new float[size + qLen];
            for (int x = 0; x < initial.Length; x++) initial[x] = x % 7 - 3;
            using var buffer = _accelerator.Allocate1D(initial);
            var all = buffer.View;
            var ex = Assert.ThrowsAny<ArgumentException>(() => TableBiasScoreF32.Run(_accelerator, shape,
                all.SubView(qAt, qLen), all.SubView(kAt, kLen), all.SubView(vAt, kLen), all.SubView(oAt, qLen),
                all.SubView(bAt, biasLen), 1f, all.SubView(lAt, rows), AttentionPath.RowStreaming));
            Assert.Equal(outputName, ex.ParamName);
            Assert.Contains("overlaps " + input, ex.Message);
            Assert.Equal(initial, buffer.GetAsArray1D()); // nothing anywhere in the shared buffer was written
        }

        [Fact]
        public void OutputOverlappingQuery_Float16SubViewOfSameBuffer_Throws()
        {
            // The same check through the Float16 Run: output is a SubView of the query's buffer.
            var shape = new AttentionShape(1, 2, 2, 9, 9);
            long qLen = shape.QueryElements(32), kLen = shape.KeyElements(32);
            var initial = Enumerable.Range(0, (int)(2 * qLen)).Select(x => (ILGPU.Half)(x % 5)).ToArray();
            using var shared = _accelerator.Allocate1D(initial);
            using var k = _accelerator.Allocate1D<ILGPU.Half>(kLen);
            using var v = _accelerator.Allocate1D<ILGPU.Half>(kLen);
            var ex = Assert.ThrowsAny<ArgumentException>(() => CausalF16.Run(_accelerator, shape,
                shared.View.SubView(0, qLen), k.View, v.View, shared.View.SubView(qLen - 1, qLen)));
            Assert.Equal("output", ex.ParamName);
            Assert.Contains("query", ex.Message);
            Assert.Equal(initial.Select(h => (float)h), shared.GetAsArray1D().Select(h => (float)h));
        }

        [Fact]
        public void AdjacentViewsOfOneBuffer_AreAccepted()
        {
            // Disjoint SubViews of one buffer are fine (the overlap test is not "same buffer").
            var shape = new AttentionShape(1, 2, 2, 9, 9);
            long qLen = shape.QueryElements(32), kLen = shape.KeyElements(32), rows = shape.QueryRows;
            var rng = new Random(8);
            var data = Enumerable.Range(0, (int)(2 * qLen + 2 * kLen + rows)).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
            using var buffer = _accelerator.Allocate1D(data);
            var all = buffer.View;
            CausalF32.Run(_accelerator, shape, all.SubView(0, qLen), all.SubView(qLen, kLen), all.SubView(qLen + kLen, kLen),
                all.SubView(qLen + 2 * kLen, qLen), all.SubView(2 * qLen + 2 * kLen, rows), AttentionPath.RowStreaming);
            _accelerator.Synchronize();
            var result = buffer.GetAsArray1D();
            var reference = AttentionReference.Compute(CausalF32.Info, shape, data.AsSpan(0, (int)qLen),
                data.AsSpan((int)qLen, (int)kLen), data.AsSpan((int)(qLen + kLen), (int)kLen));
            for (int x = 0; x < qLen; x++)
                Assert.Equal(reference.Output[x], result[qLen + 2 * kLen + x], 2e-5);
            Assert.Equal(data.AsSpan(0, (int)(qLen + 2 * kLen)).ToArray(), result.AsSpan(0, (int)(qLen + 2 * kLen)).ToArray());
        }

        [Fact]
        public void ViewOfAnotherAccelerator_Throws()
        {
            using var other = _fixture.Context.CreateCPUAccelerator(0);
            var shape = new AttentionShape(1, 1, 1, 4, 4);
            using var q = _accelerator.Allocate1D<float>(shape.QueryElements(32));
            using var k = other.Allocate1D<float>(shape.KeyElements(32));
            using var v = _accelerator.Allocate1D<float>(shape.KeyElements(32));
            using var o = KernelCheck.Filled(_accelerator, shape.QueryElements(32), float.NaN);
            var ex = Assert.ThrowsAny<ArgumentException>(() => CausalF32.Run(_accelerator, shape, q.View, k.View, v.View, o.View));
            Assert.Equal("key", ex.ParamName);
            Assert.All(o.GetAsArray1D(), x => Assert.True(float.IsNaN(x)));
        }

        [Fact]
        public void NullAccelerator_Throws()
        {
            var shape = new AttentionShape(1, 1, 1, 4, 4);
            using var q = _accelerator.Allocate1D<float>(shape.QueryElements(32));
            var ex = Assert.Throws<ArgumentNullException>(() => CausalF32.Run(null!, shape, q.View, q.View, q.View, q.View));
            Assert.Equal("accelerator", ex.ParamName);
        }

        [Fact]
        public void ZeroLengthLogSumExp_MeansNotRequested()
        {
            // A zero-length logSumExp view is treated like the default: no LSE, the call succeeds.
            var shape = new AttentionShape(1, 1, 1, 4, 4);
            using var q = _accelerator.Allocate1D(Enumerable.Repeat(0.5f, (int)shape.QueryElements(32)).ToArray());
            using var o = KernelCheck.Filled(_accelerator, shape.QueryElements(32), float.NaN);
            using var l = _accelerator.Allocate1D<float>(4);
            CausalF32.Run(_accelerator, shape, q.View, q.View, q.View, o.View, l.View.SubView(0, 0));
            _accelerator.Synchronize();
            Assert.All(o.GetAsArray1D(), x => Assert.Equal(0.5f, x, 1e-6f));
        }
    }
}
