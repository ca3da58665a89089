using System.Runtime.CompilerServices;

namespace AttnDsl
{
    /// <summary>
    /// The int8 rule of [Quantize], in one place for the generated prologue kernels and the host: a block's
    /// scale is max|x| / 127 and x_q = round-to-nearest-even(x * (1 / scale)), clamped to [-127, 127] (one division
    /// per block, or per thread, instead of one per element). A block of zeros has scale 0 and quantizes to zeros.
    /// </summary>
    public static class QuantizationSemantics
    {
        /// <summary>The largest int8 magnitude used (symmetric range, -128 is never produced).</summary>
        public const float Int8Max = 127f;

        /// <summary>Adding and subtracting 1.5 * 2^23 rounds a float below 2^22 in magnitude to the nearest integer, ties to even.</summary>
        private const float RoundingShift = 12582912f;

        /// <summary>The dequantization scale of a block whose largest magnitude is <paramref name="maxAbs"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Scale(float maxAbs) => maxAbs / Int8Max;

        /// <summary>The factor x is multiplied by: 1 / scale, or 0 for a block of zeros.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float InverseScale(float scale) => scale > 0f ? 1f / scale : 0f;

        /// <summary>x_q for <paramref name="x"/> in a block of dequantization scale <paramref name="scale"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int Quantize(float x, float scale) => QuantizeScaled(x, InverseScale(scale));

        /// <summary>x_q for <paramref name="x"/> given the block's <see cref="InverseScale"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int QuantizeScaled(float x, float inverseScale)
        {
            float scaled = x * inverseScale;
            // Plain arithmetic instead of MathF.Round, so it compiles on every ILGPU backend.
            float rounded = (scaled + RoundingShift) - RoundingShift;
            rounded = rounded > Int8Max ? Int8Max : rounded < -Int8Max ? -Int8Max : rounded;
            return (int)rounded;
        }

        /// <summary>Four values quantized with the block's <see cref="InverseScale"/> and packed into one word (<see cref="Pack"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint PackScaled(float x0, float x1, float x2, float x3, float inverseScale) =>
            Pack(QuantizeScaled(x0, inverseScale), QuantizeScaled(x1, inverseScale), QuantizeScaled(x2, inverseScale), QuantizeScaled(x3, inverseScale));

        /// <summary>Four int8 values packed little-endian into one word, the first in the low byte.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint Pack(int x0, int x1, int x2, int x3) =>
            (uint)(x0 & 0xFF) | (uint)(x1 & 0xFF) << 8 | (uint)(x2 & 0xFF) << 16 | (uint)(x3 & 0xFF) << 24;
    }
}
