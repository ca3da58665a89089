using System;

namespace AttnDsl
{
    /// <summary>The number format of a quantized product.</summary>
    public enum QuantFormat
    {
        /// <summary>Symmetric 8-bit integers in [-127, 127] (int8 tensor cores on CUDA: <c>mma.sync.m16n8k32.s8</c>).</summary>
        Int8 = 0,
    }

    /// <summary>Which elements share one quantization scale.</summary>
    public enum QuantGranularity
    {
        /// <summary>
        /// One scale per BlockM query rows and per BlockN key rows of each (batch, head): the tiles the kernels
        /// visit, so a (query block, key block) product dequantizes with one multiplication (SageAttention).
        /// </summary>
        PerBlock = 0,
    }

    /// <summary>
    /// Quantized QK^T with SageAttention's semantics. With <see cref="SmoothKeys"/> the keys are smoothed first:
    /// the mean over tokens of K is subtracted per (batch, key head), which leaves every row of the softmax
    /// unchanged (it shifts a row's scores by one constant) and takes the channel-wise offset out of the
    /// quantization range. Q and the (smoothed) K are then quantized symmetrically per block, scale = max|x| / 127,
    /// x_q = round-to-nearest-even(x / scale); the scores are (Q_q . K_q) * scale_Q * scale_K, accumulated in
    /// 32-bit integers; P.V stays in the spec's 16-bit element type with FP32 accumulation.
    /// </summary>
    /// <remarks>
    /// The smoothing shift q . mean(K) is added back where it matters: to the log-sum-exp, and to the score
    /// before soft-cap and [ScoreMod]s (which are not shift-invariant), so the kernel computes exact attention
    /// of the dequantized Q and (dequantized smoothed K + mean). The generated <c>Quantize</c> method exposes
    /// the quantized tensors (<see cref="QuantizedInputs"/>). HeadDim must be a multiple of 32 (one int8 MMA
    /// step); the element type must be Float16 or BFloat16.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class QuantizeAttribute : Attribute
    {
        public QuantizeAttribute(QuantFormat queryKey = QuantFormat.Int8) => QueryKey = queryKey;

        /// <summary>The format of Q and K in the QK^T product.</summary>
        public QuantFormat QueryKey { get; set; }

        /// <summary>Which elements share a scale.</summary>
        public QuantGranularity Granularity { get; set; } = QuantGranularity.PerBlock;

        /// <summary>Subtract the mean of K over tokens before quantizing (per batch and key head).</summary>
        public bool SmoothKeys { get; set; } = true;
    }
}
