using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// Every spec's portable kernels must compile for CUDA from a plain context (no EnableAlgorithms:
    /// KernelMath exists for this), which ILGPU's PTX backend does on a machine without a GPU.
    /// </summary>
    public class PtxCompilationTests
    {
        public static IEnumerable<object[]> Specs() =>
            typeof(PtxCompilationTests).Assembly.GetTypes()
                .Where(t => t.GetCustomAttribute<AttentionKernelAttribute>() is not null)
                .OrderBy(t => t.FullName)
                .Select(t => new object[] { t.FullName! });

        [Theory]
        [MemberData(nameof(Specs))]
        public void PortableKernelsCompileToPtx(string specName)
        {
            var spec = typeof(PtxCompilationTests).Assembly.GetType(specName)!;
            using var context = Context.Create(builder => builder.Cuda());
            var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90),
                CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null);
            var kernels = spec.GetNestedType("AttnDslKernels", BindingFlags.Public)!;

            var row = EntryPointDescription.FromImplicitlyGroupedKernel(kernels.GetMethod("RowKernel")!);
            var rowPtx = ((PTXCompiledKernel)backend.Compile(row, new KernelSpecialization())).PTXAssembly;
            Assert.Contains(".entry", rowPtx);
            Assert.DoesNotContain("bar.sync", rowPtx); // the row-streaming shape is barrier-free

            var tiled = EntryPointDescription.FromExplicitlyGroupedKernel(kernels.GetMethod("TiledKernel")!);
            var tiledPtx = ((PTXCompiledKernel)backend.Compile(tiled, new KernelSpecialization())).PTXAssembly;
            Assert.Contains(".shared", tiledPtx);
            Assert.Contains("bar.sync", tiledPtx);
        }
    }
}
