using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime.Cuda;

namespace AttnDsl.TensorCores
{
    /// <summary>
    /// Register-level helpers of the tensor-core kernels: packing FP32 pairs into 16-bit fragment
    /// registers, unpacking them, the fast exp2 of the softmax, and the quad reductions of a fragment row.
    /// </summary>
    public static class Fragments
    {
        /// <summary>Two floats as a Float16 pair, round to nearest even (lo in the low half).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint PackFloat16<TTarget>(float lo, float hi)
            where TTarget : struct, ITensorCoreTarget
        {
            if (default(TTarget).Cuda)
            {
                // cvt.rn.f16x2.f32 d, a, b puts a in the upper half.
                CudaAsm.Emit("cvt.rn.f16x2.f32 %0, %1, %2;", out uint packed, hi, lo);
                return packed;
            }
            return HalfConversion.ToBits(lo) | ((uint)HalfConversion.ToBits(hi) << 16);
        }

        /// <summary>Two floats as a BFloat16 pair, round to nearest even (lo in the low half).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint PackBFloat16<TTarget>(float lo, float hi)
            where TTarget : struct, ITensorCoreTarget
        {
            if (default(TTarget).Cuda)
            {
                CudaAsm.Emit("cvt.rn.bf16x2.f32 %0, %1, %2;", out uint packed, hi, lo);
                return packed;
            }
            return global::AttnDsl.BFloat16.FromSingle(lo).RawValue | ((uint)global::AttnDsl.BFloat16.FromSingle(hi).RawValue << 16);
        }

        /// <summary>
        /// The lane's mask-word bits (see the generated HiddenKeys: bit e stands for key j0 + (e / 2) * 8 + e % 2 + 2 * tq)
        /// of the keys outside [lo, hi], for <paramref name="count"/> bits: the keys ascend with e, so the visible ones are
        /// the bits from the count of keys below lo up to the count of keys at or below hi.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong OutsideBits(int lo, int hi, int j0, int tq, int count)
        {
            int first = KeysBelow(lo - j0 - 2 * tq, count);
            int end = KeysBelow(hi - j0 - 2 * tq + 1, count);
            ulong all = AllBits(count);
            return end > first ? all & ~(AllBits(end) & ~AllBits(first)) : all;
        }

        /// <summary>
        /// <see cref="OutsideBits"/> for a word of at most 32 bits (BlockN up to 128), in 32-bit arithmetic and without
        /// branches: the kernels compute one per fragment row of every partial block.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint OutsideBits32(int lo, int hi, int j0, int tq, int count)
        {
            int first = KeysBelow(lo - j0 - 2 * tq, count);
            int end = KeysBelow(hi - j0 - 2 * tq + 1, count);
            uint visible = end > first ? LowBits32(end) & ~LowBits32(first) : 0u;
            return LowBits32(count) & ~visible;
        }

        /// <summary>The low <paramref name="count"/> bits set: every key of the lane hidden.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong AllBits(int count) => count >= 64 ? ulong.MaxValue : (1ul << count) - 1ul;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static uint LowBits32(int count) => count >= 32 ? uint.MaxValue : (1u << count) - 1u;

        /// <summary>How many of the lane's key offsets (e / 2) * 8 + e % 2, e &lt; count, are below <paramref name="x"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int KeysBelow(int x, int count)
        {
            int rest = x & 7;
            int below = 2 * (x >> 3) + (rest < 2 ? rest : 2); // at most 0 for x <= 0 (the shift floors)
            below = below > 0 ? below : 0;
            return below < count ? below : count;
        }

        /// <summary>The low 16-bit value of a fragment register as a float.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Low(uint pair, bool bfloat16) => bfloat16 ? Interop.IntAsFloat(pair << 16) : HalfBitsToSingle(pair & 0xFFFFu);

        /// <summary>The high 16-bit value of a fragment register as a float.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float High(uint pair, bool bfloat16) => bfloat16 ? Interop.IntAsFloat(pair & 0xFFFF0000u) : HalfBitsToSingle(pair >> 16);

        /// <summary>IEEE half bits widened exactly to a float (subnormals, infinities and NaN included).</summary>
        public static float HalfBitsToSingle(uint bits)
        {
            uint sign = (bits & 0x8000u) << 16;
            uint exponent = (bits >> 10) & 0x1Fu;
            uint mantissa = bits & 0x3FFu;
            if (exponent == 0x1Fu)
                return Interop.IntAsFloat(sign | 0x7F800000u | (mantissa << 13));
            if (exponent == 0)
            {
                // Subnormal (or zero): mantissa * 2^-24, exact in single precision.
                float magnitude = mantissa * (1f / 16777216f);
                return sign != 0 ? -magnitude : magnitude;
            }
            return Interop.IntAsFloat(sign | ((exponent + 112u) << 23) | (mantissa << 13));
        }

        /// <summary>2^x for the softmax: the hardware approximation on CUDA (what FlashAttention uses), <see cref="KernelMath.Exp2"/> elsewhere.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Exp2<TTarget>(float x)
            where TTarget : struct, ITensorCoreTarget
        {
            if (default(TTarget).Cuda)
            {
                CudaAsm.Emit("ex2.approx.ftz.f32 %0, %1;", out float y, x);
                return y;
            }
            return KernelMath.Exp2(x);
        }

        /// <summary>
        /// tanh for [SoftCap]: the hardware approximation on CUDA (<c>tanh.approx.f32</c>, sm_75+, one special-function
        /// instruction; its error bound is in docs/benchmarks.md and checked on the GPU by the device checks),
        /// <see cref="KernelMath.Tanh"/> elsewhere.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Tanh<TTarget>(float x)
            where TTarget : struct, ITensorCoreTarget
        {
            if (default(TTarget).Cuda)
            {
                CudaAsm.Emit("tanh.approx.f32 %0, %1;", out float y, x);
                return y;
            }
            return KernelMath.Tanh(x);
        }

        /// <summary>Maximum over the four lanes of a quad (the lanes that hold one fragment row).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float QuadMax(float x)
        {
            float y = Warp.ShuffleXor(x, 1);
            x = x > y ? x : y;
            y = Warp.ShuffleXor(x, 2);
            return x > y ? x : y;
        }

        /// <summary>Sum over the four lanes of a quad.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float QuadSum(float x)
        {
            x += Warp.ShuffleXor(x, 1);
            return x + Warp.ShuffleXor(x, 2);
        }
    }
}
