using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using AttnDsl.Rules;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Xunit;
using Xunit.Abstractions;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// Every spec's kernels must compile for CUDA from a plain context (no EnableAlgorithms: KernelMath
    /// exists for this), which ILGPU's PTX backend does on a machine without a GPU. The tensor-core kernel
    /// of every 16-bit spec, the gallery's included, must hold exactly its unrolled mma.sync count, and
    /// none of the emulation; its local-memory traffic before ptxas is reported.
    /// </summary>
    public class PtxCompilationTests
    {
        private readonly ITestOutputHelper _output;

        public PtxCompilationTests(ITestOutputHelper output) => _output = output;

        private static readonly Assembly[] SpecAssemblies = { typeof(PtxCompilationTests).Assembly, typeof(AttnDsl.Gallery.Program).Assembly };

        private static IEnumerable<Type> SpecTypes() =>
            SpecAssemblies.SelectMany(a => a.GetTypes())
                .Where(t => t.GetCustomAttribute<AttentionKernelAttribute>() is not null)
                .OrderBy(t => t.FullName, StringComparer.Ordinal);

        public static IEnumerable<object[]> Specs() => SpecTypes().Select(t => new object[] { t.FullName! });

        public static IEnumerable<object[]> TensorCoreSpecs() =>
            SpecTypes().Where(t => t.GetCustomAttribute<AttentionKernelAttribute>()!.Element != ElementType.Float32)
                .Select(t => new object[] { t.FullName! });

        private static Type Find(string name) => SpecAssemblies.Select(a => a.GetType(name)).First(t => t is not null)!;

        private static string Compile(Context context, Type spec, string kernel, bool grouped) =>
            Compile(context, spec, kernel, grouped, typeof(AttnDsl.TensorCores.CudaTarget)); // the instance the dispatcher loads on sm_80

        private static string Compile(Context context, Type spec, string kernel, bool grouped, Type target)
        {
            var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90),
                CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null);
            var method = spec.GetNestedType("AttnDslKernels", BindingFlags.Public)!.GetMethod(kernel)!;
            if (method.IsGenericMethodDefinition)
                method = method.MakeGenericMethod(target);
            var entry = grouped ? EntryPointDescription.FromExplicitlyGroupedKernel(method) : EntryPointDescription.FromImplicitlyGroupedKernel(method);
            return ((PTXCompiledKernel)backend.Compile(entry, new KernelSpecialization())).PTXAssembly;
        }

        private static int Count(string ptx, string instruction) => Regex.Matches(ptx, Regex.Escape(instruction)).Count;

        [Theory]
        [MemberData(nameof(Specs))]
        public void PortableKernelsCompileToPtx(string specName)
        {
            var spec = Find(specName);
            using var context = Context.Create(builder => builder.Cuda());

            var rowPtx = Compile(context, spec, "RowKernel", grouped: false);
            Assert.Contains(".entry", rowPtx);
            Assert.DoesNotContain("bar.sync", rowPtx); // the row-streaming shape is barrier-free

            var tiledPtx = Compile(context, spec, "TiledKernel", grouped: true);
            Assert.Contains(".shared", tiledPtx);
            Assert.Contains("bar.sync", tiledPtx);
        }

        [Theory]
        [MemberData(nameof(TensorCoreSpecs))]
        public void TensorCoreKernelCompilesToMmaSync(string specName)
        {
            var spec = Find(specName);
            var info = (AttentionSpecInfo)spec.GetProperty("Info")!.GetValue(null)!;
            using var context = Context.Create(builder => builder.Cuda());
            string ptx = Compile(context, spec, "TensorCoreKernel", grouped: true);

            var (_, slices) = ResourceEstimates.TensorCoreWarps(info.BlockM, info.BlockN, info.HeadDimV);
            // QK^T: one mma per (slice, key tile, k-step of 16 dims, or 32 for [Quantize]'s int8); P.V: one per (slice, value tile, 16 keys).
            bool int8 = info.Quantize is not null;
            int scoreMmas = slices * (info.BlockN / 8) * (info.HeadDim / (int8 ? 32 : 16));
            int valueMmas = slices * (info.HeadDimV / 8) * (info.BlockN / 16);
            string type = info.Element == ElementType.BFloat16 ? "bf16" : "f16";
            int mma16 = Count(ptx, $"mma.sync.aligned.m16n8k16.row.col.f32.{type}.{type}.f32");
            int mma8 = Count(ptx, "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32");
            int ldmatrix = Count(ptx, "ldmatrix.sync");
            int copies = Count(ptx, "cp.async.cg");
            int loadLocal = Count(ptx, "ld.local"), storeLocal = Count(ptx, "st.local");
            _output.WriteLine($"{info.Name}: {mma16} 16-bit mma.sync, {mma8} int8 mma.sync, {ldmatrix} ldmatrix, {copies} cp.async, ld.local {loadLocal}, st.local {storeLocal}, {ptx.Length} characters of PTX");

            Assert.Equal(int8 ? valueMmas : scoreMmas + valueMmas, mma16);
            Assert.Equal(int8 ? scoreMmas : 0, mma8);
            // Fragments stay in the kernel's own PTX registers: every mma reads and writes attn_* registers.
            Assert.Equal(scoreMmas + valueMmas, Regex.Matches(ptx, @"mma\.sync[^;]*\{attn_[so]\d").Count);
            Assert.Contains("ldmatrix.sync.aligned.m8n8.x4.shared.b16", ptx);
            Assert.Contains("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16", ptx);
            Assert.Contains("cp.async.cg.shared.global", ptx);
            Assert.Contains(".extern .shared", ptx); // the dynamic shared memory the asm names
            Assert.DoesNotContain("shfl.sync.idx", ptx); // the MMA emulation is not in the CUDA instance
        }

        public static IEnumerable<object[]> WarpgroupSpecs() =>
            SpecTypes().Where(t => ((AttentionSpecInfo)t.GetProperty("Info")!.GetValue(null)!).HasWarpgroupKernel)
                .Select(t => new object[] { t.FullName! });

        /// <summary>
        /// The sm_90 instance of every spec that has one: exactly its unrolled wgmma count (QK^T per slice and k-step, P.V per
        /// slice and 16 keys) on the kernel's own registers, no mma.sync or ldmatrix, the copies fenced for the async proxy,
        /// and the PTX retargeted to sm_90a as the dispatcher loads it.
        /// </summary>
        [Theory]
        [MemberData(nameof(WarpgroupSpecs))]
        public void WarpgroupKernelCompilesToWgmma(string specName)
        {
            var spec = Find(specName);
            var info = (AttentionSpecInfo)spec.GetProperty("Info")!.GetValue(null)!;
            using var context = Context.Create(builder => builder.Cuda());
            string ptx = AttnDsl.Runtime.TensorCoreSupport.RetargetSm90a(
                Compile(context, spec, "TensorCoreKernel", grouped: true, typeof(AttnDsl.TensorCores.WarpgroupTarget)));

            var (_, slices) = ResourceEstimates.TensorCoreWarps(info.BlockM, info.BlockN, info.HeadDimV);
            bool int8 = info.Quantize is not null;
            string type = info.Element == ElementType.BFloat16 ? "bf16" : "f16";
            int scores = Count(ptx, int8 ? $"wgmma.mma_async.sync.aligned.m64n{info.BlockN}k32.s32.s8.s8 {{attn_s" : $"wgmma.mma_async.sync.aligned.m64n{info.BlockN}k16.f32.{type}.{type} {{attn_s");
            int values = Count(ptx, $"wgmma.mma_async.sync.aligned.m64n{info.HeadDimV}k16.f32.{type}.{type} {{attn_o");
            int loadLocal = Count(ptx, "ld.local"), storeLocal = Count(ptx, "st.local");
            _output.WriteLine($"{info.Name}: {scores} + {values} wgmma, ld.local {loadLocal}, st.local {storeLocal}, {ptx.Length} characters of PTX");

            Assert.Equal(slices * info.HeadDim / (int8 ? 32 : 16), scores);
            Assert.Equal(slices * info.BlockN / 16, values);
            Assert.Equal(2, Count(ptx, "wgmma.commit_group.sync.aligned")); // one per product per block: S, then P.V
            Assert.Contains("fence.proxy.async.shared::cta", ptx);
            Assert.DoesNotContain("mma.sync", ptx);
            Assert.DoesNotContain("ldmatrix", ptx);
            Assert.DoesNotContain("shfl.sync.idx", ptx);
            Assert.Matches(@"(?m)^\.target sm_90a$", ptx);
            Assert.Matches(@"(?m)^\.version (8|9)\.\d+$", ptx);
        }
    }
}
