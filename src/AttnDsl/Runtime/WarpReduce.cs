using System.Runtime.CompilerServices;
using ILGPU;

namespace AttnDsl.Runtime
{
    /// <summary>
    /// Reductions across one warp by shuffles, for kernels where a warp shares a row (the [Quantize] prologue): lane 0
    /// ends with the result, except where a method says every lane does. The order of the additions depends only on the warp size, so results are deterministic.
    /// </summary>
    public static class WarpReduce
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Max(float value)
        {
            for (int delta = Warp.WarpSize / 2; delta > 0; delta >>= 1)
            {
                float other = Warp.ShuffleDown(value, delta);
                value = other > value ? other : value;
            }
            return value;
        }

        /// <summary><see cref="Max"/> handed to every lane of the warp (lane 0's result, shuffled out).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float MaxToAll(float value) => Warp.Shuffle(Max(value), 0);

        /// <summary>
        /// The warp's flags as one word on every lane (butterfly shuffles): bit l is lane l's <paramref name="flag"/>.
        /// For warps of 32 lanes (the tensor-core kernels'); every lane of the warp must call it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static uint Ballot(bool flag)
        {
            uint bits = flag ? 1u << Warp.LaneIdx : 0u;
            for (int mask = Warp.WarpSize / 2; mask > 0; mask >>= 1)
                bits |= Warp.ShuffleXor(bits, mask);
            return bits;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sum(float value)
        {
            for (int delta = Warp.WarpSize / 2; delta > 0; delta >>= 1)
                value += Warp.ShuffleDown(value, delta);
            return value;
        }
    }
}
