using System;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
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
            if (KernelUtil.TryGetKernel(kernel, out var compiled))
                OptIn(compiled, bytes);
        }

        /// <summary>Lets a loaded CUDA <paramref name="kernel"/> use <paramref name="bytes"/> of dynamic shared memory (no-op elsewhere).</summary>
        public static void OptIn(Kernel kernel, int bytes)
        {
            if (bytes <= 48 * 1024 || kernel is not CudaKernel cuda)
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

        private static readonly ConditionalWeakTable<Accelerator, object> s_emulatedWarpgroup = new();
        private static readonly ConditionalWeakTable<Accelerator, object> s_noWarpgroup = new();

        /// <summary>
        /// Whether the tensor-core path of <paramref name="accelerator"/> runs a spec's warpgroup kernel (where the spec has
        /// one): on CUDA sm_90 unless <see cref="DisableWarpgroup"/> was called for it; on a CPU accelerator only after
        /// <see cref="EmulateWarpgroup"/>, which checks the sm_90 kernel's layout through the MMA emulation.
        /// </summary>
        public static bool UsesWarpgroup(Accelerator accelerator) =>
            accelerator is CudaAccelerator cuda
                ? cuda.Architecture.Major == 9 && cuda.Architecture.Minor == 0 && !s_noWarpgroup.TryGetValue(accelerator, out _)
                : s_emulatedWarpgroup.TryGetValue(accelerator, out _);

        /// <summary>Runs the warpgroup kernels' layout through the MMA emulation on this 32-lane CPU accelerator.</summary>
        public static void EmulateWarpgroup(Accelerator accelerator) => s_emulatedWarpgroup.AddOrUpdate(accelerator, accelerator);

        /// <summary>Keeps this CUDA accelerator on the mma.sync kernels (for comparisons); call before the first Run.</summary>
        public static void DisableWarpgroup(Accelerator accelerator) => s_noWarpgroup.AddOrUpdate(accelerator, accelerator);

        /// <summary>
        /// Loads the CUDA instance of an explicitly grouped kernel with its PTX retargeted to <c>sm_90a</c>: ILGPU 1.5.3
        /// writes an sm_80-class <c>.target</c>, and <c>wgmma.mma_async</c> exists only for sm_90a (PTX ISA 8.0 and later).
        /// </summary>
        public static Action<KernelConfig, TArgs> LoadForSm90a<TArgs>(CudaAccelerator accelerator, Action<TArgs> kernel, int sharedBytes)
            where TArgs : struct
        {
            var entry = EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method);
            var compiled = (PTXCompiledKernel)accelerator.Backend.Compile(entry, KernelSpecialization.Empty);
            var loaded = accelerator.LoadKernel(WithAssembly(compiled, RetargetSm90a(compiled.PTXAssembly)));
            OptIn(loaded, sharedBytes);
            var launch = loaded.CreateLauncherDelegate<Action<AcceleratorStream, KernelConfig, TArgs>>();
            return (config, arguments) => launch(accelerator.DefaultStream, config, arguments);
        }

        /// <summary>The PTX with <c>.target sm_90a</c> and at least <c>.version 8.0</c>.</summary>
        public static string RetargetSm90a(string ptx)
        {
            ptx = Regex.Replace(ptx, @"^\.target\s+sm_\w+", ".target sm_90a", RegexOptions.Multiline);
            var version = Regex.Match(ptx, @"^\.version\s+(\d+)\.(\d+)", RegexOptions.Multiline);
            if (version.Success && int.Parse(version.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) < 8)
                ptx = ptx.Remove(version.Index, version.Length).Insert(version.Index, ".version 8.0");
            return ptx;
        }

        /// <summary>
        /// The same compiled kernel with other PTX text. ILGPU 1.5.3 keeps this constructor and the entry point internal;
        /// they are reached by reflection (the ILGPU version is pinned), and their absence is reported, not guessed around.
        /// </summary>
        private static PTXCompiledKernel WithAssembly(PTXCompiledKernel compiled, string ptx)
        {
            const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
            var entryPoint = typeof(CompiledKernel).GetProperty("EntryPoint", Instance)?.GetValue(compiled)
                ?? throw new NotSupportedException("ILGPU's CompiledKernel.EntryPoint was not found; the sm_90a kernels need ILGPU 1.5.3.");
            var constructor = typeof(PTXCompiledKernel).GetConstructors(Instance)
                .FirstOrDefault(c => c.GetParameters().Length == 4 && c.GetParameters()[3].ParameterType == typeof(string))
                ?? throw new NotSupportedException("ILGPU's PTXCompiledKernel(Context, EntryPoint, KernelInfo, string) was not found; the sm_90a kernels need ILGPU 1.5.3.");
            return (PTXCompiledKernel)constructor.Invoke(new object?[] { compiled.Context, entryPoint, compiled.Info, ptx });
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
