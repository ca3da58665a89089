using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using ILGPU;
using ILGPU.Runtime;
using Xunit.Sdk;

namespace AttnDsl.Kernels.Tests.Harness
{
    /// <summary>A generated <c>Run</c> with the spec's runtime arguments already bound.</summary>
    public delegate void RunKernel<T>(Accelerator accelerator, AttentionShape shape,
        ArrayView<T> query, ArrayView<T> key, ArrayView<T> value, ArrayView<T> output,
        ArrayView<float> logSumExp, AttentionPath path)
        where T : unmanaged;

    /// <summary>A generated <c>Quantize</c> of a [Quantize] spec.</summary>
    public delegate QuantizedInputs QuantizeKernel<T>(Accelerator accelerator, AttentionShape shape, ArrayView<T> query, ArrayView<T> key)
        where T : unmanaged;

    /// <summary>Host copies of the (rounded) inputs of one call.</summary>
    public sealed record Inputs(float[] Query, float[] Key, float[] Value)
    {
        public double MaxAbsValue
        {
            get
            {
                double max = 0;
                foreach (var v in Value) max = Math.Max(max, Math.Abs(v));
                return max;
            }
        }
    }

    /// <summary>What one kernel call produced, next to the reference for the same inputs.</summary>
    public sealed class KernelResult
    {
        public required AttentionSpecInfo Spec { get; init; }
        public required AttentionShape Shape { get; init; }
        public required AttentionPath Path { get; init; }
        public required ElementType Element { get; init; }
        public required Inputs Inputs { get; init; }
        public required float[] Output { get; init; }
        public required float[] LogSumExp { get; init; }
        public required ReferenceResult Reference { get; init; }

        /// <summary>Rows (batch, head, query) that see no key in the reference.</summary>
        public int MaskedRows
        {
            get
            {
                int n = 0;
                foreach (var l in Reference.LogSumExp) if (double.IsNegativeInfinity(l)) n++;
                return n;
            }
        }

        public string Describe() => $"{Spec.Name} {Shape} {Path} {Element}";

        /// <summary>
        /// Output and log-sum-exp within <see cref="Tolerance"/> of the reference; rows that see no key
        /// have LSE exactly -inf and output exactly 0 in the kernel too (and vice versa); no NaN anywhere.
        /// </summary>
        public void AssertMatchesReference()
        {
            var tolerance = Tolerance.For(Element, Inputs.MaxAbsValue);
            var failures = new List<string>();
            int failureCount = 0;
            void Fail(string message)
            {
                failureCount++;
                if (failures.Count < 8)
                    failures.Add(message);
            }

            int dv = Spec.HeadDimV;
            double worstOutput = 0, worstLse = 0;
            for (int b = 0; b < Shape.Batch; b++)
            for (int h = 0; h < Shape.QueryHeads; h++)
            for (int i = 0; i < Shape.QueryLength; i++)
            {
                long row = ((long)b * Shape.QueryHeads + h) * Shape.QueryLength + i;
                long offset = AttentionReference.Offset(Spec.Layout, b, h, i, Shape.QueryHeads, Shape.QueryLength, dv);
                double refLse = Reference.LogSumExp[row];
                float lse = LogSumExp[row];
                string at = $"(b={b}, h={h}, i={i})";
                if (double.IsNegativeInfinity(refLse))
                {
                    if (!float.IsNegativeInfinity(lse))
                        Fail($"row {at} sees no key in the reference but LSE is {F(lse)}, expected -inf");
                    for (int t = 0; t < dv; t++)
                    {
                        if (Output[offset + t] != 0f)
                        {
                            Fail($"row {at} sees no key but output[{t}] = {F(Output[offset + t])}, expected 0");
                            break;
                        }
                    }
                    continue;
                }
                double lseError = Math.Abs(lse - refLse);
                worstLse = Math.Max(worstLse, double.IsNaN(lseError) ? double.PositiveInfinity : lseError);
                if (!(lseError <= tolerance.LogSumExp(refLse)))
                    Fail($"row {at} LSE {F(lse)} vs reference {F(refLse)} (error {F(lseError)} > {F(tolerance.LogSumExp(refLse))})");
                for (int t = 0; t < dv; t++)
                {
                    double error = Math.Abs(Output[offset + t] - Reference.Output[offset + t]);
                    worstOutput = Math.Max(worstOutput, double.IsNaN(error) ? double.PositiveInfinity : error);
                    if (!(error <= tolerance.Output))
                        Fail($"row {at} output[{t}] = {F(Output[offset + t])} vs reference {F(Reference.Output[offset + t])} (error {F(error)} > {F(tolerance.Output)})");
                }
            }
            if (failureCount > 0)
            {
                var sb = new StringBuilder();
                sb.Append(Describe()).Append(": ").Append(failureCount).Append(" mismatches; worst output error ")
                  .Append(F(worstOutput)).Append(", worst LSE error ").Append(F(worstLse)).AppendLine();
                foreach (var f in failures) sb.AppendLine("  " + f);
                throw new XunitException(sb.ToString());
            }
        }

        private static string F(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
    }

    /// <summary>Random inputs, the kernel call and the reference call for one (spec, shape, path).</summary>
    public static class KernelCheck
    {
        /// <summary>Query/key entries are uniform in [-QueryKeyRange, QueryKeyRange], values in [-1, 1].</summary>
        public const float QueryKeyRange = 2f;

        public static Inputs RandomInputs<T>(AttentionSpecInfo spec, AttentionShape shape, Random rng)
            where T : unmanaged
        {
            float[] Make(long count, float range)
            {
                var data = new float[count];
                for (long x = 0; x < count; x++)
                    data[x] = Elements.Round<T>((float)((rng.NextDouble() * 2 - 1) * range));
                return data;
            }
            var q = Make(shape.QueryElements(spec.HeadDim), QueryKeyRange);
            var k = Make(shape.KeyElements(spec.HeadDim), QueryKeyRange);
            var v = Make(shape.KeyElements(spec.HeadDimV), 1f);
            return new Inputs(q, k, v);
        }

        /// <summary>The NaN pattern a buffer is filled with before a call, so unwritten elements show.</summary>
        public static T Sentinel<T>()
            where T : unmanaged => Elements.FromFloat<T>(float.NaN);

        public static MemoryBuffer1D<T, Stride1D.Dense> Filled<T>(Accelerator accelerator, long length, T fill)
            where T : unmanaged
        {
            var data = new T[length];
            Array.Fill(data, fill);
            return accelerator.Allocate1D(data);
        }

        /// <summary>Runs the kernel on fresh random inputs and the reference on the same inputs.</summary>
        /// <remarks>
        /// A [Quantize] spec is compared with exact attention of the tensors it computes with: the dequantized Q and
        /// (dequantized smoothed K + mean), read back from its generated <c>Quantize</c> on the same inputs (the
        /// prologue is deterministic, so Run used the same values). Its accuracy against the unquantized inputs is
        /// measured separately (QuantizeTests).
        /// </remarks>
        public static KernelResult Execute<T>(Accelerator accelerator, AttentionSpecInfo spec, AttentionShape shape,
            RunKernel<T> run, ReferenceArguments reference, AttentionPath path, Random rng, bool withLogSumExp = true,
            QuantizeKernel<T>? quantize = null)
            where T : unmanaged
        {
            var inputs = RandomInputs<T>(spec, shape, rng);
            using var q = accelerator.Allocate1D(Elements.FromFloats<T>(inputs.Query));
            using var k = accelerator.Allocate1D(Elements.FromFloats<T>(inputs.Key));
            using var v = accelerator.Allocate1D(Elements.FromFloats<T>(inputs.Value));
            using var o = Filled(accelerator, shape.QueryElements(spec.HeadDimV), Sentinel<T>());
            using var l = Filled(accelerator, shape.QueryRows, float.NaN);
            run(accelerator, shape, q.View, k.View, v.View, o.View, withLogSumExp ? l.View : default, path);
            accelerator.Synchronize();
            var output = Elements.ToFloats(o.GetAsArray1D());
            var lse = l.GetAsArray1D();
            float[] referenceQuery = inputs.Query, referenceKey = inputs.Key;
            if (spec.Quantize is not null)
            {
                if (quantize is null)
                    throw new ArgumentException($"{spec.Name} is a [Quantize] spec; pass its Quantize.", nameof(quantize));
                using var quantized = quantize(accelerator, shape, q.View, k.View);
                var host = quantized.ToHost();
                referenceQuery = host.DequantizedQuery(spec.Layout);
                referenceKey = host.DequantizedKey(spec.Layout);
            }
            return new KernelResult
            {
                Spec = spec,
                Shape = shape,
                Path = path,
                Element = Elements.TypeOf<T>(),
                Inputs = inputs,
                Output = output,
                LogSumExp = lse,
                Reference = AttentionReference.Compute(spec, shape, referenceQuery, referenceKey, inputs.Value, reference),
            };
        }
    }
}
