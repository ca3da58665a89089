using System;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary><see cref="BFloat16"/>: the upper 16 bits of a float, narrowed by round-to-nearest-even.</summary>
    public sealed class BFloat16Tests
    {
        private static float FromBits(uint bits) => BitConverter.UInt32BitsToSingle(bits);

        private static uint Bits(float value) => BitConverter.SingleToUInt32Bits(value);

        /// <summary>
        /// Independent round-to-nearest-even: the two bfloat16 neighbours of a finite float (by
        /// truncating its bits and stepping one unit away from zero), the nearer one, ties to the even
        /// bit pattern; distances computed exactly in double.
        /// </summary>
        private static ushort OracleRound(float value)
        {
            uint bits = Bits(value);
            ushort down = (ushort)(bits >> 16);
            ushort up = (ushort)(down + 1);
            if ((bits & 0xFFFF) == 0)
                return down;
            double lo = FromBits((uint)down << 16), hi = FromBits((uint)up << 16);
            double dLo = Math.Abs(value - lo), dHi = Math.Abs(hi - value);
            if (double.IsInfinity(hi))
                dHi = Math.Abs(Math.Pow(2, 128) - Math.Abs((double)value)); // rounding past the largest finite value
            if (dLo < dHi) return down;
            if (dHi < dLo) return up;
            return (down & 1) == 0 ? down : up;
        }

        [Fact]
        public void FromSingle_MatchesRoundToNearestEven_OnRandomBitPatterns()
        {
            var rng = new Random(1);
            for (int n = 0; n < 500_000; n++)
            {
                uint bits = (uint)rng.NextInt64(0, 1L << 32);
                float value = FromBits(bits);
                if (float.IsNaN(value) || float.IsInfinity(value))
                    continue;
                Assert.Equal(OracleRound(value), BFloat16.FromSingle(value).RawValue);
            }
        }

        [Fact]
        public void FromSingle_ExactValues_RoundTrip()
        {
            var rng = new Random(2);
            for (int n = 0; n < 100_000; n++)
            {
                ushort raw = (ushort)rng.Next(0, 65536);
                float value = FromBits((uint)raw << 16);
                if (float.IsNaN(value))
                    continue;
                var b = BFloat16.FromSingle(value);
                Assert.Equal(raw, b.RawValue);
                Assert.Equal(Bits(value), Bits(b.ToSingle()));
                Assert.Equal(Bits(value), Bits((float)b));
            }
        }

        [Theory]
        // halfway with an even lower half: stays
        [InlineData(0x3F808000u, (ushort)0x3F80)]
        // halfway with an odd lower half: rounds up to even
        [InlineData(0x3F818000u, (ushort)0x3F82)]
        // just above halfway: up; just below: down
        [InlineData(0x3F808001u, (ushort)0x3F81)]
        [InlineData(0x3F807FFFu, (ushort)0x3F80)]
        // negative numbers round by magnitude
        [InlineData(0xBF818000u, (ushort)0xBF82)]
        [InlineData(0xBF808000u, (ushort)0xBF80)]
        // carry into the exponent: 1.99999 -> 2
        [InlineData(0x3FFFFFFFu, (ushort)0x4000)]
        // largest float rounds to infinity (it is past the largest bfloat16 plus half an ulp)
        [InlineData(0x7F7FFFFFu, (ushort)0x7F80)]
        // infinities and zeros stay
        [InlineData(0x7F800000u, (ushort)0x7F80)]
        [InlineData(0xFF800000u, (ushort)0xFF80)]
        [InlineData(0x00000000u, (ushort)0x0000)]
        [InlineData(0x80000000u, (ushort)0x8000)]
        // subnormals round the same way
        [InlineData(0x00008000u, (ushort)0x0000)]
        [InlineData(0x00018000u, (ushort)0x0002)]
        [InlineData(0x00000001u, (ushort)0x0000)]
        public void FromSingle_Cases(uint floatBits, ushort expected)
        {
            Assert.Equal(expected, BFloat16.FromSingle(FromBits(floatBits)).RawValue);
        }

        [Theory]
        [InlineData(0x7FC00000u)] // quiet NaN
        [InlineData(0x7F800001u)] // signalling NaN whose payload is only in the low half: must not become infinity
        [InlineData(0x7FFFFFFFu)] // all ones: must not carry into the sign
        [InlineData(0xFF800001u)] // negative NaN
        [InlineData(0xFFC00000u)]
        public void FromSingle_NaN_StaysNaN(uint floatBits)
        {
            var b = BFloat16.FromSingle(FromBits(floatBits));
            Assert.True(float.IsNaN(b.ToSingle()), $"0x{floatBits:X8} -> 0x{b.RawValue:X4}");
            Assert.Equal(floatBits >> 31, (uint)b.RawValue >> 15); // sign kept
        }

        [Fact]
        public void Conversions_Operators()
        {
            Assert.Equal((ushort)0x3FC0, ((BFloat16)1.5f).RawValue);
            Assert.Equal((ushort)0x3FC0, ((BFloat16)1.5).RawValue);
            float f = new BFloat16(0x4049); // 3.140625
            Assert.Equal(3.140625f, f);
            Assert.Equal(0f, BFloat16.Zero.ToSingle());
            Assert.Equal("3.140625", new BFloat16(0x4049).ToString());
        }

        [Fact]
        public void Comparison_FollowsTheValue()
        {
            var values = new[] { -3f, -1f, -0.5f, 0f, 0.25f, 1f, 100f };
            for (int a = 0; a < values.Length; a++)
            for (int b = 0; b < values.Length; b++)
                Assert.Equal(Math.Sign(values[a].CompareTo(values[b])), Math.Sign(((BFloat16)values[a]).CompareTo((BFloat16)values[b])));
            Assert.True((BFloat16)1.5f == (BFloat16)1.5f);
            Assert.True((BFloat16)1.5f != (BFloat16)1.75f);
            Assert.Equal(((BFloat16)2f).GetHashCode(), ((BFloat16)2f).GetHashCode());
        }
    }
}
