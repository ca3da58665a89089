using System;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Xunit;

namespace AttnDsl.Kernels.Tests.Harness
{
    /// <summary>
    /// One ILGPU context and its CPU accelerator (what <see cref="Context.CreateDefault"/> gives on a
    /// machine without a GPU), shared by every class of the <see cref="AcceleratorCollection"/>:
    /// created once, so each spec's kernels are compiled once for the whole run, and the classes
    /// that launch kernels run one after another (the CPU accelerator already uses every core).
    /// </summary>
    public sealed class AcceleratorFixture : IDisposable
    {
        public AcceleratorFixture()
        {
            Context = Context.CreateDefault();
            Accelerator = Context.CreateCPUAccelerator(0);
            _warpContext = new Lazy<Context>(() => Context.Create(builder => builder.CPU(CPUDeviceKind.Nvidia)));
            _warpAccelerator = new Lazy<Accelerator>(() => _warpContext.Value.CreateCPUAccelerator(0));
            _warpgroupAccelerator = new Lazy<Accelerator>(() =>
            {
                var accelerator = _warpContext.Value.CreateCPUAccelerator(0);
                AttnDsl.Runtime.TensorCoreSupport.EmulateWarpgroup(accelerator);
                return accelerator;
            });
        }

        private readonly Lazy<Accelerator> _warpgroupAccelerator;

        /// <summary>
        /// Another 32-lane CPU accelerator, on which the tensor-core path runs a spec's sm_90 warpgroup kernel where it has
        /// one: swizzled tiles and interleaved slices, with the emulated MMA in place of wgmma.
        /// </summary>
        public Accelerator WarpgroupAccelerator => _warpgroupAccelerator.Value;

        private readonly Lazy<Context> _warpContext;
        private readonly Lazy<Accelerator> _warpAccelerator;

        public Context Context { get; }

        public Accelerator Accelerator { get; }

        /// <summary>
        /// A CPU accelerator with 32-lane warps (<see cref="CPUDeviceKind.Nvidia"/>): the tensor-core kernels'
        /// fragment layout needs whole warps, and their MMAs run here through the warp-shuffle emulation.
        /// </summary>
        public Accelerator WarpAccelerator => _warpAccelerator.Value;

        public void Dispose()
        {
            if (_warpgroupAccelerator.IsValueCreated)
                _warpgroupAccelerator.Value.Dispose();
            if (_warpAccelerator.IsValueCreated)
                _warpAccelerator.Value.Dispose();
            if (_warpContext.IsValueCreated)
                _warpContext.Value.Dispose();
            Accelerator.Dispose();
            Context.Dispose();
        }
    }

    [CollectionDefinition(Name)]
    public sealed class AcceleratorCollection : ICollectionFixture<AcceleratorFixture>
    {
        public const string Name = "CPU accelerator";
    }
}
