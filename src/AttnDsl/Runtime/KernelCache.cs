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
        private readonly ConditionalWeakTable<Accelerator, Entry> _entries = new();

        public KernelCache(Action<Index1D, TArgs> rowKernel, Action<TArgs> tiledKernel)
        {
            _rowKernel = rowKernel ?? throw new ArgumentNullException(nameof(rowKernel));
            _tiledKernel = tiledKernel ?? throw new ArgumentNullException(nameof(tiledKernel));
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

        private sealed class Entry
        {
            public Action<Index1D, TArgs>? Row;
            public Action<KernelConfig, TArgs>? Tiled;
        }
    }
}
