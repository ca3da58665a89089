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
        }

        public Context Context { get; }

        public Accelerator Accelerator { get; }

        public void Dispose()
        {
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
