using System;
using ILGPU;

namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// Selective Attention (SSA): the softmax temperature adapts to the query and its position. The
    /// per-(batch, head, query) inverse temperature is a runtime tensor (in a model, a tiny function of
    /// q_i and i computed before the kernel); the [ScoreMod] multiplies the scaled score by it.
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal]
    public static partial class SelectiveTemperature
    {
        public const string Seed = "Selective Attention";

        public const string Description =
            "Causal + ScoreMod: score *= tau[b, h, i], a per-query inverse temperature growing with log position (0.8..2.2).";

        [ScoreMod]
        public static float QueryTemperature(float score, int batch, int head, int query, int key,
            ArrayView<float> temperature, int heads, int queryLength)
        {
            return score * temperature[((long)batch * heads + head) * queryLength + query];
        }

        public static GalleryVariant Variant => new(
            "selective-temp", Seed, Description, Info,
            context =>
            {
                var shape = context.Shape;
                var tau = new float[shape.QueryRows];
                for (long row = 0; row < tau.Length; row++)
                {
                    int i = (int)(row % shape.QueryLength);
                    // Position-aware part (log scaling, as length-aware temperatures do) times a query-dependent factor.
                    double position = 1 + 0.1 * Math.Log(1 + i);
                    double content = 0.8 + 0.4 * context.Random.NextDouble();
                    tau[row] = (float)(position * content);
                }
                var temperature = context.Tensors.Upload(tau);
                int heads = shape.QueryHeads, length = shape.QueryLength;
                return new Binding(
                    (a, s, q, k, v, o, l, p) => Run(a, s, q, k, v, o, temperature, heads, length, l, p),
                    CreateReferenceArguments(temperature, heads, length));
            });
    }
}
