using System;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// <see cref="KernelMath"/> (the plain-arithmetic transcendentals every kernel uses) against
    /// System.Math in double. Bounds: the polynomial truncation errors are below 1e-8, so what is
    /// left is FP32 rounding of a handful of operations, a few ulp (1 ulp is 6e-8..1.2e-7 relative).
    /// </summary>
    public sealed class KernelMathTests
    {
        private static double Relative(double actual, double expected) => Math.Abs(actual - expected) / Math.Abs(expected);

        [Fact]
        public void Exp2_RandomSweep_WithinTwoUlp()
        {
            // [-126, 128): the whole normal range, including x >= 127.5 where Exp2 assembles 2^128 as
            // 2 * 2^127 (see RegressionTests). Measured worst case: 1.0e-7.
            var rng = new Random(1);
            double worst = 0;
            for (int n = 0; n < 200_000; n++)
            {
                float x = (float)(rng.NextDouble() * 254 - 126);
                if (x >= 128f)
                    continue;
                worst = Math.Max(worst, Relative(KernelMath.Exp2(x), Math.Pow(2, x)));
            }
            Assert.True(worst <= 2e-7, $"worst relative error {worst}");
        }

        [Fact]
        public void Exp2_SoftmaxRange_WithinTwoUlp()
        {
            // The kernels call Exp2 on score - max <= 0; dense sweep of [-30, 0].
            double worst = 0;
            for (double x = -30; x <= 0; x += 1.0 / 1024 + 1e-7)
                worst = Math.Max(worst, Relative(KernelMath.Exp2((float)x), Math.Pow(2, (float)x)));
            Assert.True(worst <= 2e-7, $"worst relative error {worst}");
        }

        [Fact]
        public void Exp2_Integers_AreExactPowersOfTwo()
        {
            for (int k = -126; k <= 127; k++)
                Assert.Equal(MathF.Pow(2, k), KernelMath.Exp2(k));
        }

        [Fact]
        public void Exp2_SpecialValues()
        {
            Assert.Equal(1f, KernelMath.Exp2(0f));
            Assert.Equal(1f, KernelMath.Exp2(-0f));
            Assert.Equal(0f, KernelMath.Exp2(float.NegativeInfinity));
            Assert.Equal(float.PositiveInfinity, KernelMath.Exp2(float.PositiveInfinity));
            Assert.True(float.IsNaN(KernelMath.Exp2(float.NaN)));
            // Below the normal range the result is 0 (no subnormals), never negative or NaN.
            Assert.Equal(0f, KernelMath.Exp2(-126.5f));
            Assert.Equal(0f, KernelMath.Exp2(-1000f));
            Assert.Equal(0f, KernelMath.Exp2(float.MinValue));
            Assert.Equal(float.PositiveInfinity, KernelMath.Exp2(128f));
            Assert.Equal(float.PositiveInfinity, KernelMath.Exp2(1e30f));
            Assert.Equal(MathF.Pow(2, -126), KernelMath.Exp2(-126f));
        }

        [Fact]
        public void Exp_RandomSweep()
        {
            // Exp(x) = Exp2(x * log2 e): rounding x * log2 e adds |x| * 2^-24 * ln 2 relative error on
            // top of Exp2's own, so the bound grows with |x|: 2e-7 + 1e-7 |x| (measured: 7e-8 (1 + |x|)).
            var rng = new Random(2);
            for (int n = 0; n < 200_000; n++)
            {
                float x = (float)(rng.NextDouble() * 175 - 87);
                double error = Relative(KernelMath.Exp(x), Math.Exp(x));
                Assert.True(error <= 2e-7 + 1e-7 * Math.Abs(x), $"Exp({x}): relative error {error}");
            }
        }

        [Fact]
        public void Exp_SpecialValues()
        {
            Assert.Equal(1f, KernelMath.Exp(0f));
            Assert.Equal(0f, KernelMath.Exp(float.NegativeInfinity));
            Assert.Equal(float.PositiveInfinity, KernelMath.Exp(float.PositiveInfinity));
            Assert.True(float.IsNaN(KernelMath.Exp(float.NaN)));
            Assert.Equal(0f, KernelMath.Exp(-88f)); // e^-88 < 2^-126: below the normal range
            Assert.Equal(0f, KernelMath.Exp(-1e6f));
            Assert.Equal(float.PositiveInfinity, KernelMath.Exp(89f));
            Assert.Equal(Math.E, KernelMath.Exp(1f), 1e-6);
        }

        [Fact]
        public void Log2_RandomSweepOverEveryExponent()
        {
            // Positive floats with random mantissas, from subnormals to the largest exponent.
            // Relative bound 4e-7 (measured 2.1e-7; near x = 1, where log2 x -> 0, 1.8e-7).
            var rng = new Random(3);
            for (int n = 0; n < 200_000; n++)
            {
                int e = rng.Next(-149, 128);
                float x = (float)((1 + rng.NextDouble()) * Math.Pow(2, e));
                if (x == 0 || float.IsInfinity(x))
                    continue;
                double expected = Math.Log2(x);
                double actual = KernelMath.Log2(x);
                if (expected == 0)
                    Assert.Equal(0.0, actual);
                else
                    Assert.True(Relative(actual, expected) <= 4e-7, $"Log2({x}) = {actual}, expected {expected}");
            }
        }

        [Fact]
        public void Log2_NearOne_RelativeAccuracy()
        {
            var rng = new Random(4);
            for (int n = 0; n < 100_000; n++)
            {
                float x = (float)(1 + (rng.NextDouble() - 0.5) * 1e-3);
                double expected = Math.Log2(x);
                if (expected == 0)
                    continue;
                Assert.True(Relative(KernelMath.Log2(x), expected) <= 4e-7, $"Log2({x})");
            }
        }

        [Fact]
        public void Log2_PowersOfTwo_AreExact()
        {
            for (int k = -149; k <= 127; k++)
                Assert.Equal(k, KernelMath.Log2(MathF.Pow(2, k)));
        }

        [Fact]
        public void Log2_SpecialValues()
        {
            Assert.Equal(0f, KernelMath.Log2(1f));
            Assert.Equal(float.NegativeInfinity, KernelMath.Log2(0f));
            Assert.Equal(float.NegativeInfinity, KernelMath.Log2(-0f));
            Assert.True(float.IsNaN(KernelMath.Log2(-1f)));
            Assert.True(float.IsNaN(KernelMath.Log2(float.NegativeInfinity)));
            Assert.True(float.IsNaN(KernelMath.Log2(float.NaN)));
            Assert.Equal(float.PositiveInfinity, KernelMath.Log2(float.PositiveInfinity));
            Assert.Equal(-149f, KernelMath.Log2(float.Epsilon));
            Assert.Equal(Math.Log2(float.MaxValue), KernelMath.Log2(float.MaxValue), 1e-5);
        }

        [Fact]
        public void Log_IsNaturalLog()
        {
            Assert.Equal(1.0, KernelMath.Log(MathF.E), 1e-6);
            Assert.Equal(Math.Log(10), KernelMath.Log(10f), 1e-6);
            Assert.Equal(float.NegativeInfinity, KernelMath.Log(0f));
        }

        [Fact]
        public void Tanh_RandomSweep()
        {
            // Absolute error <= 2.5e-7 everywhere; relative <= 4e-6, the worst just above |x| = 0.0625
            // where 1 - 2/(e^2x + 1) cancels (measured 1.6e-6 relative, 1.1e-7 absolute).
            var rng = new Random(5);
            for (int n = 0; n < 200_000; n++)
            {
                float x = (float)((rng.NextDouble() - 0.5) * 24);
                double expected = Math.Tanh(x);
                double actual = KernelMath.Tanh(x);
                Assert.True(Math.Abs(actual - expected) <= 2.5e-7, $"Tanh({x}) = {actual}, expected {expected}");
                if (expected != 0)
                    Assert.True(Relative(actual, expected) <= 4e-6, $"Tanh({x}) = {actual}, expected {expected}");
            }
        }

        [Fact]
        public void Tanh_IsOddMonotoneAndBounded()
        {
            float previous = -1f;
            for (double x = -12; x <= 12; x += 1.0 / 4096)
            {
                float y = KernelMath.Tanh((float)x);
                Assert.Equal(-y, KernelMath.Tanh(-(float)x));
                Assert.True(y >= previous, $"Tanh not monotone at {x}");
                Assert.InRange(y, -1f, 1f);
                previous = y;
            }
        }

        [Fact]
        public void Tanh_SpecialValues()
        {
            Assert.Equal(0f, KernelMath.Tanh(0f));
            Assert.Equal(1f, KernelMath.Tanh(float.PositiveInfinity));
            Assert.Equal(-1f, KernelMath.Tanh(float.NegativeInfinity));
            Assert.True(float.IsNaN(KernelMath.Tanh(float.NaN)));
            Assert.Equal(1f, KernelMath.Tanh(20f));
            Assert.Equal(-1f, KernelMath.Tanh(-1e30f));
            Assert.Equal(1e-20f, KernelMath.Tanh(1e-20f)); // tiny inputs: tanh x = x
        }
    }
}
