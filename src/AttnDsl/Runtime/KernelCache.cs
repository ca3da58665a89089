using System;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace AttnDsl.Runtime
{
    /// <summary>
    /// Compiled kernels of one spec, per accelerator: the first call on an accelerator pays the
    /// ILGPU compile of the kernel shape it uses, later calls reuse it. Entries die with the accelerator.
    /// </summary>
    /// <typeparam name="TArgs">The spec's generated kernel argument struct.</typeparam>
    public sealed class KernelCache<TArgs>
        where TArgs : struct
    {
        private readonly Action<Index1D, TArgs> _rowKernel;
        private readonly Action<TArgs> _tiledKernel;
        private readonly Action<TArgs>? _tensorCoreKernel;
        private readonly Action<TArgs>? _emulatedTensorCoreKernel;
        private readonly Action<TArgs>? _warpgroupKernel;
        private readonly Action<TArgs>? _emulatedWarpgroupKernel;
        private readonly int _tensorCoreSharedBytes;
        private readonly ConditionalWeakTable<Accelerator, Entry> _entries = new();

        public KernelCache(Action<Index1D, TArgs> rowKernel, Action<TArgs> tiledKernel)
            : this(rowKernel, tiledKernel, null, null, 0)
        {
        }

        /// <param name="rowKernel">The row-streaming kernel.</param>
        /// <param name="tiledKernel">The portable tiled kernel.</param>
        /// <param name="tensorCoreKernel">The tensor-core kernel's CUDA instance (16-bit specs), or null.</param>
        /// <param name="emulatedTensorCoreKernel">The same kernel's emulated instance, for 32-lane CPU accelerators.</param>
        /// <param name="tensorCoreSharedBytes">Its dynamic shared memory per group, opted into on CUDA once per accelerator.</param>
        public KernelCache(Action<Index1D, TArgs> rowKernel, Action<TArgs> tiledKernel, Action<TArgs>? tensorCoreKernel, Action<TArgs>? emulatedTensorCoreKernel, int tensorCoreSharedBytes)
            : this(rowKernel, tiledKernel, tensorCoreKernel, emulatedTensorCoreKernel, null, null, tensorCoreSharedBytes)
        {
        }

        /// <param name="rowKernel">The row-streaming kernel.</param>
        /// <param name="tiledKernel">The portable tiled kernel.</param>
        /// <param name="tensorCoreKernel">The tensor-core kernel's CUDA instance (16-bit specs), or null.</param>
        /// <param name="emulatedTensorCoreKernel">The same kernel's emulated instance, for 32-lane CPU accelerators.</param>
        /// <param name="warpgroupKernel">Its sm_90 instance (wgmma on swizzled tiles), or null where the spec's tiles cannot take it.</param>
        /// <param name="emulatedWarpgroupKernel">The sm_90 instance's layout with the MMA emulation, for CPU checks.</param>
        /// <param name="tensorCoreSharedBytes">Dynamic shared memory per group of every tensor-core instance, opted into on CUDA.</param>
        public KernelCache(Action<Index1D, TArgs> rowKernel, Action<TArgs> tiledKernel, Action<TArgs>? tensorCoreKernel, Action<TArgs>? emulatedTensorCoreKernel,
            Action<TArgs>? warpgroupKernel, Action<TArgs>? emulatedWarpgroupKernel, int tensorCoreSharedBytes)
        {
            _warpgroupKernel = warpgroupKernel;
            _emulatedWarpgroupKernel = emulatedWarpgroupKernel;
            _rowKernel = rowKernel ?? throw new ArgumentNullException(nameof(rowKernel));
            _tiledKernel = tiledKernel ?? throw new ArgumentNullException(nameof(tiledKernel));
            _tensorCoreKernel = tensorCoreKernel;
            _emulatedTensorCoreKernel = emulatedTensorCoreKernel;
            _tensorCoreSharedBytes = tensorCoreSharedBytes;
        }

        /// <summary>The row-streaming kernel, compiled for <paramref name="accelerator"/> on first use.</summary>
        public Action<Index1D, TArgs> RowStreaming(Accelerator accelerator)
        {
            var entry = _entries.GetValue(accelerator, _ => new Entry());
            lock (entry)
                return entry.Row ??= accelerator.LoadAutoGroupedStreamKernel(_rowKernel);
        }

        /// <summary>The tiled kernel, compiled for <paramref name="accelerator"/> on first use.</summary>
        public Action<KernelConfig, TArgs> Tiled(Accelerator accelerator)
        {
            var entry = _entries.GetValue(accelerator, _ => new Entry());
            lock (entry)
                return entry.Tiled ??= accelerator.LoadStreamKernel(_tiledKernel);
        }

        /// <summary>The tensor-core kernel, compiled for <paramref name="accelerator"/> and opted into its shared memory on first use.</summary>
        /// <remarks>
        /// On CUDA sm_90 the spec's warpgroup instance (wgmma) is loaded where it has one, its PTX retargeted to sm_90a;
        /// elsewhere the mma.sync instance. <see cref="TensorCoreSupport.UsesWarpgroup"/> decides per accelerator.
        /// </remarks>
        public Action<KernelConfig, TArgs> TensorCore(Accelerator accelerator)
        {
            bool cuda = accelerator.AcceleratorType == AcceleratorType.Cuda;
            bool warpgroup = (cuda ? _warpgroupKernel : _emulatedWarpgroupKernel) is not null && TensorCoreSupport.UsesWarpgroup(accelerator);
            var source = warpgroup
                ? (cuda ? _warpgroupKernel : _emulatedWarpgroupKernel)
                : (cuda ? _tensorCoreKernel : _emulatedTensorCoreKernel);
            if (source is null)
                throw new NotSupportedException("This spec has no tensor-core kernel (Float32 elements).");
            var entry = _entries.GetValue(accelerator, _ => new Entry());
            lock (entry)
            {
                if (entry.TensorCore is null)
                {
                    if (warpgroup && accelerator is ILGPU.Runtime.Cuda.CudaAccelerator cudaAccelerator)
                    {
                        entry.TensorCore = TensorCoreSupport.LoadForSm90a(cudaAccelerator, source, _tensorCoreSharedBytes);
                    }
                    else
                    {
                        var kernel = accelerator.LoadStreamKernel(source);
                        TensorCoreSupport.OptIn(kernel, _tensorCoreSharedBytes);
                        entry.TensorCore = kernel;
                    }
                }
                return entry.TensorCore;
            }
        }

        /// <summary>
        /// Another kernel of the spec (block-mask builders, the [BlockSelect] estimator), loaded by
        /// <paramref name="load"/> for <paramref name="accelerator"/> on first use of <paramref name="name"/>.
        /// </summary>
        public TKernel Auxiliary<TKernel>(Accelerator accelerator, string name, Func<Accelerator, TKernel> load)
            where TKernel : class
        {
            var entry = _entries.GetValue(accelerator, _ => new Entry());
            lock (entry)
            {
                if (!entry.Others.TryGetValue(name, out var kernel))
                {
                    kernel = load(accelerator);
                    entry.Others.Add(name, kernel);
                }
                return (TKernel)kernel;
            }
        }

        private sealed class Entry
        {
            public readonly System.Collections.Generic.Dictionary<string, object> Others = new(StringComparer.Ordinal);
            public Action<KernelConfig, TArgs>? TensorCore;
            public Action<Index1D, TArgs>? Row;
            public Action<KernelConfig, TArgs>? Tiled;
        }
    }
}
