using System.Runtime.CompilerServices;

namespace AttnDsl
{
    /// <summary>
    /// The key blocks one query tile visits, in order: first the blocks that sinks or prefixes reach
    /// (which OR into every row), then the blocks the local masks (Causal, SlidingWindow) reach,
    /// each block once. Blocks outside both are never visited; inside, <see cref="MaskSemantics"/>
    /// classifies each one. Kernel-safe: the generated kernels and <see cref="BlockAnalysis"/> share it.
    /// </summary>
    public readonly struct KeyBlockSchedule
    {
        private KeyBlockSchedule(int extraBlocks, int firstLocal, int count)
        {
            ExtraBlocks = extraBlocks;
            FirstLocal = firstLocal;
            Count = count;
        }

        /// <summary>Leading blocks visited for sinks and prefixes.</summary>
        public int ExtraBlocks { get; }

        /// <summary>First block of the local range after the leading ones.</summary>
        public int FirstLocal { get; }

        /// <summary>Blocks to visit.</summary>
        public int Count { get; }

        /// <summary>
        /// Schedule for aligned query rows [<paramref name="ia0"/>, <paramref name="ia1"/>]; <paramref name="extraKeys"/>
        /// is the number of leading keys that sinks or prefixes make visible (see <see cref="ExtraKeys"/>).
        /// </summary>
        public static KeyBlockSchedule Create(int ia0, int ia1, int keyLength, int blockN, int extraKeys,
            bool causal, bool window, int left, int right)
        {
            int localBegin = MaskSemantics.LocalKeyBegin(ia0, keyLength, window, left);
            int localEnd = MaskSemantics.LocalKeyEnd(ia1, keyLength, causal, window, right);
            int extraBlocks = (extraKeys + blockN - 1) / blockN;
            int firstLocal = localBegin / blockN > extraBlocks ? localBegin / blockN : extraBlocks;
            int localBlocks = (localEnd + blockN - 1) / blockN - firstLocal;
            return new KeyBlockSchedule(extraBlocks, firstLocal, extraBlocks + (localBlocks > 0 ? localBlocks : 0));
        }

        /// <summary>Leading keys visible through sinks or a prefix, clamped to [0, keyLength].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int ExtraKeys(int sinkCount, int prefixLength, int keyLength)
        {
            int keys = sinkCount > prefixLength ? sinkCount : prefixLength;
            return keys < 0 ? 0 : keys > keyLength ? keyLength : keys;
        }

        /// <summary>The key block visited at <paramref name="step"/> (0 &lt;= step &lt; <see cref="Count"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int KeyBlock(int step) => step < ExtraBlocks ? step : FirstLocal + (step - ExtraBlocks);
    }
}
