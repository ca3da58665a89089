namespace AttnDsl
{
    /// <summary>Kernel shape a generated <c>Run</c> launches.</summary>
    public enum AttentionPath
    {
        /// <summary>
        /// Let the dispatcher choose for the accelerator: tensor cores on CUDA (sm_80 and newer) for
        /// Float16/BFloat16, row-streaming on CPU accelerators, tiled elsewhere.
        /// </summary>
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

        /// <summary>
        /// FlashAttention-2 on tensor cores: mma.sync m16n8k16 fragments in registers, each warp owning
        /// 16-row query slices, K/V double-buffered in shared memory (cp.async, ldmatrix). Float16 and
        /// BFloat16 specs; CUDA sm_80 and newer, or a CPU accelerator with 32-lane warps
        /// (<c>CPUDeviceKind.Nvidia</c>), where the MMA is emulated with warp shuffles. On sm_90 the same
        /// loop runs on Hopper's wgmma.mma_async from swizzled shared tiles where the spec's tiles allow it
        /// (<c>AttentionSpecInfo.HasWarpgroupKernel</c>).
        /// </summary>
        TensorCore = 3,
    }
}
