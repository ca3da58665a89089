using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace AttnDsl.Runtime
{
    /// <summary>
    /// The spec-independent half of the device-side block-mask builders: the generated classification and
    /// selection kernels write <see cref="BlockMask.Classes"/>; <see cref="Compact"/> turns the classes into the
    /// partial and full lists the attention kernels read. Also the launch sizes of the selection kernels.
    /// </summary>
    public static class BlockMaskBuilder
    {
        private static readonly ConditionalWeakTable<Accelerator, Action<KernelConfig, ArrayView<byte>, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>>> s_compact = new();

        /// <summary>Rows per group of the compaction: small groups, so that a few thousand rows spread over every multiprocessor.</summary>
        private const int CompactRows = 32;

        /// <summary>Threads per group of the selection kernel (one group per query-block row).</summary>
        public static int SelectThreads(Accelerator accelerator) => Math.Min(128, accelerator.MaxNumThreadsPerGroup);

        /// <summary>
        /// Side of the square tile of pooled scores one group of the score kernel computes, a thread per 2 x 2 of it: 32 (256
        /// threads, two staged tiles of pooled rows of <paramref name="headDim"/> floats) where the accelerator's groups and shared
        /// memory allow, else the largest power of two that fits.
        /// </summary>
        public static int ScoreTile(Accelerator accelerator, int headDim)
        {
            int tile = 32;
            while (tile > 2 && (tile * tile / 4 > accelerator.MaxNumThreadsPerGroup || 2L * tile * (headDim + 1) * sizeof(float) > accelerator.MaxSharedMemoryPerGroup))
                tile /= 2;
            return tile;
        }

        /// <summary>
        /// The power of two the selection kernel sorts a row of <paramref name="keyBlocks"/> scores in; it needs two ints of
        /// shared memory per entry and two more (the row's visible span), and packs both list counts of a row into one int
        /// (at most 65535 key blocks).
        /// </summary>
        public static int SortLength(Accelerator accelerator, int keyBlocks)
        {
            int length = 1;
            while (length < keyBlocks)
                length <<= 1;
            long bytes = (2L * length + 2) * sizeof(int);
            if (keyBlocks > ushort.MaxValue || bytes > accelerator.MaxSharedMemoryPerGroup)
                throw new NotSupportedException(
                    $"[BlockSelect] ranks a row of {keyBlocks} key blocks in {bytes} bytes of shared memory; this accelerator has {accelerator.MaxSharedMemoryPerGroup} per group " +
                    "(and a row may hold at most 65535 blocks). Use a larger BlockN or a shorter key sequence.");
            return length;
        }

        /// <summary>A generated kernel rewrote the lists: the block counts are read back on next use.</summary>
        public static void Written(BlockMask mask) => mask.Invalidate();

        /// <summary>Float scratch for the estimator on the mask's accelerator (pooled tiles and scores).</summary>
        public static ArrayView<float> Scratch(BlockMask mask, long length) => mask.Scratch(length);

        /// <summary>Lists the classes of <see cref="BlockMask.Classes"/> in increasing key-block order (asynchronous).</summary>
        public static void Compact(Accelerator accelerator, BlockMask mask)
        {
            if (mask is null)
                throw new ArgumentNullException(nameof(mask));
            var kernel = s_compact.GetValue(accelerator, a => a.LoadStreamKernel<ArrayView<byte>, int, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>>(CompactKernel));
            int rows = (int)mask.Rows, threads = Math.Min(CompactRows, accelerator.MaxNumThreadsPerGroup);
            kernel(new KernelConfig((rows + threads - 1) / threads, threads), mask.Classes, rows, mask.KeyBlocks, mask.PartialCounts, mask.PartialIndices, mask.FullCounts, mask.FullIndices);
            mask.Invalidate();
        }

        /// <summary>One thread per (batch, head, query block) row: its Partial and Full key blocks, in order.</summary>
        private static void CompactKernel(ArrayView<byte> classes, int rows, int keyBlocks,
            ArrayView<int> partialCounts, ArrayView<int> partialIndices, ArrayView<int> fullCounts, ArrayView<int> fullIndices)
        {
            int row = Grid.GlobalIndex.X;
            if (row >= rows)
                return;
            long start = (long)row * keyBlocks;
            int partial = 0, full = 0;
            for (int k = 0; k < keyBlocks; k++)
            {
                byte c = classes[start + k];
                if (c == (byte)BlockClass.Partial)
                    partialIndices[start + partial++] = k;
                else if (c == (byte)BlockClass.Full)
                    fullIndices[start + full++] = k;
            }
            partialCounts[row] = partial;
            fullCounts[row] = full;
        }
    }
}
