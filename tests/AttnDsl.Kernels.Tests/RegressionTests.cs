using System;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Kernels.Tests.Specs;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// Minimal reproductions of bugs this suite found in src/ (runtime) and in the generated code,
    /// kept as regression tests. Each comment says what was wrong and where.
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class RegressionTests
    {
        private readonly Accelerator _accelerator;

        public RegressionTests(AcceleratorFixture fixture) => _accelerator = fixture.Accelerator;

        /// <summary>
        /// src/AttnDsl/Semantics/KernelMath.cs, Exp2, the n == 128 branch (x in [127.5, 128)) was
        /// <c>p * 2f * Interop.IntAsFloat(127u &lt;&lt; 23)</c>: a factor 2^0 instead of 2^127, so
        /// Exp2(127.9) returned 1.87 instead of 3.2e38 (and Exp(88.5) ~1.6 instead of 2.7e38).
        /// Fix: <c>Interop.IntAsFloat(254u &lt;&lt; 23)</c>. The kernels only call Exp2 on arguments &lt;= 26,
        /// so attention results were not affected; KernelMath is public API.
        /// </summary>
        [Theory]
        [InlineData(127.5f)]
        [InlineData(127.9f)]
        [InlineData(127.99999f)]
        public void KernelMath_Exp2_NearTheTopOfTheRange(float x)
        {
            double expected = Math.Pow(2, x);
            Assert.True(Math.Abs(KernelMath.Exp2(x) - expected) <= 2e-7 * expected, $"Exp2({x}) = {KernelMath.Exp2(x)}, expected {expected}");
        }

        [Fact]
        public void KernelMath_Exp_NearTheTopOfTheRange()
        {
            const float x = 88.5f; // x * log2(e) = 127.68
            double expected = Math.Exp(x);
            Assert.True(Math.Abs(KernelMath.Exp(x) - expected) <= 2e-5 * expected, $"Exp({x}) = {KernelMath.Exp(x)}, expected {expected}");
        }

        /// <summary>
        /// src/AttnDsl/Runtime/LaunchPlanner.cs, Plan, default branch, was
        /// <c>new ArgumentOutOfRangeException(nameof(requested), ...)</c>: the planner's parameter name,
        /// while the argument of the generated Run a user passed is <c>path</c>.
        /// </summary>
        [Fact]
        public void InvalidPath_IsReportedAsPath()
        {
            var shape = new AttentionShape(1, 1, 1, 4, 4);
            using var q = _accelerator.Allocate1D<float>(shape.QueryElements(32));
            using var o = KernelCheck.Filled(_accelerator, shape.QueryElements(32), float.NaN);
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
                CausalF32.Run(_accelerator, shape, q.View, q.View, q.View, o.View, default, (AttentionPath)42));
            Assert.All(o.GetAsArray1D(), x => Assert.True(float.IsNaN(x)));
            Assert.Equal("path", ex.ParamName);
        }

        /// <summary>
        /// Generated Store (generators/AttnDsl.Generators/Emitting/PortableKernelEmitter.cs,
        /// EmitValueHelpers) was <c>output[offset + d] = (global::ILGPU.Half)(acc.d * factor)</c>: ILGPU.Half's
        /// float -&gt; half operator truncates toward zero on the CPU (it never rounds up: measured on 1e6
        /// random floats; 1 + 3 * 2^-11 becomes 1 + 2^-10 instead of 1 + 2^-9), so Float16 outputs carried
        /// up to 1 ulp of error, biased toward zero, where FlashAttention rounds to nearest even (half an
        /// ulp, unbiased). Fixed by storing through <see cref="HalfConversion.FromSingle"/>.
        /// </summary>
        [Fact]
        public void Float16Output_IsRoundedToNearest()
        {
            var result = SpecCatalog.Get(nameof(CausalF16)).Execute(_accelerator, Shapes.Get("len65-gqa"), AttentionPath.RowStreaming, 99);
            result.AssertMatchesReference(); // within the truncation-aware tolerance
            int beyondHalfUlp = 0, counted = 0;
            double signedSum = 0;
            for (int x = 0; x < result.Output.Length; x++)
            {
                double reference = result.Reference.Output[x];
                if (Math.Abs(reference) < 1e-3)
                    continue;
                double ulp = Math.Pow(2, Math.Floor(Math.Log2(Math.Abs(reference))) - 10);
                double error = result.Output[x] - reference;
                counted++;
                signedSum += Math.Sign(reference) * error / ulp;
                // Round to nearest: |error| <= ulp / 2, plus FP32 slack.
                if (Math.Abs(error) > 0.5 * ulp + 2e-6)
                    beyondHalfUlp++;
            }
            Assert.True(counted > 1000);
            Assert.True(Math.Abs(signedSum / counted) < 0.1, $"Float16 outputs are biased: mean signed error {signedSum / counted:F3} ulp toward +|o|");
            Assert.True(beyondHalfUlp <= counted / 100, $"{beyondHalfUlp} of {counted} Float16 outputs are more than half an ulp from the exact result (mean signed error {signedSum / counted:F3} ulp toward +|o|)");
        }

        /// <summary>
        /// src/AttnDsl/BFloat16.cs, <c>explicit operator BFloat16(double value)</c> was
        /// <c>FromSingle((float)value)</c>, rounding twice (double -&gt; float, then float -&gt; bfloat16): a
        /// double just above a bfloat16 midpoint rounds to the midpoint in float and then ties to even,
        /// i.e. down. 1 + 2^-8 + 2^-40 is nearer to 1 + 2^-7 than to 1 but converted to 1.
        /// </summary>
        [Fact]
        public void BFloat16_FromDouble_RoundsOnce()
        {
            double value = 1 + Math.Pow(2, -8) + Math.Pow(2, -40);
            Assert.Equal(1.0078125f, ((BFloat16)value).ToSingle());
            Assert.Equal(1.0f, ((BFloat16)(1 + Math.Pow(2, -8) - Math.Pow(2, -40))).ToSingle());
            Assert.Equal(-1.0078125f, ((BFloat16)(-value)).ToSingle());
        }

        [Fact]
        public void BFloat16_FromDouble_MatchesExactRounding()
        {
            // Random doubles against an exact round-to-nearest-even to 8 significant bits (decimal math).
            var rng = new Random(5);
            for (int n = 0; n < 200_000; n++)
            {
                double value = (rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-100, 100));
                if (value == 0)
                    continue;
                int e = Math.ILogB(value);
                double ulp = Math.Pow(2, e - 7);
                double scaled = value / ulp; // exact: division by a power of two
                double expected = Math.Round(scaled, MidpointRounding.ToEven) * ulp;
                Assert.Equal((float)expected, ((BFloat16)value).ToSingle());
            }
        }
    }
}
