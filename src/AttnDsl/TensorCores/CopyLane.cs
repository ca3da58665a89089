using System.Runtime.CompilerServices;

namespace AttnDsl.TensorCores
{
    /// <summary>
    /// One thread's share of the 16-byte copies that fill a K or V stage: the thread copies the same 16-byte
    /// part of rows <see cref="Row"/>, <see cref="Row"/> + rows-per-pass, ... of every key block. Its shared and
    /// global words are fixed per tile up to the block's first key, so the key-block loop adds one offset per
    /// block instead of recomputing a row, a part and a layout offset for every copy.
    /// </summary>
    public readonly struct CopyLane
    {
        /// <summary>The thread's part and first row, with the row's layout offsets taken at key 0.</summary>
        /// <param name="row">First row of the block this thread copies (thread / parts per row).</param>
        /// <param name="sharedWord">Its word within a stage tile: row * stride + part * 4.</param>
        /// <param name="globalWord">Its global word for a block starting at key 0.</param>
        /// <param name="rowWords">Global words between consecutive keys (the layout's key stride).</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CopyLane(int row, int sharedWord, long globalWord, long rowWords)
        {
            Row = row;
            SharedWord = sharedWord;
            GlobalWord = globalWord;
            RowWords = rowWords;
        }

        public int Row { get; }

        public int SharedWord { get; }

        public long GlobalWord { get; }

        public long RowWords { get; }

        /// <summary>The global word of this thread's copy of row <see cref="Row"/> + <paramref name="rowDelta"/> in the block starting at key <paramref name="j0"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long Word(int j0, int rowDelta) => GlobalWord + (long)(j0 + rowDelta) * RowWords;
    }
}
