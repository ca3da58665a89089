using System;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace AttnDsl.Runtime
{
    /// <summary>Host side of the tensor-core path: where it can run, device addresses, and the shared-memory opt-in.</summary>
    public static class TensorCoreSupport
    {
        /// <summary>
        /// Dynamic shared memory a group may opt into on a CUDA device of this compute capability
        /// (CUDA's per-block opt-in maximum); 0 before sm_80, which lacks cp.async and bf16 mma.
        /// </summary>
        public static int SharedMemoryLimit(Accelerator accelerator)
        {
            if (accelerator is CudaAccelerator cuda)
            {
                int major = cuda.Architecture.Major, minor = cuda.Architecture.Minor;
                if (major < 8)
                    return 0;
                if (major == 8)
                    return minor == 0 || minor == 7 ? 163 * 1024 : 99 * 1024;
                return major == 9 ? 227 * 1024 : 99 * 1024; // sm_10x/12x: the smallest current opt-in, conservative
            }
            return accelerator.AcceleratorType == AcceleratorType.CPU && accelerator.WarpSize == 32
                ? accelerator.MaxSharedMemoryPerGroup
                : 0;
        }

        /// <summary>The device address of element 0 of <paramref name="view"/> on CUDA (cp.async reads from it); 0 elsewhere.</summary>
        public static long Address<T>(Accelerator accelerator, ArrayView<T> view)
            where T : unmanaged =>
            accelerator.AcceleratorType == AcceleratorType.Cuda && view.IsValid ? view.LoadEffectiveAddressAsPtr().ToInt64() : 0L;

        /// <summary>Whether the view starts on a 16-byte boundary of its buffer (cp.async copies 16 aligned bytes).</summary>
        public static bool IsAligned<T>(ArrayView<T> view)
            where T : unmanaged =>
            !view.IsValid || ((IContiguousArrayView)view).IndexInBytes % 16 == 0;

        /// <summary>
        /// Lets <paramref name="kernel"/> (a CUDA launcher) use <paramref name="bytes"/> of dynamic shared memory:
        /// above 48 KB CUDA requires the opt-in, which ILGPU has no API for.
        /// </summary>
        public static void OptIn(Delegate kernel, int bytes)
        {
            if (bytes <= 48 * 1024 || !KernelUtil.TryGetKernel(kernel, out var compiled) || compiled is not CudaKernel cuda)
                return;
            var setAttribute = CudaDriver.FuncSetAttribute;
            if (setAttribute == IntPtr.Zero)
                throw new NotSupportedException("The CUDA driver library could not be loaded to opt the tensor-core kernel into more than 48 KB of shared memory.");
            int status;
            unsafe
            {
                status = ((delegate* unmanaged<IntPtr, int, int, int>)setAttribute)(cuda.FunctionPtr, CudaDriver.MaxDynamicSharedSizeBytes, bytes);
            }
            if (status != 0)
                throw new NotSupportedException($"cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES, {bytes}) failed with CUDA error {status}.");
        }

        private static class CudaDriver
        {
            public const int MaxDynamicSharedSizeBytes = 8; // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES

            public static readonly IntPtr FuncSetAttribute = Load();

            private static IntPtr Load()
            {
                foreach (var name in new[] { "libcuda.so.1", "libcuda.so", "nvcuda.dll" })
                {
                    if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "cuFuncSetAttribute", out var function))
                        return function;
                }
                return IntPtr.Zero;
            }
        }
    }
}
