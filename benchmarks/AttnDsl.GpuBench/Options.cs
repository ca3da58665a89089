using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AttnDsl.GpuBench
{
    /// <summary>(batch, heads, tokens) of one grid row; self-attention, Nq = Nk, KeyValueHeads = heads.</summary>
    public readonly record struct GridShape(int Batch, int Heads, int Length)
    {
        public override string ToString() => $"B{Batch} H{Heads} N{Length}";

        public static GridShape Parse(string text)
        {
            var parts = text.Split('x', StringSplitOptions.TrimEntries);
            if (parts.Length != 3 || !parts.All(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0))
                throw new ArgumentException($"shape '{text}': expected BxHxN, e.g. 1x16x4096.");
            var v = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            return new GridShape(v[0], v[1], v[2]);
        }
    }

    public sealed class Options
    {
        public const string Usage =
            "usage: AttnDsl.GpuBench [--json <path>] [--full] [--shapes BxHxN,...] [--dims 64,128] [--masks m,...]\n" +
            "                        [--reps <n>] [--warmup <n>] [--round-ms <ms>] [--row-budget-s <s>] [--deadline-s <s>]\n" +
            "                        [--seed <n>] [--doc-min <n>] [--doc-max <n>] [--check-shape BxHxN] [--no-check]\n" +
            "                        [--path auto|row|tiled|tc] [--variants] [--list] [--dump-ptx <dir> [--dump-only name,...]]\n" +
            "  default grid: B=1 H=16 N in {1024, 4096, 16384} and B=4 H=32 N=4096, D in {64, 128}, every mask\n" +
            "  --full        B in {1, 2, 4} x N in {1024, 4096, 16384, 32768} at H=16, and B=4 H=32 N=4096\n" +
            "  masks: " + "dense, causal, causal-window1024, document-causal, causal-alibi\n" +
            "  --reps        timed rounds per row (median reported; default 10)\n" +
            "  --round-ms    a round repeats the call until it lasts about this long (default 20 ms; amortizes launch cost)\n" +
            "  --row-budget-s  fewer rounds (at least 3) when a row would take longer (default 8 s)\n" +
            "  --deadline-s  skip the remaining rows after this many seconds (default: none)\n" +
            "  --sparse <dir> [--sparse-shape BxHxN]  the [BlockSelect] rows (D=128 causal, default 1x16x32768): dense causal,\n" +
            "                estimator, sparse kernel on the selection; checked first on 1x2x2048; selections written to <dir>\n" +
            "  --quant [--quant-shape BxHxN]  the [Quantize] int8 rows (D=128 dense and causal, default 1x16x16384) against the Float16\n" +
            "                tensor-core kernel, prologue included and alone; checked first on 1x2x1024\n" +
            "  --dump-ptx    write the PTX of every spec's tiled and tensor-core kernels (SM_90, no GPU needed) to <dir> and exit;\n" +
            "                --dump-only keeps the specs whose type name is one of the given names\n" +
            "  --no-wgmma    on sm_90, time the mma.sync tensor-core kernels instead of the wgmma ones\n" +
            "  --wgmma-probe checks and times wgmma.mma_async (sm_90a PTX through ILGPU) on an sm_90 device; --dump-ptx <dir>\n" +
            "                keeps its PTX\n" +
            "  --check-shape shape checked against AttentionReference once per spec (default 2x2x1280; documents 64..512 tokens there)";

        public string? JsonPath { get; private set; }
        public bool Full { get; private set; }
        public List<GridShape>? Shapes { get; private set; }
        public int[] Dims { get; private set; } = { 64, 128 };
        public string[] MaskKinds { get; private set; } = Masks.All;
        public int Reps { get; private set; } = 10;
        public int Warmup { get; private set; } = 2;
        public double RoundMs { get; private set; } = 20;
        public double RowBudgetS { get; private set; } = 8;
        public double DeadlineS { get; private set; }
        public ulong Seed { get; private set; } = 20261123;
        public int DocMin { get; private set; } = 512;
        public int DocMax { get; private set; } = 4096;
        public GridShape CheckShape { get; private set; } = new(2, 2, 1280);
        public bool Check { get; private set; } = true;
        public AttentionPath Path { get; private set; } = AttentionPath.Auto;

        /// <summary>Also time the causal spec's tile variants (impl attndsl-BMxBN).</summary>
        public bool Variants { get; private set; }
        public bool List { get; private set; }
        public string? DumpPtxDir { get; private set; }

        /// <summary>--dump-only: spec type names whose PTX --dump-ptx writes; all when empty.</summary>
        public string[] DumpOnly { get; private set; } = Array.Empty<string>();

        /// <summary>--sparse: the [BlockSelect] rows instead of the grid; selections are written here for bench_sparse_torch.py.</summary>
        public string? SparseDir { get; private set; }

        /// <summary>The timed shape of the sparse rows (default 1x16x32768).</summary>
        public GridShape SparseShape { get; private set; } = new(1, 16, 32768);

        /// <summary>--quant: the [Quantize] int8 rows instead of the grid (dense and causal, D=128, against the Float16 tensor-core kernel).</summary>
        public bool Quant { get; private set; }
        /// <summary>Checks and times Hopper's wgmma through ILGPU (sm_90a PTX); --dump-ptx names where its PTX goes.</summary>
        public bool WgmmaProbe { get; private set; }
        /// <summary>Keeps sm_90 on the mma.sync tensor-core kernels (the warpgroup kernels are the default there).</summary>
        public bool NoWgmma { get; private set; }

        /// <summary>The timed shape of the quant rows (default 1x16x16384).</summary>
        public GridShape QuantShape { get; private set; } = new(1, 16, 16384);
        public bool Help { get; private set; }

        public IReadOnlyList<GridShape> Grid()
        {
            if (Shapes is not null)
                return Shapes;
            var shapes = new List<GridShape>();
            if (Full)
            {
                foreach (int b in new[] { 1, 2, 4 })
                    foreach (int n in new[] { 1024, 4096, 16384, 32768 })
                        shapes.Add(new GridShape(b, 16, n));
            }
            else
            {
                foreach (int n in new[] { 1024, 4096, 16384 })
                    shapes.Add(new GridShape(1, 16, n));
            }
            shapes.Add(new GridShape(4, 32, 4096));
            return shapes;
        }

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (int a = 0; a < args.Length; a++)
            {
                string Next() => a + 1 < args.Length ? args[++a] : throw new ArgumentException($"{args[a]} needs a value.");
                int NextInt(int min)
                {
                    string name = args[a], s = Next();
                    if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min)
                        throw new ArgumentException($"{name}: expected an integer >= {min}, got '{s}'.");
                    return v;
                }
                double NextDouble()
                {
                    string name = args[a], s = Next();
                    if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v < 0)
                        throw new ArgumentException($"{name}: expected a non-negative number, got '{s}'.");
                    return v;
                }
                switch (args[a])
                {
                    case "--json": o.JsonPath = Next(); break;
                    case "--full": o.Full = true; break;
                    case "--shapes":
                        o.Shapes = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(GridShape.Parse).ToList();
                        break;
                    case "--dims":
                        o.Dims = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Select(s => int.TryParse(s, out int d) && (d == 64 || d == 128) ? d : throw new ArgumentException($"--dims: {s} is not 64 or 128.")).ToArray();
                        break;
                    case "--masks":
                        o.MaskKinds = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Select(m => Masks.All.Contains(m) ? m : throw new ArgumentException($"--masks: unknown mask '{m}' (known: {string.Join(", ", Masks.All)}).")).ToArray();
                        break;
                    case "--reps": o.Reps = NextInt(1); break;
                    case "--warmup": o.Warmup = NextInt(1); break;
                    case "--round-ms": o.RoundMs = NextDouble(); break;
                    case "--row-budget-s": o.RowBudgetS = NextDouble(); break;
                    case "--deadline-s": o.DeadlineS = NextDouble(); break;
                    case "--seed": o.Seed = (ulong)NextInt(0); break;
                    case "--doc-min": o.DocMin = NextInt(1); break;
                    case "--doc-max": o.DocMax = NextInt(1); break;
                    case "--check-shape": o.CheckShape = GridShape.Parse(Next()); break;
                    case "--no-check": o.Check = false; break;
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
                    case "--list": o.List = true; break;
                    case "--variants": o.Variants = true; break;
                    case "--dump-ptx": o.DumpPtxDir = Next(); break;
                    case "--dump-only": o.DumpOnly = Next().Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                    case "--sparse": o.SparseDir = Next(); break;
                    case "--sparse-shape": o.SparseShape = GridShape.Parse(Next()); break;
                    case "--quant": o.Quant = true; break;
                    case "--wgmma-probe": o.WgmmaProbe = true; break;
                    case "--no-wgmma": o.NoWgmma = true; break;
                    case "--quant-shape": o.QuantShape = GridShape.Parse(Next()); break;
                    case "-h" or "--help": o.Help = true; break;
                    default: throw new ArgumentException($"unknown argument '{args[a]}'.");
                }
            }
            if (o.DocMax < o.DocMin)
                throw new ArgumentException("--doc-max must be >= --doc-min.");
            return o;
        }
    }
}
