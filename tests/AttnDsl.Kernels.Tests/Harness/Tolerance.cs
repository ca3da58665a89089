using System;

namespace AttnDsl.Kernels.Tests.Harness
{
    /// <summary>
    /// How far a kernel result may be from <see cref="AttentionReference"/> (double accumulation) when
    /// both start from the same rounded inputs.
    /// </summary>
    /// <remarks>
    /// The output row is a convex combination of value rows, so every output element satisfies
    /// |o| &lt;= max|v|. Two error sources remain:
    /// <list type="bullet">
    /// <item>FP32 arithmetic in the kernel (scaled dot products, KernelMath.Exp2/Log2 accurate to a
    /// few ulp, online rescaling, 1/sum): a relative error of a few 1e-7 on each probability, at most
    /// ~1e-6 * max|v| on the output at these sizes (|score| &lt; 70, at most 130 keys).</item>
    /// <item>Rounding the FP32 result to the output element type, bounded relative to |o| &lt;= max|v|:
    /// Float32 none; Float16 (11 significant bits) and BFloat16 (8) round to nearest even, so up to
    /// half an ulp: 2^-11 |o| (4.9e-4 |o|) and 2^-8 |o| (3.9e-3 |o|).</item>
    /// </list>
    /// Float16 and BFloat16 allow twice the rounding bound (1e-3 and 8e-3 times max|v|); Float32 allows
    /// 2e-5, ten times the FP32 estimate. The log-sum-exp is FP32 for every element type: max + log(sum)
    /// with score errors of a few ulp of |score|, bound 1e-5 * (1 + |lse|).
    /// Measured worst cases over the whole suite (max|v| ~ 1): output 1.9e-6 (Float32, the scale-2
    /// spec), 2.44e-4 (Float16, exactly half an ulp below 1), 1.95e-3 (BFloat16, likewise); LSE 4.0e-6.
    /// </remarks>
    public readonly record struct Tolerance(double Output, double LogSumExpRelative)
    {
        public static Tolerance For(ElementType element, double maxAbsValue)
        {
            double scale = Math.Max(maxAbsValue, 1e-30);
            return element switch
            {
                ElementType.Float32 => new Tolerance(2e-5 * Math.Max(1, scale), 1e-5),
                ElementType.Float16 => new Tolerance(1e-3 * scale, 1e-5),
                ElementType.BFloat16 => new Tolerance(8e-3 * scale, 1e-5),
                _ => throw new ArgumentOutOfRangeException(nameof(element)),
            };
        }

        /// <summary>Allowed |kernel - reference| for a finite reference log-sum-exp.</summary>
        public double LogSumExp(double reference) => LogSumExpRelative * (1 + Math.Abs(reference));
    }
}
