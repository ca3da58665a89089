namespace AttnDsl.TensorCores
{
    /// <summary>
    /// Where a tensor-core kernel instance runs. Kernels and helpers take the target as a generic struct
    /// argument, so each instance is compiled with only its own branch: the CUDA instance holds the PTX
    /// instructions and no emulation, the emulated one no inline PTX. (ILGPU specializes
    /// <c>CudaAsm.IsSupported</c> after its dead-code passes, which would leave the emulation in the PTX.)
    /// </summary>
    public interface ITensorCoreTarget
    {
        /// <summary>True for the CUDA instances.</summary>
        bool Cuda { get; }

        /// <summary>
        /// True for the warpgroup instances: Q, K and V tiles in the 128-byte swizzle layout of <c>wgmma</c>'s
        /// shared-memory descriptors (<see cref="TileLayout"/>) instead of padded rows.
        /// </summary>
        bool Warpgroup { get; }
    }

    /// <summary>CUDA devices of compute capability 8.0 and newer: mma.sync, ldmatrix, cp.async.</summary>
    public readonly struct CudaTarget : ITensorCoreTarget
    {
        public bool Cuda => true;
        public bool Warpgroup => false;
    }

    /// <summary>Any accelerator with 32-lane warps (ILGPU's CPU accelerator of kind Nvidia): warp-shuffle emulation.</summary>
    public readonly struct EmulatedTarget : ITensorCoreTarget
    {
        public bool Cuda => false;
        public bool Warpgroup => false;
    }

    /// <summary>
    /// CUDA sm_90 (Hopper): <c>wgmma.mma_async</c> on swizzled shared tiles, four warps per warpgroup. ILGPU writes
    /// <c>.target sm_80</c>-class PTX; the dispatcher retargets it to <c>sm_90a</c> (<see cref="Runtime.TensorCoreSupport"/>).
    /// </summary>
    public readonly struct WarpgroupTarget : ITensorCoreTarget
    {
        public bool Cuda => true;
        public bool Warpgroup => true;
    }

    /// <summary>
    /// The warpgroup kernel's shared layout and row assignment with the warp-shuffle MMA emulation: what runs on a
    /// 32-lane CPU accelerator to check the sm_90 instance's layout (everything but the wgmma instructions).
    /// </summary>
    public readonly struct EmulatedWarpgroupTarget : ITensorCoreTarget
    {
        public bool Cuda => false;
        public bool Warpgroup => true;
    }
}
