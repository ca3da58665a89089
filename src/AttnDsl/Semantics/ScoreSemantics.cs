using System.Runtime.CompilerServices;

namespace AttnDsl
{
    /// <summary>
    /// Built-in score modifiers, in one place for the kernels and the reference. Order on the
    /// scaled score <c>s = scale * q.k</c>: soft-cap, then ALiBi, then the spec's [ScoreMod]s
    /// in declaration order.
    /// </summary>
    public static class ScoreSemantics
    {
        /// <summary>
        /// ALiBi slope of <paramref name="head"/> among <paramref name="heads"/>: <c>2^(-8(h+1)/H)</c>
        /// for a power-of-two H; otherwise the paper's recipe: the slopes of the largest power of two
        /// n &lt; H, then every other slope of 2n.
        /// </summary>
        public static float AlibiSlope(int head, int heads)
        {
            int n = 1;
            while (n * 2 <= heads)
                n *= 2;
            if (head < n)
                return KernelMath.Exp2(-8f * (head + 1) / n);
            int index = 2 * (head - n);
            return KernelMath.Exp2(-8f * (index + 1) / (2 * n));
        }

        /// <summary>ALiBi bias <c>-slope * |ia - j|</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float AlibiBias(float slope, int ia, int j) => -slope * (ia > j ? ia - j : j - ia);

        /// <summary>Gemma-2 soft cap <c>cap * tanh(score / cap)</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float SoftCap(float score, float cap) => cap * KernelMath.Tanh(score / cap);
    }
}
