using System;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace AttnDsl.Gallery.Specs
{
    /// <summary>SageAttention: int8 QK^T per block with smoothed keys, P.V in Float16.</summary>
    [AttentionKernel(HeadDim = 128)]
    [Causal, Quantize(QuantFormat.Int8, Granularity = QuantGranularity.PerBlock, SmoothKeys = true)]
    public static partial class SageAttention
    {
        public const string Seed = "SageAttention";

        public const string Description =
            "[Quantize(Int8, PerBlock, SmoothKeys)]: K minus its mean over tokens (softmax-invariant), Q and K to int8 per 64-row block " +
            "(scale = max|x| / 127), int32 QK^T (int8 tensor cores on CUDA) dequantized by scale_Q * scale_K, P.V in Float16 with FP32 " +
            "accumulation. PASS = exact attention of the dequantized tensors the kernel computes with; the note gives the accuracy against " +
            "exact attention of the unquantized inputs (SageAttention's cosine / relative L1), and on keys with channel-wise bias, " +
            "with and without smoothing.";

        public static GalleryVariant Variant => new("sage-attention", Seed, Description, Info, Bind, CpuLength: 256);

        private static Binding Bind(BindContext context)
        {
            var device = context.Tensors.Device;
            return new Binding(
                (a, s, q, k, v, o, l, p) => Run(a, s, q, k, v, o, l, p),
                new ReferenceArguments(),
                note => Note(device, note),
                (shape, query, key) => Dequantized(device, shape, query, key, smooth: true));
        }

        /// <summary>The tensors the kernel computes with: this spec's Quantize on the row's inputs, dequantized on the host.</summary>
        private static (float[] Query, float[] Key) Dequantized(Accelerator device, AttentionShape shape, float[] query, float[] key, bool smooth)
        {
            using var q = device.Allocate1D(query.Select(x => (Half)x).ToArray());
            using var k = device.Allocate1D(key.Select(x => (Half)x).ToArray());
            using var quantized = smooth ? Quantize(device, shape, q.View, k.View) : SageAttentionNoSmoothing.Quantize(device, shape, q.View, k.View);
            var host = quantized.ToHost();
            return (host.DequantizedQuery(Info.Layout), host.DequantizedKey(Info.Layout));
        }

        private static string Note(Accelerator device, NoteInputs inputs)
        {
            if (inputs.Output is null)
                return "int8 QK^T, smoothed keys";
            var shape = inputs.Shape;
            var exact = AttentionReference.Compute(Info, shape, inputs.Query, inputs.Key, inputs.Value);
            string text = $"vs exact attention of the inputs: {AttentionAccuracy.Compare(exact.Output, inputs.Output)}";

            // Keys with a channel-wise bias (a per-channel offset, four channels' 20x): what smoothing is for.
            var rng = new Random(17);
            int d = Info.HeadDim;
            var offset = Enumerable.Range(0, d).Select(c => (rng.NextDouble() * 2 - 1) * (c % 37 == 3 ? 20 : 1)).ToArray();
            var biased = inputs.Key.Select((x, i) => (float)(Half)(float)(x + offset[i % d])).ToArray();
            var biasedExact = AttentionReference.Compute(Info, shape, inputs.Query, biased, inputs.Value);
            string Accuracy(bool smooth)
            {
                using var q = device.Allocate1D(inputs.Query.Select(x => (Half)x).ToArray());
                using var k = device.Allocate1D(biased.Select(x => (Half)x).ToArray());
                using var v = device.Allocate1D(inputs.Value.Select(x => (Half)x).ToArray());
                using var o = device.Allocate1D<Half>(inputs.Output.Length);
                if (smooth)
                    Run(device, shape, q.View, k.View, v.View, o.View);
                else
                    SageAttentionNoSmoothing.Run(device, shape, q.View, k.View, v.View, o.View);
                var output = o.GetAsArray1D().Select(x => (float)x).ToArray();
                return AttentionAccuracy.Compare(biasedExact.Output, output).ToString();
            }
            return text + $"; keys with channel bias: smoothed {Accuracy(true)}, not smoothed {Accuracy(false)}";
        }
    }

    /// <summary>The same spec without smoothing, for the comparison in the SageAttention row's note.</summary>
    [AttentionKernel(HeadDim = 128)]
    [Causal, Quantize(QuantFormat.Int8, Granularity = QuantGranularity.PerBlock, SmoothKeys = false)]
    public static partial class SageAttentionNoSmoothing;
}
