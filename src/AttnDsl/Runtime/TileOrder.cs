using System;
using ILGPU;
using ILGPU.Runtime;

namespace AttnDsl.Runtime
{
    /// <summary>
    /// The launch order of a tensor-core grid whose query tiles differ in work (a [DocumentMask] spec's tiles see their
    /// own documents' key blocks only). The GPU starts groups in launch order as SMs free up, so the order decides both
    /// how the grid ends and which tiles share the L2 cache:
    /// <list type="bullet">
    /// <item>the longest tiles must start early, or one of them runs alone at the end (in launch order, heads one after
    /// another, the H100's SMs were busy 91% / 84% of the kernel's time at D = 128 / 64 on the benchmark's documents);</item>
    /// <item>the tiles running together should span few heads, so that their K/V blocks stay in L2 (all heads of one
    /// tile side by side read five times more from DRAM at D = 128, which cost more than the balance gained).</item>
    /// </list>
    /// Both hold for a deadline order: head h's tiles are keyed (h + 1) P - work, P a fraction of one head's share of
    /// the SMs, so every tile of head h aims to end near (h + 1) P, its longest tiles start first, and a head's tiles
    /// start only a few heads ahead of their turn. The order changes when tiles run, never what they compute.
    /// </summary>
    public static class TileOrder
    {
        /// <summary>
        /// A tile's work estimate from the key blocks it visits, in fifths of a block taken whole: a partial block also
        /// computes its mask words and selects (about a fifth more), and each tile pays about four fifths of a block
        /// for its Q tile, the first block's copies that nothing hides, and the epilogue.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static int Work(int fullBlocks, int partialBlocks) => 4 + 5 * fullBlocks + 6 * partialBlocks;

        /// <summary>
        /// Group-wide, after the group's barrier that follows the writes of <paramref name="work"/>: sorts the tiles by
        /// decreasing work, equal work by index (<c>rankOf[t]</c> is tile t's rank, <c>sortedWork[rank]</c> its work; a
        /// quadratic count, far below the attention it orders: one estimate per query tile, each tile at least one key
        /// block), and writes the deadline spacing P = max(1, total work / (2 <paramref name="slots"/>)) to
        /// <c>spacing[0]</c>: half of one head's time on <paramref name="slots"/> concurrent groups (the simulated tail is
        /// shortest there, at L2 traffic near launch order's).
        /// </summary>
        public static void Rank(ArrayView<int> work, ArrayView<int> sortedWork, ArrayView<int> rankOf, ArrayView<int> spacing, int slots)
        {
            int count = (int)work.Length;
            for (int t = Group.IdxX; t < count; t += Group.DimX)
            {
                int mine = work[t];
                int rank = 0;
                long total = 0;
                for (int u = 0; u < count; u++)
                {
                    int other = work[u];
                    total += other;
                    if (other > mine || (other == mine && u < t))
                        rank++;
                }
                rankOf[t] = rank;
                sortedWork[rank] = mine;
                if (t == 0)
                {
                    long p = total / (2L * slots);
                    spacing[0] = p < 1 ? 1 : p > int.MaxValue ? int.MaxValue : (int)p;
                }
            }
        }

        /// <summary>
        /// Group-wide, after the barrier that follows <see cref="Rank"/>: pair (t, h) writes t * heads + h at its place
        /// in the deadline order (keys (h + 1) P - work; equal keys by head, then by rank): the tiles of its own head
        /// ahead of it, plus, for every other head h', the tiles whose work exceeds its own by more than (h' - h) P (by at
        /// least that much for h' &lt; h), counted in <c>sortedWork</c> by binary search. Only the few heads within the
        /// work's spread of h need a search.
        /// </summary>
        public static void Place(ArrayView<int> work, ArrayView<int> sortedWork, ArrayView<int> rankOf, ArrayView<int> spacing, int heads, ArrayView<int> order)
        {
            int tiles = (int)work.Length;
            if (tiles == 0)
                return;
            long p = spacing[0];
            int highest = sortedWork[0], lowest = sortedWork[tiles - 1];
            for (int index = Group.IdxX; index < tiles * heads; index += Group.DimX)
            {
                int h = index / tiles, t = index % tiles;
                int mine = work[t];
                long place = rankOf[t];
                // Heads before h: the tiles with work >= mine - d P; all of them once that bound reaches the lowest work.
                for (int d = 1; d <= h; d++)
                {
                    long bound = mine - d * p;
                    if (bound <= lowest)
                    {
                        place += (long)(h - d + 1) * tiles;
                        break;
                    }
                    place += CountAbove(sortedWork, bound - 1);
                }
                // Heads after h: the tiles with work > mine + d P; none once that bound reaches the highest work.
                for (int d = 1; d < heads - h; d++)
                {
                    long bound = mine + d * p;
                    if (bound >= highest)
                        break;
                    place += CountAbove(sortedWork, bound);
                }
                order[place] = t * heads + h;
            }
        }

        /// <summary>How many of the decreasing <paramref name="sorted"/> values exceed <paramref name="bound"/>.</summary>
        private static int CountAbove(ArrayView<int> sorted, long bound)
        {
            int lo = 0, hi = (int)sorted.Length; // sorted[< lo] > bound, sorted[>= hi] <= bound
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (sorted[mid] > bound)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            return lo;
        }

        /// <summary>The scratch elements the order needs besides the work estimates and the order: sorted work, ranks, spacing.</summary>
        public static long ScratchLength(int tiles) => 2L * tiles + 1;

        /// <summary>Sorted work, ranks and spacing in the scratch of <see cref="ScratchLength"/> elements.</summary>
        public static void Split(ArrayView<int> scratch, int tiles, out ArrayView<int> sortedWork, out ArrayView<int> rankOf, out ArrayView<int> spacing)
        {
            sortedWork = scratch.SubView(0, tiles);
            rankOf = scratch.SubView(tiles, tiles);
            spacing = scratch.SubView(2L * tiles, 1);
        }

        /// <summary>
        /// One group orders <paramref name="heads"/> x work.Length tiles into <paramref name="order"/> (element g: t * heads + h,
        /// the g-th tile to launch), for tiles whose work is known already. A generated [DocumentMask] Run does the same in its
        /// own one-group kernel, which first computes the work.
        /// </summary>
        public static void OrderKernel(ArrayView<int> work, ArrayView<int> scratch, int heads, int slots, ArrayView<int> order)
        {
            Split(scratch, (int)work.Length, out var sortedWork, out var rankOf, out var spacing);
            Rank(work, sortedWork, rankOf, spacing, slots);
            Group.Barrier();
            Place(work, sortedWork, rankOf, spacing, heads, order);
        }

        /// <summary>Threads of the one group that orders the tiles: the accelerator's most, at most 1024.</summary>
        public static int GroupThreads(Accelerator accelerator) => Math.Min(1024, accelerator.MaxNumThreadsPerGroup);

        /// <summary>Checks the views of an order of <paramref name="heads"/> x work.Length tiles.</summary>
        public static void Validate(ArrayView<int> work, int heads, int slots, ArrayView<int> scratch, ArrayView<int> order)
        {
            if (heads < 1)
                throw new ArgumentOutOfRangeException(nameof(heads), heads, "expected at least one head.");
            if (slots < 1)
                throw new ArgumentOutOfRangeException(nameof(slots), slots, "expected at least one concurrent group.");
            long tiles = work.Length;
            if (tiles * heads > int.MaxValue)
                throw new ArgumentException($"At most {int.MaxValue} (tile, head) pairs: got {tiles * heads}.", nameof(work));
            if (order.Length != tiles * heads)
                throw new ArgumentException($"The order needs one element per (tile, head): expected {tiles * heads}, got {order.Length}.", nameof(order));
            if (scratch.Length < 2 * tiles + 1)
                throw new ArgumentException($"The scratch needs 2 elements per tile and one more: expected at least {2 * tiles + 1}, got {scratch.Length}.", nameof(scratch));
        }

        /// <summary>Queues <see cref="OrderKernel"/> on the default stream (for tiles whose work is known).</summary>
        public static void Launch(Accelerator accelerator, Action<KernelConfig, ArrayView<int>, ArrayView<int>, int, int, ArrayView<int>> kernel, ArrayView<int> work, int heads, int slots, ArrayView<int> scratch, ArrayView<int> order)
        {
            if (accelerator is null)
                throw new ArgumentNullException(nameof(accelerator));
            if (kernel is null)
                throw new ArgumentNullException(nameof(kernel));
            Validate(work, heads, slots, scratch, order);
            if (work.Length > 0)
                kernel(new KernelConfig(1, GroupThreads(accelerator)), work, scratch, heads, slots, order);
        }

        /// <summary>Compiles <see cref="OrderKernel"/> for <paramref name="accelerator"/>.</summary>
        public static Action<KernelConfig, ArrayView<int>, ArrayView<int>, int, int, ArrayView<int>> Load(Accelerator accelerator) =>
            (accelerator ?? throw new ArgumentNullException(nameof(accelerator))).LoadStreamKernel<ArrayView<int>, ArrayView<int>, int, int, ArrayView<int>>(OrderKernel);
    }
}
