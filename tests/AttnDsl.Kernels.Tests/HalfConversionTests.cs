using System;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// <see cref="HalfConversion"/> (the round-to-nearest-even float -> half the kernels store Float16
    /// outputs with) against .NET's System.Half conversion, which is correctly rounded.
    /// </summary>
    public sealed class HalfConversionTests
    {
        private static ushort Expected(float value) => BitConverter.HalfToUInt16Bits((Half)value);

        [Fact]
        public void ToBits_MatchesSystemHalf_OnRandomBitPatterns()
        {
            var rng = new Random(1);
            for (int n = 0; n < 500_000; n++)
            {
                float value = BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32));
                if (float.IsNaN(value))
                    continue;
                Assert.Equal(Expected(value), HalfConversion.ToBits(value));
            }
        }

        [Fact]
        public void ToBits_MatchesSystemHalf_InTheHalfRange()
        {
            // Dense near the interesting exponents: subnormal halves, the normal range, the overflow edge.
            var rng = new Random(2);
            for (int n = 0; n < 500_000; n++)
            {
                float value = (float)((rng.NextDouble() * 2 - 1) * Math.Pow(2, rng.Next(-27, 17)));
                Assert.Equal(Expected(value), HalfConversion.ToBits(value));
            }
        }

        [Theory]
        [InlineData(65504f)]        // largest half
        [InlineData(65519.996f)]    // just below the overflow midpoint: stays 65504
        [InlineData(65520f)]        // the midpoint: rounds to infinity (even)
        [InlineData(-65520f)]
        [InlineData(1.00146484375f)] // 1 + 3 * 2^-11: a tie, to even (1 + 2^-9)
        [InlineData(1.00048828125f)] // 1 + 2^-11: a tie, to even (1)
        [InlineData(5.9604645e-8f)] // 2^-24, the smallest subnormal half
        [InlineData(2.9802322e-8f)] // 2^-25: a tie between 0 and 2^-24, to even (0)
        [InlineData(2.9802326e-8f)] // just above 2^-25: rounds up to 2^-24
        [InlineData(6.097555e-5f)]  // largest subnormal half
        [InlineData(6.1035156e-5f)] // 2^-14, the smallest normal half
        [InlineData(0f)]
        [InlineData(float.PositiveInfinity)]
        [InlineData(float.NegativeInfinity)]
        [InlineData(1e-30f)]
        [InlineData(-1e30f)]
        public void ToBits_EdgeCases(float value) => Assert.Equal(Expected(value), HalfConversion.ToBits(value));

        [Fact]
        public void ToBits_NegativeZero_KeepsTheSign() => Assert.Equal((ushort)0x8000, HalfConversion.ToBits(-0f));

        [Fact]
        public void ToBits_NaN_StaysNaN()
        {
            foreach (uint bits in new[] { 0x7FC00000u, 0x7F800001u, 0xFFC00000u, 0x7FFFFFFFu })
            {
                ushort h = HalfConversion.ToBits(BitConverter.UInt32BitsToSingle(bits));
                Assert.True(Half.IsNaN(BitConverter.UInt16BitsToHalf(h)), $"0x{bits:X8} -> 0x{h:X4}");
            }
        }

        [Fact]
        public void FromSingle_HasTheSameBitsAsToBits()
        {
            foreach (float value in new[] { 0.1f, -2.5f, 1000.3f, 3e-6f })
            {
                ILGPU.Half h = HalfConversion.FromSingle(value);
                Assert.Equal(HalfConversion.ToBits(value), System.Runtime.CompilerServices.Unsafe.As<ILGPU.Half, ushort>(ref h));
            }
        }
    }
}
