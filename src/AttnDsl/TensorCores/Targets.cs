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
        /// <summary>True for the CUDA instance.</summary>
        bool Cuda { get; }
    }

    /// <summary>CUDA devices of compute capability 8.0 and newer: mma.sync, ldmatrix, cp.async.</summary>
    public readonly struct CudaTarget : ITensorCoreTarget
    {
        public bool Cuda => true;
    }

    /// <summary>Any accelerator with 32-lane warps (ILGPU's CPU accelerator of kind Nvidia): warp-shuffle emulation.</summary>
    public readonly struct EmulatedTarget : ITensorCoreTarget
    {
        public bool Cuda => false;
    }
}
