namespace AttnDsl
{
    /// <summary>
    /// float -> IEEE half with round-to-nearest-even, kernel-safe. ILGPU.Half's own conversion
    /// truncates toward zero on the CPU accelerator; the generated kernels store Float16 outputs
    /// through this so every backend rounds the same way, as FlashAttention does.
    /// </summary>
    public static class HalfConversion
    {
        public static ILGPU.Half FromSingle(float value) => ILGPU.Interop.IntAsFloat(ToBits(value));

        /// <summary>The half-precision bits nearest to <paramref name="value"/> (ties to even).</summary>
        public static ushort ToBits(float value)
        {
            uint x = ILGPU.Interop.FloatAsInt(value);
            uint sign = (x >> 16) & 0x8000u;
            uint abs = x & 0x7FFFFFFFu;
            if (abs >= 0x7F800000u)
                return (ushort)(sign | (abs > 0x7F800000u ? 0x7E00u : 0x7C00u)); // NaN stays NaN, inf stays inf
            if (abs >= 0x477FF000u)
                return (ushort)(sign | 0x7C00u); // 65520 and above round to infinity
            if (abs < 0x38800000u)
            {
                // Below 2^-14: a subnormal half, mantissa = round(|value| * 2^24).
                int shift = 126 - (int)(abs >> 23);
                if (shift > 24)
                    return (ushort)sign;
                uint mantissa = (abs & 0x007FFFFFu) | 0x00800000u;
                uint result = mantissa >> shift;
                uint rest = mantissa & ((1u << shift) - 1u);
                uint halfway = 1u << (shift - 1);
                if (rest > halfway || (rest == halfway && (result & 1u) != 0))
                    result++;
                return (ushort)(sign | result);
            }
            uint h = (abs >> 13) - (112u << 10); // rebias the exponent from 127 to 15
            uint dropped = abs & 0x1FFFu;
            if (dropped > 0x1000u || (dropped == 0x1000u && (h & 1u) != 0))
                h++; // a carry into the exponent is the correct rounding
            return (ushort)(sign | h);
        }
    }
}
