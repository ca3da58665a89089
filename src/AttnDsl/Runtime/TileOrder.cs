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
        /// <summary>Threads per group of the kernels at most (the work estimates <see cref="RankKernel"/> stages per pass).</summary>
        public const int MaxGroupThreads = 256;

        /// <summary>
        /// A tile's work estimate from the key blocks it visits, in fifths of a block taken whole: a partial block also
        /// computes its mask words and selects (about a fifth more), and each tile pays about four fifths of a block
        /// for its Q tile, the first block's copies that nothing hides, and the epilogue.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static int Work(int fullBlocks, int partialBlocks) => 4 + 5 * fullBlocks + 6 * partialBlocks;

        /// <summary>
        /// Sorts the tiles by decreasing work, equal work by index: thread t writes its rank to <c>rankOf[t]</c> and its
        /// work to <c>sortedWork[rank]</c>. Every group stages the estimates through shared memory,
        /// <see cref="MaxGroupThreads"/> at a time (a quadratic count, far below the attention it orders: one estimate per
        /// query tile, each tile at least one key block). The first thread also writes the deadline spacing
        /// <c>spacing[0]</c> = max(1, total work / (2 <paramref name="slots"/>)): half of one head's time on
        /// <paramref name="slots"/> concurrent groups (the simulated tail is shortest there, at L2 traffic near launch order's).
        /// </summary>
        public static void RankKernel(ArrayView<int> work, ArrayView<int> sortedWork, ArrayView<int> rankOf, ArrayView<int> spacing, int slots)
        {
            var staged = SharedMemory.Allocate<int>(MaxGroupThreads);
            int count = (int)work.Length;
            int t = Grid.GlobalIndex.X;
            int mine = t < count ? work[t] : 0;
            int rank = 0;
            long total = 0;
            for (int start = 0; start < count; start += Group.DimX)
            {
                int u = start + Group.IdxX;
                staged[Group.IdxX] = u < count ? work[u] : 0;
                Group.Barrier();
                int passed = count - start < Group.DimX ? count - start : Group.DimX;
                for (int k = 0; k < passed; k++)
                {
                    int other = staged[k];
                    total += other;
                    if (other > mine || (other == mine && start + k < t))
                        rank++;
                }
                Group.Barrier();
            }
            if (t < count)
            {
                rankOf[t] = rank;
                sortedWork[rank] = mine;
            }
            if (t == 0)
            {
                long p = total / (2L * slots);
                spacing[0] = p < 1 ? 1 : p > int.MaxValue ? int.MaxValue : (int)p;
            }
        }

        /// <summary>
        /// Thread h * tiles + t writes t * heads + h at its place in the deadline order (keys (h + 1) P - work; equal keys by
        /// head, then by <c>rankOf</c>): the tiles of its own head ahead of it, plus, for every other head h', the tiles whose
        /// work exceeds its own by more than (h' - h) P (by at least that much for h' &lt; h), counted in
        /// <c>sortedWork</c> by binary search. Only the few heads within the work's spread of h need a search.
        /// </summary>
        public static void PlaceKernel(Index1D index, ArrayView<int> work, ArrayView<int> sortedWork, ArrayView<int> rankOf, ArrayView<int> spacing, int heads, ArrayView<int> order)
        {
            int tiles = (int)work.Length;
            int h = index / tiles, t = index % tiles;
            int mine = work[t];
            long p = spacing[0];
            int highest = sortedWork[0], lowest = sortedWork[tiles - 1];
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

        /// <summary>The two kernels of the order, compiled for one accelerator (load once, through the spec's cache).</summary>
        public sealed class Kernels
        {
            internal Kernels(Accelerator accelerator)
            {
                Rank = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int>(RankKernel);
                Place = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, ArrayView<int>>(PlaceKernel);
            }

            internal Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int> Rank { get; }
            internal Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, int, ArrayView<int>> Place { get; }
        }

        /// <summary>Compiles the kernels for <paramref name="accelerator"/>.</summary>
        public static Kernels Load(Accelerator accelerator) => new Kernels(accelerator ?? throw new ArgumentNullException(nameof(accelerator)));

        /// <summary>The scratch elements <see cref="Launch"/> needs besides the work estimates and the order.</summary>
        public static long ScratchLength(int tiles) => 2L * tiles + 1;

        /// <summary>
        /// Queues, on the default stream, the order of <paramref name="heads"/> x work.Length tiles into
        /// <paramref name="order"/>: element g is t * heads + h, the g-th tile to launch. <paramref name="slots"/> is how
        /// many groups of the attention kernel run at once.
        /// </summary>
        public static void Launch(Accelerator accelerator, Kernels kernels, ArrayView<int> work, int heads, int slots, ArrayView<int> scratch, ArrayView<int> order)
        {
            if (accelerator is null)
                throw new ArgumentNullException(nameof(accelerator));
            if (kernels is null)
                throw new ArgumentNullException(nameof(kernels));
            if (heads < 1)
                throw new ArgumentOutOfRangeException(nameof(heads), heads, "expected at least one head.");
            if (slots < 1)
                throw new ArgumentOutOfRangeException(nameof(slots), slots, "expected at least one concurrent group.");
            long tiles = work.Length;
            if (order.Length != tiles * heads)
                throw new ArgumentException($"The order needs one element per (tile, head): expected {tiles * heads}, got {order.Length}.", nameof(order));
            if (scratch.Length < ScratchLength((int)Math.Min(tiles, int.MaxValue)))
                throw new ArgumentException($"The scratch needs 2 elements per tile and one more: expected at least {2 * tiles + 1}, got {scratch.Length}.", nameof(scratch));
            if (tiles == 0)
                return;
            if (tiles * heads > int.MaxValue)
                throw new ArgumentException($"At most {int.MaxValue} (tile, head) pairs: got {tiles * heads}.", nameof(work));
            var sortedWork = scratch.SubView(0, tiles);
            var rankOf = scratch.SubView(tiles, tiles);
            var spacing = scratch.SubView(2 * tiles, 1);
            int threads = Math.Min(MaxGroupThreads, accelerator.MaxNumThreadsPerGroup);
            kernels.Rank(new KernelConfig((int)((tiles + threads - 1) / threads), threads), work, sortedWork, rankOf, spacing, slots);
            kernels.Place((int)(tiles * heads), work, sortedWork, rankOf, spacing, heads, order);
        }
    }
}
