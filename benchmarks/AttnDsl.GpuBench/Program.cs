using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Half = ILGPU.Half;

namespace AttnDsl.GpuBench
{
    /// <summary>
    /// Times the AttnDsl specs of <see cref="Catalog"/> on a grid of shapes, on the first CUDA device (ILGPU's CPU
    /// accelerator when there is none, for trying the harness out), and writes one JSON line per row.
    /// benchmarks/gpu/run.sh runs it beside benchmarks/gpu/bench_torch.py; benchmarks/gpu/report.py merges both.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            Options options;
            try
            {
                options = Options.Parse(args);
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine(ex.Message);
                Console.Error.WriteLine(Options.Usage);
                return 2;
            }
            if (options.Help)
            {
                Console.WriteLine(Options.Usage);
                return 0;
            }
            if (options.DumpPtxDir is not null && !options.WgmmaProbe)
                return PtxDump.Write(options.DumpPtxDir, options.DumpOnly);
            if (options.List)
            {
                foreach (var spec in Catalog.All)
                    Console.WriteLine($"{spec.Mask,-18} {spec.Info.Describe()}");
                foreach (var shape in options.Grid())
                    Console.WriteLine(shape);
                return 0;
            }

            // Profiling() turns on timed events (CUDA events on CUDA) for AddProfilingMarker.
            Context context = Context.Create(b => b.Default().Profiling());
            Accelerator device;
            var cuda = context.GetCudaDevices();
            if (cuda.Count > 0)
            {
                device = cuda[0].CreateAccelerator(context);
            }
            else
            {
                Console.Error.WriteLine("warning: no CUDA device; running on ILGPU's CPU accelerator (for trying the harness, not for figures).");
                device = context.GetPreferredDevice(preferCPU: true).CreateAccelerator(context);
            }
            if (options.NoWgmma)
                AttnDsl.Runtime.TensorCoreSupport.DisableWarpgroup(device);
            using var json = new JsonLines(options.JsonPath);
            try
            {
                if (options.WgmmaProbe)
                    return WgmmaProbe.Run(device, options.DumpPtxDir);
                var bench = new Bench(device, options, json);
                return options.SparseDir is not null ? bench.RunSparse(options.SparseDir) : options.Quant ? bench.RunQuant() : bench.RunAll();
            }
            finally
            {
                device.Dispose();
                context.Dispose();
            }
        }
    }

    /// <summary>Runs the checks and the grid.</summary>
    public sealed partial class Bench
    {
        // As in the gallery: kernel and reference see the same Float16 inputs; the output is rounded to Float16
        // (2^-11 relative), the LSE stays FP32.
        public const double OutputToleranceOfMaxValue = 2e-3;
        public const double LogSumExpTolerance = 1e-3;

        private readonly Accelerator _device;
        private readonly Options _options;
        private readonly JsonLines _json;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Dictionary<string, double> _firstCallMs = new();
        private readonly Action<Index1D, ArrayView<Half>, uint> _fill;
        private bool _markers = true;

        public Bench(Accelerator device, Options options, JsonLines json)
        {
            _device = device;
            _options = options;
            _json = json;
            _fill = device.LoadAutoGroupedStreamKernel<Index1D, ArrayView<Half>, uint>(FillKernel);
        }

        /// <summary>Uniform(-1, 1) rounded to Float16 from a hash of the index: inputs made on the device, no host copy.</summary>
        private static void FillKernel(Index1D index, ArrayView<Half> data, uint seed)
        {
            uint x = (uint)index.X * 0x9E3779B9u ^ seed;
            x ^= x >> 16;
            x *= 0x7FEB352Du;
            x ^= x >> 15;
            x *= 0x846CA68Bu;
            x ^= x >> 16;
            float u = (x >> 8) * (1f / 16777216f) * 2f - 1f;
            data[index] = (Half)u;
        }

        public int RunAll()
        {
            var specs = Catalog.All.Concat(_options.Variants ? Catalog.Variants : Array.Empty<BenchSpec>())
                .Where(s => _options.Dims.Contains(s.HeadDim) && _options.MaskKinds.Contains(s.Mask)).ToList();
            var grid = _options.Grid();
            string timing = "ILGPU profiling markers (CUDA events) around each round";
            _json.Write(new Dictionary<string, object?>
            {
                ["type"] = "env",
                ["impl"] = "attndsl",
                ["device"] = _device.Name,
                ["accelerator_type"] = _device.AcceleratorType.ToString(),
                ["ilgpu"] = typeof(Context).Assembly.GetName().Version?.ToString(),
                ["dotnet"] = Environment.Version.ToString(),
                ["path_requested"] = _options.Path.ToString(),
                ["reps"] = _options.Reps,
                ["warmup"] = _options.Warmup,
                ["round_ms"] = _options.RoundMs,
                ["seed"] = _options.Seed,
                ["doc_min"] = _options.DocMin,
                ["doc_max"] = _options.DocMax,
                ["flops_convention"] = Masks.Convention,
                ["timing"] = timing,
                ["specs"] = specs.Select(s => s.Info.Describe()).ToArray(),
            });
            Console.WriteLine($"AttnDsl GPU bench on {_device.Name} ({_device.AcceleratorType}); {specs.Count} specs x {grid.Count} shapes");

            int failures = 0;
            if (_options.Check)
                failures += RunChecks(specs);

            foreach (var shape in grid)
            {
                var dims = specs.Select(s => s.HeadDim).Distinct().ToList();
                if (dims.Count == 0)
                    break;
                int maxD = dims.Max();
                long elements = (long)shape.Batch * shape.Heads * shape.Length * maxD;
                if (elements > int.MaxValue)
                {
                    foreach (var spec in specs)
                        WriteSkip(spec, shape, $"{elements} elements per tensor exceed the int32 index of the input filler");
                    continue;
                }
                if (Deadline())
                {
                    foreach (var spec in specs)
                        WriteSkip(spec, shape, "deadline reached before this row");
                    continue;
                }
                MemoryBuffer1D<Half, Stride1D.Dense>? q = null, k = null, v = null, o = null;
                MemoryBuffer1D<int, Stride1D.Dense>? ids = null;
                try
                {
                    q = _device.Allocate1D<Half>(elements);
                    k = _device.Allocate1D<Half>(elements);
                    v = _device.Allocate1D<Half>(elements);
                    o = _device.Allocate1D<Half>(elements);
                    uint seed = (uint)(_options.Seed * 31 + (ulong)shape.Length * 7 + (ulong)shape.Heads * 3 + (ulong)shape.Batch);
                    _fill((int)elements, q.View, seed * 3 + 1);
                    _fill((int)elements, k.View, seed * 3 + 2);
                    _fill((int)elements, v.View, seed * 3 + 3);
                    int[]? docIds = null;
                    if (specs.Any(s => s.Mask == Masks.Document))
                    {
                        docIds = Masks.DocumentIds(shape.Batch, shape.Length, _options.Seed, _options.DocMin, _options.DocMax);
                        ids = _device.Allocate1D(docIds);
                    }
                    _device.Synchronize();
                    foreach (int d in _options.Dims)
                        foreach (var spec in specs.Where(s => s.HeadDim == d))
                        {
                            if (Deadline())
                            {
                                WriteSkip(spec, shape, "deadline reached before this row");
                                continue;
                            }
                            failures += RunRow(spec, shape, q.View, k.View, v.View, o.View, ids?.View ?? default, docIds);
                        }
                }
                catch (Exception ex)
                {
                    Console.WriteLine($"  {shape}: FAILED to set up: {ex.GetType().Name}: {ex.Message}");
                    foreach (var spec in specs)
                        WriteSkip(spec, shape, $"setup failed: {ex.GetType().Name}: {ex.Message}", "error");
                    failures++;
                }
                finally
                {
                    ids?.Dispose();
                    o?.Dispose();
                    v?.Dispose();
                    k?.Dispose();
                    q?.Dispose();
                }
            }
            Console.WriteLine($"done in {_clock.Elapsed.TotalSeconds:F1} s; {failures} failure(s)");
            return failures == 0 ? 0 : 1;
        }

        private bool Deadline() => _options.DeadlineS > 0 && _clock.Elapsed.TotalSeconds > _options.DeadlineS;

        private int RunRow(BenchSpec spec, GridShape grid, ArrayView<Half> qAll, ArrayView<Half> kAll, ArrayView<Half> vAll, ArrayView<Half> oAll,
            ArrayView<int> ids, int[]? docIds)
        {
            var shape = new AttentionShape(grid.Batch, grid.Heads, grid.Length);
            long n = shape.QueryElements(spec.HeadDim);
            var q = qAll.SubView(0, n);
            var k = kAll.SubView(0, n);
            var v = vAll.SubView(0, n);
            var o = oAll.SubView(0, n);
            var path = _options.Path;
            void Call() => spec.Run(_device, shape, q, k, v, o, ids, default, path);
            var row = RowHeader(spec, grid);
            try
            {
                var sw = Stopwatch.StartNew();
                Call();
                _device.Synchronize();
                double firstMs = sw.Elapsed.TotalMilliseconds;
                bool compiled = !_firstCallMs.ContainsKey(spec.Name);
                if (compiled)
                    _firstCallMs[spec.Name] = firstMs;
                row["first_call_ms"] = firstMs;
                row["first_call_compiled"] = compiled;
                row["spec_first_call_ms"] = _firstCallMs[spec.Name];

                // Warm-up, and an estimate of one call for the round size.
                double est = double.MaxValue;
                for (int w = 0; w < _options.Warmup; w++)
                {
                    sw.Restart();
                    Call();
                    _device.Synchronize();
                    est = Math.Min(est, sw.Elapsed.TotalMilliseconds);
                }
                int inner = (int)Math.Clamp(Math.Ceiling(_options.RoundMs / Math.Max(est, 1e-3)), 1, 1000);
                int rounds = _options.Reps;
                double budgetMs = _options.RowBudgetS * 1000;
                if (rounds * inner * est > budgetMs)
                    rounds = Math.Max(3, (int)(budgetMs / (inner * est)));
                var times = new double[rounds];
                for (int r = 0; r < rounds; r++)
                    times[r] = TimeRound(Call, inner);
                double median = Median(times);

                double pairs = Masks.VisiblePairs(spec.Mask, grid.Batch, grid.Length, docIds);
                double flops = Masks.ConventionFlops(spec.Mask, grid.Batch, grid.Heads, grid.Length, spec.HeadDim, pairs);
                var plan = Runtime.LaunchPlanner.Plan(_device, shape, spec.Info, path);
                int tileRows = plan.Path switch { AttentionPath.Tiled => plan.GroupThreads, AttentionPath.TensorCore => spec.Info.BlockM, _ => 1 };
                var reference = new ReferenceArguments { DocumentIds = docIds };
                var stats = BlockAnalysis.Count(spec.Info, shape, reference, tileRows);

                row["status"] = "ok";
                row["kernel"] = plan.Path switch
                {
                    AttentionPath.Tiled => $"portable Tiled ({tileRows}-row query tiles, one thread per query row)",
                    AttentionPath.RowStreaming => "portable RowStreaming (one thread per query row)",
                    AttentionPath.TensorCore => spec.Info.HasWarpgroupKernel && Runtime.TensorCoreSupport.UsesWarpgroup(_device)
                        ? $"tensor-core wgmma, sm_90a ({spec.Info.BlockM}x{spec.Info.BlockN} tiles, {plan.GroupThreads / 32} warps)"
                        : $"tensor-core mma.sync ({spec.Info.BlockM}x{spec.Info.BlockN} tiles, {plan.GroupThreads / 32} warps)",
                    var other => other.ToString(),
                };
                row["ms"] = median;
                row["ms_min"] = times.Min();
                row["times_ms"] = times;
                row["rounds"] = rounds;
                row["inner"] = inner;
                row["visible_pairs"] = pairs * grid.Heads;
                row["flops"] = flops;
                row["tflops"] = flops / (median * 1e-3) / 1e12;
                row["visited_block_flops"] = stats.Flops;
                row["skipped_block_fraction"] = stats.SkippedFraction;
                row["partial_blocks"] = stats.PartialBlocks;
                if (spec.Mask == Masks.Document && docIds is not null)
                {
                    row["doc_ids_hash"] = Masks.Hash(docIds);
                    row["documents"] = Masks.DocumentCount(docIds, grid.Batch, grid.Length);
                }
                _json.Write(row);
                Console.WriteLine($"  {spec.Mask,-18} D{spec.HeadDim,-4} {grid,-18} first {firstMs,9:F1} ms{(compiled ? " (compile)" : "          ")}  " +
                                  $"median {median,9:F3} ms x{rounds}x{inner}  {(double)row["tflops"]!,8:F2} TFLOP/s  skipped {100 * stats.SkippedFraction:F1}% blocks");
                return 0;
            }
            catch (Exception ex)
            {
                row["status"] = "error";
                row["note"] = $"{ex.GetType().Name}: {ex.Message}";
                _json.Write(row);
                Console.WriteLine($"  {spec.Mask,-18} D{spec.HeadDim,-4} {grid}: FAILED {ex}");
                return 1;
            }
        }

        /// <summary>Milliseconds per call: <paramref name="inner"/> back-to-back calls between two markers.</summary>
        private double TimeRound(Action call, int inner)
        {
            if (_markers)
            {
                try
                {
                    using var start = _device.AddProfilingMarker();
                    for (int c = 0; c < inner; c++)
                        call();
                    using var end = _device.AddProfilingMarker();
                    end.Synchronize();
                    return (end - start).TotalMilliseconds / inner;
                }
                catch (NotSupportedException)
                {
                    _markers = false;
                    Console.WriteLine("  (profiling markers not supported here; timing with Synchronize + Stopwatch)");
                }
            }
            _device.Synchronize();
            var sw = Stopwatch.StartNew();
            for (int c = 0; c < inner; c++)
                call();
            _device.Synchronize();
            return sw.Elapsed.TotalMilliseconds / inner;
        }

        private Dictionary<string, object?> RowHeader(BenchSpec spec, GridShape grid) => new()
        {
            ["type"] = "row",
            ["impl"] = spec.Impl,
            ["mask"] = spec.Mask,
            ["B"] = grid.Batch,
            ["H"] = grid.Heads,
            ["N"] = grid.Length,
            ["D"] = spec.HeadDim,
            ["spec"] = spec.Info.Describe(),
            ["device"] = _device.Name,
        };

        private void WriteSkip(BenchSpec spec, GridShape grid, string note, string status = "skipped")
        {
            var row = RowHeader(spec, grid);
            row["status"] = status;
            row["note"] = note;
            _json.Write(row);
            Console.WriteLine($"  {spec.Mask,-18} D{spec.HeadDim,-4} {grid}: {status}: {note}");
        }

        /// <summary>
        /// Once per spec, on a small shape: the first call (which compiles the kernel: its time is the spec's first-call
        /// time) against AttentionReference, output and LSE. The references run in parallel on the host.
        /// </summary>
        private int RunChecks(List<BenchSpec> specs)
        {
            var g = _options.CheckShape;
            var shape = new AttentionShape(g.Batch, g.Heads, g.Length);
            // Documents shorter than in the timed rows so that the checked shape holds several of them.
            int docMin = Math.Max(1, _options.DocMin / 8), docMax = Math.Max(docMin, _options.DocMax / 8);
            var docIds = Masks.DocumentIds(g.Batch, g.Length, _options.Seed, docMin, docMax);
            Console.WriteLine($"checking {specs.Count} specs against AttentionReference on {g} (documents {docMin}..{docMax} tokens: {Masks.DocumentCount(docIds, g.Batch, g.Length)})");
            var pending = new List<(BenchSpec Spec, float[] Q, float[] K, float[] V, float[] Out, float[] Lse, Dictionary<string, object?> Row)>();
            int failures = 0;
            foreach (var spec in specs)
            {
                var row = RowHeader(spec, g);
                row["type"] = "check";
                try
                {
                    var random = new Random(4242 + spec.HeadDim);
                    var (qh, qf) = RandomHalf(shape.QueryElements(spec.HeadDim), random);
                    var (kh, kf) = RandomHalf(shape.KeyElements(spec.HeadDim), random);
                    var (vh, vf) = RandomHalf(shape.KeyElements(spec.HeadDimV()), random);
                    using var q = _device.Allocate1D(qh);
                    using var k = _device.Allocate1D(kh);
                    using var v = _device.Allocate1D(vh);
                    using var o = _device.Allocate1D<Half>(shape.QueryElements(spec.HeadDimV()));
                    using var l = _device.Allocate1D<float>(shape.QueryRows);
                    using var ids = _device.Allocate1D(docIds);
                    _device.Synchronize();
                    var sw = Stopwatch.StartNew();
                    spec.Run(_device, shape, q.View, k.View, v.View, o.View, ids.View, l.View, _options.Path);
                    _device.Synchronize();
                    double firstMs = sw.Elapsed.TotalMilliseconds;
                    _firstCallMs[spec.Name] = firstMs;
                    row["first_call_ms"] = firstMs;
                    Console.WriteLine($"  {spec.Mask,-18} D{spec.HeadDim,-4} first call (ILGPU compile + run on {g}): {firstMs / 1000:F2} s");
                    var outHalf = o.GetAsArray1D();
                    var lse = l.GetAsArray1D();
                    pending.Add((spec, qf, kf, vf, outHalf.Select(h => (float)h).ToArray(), lse, row));
                }
                catch (Exception ex)
                {
                    row["status"] = "error";
                    row["note"] = $"{ex.GetType().Name}: {ex.Message}";
                    _json.Write(row);
                    Console.WriteLine($"  {spec.Mask,-18} D{spec.HeadDim,-4} check FAILED: {ex}");
                    failures++;
                }
            }
            var results = new (double OutErr, double OutTol, double LseErr)[pending.Count];
            Parallel.For(0, pending.Count, p =>
            {
                var (spec, qf, kf, vf, output, lse, _) = pending[p];
                var args = new ReferenceArguments { DocumentIds = spec.Info.DocumentMask ? docIds : null, MaskMod = spec.MaskMod };
                var reference = AttentionReference.Compute(spec.Info, shape, qf, kf, vf, args);
                double maxV = vf.Max(x => Math.Abs((double)x));
                double outErr = 0, lseErr = 0;
                for (int x = 0; x < output.Length; x++)
                {
                    double e = Math.Abs(output[x] - reference.Output[x]);
                    outErr = double.IsNaN(e) ? double.PositiveInfinity : Math.Max(outErr, e);
                }
                for (int x = 0; x < lse.Length; x++)
                {
                    double expected = reference.LogSumExp[x];
                    double e = double.IsNegativeInfinity(expected) && float.IsNegativeInfinity(lse[x]) ? 0 : Math.Abs(lse[x] - expected);
                    lseErr = double.IsNaN(e) ? double.PositiveInfinity : Math.Max(lseErr, e);
                }
                results[p] = (outErr, OutputToleranceOfMaxValue * maxV, lseErr);
            });
            for (int p = 0; p < pending.Count; p++)
            {
                var (spec, _, _, _, _, _, row) = pending[p];
                var (outErr, outTol, lseErr) = results[p];
                bool pass = outErr <= outTol && lseErr <= LogSumExpTolerance;
                row["status"] = pass ? "pass" : "fail";
                row["output_error"] = outErr;
                row["output_tolerance"] = outTol;
                row["lse_error"] = lseErr;
                row["lse_tolerance"] = LogSumExpTolerance;
                row["documents"] = spec.Info.DocumentMask ? Masks.DocumentCount(docIds, g.Batch, g.Length) : null;
                _json.Write(row);
                Console.WriteLine($"  {spec.Mask,-18} D{spec.HeadDim,-4} vs AttentionReference: output {outErr:E2} (tol {outTol:E2}), LSE {lseErr:E2} (tol {LogSumExpTolerance:E0}): {(pass ? "PASS" : "FAIL")}");
                failures += pass ? 0 : 1;
            }
            return failures;
        }

        private static (Half[] Half, float[] Float) RandomHalf(long length, Random random)
        {
            var h = new Half[length];
            var f = new float[length];
            for (long x = 0; x < length; x++)
            {
                var half = (Half)(float)(random.NextDouble() * 2 - 1);
                h[x] = half;
                f[x] = (float)half;
            }
            return (h, f);
        }

        private static double Median(double[] values)
        {
            var sorted = values.OrderBy(x => x).ToArray();
            int m = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
        }
    }

    /// <summary>
    /// Writes the PTX of every spec's portable tiled kernel and tensor-core kernel (ILGPU's PTX backend for SM_90, no GPU needed), for
    /// <c>ptxas -v</c> on the device (registers, stack, spills): benchmarks/gpu/run.sh does that.
    /// </summary>
    public static class PtxDump
    {
        public static int Write(string directory, IReadOnlyList<string> only)
        {
            Directory.CreateDirectory(directory);
            using var context = Context.Create(builder => builder.Cuda());
            var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90),
                CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null);
            // Every spec of this assembly (the grid, its tile variants, the sparse and quantized rows' specs).
            var types = typeof(Catalog).Assembly.GetTypes()
                .Where(t => t.GetNestedType("AttnDslKernels", BindingFlags.Public) is not null)
                .Where(t => only.Count == 0 || only.Contains(t.Name, StringComparer.Ordinal))
                .OrderBy(t => t.Name, StringComparer.Ordinal);
            foreach (var type in types)
            {
                var kernels = type.GetNestedType("AttnDslKernels", BindingFlags.Public)!;
                var methods = new[]
                {
                    ("tiled", kernels.GetMethod("TiledKernel")!),
                    ("tc", kernels.GetMethod("TensorCoreKernel")!.MakeGenericMethod(typeof(AttnDsl.TensorCores.CudaTarget))),
                    ("wg", kernels.GetMethod("TensorCoreKernel")!.MakeGenericMethod(typeof(AttnDsl.TensorCores.WarpgroupTarget))),
                };
                foreach (var (suffix, method) in methods)
                {
                    var entry = EntryPointDescription.FromExplicitlyGroupedKernel(method);
                    var watch = Stopwatch.StartNew();
                    var ptx = ((PTXCompiledKernel)backend.Compile(entry, new KernelSpecialization())).PTXAssembly;
                    if (suffix == "wg")
                    {
                        if (!ptx.Contains("wgmma.mma_async", StringComparison.Ordinal))
                            continue; // the spec's tiles take no warpgroup kernel
                        ptx = AttnDsl.Runtime.TensorCoreSupport.RetargetSm90a(ptx);
                    }
                    string path = Path.Combine(directory, $"{type.Name}.{suffix}.ptx");
                    File.WriteAllText(path, ptx);
                    Console.WriteLine($"{path}: {ptx.Length} chars, ILGPU compile {watch.Elapsed.TotalSeconds:F1} s");
                }
            }
            return 0;
        }
    }

    internal static class BenchSpecExtensions
    {
        public static int HeadDimV(this BenchSpec spec) => spec.Info.HeadDimV;
    }
}
