using System;
using System.Diagnostics;
using System.IO;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using AttnDsl.Runtime;
using Group = ILGPU.Group;

namespace AttnDsl.GpuBench
{
    /// <summary>
    /// <c>--wgmma-probe</c>: whether Hopper's warpgroup MMA (<c>wgmma.mma_async</c>) works through ILGPU, and how fast.
    /// ILGPU writes <c>.target sm_80</c>-class PTX; wgmma needs <c>sm_90a</c>. The probe compiles its kernels with
    /// the accelerator's PTX backend, rewrites the target line, and loads the result as a
    /// <see cref="PTXCompiledKernel"/>. It checks one attention tile (S = Q K^T from shared-memory descriptors in the
    /// 128-byte swizzle layout, P = f16(S) from registers, O = P V with V N-major) against the CPU, then times two
    /// loops on every SM: the attention tile without its softmax, and a plain GEMM step (the wgmma ceiling).
    /// </summary>
    public static partial class WgmmaProbe
    {
        private const int Dim = 128;          // head dimension of the probe tile
        private const int Keys = 64;          // keys per block

        public struct ProbeArgs
        {
            public ArrayView<uint> Q, K, V;   // row-major 16-bit pairs
            public ArrayView<float> S, O;
            public ArrayView<int> Info;
            public int Iterations;
        }

        public static int Run(Accelerator device, string? dumpDir)
        {
            if (device is not CudaAccelerator cuda || cuda.Architecture.Major != 9)
            {
                if (dumpDir is null)
                {
                    Console.Error.WriteLine("wgmma probe: needs an sm_90 CUDA device (without one, --dump-ptx <dir> writes its PTX).");
                    return 2;
                }
                using var context = Context.Create(builder => builder.Cuda());
                var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null);
                foreach (var (name, kernel) in new (string, Action<ProbeArgs>)[] { ("correctness", CorrectnessKernel), ("attention-loop", AttentionLoopKernel), ("gemm-loop", GemmLoopKernel) })
                    Dump(dumpDir, name, TensorCoreSupport.RetargetSm90a(Compile(backend, kernel).PTXAssembly));
                return 0;
            }
            var correctness = Load(cuda, CorrectnessKernel, 49152 + 1024, dumpDir, "correctness");
            var attention = Load(cuda, AttentionLoopKernel, 65536 + 1024, dumpDir, "attention-loop");
            var gemm = Load(cuda, GemmLoopKernel, 65536 + 1024, dumpDir, "gemm-loop");

            // Correctness: one warpgroup, 64 query rows, 64 keys, 128 dims.
            var random = new Random(20261124);
            ushort[] q = RandomHalves(random, 64 * Dim), k = RandomHalves(random, Keys * Dim), v = RandomHalves(random, Keys * Dim);
            using var qBuffer = device.Allocate1D(Pack(q));
            using var kBuffer = device.Allocate1D(Pack(k));
            using var vBuffer = device.Allocate1D(Pack(v));
            using var sBuffer = device.Allocate1D<float>(64 * Keys);
            using var oBuffer = device.Allocate1D<float>(64 * Dim);
            using var info = device.Allocate1D<int>(4);
            var args = new ProbeArgs { Q = qBuffer.View, K = kBuffer.View, V = vBuffer.View, S = sBuffer.View, O = oBuffer.View, Info = info.View, Iterations = 1 };
            correctness(new KernelConfig(1, 128, SharedMemoryConfig.RequestDynamic<byte>(49152 + 1024)), args);
            device.Synchronize();
            float[] s = sBuffer.GetAsArray1D(), o = oBuffer.GetAsArray1D();
            int[] facts = info.GetAsArray1D();
            var (sError, oError) = Compare(q, k, v, s, o);
            bool pass = sError < 1e-3 && oError < 2e-2;
            Console.WriteLine($"wgmma probe: dynamic shared memory starts at {facts[0]} mod 1024");
            Console.WriteLine($"wgmma probe: S = Q K^T max relative error {sError:E2}, O = P V {oError:E2}: {(pass ? "PASS" : "FAIL")}");

            // Throughput: two warpgroups per group, two groups per SM, every SM.
            int groups = 2 * cuda.NumMultiprocessors;
            using var qBig = device.Allocate1D<uint>(128 * Dim / 2);
            qBig.MemSetToZero();
            var loop = args with { Q = qBig.View, Iterations = 4000 };
            var config = new KernelConfig(groups, 256, SharedMemoryConfig.RequestDynamic<byte>(65536 + 1024));
            double flopsPerIteration = 2.0 * 2 * 64 * Keys * Dim; // per warpgroup: S and P V
            foreach (var (name, kernel) in new[] { ("attention tile without softmax (m64n64k16 SS + m64n128k16 RS)", attention), ("GEMM step (m64n128k16 SS)", gemm) })
            {
                kernel(config, loop);
                device.Synchronize();
                var watch = Stopwatch.StartNew();
                const int reps = 5;
                for (int r = 0; r < reps; r++)
                    kernel(config, loop);
                device.Synchronize();
                double seconds = watch.Elapsed.TotalSeconds / reps;
                double tflops = groups * 2 * loop.Iterations * flopsPerIteration / seconds / 1e12;
                Console.WriteLine($"wgmma probe: {name}: {tflops:F1} TFLOP/s ({seconds * 1e3:F3} ms, {groups} groups x 2 warpgroups x {loop.Iterations} iterations)");
            }
            return pass ? 0 : 1;
        }

        /// <summary>Loads <paramref name="kernel"/> as the dispatcher loads the sm_90 attention kernels (PTX retargeted to sm_90a).</summary>
        private static Action<KernelConfig, ProbeArgs> Load(CudaAccelerator accelerator, Action<ProbeArgs> kernel, int sharedBytes, string? dumpDir, string name)
        {
            var watch = Stopwatch.StartNew();
            if (dumpDir is not null)
                Dump(dumpDir, name, TensorCoreSupport.RetargetSm90a(Compile(accelerator.Backend, kernel).PTXAssembly));
            var launch = TensorCoreSupport.LoadForSm90a(accelerator, kernel, sharedBytes);
            Console.WriteLine($"wgmma probe: {name} compiled and loaded in {watch.Elapsed.TotalSeconds:F2} s");
            return launch;
        }

        private static PTXCompiledKernel Compile(ILGPU.Backends.Backend backend, Action<ProbeArgs> kernel) =>
            (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method), KernelSpecialization.Empty);

        private static void Dump(string directory, string name, string ptx)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, $"wgmma-{name}.ptx"), ptx);
        }

        private static void CorrectnessKernel(ProbeArgs a)
        {
            var shared = SharedMemory.GetDynamic<uint>();
            int tid = Group.IdxX;
            CudaAsm.Emit(Declarations);
            int pad = AlignmentPad(a.Info);
            // Q, K and V: 64 rows x 128 columns each, as two 64-column panels of 8 KB.
            for (int i = tid; i < 3 * 64 * 16; i += 128)
            {
                int tile = i / 1024, row = i % 1024 / 16, chunk = i % 16;
                var source = tile == 0 ? a.Q : tile == 1 ? a.K : a.V;
                Stage(shared, source, pad + tile * 16384, 8192, row, chunk);
            }
            CudaAsm.Emit("fence.proxy.async.shared::cta;");
            Group.Barrier();
            CudaAsm.Emit(Descriptors, pad, 0, 16384, 32768);
            CudaAsm.Emit(ScoresSmall);
            CudaAsm.Emit(PackP);
            CudaAsm.Emit(ZeroO);
            CudaAsm.Emit(Values);
            int warp = tid / 32, lane = tid % 32;
            WriteScores(a.S, 16 * warp + lane / 4, 2 * (lane % 4));
            WriteOutput(a.O, 16 * warp + lane / 4, 2 * (lane % 4));
        }

        private static void AttentionLoopKernel(ProbeArgs a)
        {
            var shared = SharedMemory.GetDynamic<uint>();
            int tid = Group.IdxX;
            CudaAsm.Emit(Declarations);
            int pad = AlignmentPad(a.Info);
            // Q: 128 rows in two 16 KB panels; K and V: 64 rows in two 8 KB panels each.
            for (int i = tid; i < 128 * 16; i += 256)
                Stage(shared, a.Q, pad, 16384, i / 16, i % 16);
            for (int i = tid; i < 2 * 64 * 16; i += 256)
                Stage(shared, i < 1024 ? a.K : a.V, pad + 32768 + i / 1024 * 16384, 8192, i % 1024 / 16, i % 16);
            CudaAsm.Emit("fence.proxy.async.shared::cta;");
            Group.Barrier();
            int warpgroup = tid / 128;
            CudaAsm.Emit(Descriptors, pad, 8192 * warpgroup, 32768, 49152);
            CudaAsm.Emit(ZeroO);
            for (int it = 0; it < a.Iterations; it++)
            {
                CudaAsm.Emit(ScoresWide);
                CudaAsm.Emit(PackP);
                CudaAsm.Emit(Values);
            }
            if (Grid.IdxX == 0 && warpgroup == 0)
                WriteOutput(a.O, 16 * (tid / 32) + tid % 32 / 4, 2 * (tid % 4));
        }

        private static void GemmLoopKernel(ProbeArgs a)
        {
            var shared = SharedMemory.GetDynamic<uint>();
            int tid = Group.IdxX;
            CudaAsm.Emit(Declarations);
            int pad = AlignmentPad(a.Info);
            for (int i = tid; i < 2 * 128 * 16; i += 256)
                Stage(shared, a.Q, pad + i / 2048 * 32768, 16384, i % 2048 / 16, i % 16);
            CudaAsm.Emit("fence.proxy.async.shared::cta;");
            Group.Barrier();
            int warpgroup = tid / 128;
            CudaAsm.Emit(Descriptors, pad, 8192 * warpgroup, 32768, 49152);
            CudaAsm.Emit(ZeroO);
            for (int it = 0; it < a.Iterations; it++)
                CudaAsm.Emit(GemmStep);
            if (Grid.IdxX == 0 && warpgroup == 0)
                WriteOutput(a.O, 16 * (tid / 32) + tid % 32 / 4, 2 * (tid % 4));
        }

        /// <summary>Bytes from the dynamic shared window's start to the next 1024-byte boundary (the swizzle atom).</summary>
        private static int AlignmentPad(ArrayView<int> info)
        {
            CudaAsm.Emit("{ .reg .u32 sa; mov.u32 sa, __dyn_shared_alloca; and.b32 %0, sa, 1023; }", out uint low);
            if (Grid.IdxX == 0 && Group.IdxX == 0)
                info[0] = (int)low;
            return (int)((1024 - low) & 1023);
        }

        /// <summary>
        /// Copies 16 bytes (8 columns) of a 128-column row-major tile into the 128-byte swizzle layout the attention kernels
        /// use (<see cref="AttnDsl.TensorCores.TileLayout"/>): 64-column panels of <paramref name="panelBytes"/>.
        /// </summary>
        private static void Stage(ArrayView<uint> shared, ArrayView<uint> source, int tileOffset, int panelBytes, int row, int chunk)
        {
            int word = new AttnDsl.TensorCores.TileLayout(tileOffset / 4, 0, panelBytes / 4, swizzled: true).Part(row, chunk);
            int from = row * (Dim / 2) + chunk * 4;
            for (int w = 0; w < 4; w++)
                shared[word + w] = source[from + w];
        }

        private static ushort[] RandomHalves(Random random, int count)
        {
            var values = new ushort[count];
            for (int i = 0; i < count; i++)
                values[i] = BitConverter.HalfToUInt16Bits((System.Half)(random.NextDouble() * 2 - 1));
            return values;
        }

        private static uint[] Pack(ushort[] halves)
        {
            var words = new uint[halves.Length / 2];
            for (int i = 0; i < words.Length; i++)
                words[i] = halves[2 * i] | (uint)halves[2 * i + 1] << 16;
            return words;
        }

        private static float H(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

        /// <summary>Largest error relative to the largest magnitude, of S = Q K^T and of O = f16(S) V.</summary>
        private static (double S, double O) Compare(ushort[] q, ushort[] k, ushort[] v, float[] s, float[] o)
        {
            double sErr = 0, sMax = 0, oErr = 0, oMax = 0;
            var p = new float[64 * Keys];
            for (int i = 0; i < 64; i++)
                for (int j = 0; j < Keys; j++)
                {
                    double sum = 0;
                    for (int d = 0; d < Dim; d++)
                        sum += H(q[i * Dim + d]) * H(k[j * Dim + d]);
                    sErr = Math.Max(sErr, Math.Abs(sum - s[i * Keys + j]));
                    sMax = Math.Max(sMax, Math.Abs(sum));
                    p[i * Keys + j] = (float)(System.Half)(float)sum;
                }
            for (int i = 0; i < 64; i++)
                for (int d = 0; d < Dim; d++)
                {
                    double sum = 0;
                    for (int j = 0; j < Keys; j++)
                        sum += p[i * Keys + j] * H(v[j * Dim + d]);
                    oErr = Math.Max(oErr, Math.Abs(sum - o[i * Dim + d]));
                    oMax = Math.Max(oMax, Math.Abs(sum));
                }
            return (sErr / Math.Max(sMax, 1e-30), oErr / Math.Max(oMax, 1e-30));
        }
    }
}
