using System.Runtime.CompilerServices;
using ILGPU;

namespace AttnDsl
{
    /// <summary>
    /// The meaning of every built-in mask, in one place: per element (used by the kernels' partial
    /// blocks and by <see cref="AttentionReference"/>) and per block of query rows x keys (used by
    /// the kernels to skip empty blocks and drop the test inside full ones). Everything is
    /// kernel-safe so the generated kernels call it directly.
    /// </summary>
    /// <remarks>
    /// Positions: <c>ia = i + (Nk - Nq)</c> is the bottom-right aligned query position.
    /// Composition: <c>visible = (local || sink || prefix) &amp;&amp; document &amp;&amp; mods</c>, where
    /// <c>local</c> is Causal AND SlidingWindow AND RadialDecay (true when none is declared),
    /// <c>sink</c> is <c>j &lt; SinkCount</c> (AND Causal when declared) and <c>prefix</c> is
    /// <c>j &lt; prefixLength[b]</c>. Range arguments are inclusive.
    /// </remarks>
    public static class MaskSemantics
    {
        /// <summary>Bottom-right aligned query position.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int AlignQuery(int query, int queryLength, int keyLength) => query + (keyLength - queryLength);

        // ---- per element -------------------------------------------------------------------

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Causal(int ia, int j) => j <= ia;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Window(int ia, int j, int left, int right) =>
            (long)j >= (long)ia - left && (long)j <= (long)ia + right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Below(int j, int count) => j < count;

        /// <summary>
        /// The keys of [j0, j1] that <see cref="Causal"/> and <see cref="Window"/> (those declared) let aligned query
        /// <paramref name="ia"/> see, as one interval [lo, hi], within [j0, j1]; [j0, j0 - 1] when it sees none of them: the same
        /// rule, for a whole row of a block at once.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void LocalInterval(int ia, int j0, int j1, bool causal, bool window, int left, int right, out int lo, out int hi)
        {
            long low = j0, high = j1;
            if (causal)
                high = ia < high ? ia : high;
            if (window)
            {
                long first = (long)ia - left, last = (long)ia + right;
                low = first > low ? first : low;
                high = last < high ? last : high;
            }
            bool none = high < low;
            lo = none ? j0 : (int)low;
            hi = none ? j0 - 1 : (int)high;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Document(int queryDocument, int keyDocument) => queryDocument == keyDocument;

        /// <summary>Number of bits of a positive integer: bitlen(1) = 1, bitlen(2..3) = 2, ...</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int BitLength(int value)
        {
            int bits = 0;
            while (value > 0)
            {
                bits++;
                value >>= 1;
            }
            return bits;
        }

        /// <summary>
        /// Radial in-frame window at frame distance <paramref name="frameDistance"/> &gt; 0:
        /// <c>floor(DecayFactor * TokensPerFrame / 2^bitlen(d))</c>; <paramref name="decayTimesTokens"/>
        /// is the product, precomputed as a float by <see cref="RadialScale"/>.
        /// </summary>
        public static int RadialWidth(int frameDistance, float decayTimesTokens)
        {
            int bits = BitLength(frameDistance);
            if (bits >= 126)
                return 0;
            // Division by a power of two is exact in float, so floor() is the same everywhere.
            float w = decayTimesTokens * Interop.IntAsFloat((uint)(127 - bits) << 23);
            return w >= 2147483520f ? int.MaxValue : (int)w;
        }

        /// <summary>The float both kernel and reference feed to <see cref="RadialWidth"/>.</summary>
        public static float RadialScale(double decayFactor, int tokensPerFrame) => (float)(decayFactor * tokensPerFrame);

        public static bool Radial(int ia, int j, int tokensPerFrame, float decayTimesTokens, int sinkFrames)
        {
            int fi = FloorDiv(ia, tokensPerFrame);
            int fj = j / tokensPerFrame;
            if (fi == fj || fj < sinkFrames)
                return true;
            int pi = ia - fi * tokensPerFrame;
            int pj = j - fj * tokensPerFrame;
            int d = fi > fj ? fi - fj : fj - fi;
            int dp = pi > pj ? pi - pj : pj - pi;
            return dp <= RadialWidth(d, decayTimesTokens);
        }

        /// <summary>
        /// The composition rule of all masks. Absent masks pass their neutral value:
        /// local = true, sink = prefix = false, document = mods = true.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Combine(bool local, bool sink, bool prefix, bool document, bool mods) =>
            (local || sink || prefix) && document && mods;

        // ---- per block ----------------------------------------------------------------------

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static BlockClass And(BlockClass a, BlockClass b) => a < b ? a : b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static BlockClass Or(BlockClass a, BlockClass b) => a > b ? a : b;

        /// <summary>Block form of <see cref="Combine(bool, bool, bool, bool, bool)"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static BlockClass Combine(BlockClass local, BlockClass sink, BlockClass prefix, BlockClass document, BlockClass mods) =>
            And(And(Or(Or(local, sink), prefix), document), mods);

        public static BlockClass CausalBlock(int ia0, int ia1, int j0, int j1)
        {
            if (j1 <= ia0)
                return BlockClass.Full;
            return j0 > ia1 ? BlockClass.Empty : BlockClass.Partial;
        }

        public static BlockClass WindowBlock(int ia0, int ia1, int j0, int j1, int left, int right)
        {
            if ((long)j1 < (long)ia0 - left || (long)j0 > (long)ia1 + right)
                return BlockClass.Empty;
            if ((long)j0 >= (long)ia1 - left && (long)j1 <= (long)ia0 + right)
                return BlockClass.Full;
            return BlockClass.Partial;
        }

        /// <summary>Keys below <paramref name="count"/> (sinks, prefix).</summary>
        public static BlockClass BelowBlock(int j0, int j1, int count)
        {
            if (j1 < count)
                return BlockClass.Full;
            return j0 >= count ? BlockClass.Empty : BlockClass.Partial;
        }

        /// <summary>
        /// Document mask from the id ranges of the query rows and of the keys. Exact for any ids:
        /// disjoint ranges share no document, and a single id on both sides is one document.
        /// </summary>
        public static BlockClass DocumentBlock(int queryMin, int queryMax, int keyMin, int keyMax)
        {
            if (queryMax < keyMin || keyMax < queryMin)
                return BlockClass.Empty;
            if (queryMin == queryMax && keyMin == keyMax && queryMin == keyMin)
                return BlockClass.Full;
            return BlockClass.Partial;
        }

        /// <summary>Minimum and maximum of <paramref name="count"/> ids starting at <paramref name="offset"/>.</summary>
        public static void IdRange(ArrayView<int> ids, long offset, int count, out int min, out int max)
        {
            min = ids[offset];
            max = min;
            for (int t = 1; t < count; t++)
            {
                int v = ids[offset + t];
                min = v < min ? v : min;
                max = v > max ? v : max;
            }
        }

        /// <summary>
        /// <see cref="IdRange"/> scanned by a whole warp: lane l reads ids l, l + WarpSize, ... and butterfly shuffles
        /// combine the lanes, so every lane gets the range after ceil(count / WarpSize) loads instead of count. Every
        /// lane of the warp must call it with the same arguments.
        /// </summary>
        public static void WarpIdRange(ArrayView<int> ids, long offset, int count, out int min, out int max)
        {
            int low = ids[offset], high = low;
            for (int t = Warp.LaneIdx; t < count; t += Warp.WarpSize)
            {
                int v = ids[offset + t];
                low = v < low ? v : low;
                high = v > high ? v : high;
            }
            for (int mask = Warp.WarpSize / 2; mask > 0; mask >>= 1)
            {
                int otherLow = Warp.ShuffleXor(low, mask), otherHigh = Warp.ShuffleXor(high, mask);
                low = otherLow < low ? otherLow : low;
                high = otherHigh > high ? otherHigh : high;
            }
            min = low;
            max = high;
        }

        /// <summary>
        /// <see cref="WarpIdRange"/> plus the block's run structure, for the tensor-core kernel's document ranges: the id of
        /// the first key and, when the ids are exactly two runs (keys 0 .. split - 1 hold the first id, the rest one other
        /// id), the offset <paramref name="split"/> of the second run; 0 for one run, or for three runs and more. Packed
        /// documents longer than a key block give blocks of one or two runs, and a row's keys in a two-run block are one
        /// interval (<see cref="RunInterval"/>) instead of a test per key. Every lane of the warp must call it alike.
        /// </summary>
        public static void WarpIdRuns(ArrayView<int> ids, long offset, int count, out int min, out int max, out int first, out int split)
        {
            first = ids[offset];
            int low = first, high = first, boundaries = 0, position = 0;
            for (int t = Warp.LaneIdx; t < count; t += Warp.WarpSize)
            {
                int v = ids[offset + t];
                low = v < low ? v : low;
                high = v > high ? v : high;
                if (t > 0 && v != ids[offset + t - 1])
                {
                    boundaries++;
                    position = t;
                }
            }
            for (int mask = Warp.WarpSize / 2; mask > 0; mask >>= 1)
            {
                int otherLow = Warp.ShuffleXor(low, mask), otherHigh = Warp.ShuffleXor(high, mask);
                low = otherLow < low ? otherLow : low;
                high = otherHigh > high ? otherHigh : high;
                boundaries += Warp.ShuffleXor(boundaries, mask);
                int otherPosition = Warp.ShuffleXor(position, mask);
                position = otherPosition > position ? otherPosition : position;
            }
            min = low;
            max = high;
            split = boundaries == 1 ? position : 0;
        }

        /// <summary>
        /// Narrows a row's visible keys [lo, hi] in a key block of two runs (<see cref="WarpIdRuns"/>: keys j0 .. j0 + split - 1
        /// hold <paramref name="firstId"/>, the rest <paramref name="lastId"/>) to the run of the row's document; empty
        /// (hi &lt; lo) when the row's document is neither.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void RunInterval(int document, int j0, int split, int firstId, int lastId, ref int lo, ref int hi)
        {
            bool inFirst = document == firstId;
            int runLo = inFirst ? j0 : j0 + split;
            int runHi = inFirst ? j0 + split - 1 : hi;
            lo = runLo > lo ? runLo : lo;
            hi = inFirst || document == lastId ? (runHi < hi ? runHi : hi) : lo - 1;
        }

        /// <summary>
        /// Radial mask over query rows [ia0, ia1] x keys [j0, j1], split into frame pairs; tiles
        /// spanning many frames are reported Partial rather than enumerated.
        /// </summary>
        public static BlockClass RadialBlock(int ia0, int ia1, int j0, int j1, int tokensPerFrame, float decayTimesTokens, int sinkFrames)
        {
            int fj0 = j0 / tokensPerFrame, fj1 = j1 / tokensPerFrame;
            if (fj1 < sinkFrames)
                return BlockClass.Full;
            int fi0 = FloorDiv(ia0, tokensPerFrame), fi1 = FloorDiv(ia1, tokensPerFrame);
            if (fi1 - fi0 > 8 || fj1 - fj0 > 8)
                return BlockClass.Partial;
            bool anyFull = false, anyPartial = false, anyEmpty = false;
            for (int fi = fi0; fi <= fi1; fi++)
            {
                int a0 = fi == fi0 ? ia0 - fi * tokensPerFrame : 0;
                int a1 = fi == fi1 ? ia1 - fi * tokensPerFrame : tokensPerFrame - 1;
                for (int fj = fj0; fj <= fj1; fj++)
                {
                    int c0 = fj == fj0 ? j0 - fj * tokensPerFrame : 0;
                    int c1 = fj == fj1 ? j1 - fj * tokensPerFrame : tokensPerFrame - 1;
                    BlockClass pair;
                    if (fi == fj || fj < sinkFrames)
                    {
                        pair = BlockClass.Full;
                    }
                    else
                    {
                        int w = RadialWidth(fi > fj ? fi - fj : fj - fi, decayTimesTokens);
                        int far = a1 - c0 > c1 - a0 ? a1 - c0 : c1 - a0;
                        int gap = c0 - a1 > a0 - c1 ? c0 - a1 : a0 - c1;
                        pair = far <= w ? BlockClass.Full : gap > w ? BlockClass.Empty : BlockClass.Partial;
                    }
                    anyFull |= pair == BlockClass.Full;
                    anyEmpty |= pair == BlockClass.Empty;
                    anyPartial |= pair == BlockClass.Partial;
                }
            }
            if (!anyPartial && !anyEmpty)
                return BlockClass.Full;
            return !anyPartial && !anyFull ? BlockClass.Empty : BlockClass.Partial;
        }

        // ---- key ranges ----------------------------------------------------------------------

        /// <summary>
        /// One past the last key that Causal/SlidingWindow can show to rows up to <paramref name="ia1"/>
        /// (pass <c>int.MaxValue</c> for an absent bound), clamped to [0, keyLength].
        /// </summary>
        public static int LocalKeyEnd(int ia1, int keyLength, bool causal, bool window, int right)
        {
            long end = keyLength;
            if (causal && (long)ia1 + 1 < end)
                end = (long)ia1 + 1;
            if (window && (long)ia1 + right + 1 < end)
                end = (long)ia1 + right + 1;
            return end < 0 ? 0 : (int)end;
        }

        /// <summary>First key that SlidingWindow can show to rows from <paramref name="ia0"/>, clamped to [0, keyLength].</summary>
        public static int LocalKeyBegin(int ia0, int keyLength, bool window, int left)
        {
            if (!window)
                return 0;
            long begin = (long)ia0 - left;
            return begin < 0 ? 0 : begin > keyLength ? keyLength : (int)begin;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
    }
}
