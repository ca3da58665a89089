using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace AttnDsl.Gallery
{
    /// <summary>
    /// Runs every gallery spec on the best accelerator present, checks it against
    /// <see cref="AttentionReference"/>, times it and prints one row per seed system.
    /// <code>
    /// dotnet run --project examples/AttnDsl.Gallery -c Release [-- --quick] [--json rows.json] [--only name,...] [--path auto|row|tiled|tc] [--reps N]
    /// </code>
    /// Exit code 0 when every row passes, 1 when any fails, 2 on bad arguments.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            GalleryOptions options;
            try
            {
                options = GalleryOptions.Parse(args);
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine(ex.Message);
                Console.Error.WriteLine(GalleryOptions.Usage);
                return 2;
            }
            if (options.Help)
            {
                Console.WriteLine(GalleryOptions.Usage);
                return 0;
            }

            // CUDA when a device exists; otherwise ILGPU's CPU accelerator.
            Context context = Context.Create(b => b.Default());
            Accelerator device;
            var cudaDevices = context.GetCudaDevices();
            if (cudaDevices.Count > 0)
            {
                device = cudaDevices[0].CreateAccelerator(context);
            }
            else
            {
                context.Dispose();
                context = Context.CreateDefault();
                device = context.GetPreferredDevice(preferCPU: true).CreateAccelerator(context);
            }

            try
            {
                var runner = new GalleryRunner(device, options);
                var rows = runner.RunAll(GalleryRegistry.All);
                GalleryReport.Print(Console.Out, device, runner, rows);
                if (options.JsonPath is not null)
                {
                    GalleryReport.WriteJson(options.JsonPath, device, runner, rows);
                    Console.WriteLine($"rows written to {options.JsonPath}");
                }
                return rows.All(r => r.Pass) ? 0 : 1;
            }
            finally
            {
                device.Dispose();
                context.Dispose();
            }
        }
    }

    /// <summary>Command-line options.</summary>
    public sealed class GalleryOptions
    {
        public const string Usage =
            "usage: AttnDsl.Gallery [--quick] [--json <path>] [--only <name>[,<name>...]] [--path auto|row|tiled|tc] [--reps <n>]\n" +
            "  --quick   smaller shapes (CPU: N=256; CUDA: N=2048, H=8 timed, N=512 checked)\n" +
            "  --json    also write the rows as JSON\n" +
            "  --only    run only the named rows (substring match)\n" +
            "  --path    kernel shape passed to Run (default auto: row-streaming on CPU, tensor cores on CUDA sm_80+)\n" +
            "  --reps    timed runs per row (default 5 on CPU, 10 on GPUs); the median is reported";

        public bool Quick { get; private set; }
        public bool Help { get; private set; }
        public string? JsonPath { get; private set; }
        public string[] Only { get; private set; } = Array.Empty<string>();
        public AttentionPath Path { get; private set; } = AttentionPath.Auto;
        public int Reps { get; private set; }

        public static GalleryOptions Parse(string[] args)
        {
            var o = new GalleryOptions();
            for (int a = 0; a < args.Length; a++)
            {
                string Next() => a + 1 < args.Length ? args[++a] : throw new ArgumentException($"{args[a]} needs a value.");
                switch (args[a])
                {
                    case "--quick": o.Quick = true; break;
                    case "--json": o.JsonPath = Next(); break;
                    case "--only": o.Only = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                    case "--path":
                        o.Path = Next().ToLowerInvariant() switch
                        {
                            "auto" => AttentionPath.Auto,
                            "row" or "rowstreaming" => AttentionPath.RowStreaming,
                            "tiled" => AttentionPath.Tiled,
                            "tc" or "tensorcore" => AttentionPath.TensorCore,
                            var p => throw new ArgumentException($"--path: unknown kernel shape '{p}'."),
                        };
                        break;
                    case "--reps":
                        if (!int.TryParse(Next(), out int reps) || reps < 1)
                            throw new ArgumentException("--reps needs a positive integer.");
                        o.Reps = reps;
                        break;
                    case "-h" or "--help": o.Help = true; break;
                    default: throw new ArgumentException($"unknown argument '{args[a]}'.");
                }
            }
            return o;
        }
    }

    /// <summary>The result of one gallery row.</summary>
    public sealed class GalleryRow
    {
        public string Name { get; init; } = "";
        public string Seed { get; init; } = "";
        public string Description { get; init; } = "";
        public string Spec { get; init; } = "";
        public AttentionShape Shape { get; init; }
        public AttentionShape CheckShape { get; init; }
        public int HeadDim { get; init; }
        public int HeadDimV { get; init; }
        public string KernelPath { get; set; } = "";
        public int TileRows { get; set; }
        public double CompileMs { get; set; }
        public double MedianMs { get; set; }
        public double[] TimesMs { get; set; } = Array.Empty<double>();
        public double OutputError { get; set; } = double.NaN;
        public double OutputTolerance { get; set; } = double.NaN;
        public double LogSumExpError { get; set; } = double.NaN;
        public double LogSumExpTolerance { get; set; } = double.NaN;
        public double Flops { get; set; }
        public double TflopPerSecond { get; set; }
        public long TotalBlocks { get; set; }
        public long VisitedBlocks { get; set; }
        public long PartialBlocks { get; set; }
        public double SkippedFraction { get; set; }
        public bool HasMaskMod { get; init; }
        public string? Note { get; set; }
        public bool Pass { get; set; }
        public string? Error { get; set; }
    }

    /// <summary>Runs the rows: compile, time, check, count blocks.</summary>
    public sealed class GalleryRunner
    {
        // Tolerances. The kernel and the reference see the same Float16-rounded inputs, so they differ only by
        // (a) FP32 accumulation and KernelMath's exp2/log2 polynomials in the kernel (relative ~1e-6 over N <= 4096
        // terms), and (b) the final rounding of the output to Float16: |o| <= max|v| and half keeps 11 significant
        // bits, so (b) is at most 2^-11 * max|v| ~= 4.9e-4 * max|v|. 2e-3 * max|v| leaves 4x headroom over (b).
        // The LSE stays FP32 end to end: its error is (a) alone, ~1e-5 even at N = 4096 with scores of magnitude 10,
        // so 1e-3 is loose for rounding yet still catches a mask that hides or shows a wrong key in rows of up to
        // ~1000 keys (each key moves the LSE by ln(1 + p), p its softmax weight, ~1/n_visible).
        public const double OutputToleranceOfMaxValue = 2e-3;
        public const double LogSumExpTolerance = 1e-3;

        private readonly Accelerator _device;
        private readonly GalleryOptions _options;

        public GalleryRunner(Accelerator device, GalleryOptions options)
        {
            _device = device;
            _options = options;
            IsCpu = device.AcceleratorType == AcceleratorType.CPU;
            Reps = options.Reps > 0 ? options.Reps : IsCpu ? 5 : 10;
            Warmups = IsCpu ? 0 : 2;
        }

        public bool IsCpu { get; }
        public int Reps { get; }
        public int Warmups { get; }
        public GalleryOptions Options => _options;

        /// <summary>Shape that is timed.</summary>
        public AttentionShape BenchShape(GalleryVariant variant)
        {
            if (IsCpu)
            {
                int n = variant.CpuLength > 0 ? variant.CpuLength : 512;
                if (_options.Quick)
                    n /= 2;
                return new AttentionShape(1, 4, n);
            }
            return _options.Quick ? new AttentionShape(1, 8, 2048) : new AttentionShape(1, 16, 4096);
        }

        /// <summary>
        /// Shape that is checked against the double-precision reference (N^2 * D per head on the host): the timed
        /// shape on CPUs, a reduced one on GPUs (same kernel, same launch logic, fewer heads and keys).
        /// </summary>
        public AttentionShape CheckShape(GalleryVariant variant)
        {
            if (IsCpu)
                return BenchShape(variant);
            return _options.Quick ? new AttentionShape(1, 2, 512) : new AttentionShape(1, 2, 1024);
        }

        public List<GalleryRow> RunAll(IReadOnlyList<GalleryVariant> variants)
        {
            var rows = new List<GalleryRow>();
            Console.WriteLine($"AttnDsl gallery on {_device.Name} ({_device.AcceleratorType}), {variants.Count} specs{(_options.Quick ? ", quick shapes" : "")}");
            for (int index = 0; index < variants.Count; index++)
            {
                var variant = variants[index];
                if (_options.Only.Length > 0 && !_options.Only.Any(o => variant.Name.Contains(o, StringComparison.OrdinalIgnoreCase)))
                    continue;
                rows.Add(RunOne(variant, 1000 + index));
            }
            return rows;
        }

        private GalleryRow RunOne(GalleryVariant variant, int seed)
        {
            var info = variant.Info;
            var benchShape = BenchShape(variant);
            var checkShape = CheckShape(variant);
            var row = new GalleryRow
            {
                Name = variant.Name,
                Seed = variant.Seed,
                Description = variant.Description,
                Spec = info.Describe(),
                Shape = benchShape,
                CheckShape = checkShape,
                HeadDim = info.HeadDim,
                HeadDimV = info.HeadDimV,
                HasMaskMod = info.MaskMods.Count > 0,
            };
            try
            {
                using var scope = new TensorScope(_device);
                var bench = Problem.Create(scope, variant, benchShape, new Random(seed));

                Console.Write($"compiling {variant.Name}... ");
                var sw = Stopwatch.StartNew();
                bench.Run(_options.Path);
                _device.Synchronize();
                row.CompileMs = sw.Elapsed.TotalMilliseconds;
                Console.Write($"{row.CompileMs / 1000:F1} s; timing... ");

                for (int w = 0; w < Warmups; w++)
                    bench.Run(_options.Path);
                var times = new double[Reps];
                for (int r = 0; r < Reps; r++)
                {
                    _device.Synchronize();
                    sw.Restart();
                    bench.Run(_options.Path);
                    _device.Synchronize();
                    times[r] = sw.Elapsed.TotalMilliseconds;
                }
                row.TimesMs = times;
                row.MedianMs = Median(times);

                var plan = Runtime.LaunchPlanner.Plan(_device, benchShape, info, _options.Path);
                row.KernelPath = plan.Path.ToString();
                int tileRows = plan.Path == AttentionPath.Tiled ? plan.GroupThreads : 1;
                var stats = BlockAnalysis.Count(info, benchShape, bench.Binding.Reference, tileRows);
                row.TileRows = tileRows;
                row.Flops = stats.Flops;
                row.TotalBlocks = stats.TotalBlocks;
                row.VisitedBlocks = stats.VisitedBlocks;
                row.PartialBlocks = stats.PartialBlocks;
                row.SkippedFraction = stats.SkippedFraction;
                row.TflopPerSecond = stats.Flops / (row.MedianMs * 1e-3) / 1e12;

                Console.Write($"{row.MedianMs:F2} ms; checking... ");
                var check = bench;
                if (checkShape != benchShape)
                {
                    check = Problem.Create(scope, variant, checkShape, new Random(seed + 7919));
                    check.Run(_options.Path);
                    _device.Synchronize();
                }
                var output = Compare(row, check, info);
                if (check.Binding.Note is not null)
                {
                    string checkedNote = check.Binding.Note(new NoteInputs(check.Shape, check.QueryHost, check.KeyHost, check.ValueHost, output));
                    row.Note = check == bench
                        ? checkedNote
                        : bench.Binding.Note!(new NoteInputs(bench.Shape, bench.QueryHost, bench.KeyHost, bench.ValueHost, null)) + "; checked " + checkedNote;
                }
                Console.WriteLine(row.Pass ? "PASS" : $"FAIL (output {row.OutputError:E2} > {row.OutputTolerance:E2} or LSE {row.LogSumExpError:E2} > {row.LogSumExpTolerance:E2})");
            }
            catch (Exception ex)
            {
                row.Pass = false;
                row.Error = $"{ex.GetType().Name}: {ex.Message}";
                Console.WriteLine();
                Console.WriteLine($"  {variant.Name} FAILED: {ex}");
            }
            return row;
        }

        /// <summary>Fills the row's errors and verdict; returns the kernel's output as floats.</summary>
        private static float[] Compare(GalleryRow row, Problem problem, AttentionSpecInfo info)
        {
            var (referenceQuery, referenceKey) = problem.Binding.ReferenceTensors?.Invoke(problem.Shape, problem.QueryHost, problem.KeyHost)
                ?? (problem.QueryHost, problem.KeyHost);
            var reference = AttentionReference.Compute(info, problem.Shape, referenceQuery, referenceKey, problem.ValueHost, problem.Binding.Reference);
            var output = ArrayViewExtensions.GetAsArray1D<ILGPU.Half>(problem.Output);
            var lse = ArrayViewExtensions.GetAsArray1D<float>(problem.LogSumExp);
            double outErr = 0, lseErr = 0, maxV = 0;
            foreach (float v in problem.ValueHost)
                maxV = Math.Max(maxV, Math.Abs(v));
            for (int x = 0; x < output.Length; x++)
            {
                double e = Math.Abs((float)output[x] - reference.Output[x]);
                outErr = double.IsNaN(e) ? double.PositiveInfinity : Math.Max(outErr, e);
            }
            for (int x = 0; x < lse.Length; x++)
            {
                double expected = reference.LogSumExp[x];
                double actual = lse[x];
                double e = double.IsNegativeInfinity(expected) && double.IsNegativeInfinity(actual) ? 0 : Math.Abs(actual - expected);
                lseErr = double.IsNaN(e) ? double.PositiveInfinity : Math.Max(lseErr, e);
            }
            row.OutputError = outErr;
            row.OutputTolerance = OutputToleranceOfMaxValue * maxV;
            row.LogSumExpError = lseErr;
            row.LogSumExpTolerance = LogSumExpTolerance;
            row.Pass = outErr <= row.OutputTolerance && lseErr <= row.LogSumExpTolerance;
            var outputFloats = new float[output.Length];
            for (int x = 0; x < output.Length; x++)
                outputFloats[x] = (float)output[x];
            return outputFloats;
        }

        private static double Median(double[] values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            int m = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
        }
    }

    /// <summary>Seeded inputs, outputs and bound runtime arguments for one shape.</summary>
    internal sealed class Problem
    {
        private Problem(AttentionShape shape, Accelerator accelerator, Binding binding,
            float[] queryHost, float[] keyHost, float[] valueHost,
            ArrayView<ILGPU.Half> query, ArrayView<ILGPU.Half> key, ArrayView<ILGPU.Half> value,
            ArrayView<ILGPU.Half> output, ArrayView<float> logSumExp)
        {
            Shape = shape;
            Accelerator = accelerator;
            Binding = binding;
            QueryHost = queryHost;
            KeyHost = keyHost;
            ValueHost = valueHost;
            Query = query;
            Key = key;
            Value = value;
            Output = output;
            LogSumExp = logSumExp;
        }

        public AttentionShape Shape { get; }
        public Accelerator Accelerator { get; }
        public Binding Binding { get; }
        public float[] QueryHost { get; }
        public float[] KeyHost { get; }
        public float[] ValueHost { get; }
        public ArrayView<ILGPU.Half> Query { get; }
        public ArrayView<ILGPU.Half> Key { get; }
        public ArrayView<ILGPU.Half> Value { get; }
        public ArrayView<ILGPU.Half> Output { get; }
        public ArrayView<float> LogSumExp { get; }

        public static Problem Create(TensorScope scope, GalleryVariant variant, AttentionShape shape, Random random)
        {
            var info = variant.Info;
            if (info.Element != ElementType.Float16)
                throw new NotSupportedException($"The gallery runs Float16 specs; {info.Name} is {info.Element}.");
            var (qh, qHost) = RandomHalf(shape.QueryElements(info.HeadDim), random);
            var (kh, kHost) = RandomHalf(shape.KeyElements(info.HeadDim), random);
            var (vh, vHost) = RandomHalf(shape.KeyElements(info.HeadDimV), random);
            var q = scope.Allocate<ILGPU.Half>(qh.Length);
            var k = scope.Allocate<ILGPU.Half>(kh.Length);
            var v = scope.Allocate<ILGPU.Half>(vh.Length);
            q.CopyFromCPU(qh);
            k.CopyFromCPU(kh);
            v.CopyFromCPU(vh);
            var o = scope.Allocate<ILGPU.Half>(shape.QueryElements(info.HeadDimV));
            var l = scope.Allocate<float>(shape.QueryRows);
            var binding = variant.Bind(new BindContext(scope, shape, random, qHost, kHost));
            return new Problem(shape, scope.Device, binding, qHost, kHost, vHost, q.View, k.View, v.View, o.View, l.View);
        }

        public void Run(AttentionPath path)
        {
            Binding.Run(Accelerator, Shape, Query, Key, Value, Output, LogSumExp, path);
        }

        /// <summary>Uniform(-1, 1) values rounded to Float16, and the same values as floats for the reference.</summary>
        private static (ILGPU.Half[] Half, float[] Float) RandomHalf(long length, Random random)
        {
            var h = new ILGPU.Half[length];
            var f = new float[length];
            for (long x = 0; x < length; x++)
            {
                var half = (ILGPU.Half)(float)(random.NextDouble() * 2 - 1);
                h[x] = half;
                f[x] = (float)half;
            }
            return (h, f);
        }
    }
}
