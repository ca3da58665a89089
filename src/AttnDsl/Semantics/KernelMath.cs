using System.Runtime.CompilerServices;
using ILGPU;

namespace AttnDsl
{
    /// <summary>
    /// The transcendental functions the kernels need, written in plain arithmetic so that they
    /// compile on every ILGPU backend without <c>EnableAlgorithms()</c> (ILGPU's PTX backend has no
    /// intrinsic for <c>MathF.Exp</c> otherwise). Accurate to a few ulp over the softmax range.
    /// </summary>
    public static class KernelMath
    {
        /// <summary>log2(e).</summary>
        public const float Log2E = 1.44269504088896340736f;

        /// <summary>ln(2).</summary>
        public const float Ln2 = 0.693147180559945309417f;

        /// <summary>2^x; 0 below -126 (no subnormals), +inf from 128.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Exp2(float x)
        {
            if (!(x >= -126f))
                return float.IsNaN(x) ? x : 0f; // everything below the normal range is 0
            if (x >= 128f)
                return float.PositiveInfinity;
            // x = n + f with f in [-0.5, 0.5]; 2^f = e^(f ln2) by a degree-7 Taylor polynomial
            // (truncation error below 6e-9 relative), 2^n assembled in the exponent bits.
            int n = (int)(x + (x >= 0f ? 0.5f : -0.5f));
            float g = (x - n) * Ln2;
            float p = 1f / 5040f;
            p = p * g + 1f / 720f;
            p = p * g + 1f / 120f;
            p = p * g + 1f / 24f;
            p = p * g + 1f / 6f;
            p = p * g + 0.5f;
            p = p * g + 1f;
            p = p * g + 1f;
            if (n == 128)
                return p * 2f * Interop.IntAsFloat(254u << 23); // 2^128 = 2 * 2^127, kept in range
            return p * Interop.IntAsFloat((uint)(n + 127) << 23);
        }

        /// <summary>e^x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Exp(float x) => Exp2(x * Log2E);

        /// <summary>log2(x); -inf at 0, NaN below 0.</summary>
        public static float Log2(float x)
        {
            if (!(x > 0f))
                return x == 0f ? float.NegativeInfinity : float.NaN;
            if (x == float.PositiveInfinity)
                return x;
            int bias = 0;
            if (x < 1.17549435E-38f)
            {
                x *= 16777216f; // lift subnormals into the normal range
                bias = -24;
            }
            uint bits = Interop.FloatAsInt(x);
            int e = (int)((bits >> 23) & 0xFFu) - 127 + bias;
            float m = Interop.IntAsFloat((bits & 0x007FFFFFu) | 0x3F800000u);
            if (m > 1.41421356f)
            {
                m *= 0.5f;
                e++;
            }
            // ln(m) = 2 atanh(t), t = (m - 1) / (m + 1), |t| <= 0.172: five odd terms suffice.
            float t = (m - 1f) / (m + 1f);
            float t2 = t * t;
            float s = 1f / 11f;
            s = s * t2 + 1f / 9f;
            s = s * t2 + 1f / 7f;
            s = s * t2 + 1f / 5f;
            s = s * t2 + 1f / 3f;
            s = s * t2 + 1f;
            return e + 2f * t * s * Log2E;
        }

        /// <summary>Natural logarithm.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Log(float x) => Log2(x) * Ln2;

        /// <summary>Hyperbolic tangent.</summary>
        public static float Tanh(float x)
        {
            float a = x < 0f ? -x : x;
            if (a < 0.0625f)
            {
                // Series near 0, where 1 - 2/(e^2x + 1) would cancel.
                float x2 = x * x;
                return x * (1f + x2 * (-1f / 3f + x2 * (2f / 15f)));
            }
            if (a > 9.1f)
                return x < 0f ? -1f : 1f;
            float r = 1f - 2f / (Exp2(2f * a * Log2E) + 1f);
            return x < 0f ? -r : r;
        }
    }
}
