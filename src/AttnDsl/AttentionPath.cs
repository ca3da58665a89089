namespace AttnDsl
{
    /// <summary>Kernel shape a generated <c>Run</c> launches.</summary>
    public enum AttentionPath
    {
        /// <summary>Let the dispatcher choose for the accelerator (row-streaming on CPU, tiled elsewhere).</summary>
        Auto = 0,

        /// <summary>
        /// Barrier-free: one thread per query row, keys streamed from global memory with the same
        /// block ranges and online softmax. Fast on ILGPU's CPU accelerator.
        /// </summary>
        RowStreaming = 1,

        /// <summary>
        /// FlashAttention-2 tiling: a query tile per group, K/V tiles staged through shared memory,
        /// one thread per query row. The portable GPU kernel.
        /// </summary>
        Tiled = 2,
    }
}
