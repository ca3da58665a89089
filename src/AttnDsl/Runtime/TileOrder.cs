using System;
using ILGPU;
using ILGPU.Runtime;

namespace AttnDsl.Runtime
{
    /// <summary>
    /// The launch order of a tensor-core grid whose tiles differ in work (a [DocumentMask] spec's query tiles see
    /// their own documents' key blocks only): the tiles sorted by decreasing work estimate, so that the longest start
    /// first and the short ones fill the end of the grid. The GPU's block scheduler hands each free SM the next tile
    /// in launch order, which makes this the longest-first greedy schedule. The order changes when tiles run, never
    /// what they compute.
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

        /// <summary>Threads per group of <see cref="RankKernel"/> at most (the work estimates it stages per pass).</summary>
        public const int MaxGroupThreads = 256;

        /// <summary>
        /// Thread t writes t to <c>order[rank]</c>, rank being the number of tiles with more work plus the tiles of equal
        /// work and smaller index: a stable sort by decreasing work, one permutation of 0 .. work.Length - 1. Every group
        /// stages the work estimates through shared memory, <see cref="MaxGroupThreads"/> at a time; the quadratic count
        /// stays far below the attention it orders (one estimate per query tile, each tile at least one key block).
        /// </summary>
        public static void RankKernel(ArrayView<int> work, ArrayView<int> order)
        {
            var staged = SharedMemory.Allocate<int>(MaxGroupThreads);
            int count = (int)work.Length;
            int t = Grid.GlobalIndex.X;
            int mine = t < count ? work[t] : 0;
            int rank = 0;
            for (int start = 0; start < count; start += Group.DimX)
            {
                int u = start + Group.IdxX;
                staged[Group.IdxX] = u < count ? work[u] : 0;
                Group.Barrier();
                int passed = count - start < Group.DimX ? count - start : Group.DimX;
                for (int k = 0; k < passed; k++)
                {
                    int other = staged[k];
                    if (other > mine || (other == mine && start + k < t))
                        rank++;
                }
                Group.Barrier();
            }
            if (t < count)
                order[rank] = t;
        }

        /// <summary>The kernel, compiled once per accelerator through the spec's cache.</summary>
        public static Action<KernelConfig, ArrayView<int>, ArrayView<int>> Load(Accelerator accelerator) =>
            accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>>(RankKernel);

        /// <summary>Queues the sort of <paramref name="work"/> into <paramref name="order"/> (same length) on the default stream.</summary>
        public static void Launch(Accelerator accelerator, Action<KernelConfig, ArrayView<int>, ArrayView<int>> kernel, ArrayView<int> work, ArrayView<int> order)
        {
            if (work.Length != order.Length)
                throw new ArgumentException($"The order needs one element per work estimate: expected {work.Length}, got {order.Length}.", nameof(order));
            if (work.Length == 0)
                return;
            int threads = Math.Min(MaxGroupThreads, accelerator.MaxNumThreadsPerGroup);
            int groups = (int)((work.Length + threads - 1) / threads);
            kernel(new KernelConfig(groups, threads), work, order);
        }
    }
}
