using System.Collections.Generic;
using ILGPU;
using ILGPU.Runtime;
using AttnDsl.GpuBench.Specs;
using Half = ILGPU.Half;

namespace AttnDsl.GpuBench
{
    /// <summary>A generated <c>Run</c> with one signature for every spec (document ids are ignored by specs without [DocumentMask]).</summary>
    public delegate void RunSpec(Accelerator accelerator, AttentionShape shape,
        ArrayView<Half> query, ArrayView<Half> key, ArrayView<Half> value, ArrayView<Half> output,
        ArrayView<int> documentIds, ArrayView<float> logSumExp, AttentionPath path);

    /// <summary>One benchmarked spec: mask kind, head dim, generated Info and Run.</summary>
    public sealed record BenchSpec(string Mask, AttentionSpecInfo Info, RunSpec Run, string Impl = "attndsl")
    {
        /// <summary>The spec's [MaskMod]s for the reference check (specs without mods need none).</summary>
        public System.Func<int, int, int, int, bool>? MaskMod { get; init; }

        public int HeadDim => Info.HeadDim;
        public string Name => Info.Name;
    }

    public static class Catalog
    {
        public static IReadOnlyList<BenchSpec> All { get; } = new BenchSpec[]
        {
            new(Masks.Dense, DenseD64.Info, (a, s, q, k, v, o, ids, l, p) => DenseD64.Run(a, s, q, k, v, o, l, p)),
            new(Masks.Dense, DenseD128.Info, (a, s, q, k, v, o, ids, l, p) => DenseD128.Run(a, s, q, k, v, o, l, p)),
            new(Masks.Causal, CausalD64.Info, (a, s, q, k, v, o, ids, l, p) => CausalD64.Run(a, s, q, k, v, o, l, p)),
            new(Masks.Causal, CausalD128.Info, (a, s, q, k, v, o, ids, l, p) => CausalD128.Run(a, s, q, k, v, o, l, p)),
            new(Masks.Window, CausalWindowD64.Info, (a, s, q, k, v, o, ids, l, p) => CausalWindowD64.Run(a, s, q, k, v, o, l, p)),
            new(Masks.Window, CausalWindowD128.Info, (a, s, q, k, v, o, ids, l, p) => CausalWindowD128.Run(a, s, q, k, v, o, l, p)),
            new(Masks.Document, DocumentCausalD64.Info, (a, s, q, k, v, o, ids, l, p) => DocumentCausalD64.Run(a, s, q, k, v, o, ids, l, p)),
            new(Masks.Document, DocumentCausalD128.Info, (a, s, q, k, v, o, ids, l, p) => DocumentCausalD128.Run(a, s, q, k, v, o, ids, l, p)),
            new(Masks.Alibi, CausalAlibiD64.Info, (a, s, q, k, v, o, ids, l, p) => CausalAlibiD64.Run(a, s, q, k, v, o, l, p)),
            new(Masks.Alibi, CausalAlibiD128.Info, (a, s, q, k, v, o, ids, l, p) => CausalAlibiD128.Run(a, s, q, k, v, o, l, p)),
        };

        /// <summary>Tile variants (--variants), each its own impl in the JSON lines.</summary>
        public static IReadOnlyList<BenchSpec> Variants { get; } = new BenchSpec[]
        {
            new(Masks.Causal, CausalD64Tile64x64.Info, (a, s, q, k, v, o, ids, l, p) => CausalD64Tile64x64.Run(a, s, q, k, v, o, l, p), "attndsl-64x64"),
            new(Masks.Causal, CausalD64Tile128x64.Info, (a, s, q, k, v, o, ids, l, p) => CausalD64Tile128x64.Run(a, s, q, k, v, o, l, p), "attndsl-128x64"),
            new(Masks.Causal, CausalD128Tile64x64.Info, (a, s, q, k, v, o, ids, l, p) => CausalD128Tile64x64.Run(a, s, q, k, v, o, l, p), "attndsl-64x64"),
            new(Masks.Causal, CausalD128Tile128x32.Info, (a, s, q, k, v, o, ids, l, p) => CausalD128Tile128x32.Run(a, s, q, k, v, o, l, p), "attndsl-128x32"),
            new(Masks.Causal, CausalD128Tile128x64.Info, (a, s, q, k, v, o, ids, l, p) => CausalD128Tile128x64.Run(a, s, q, k, v, o, l, p), "attndsl-128x64"),
            new(Masks.Document, DocumentD64Tile64x64.Info, (a, s, q, k, v, o, ids, l, p) => DocumentD64Tile64x64.Run(a, s, q, k, v, o, ids, l, p), "attndsl-64x64"),
            new(Masks.Document, DocumentD64Tile64x128.Info, (a, s, q, k, v, o, ids, l, p) => DocumentD64Tile64x128.Run(a, s, q, k, v, o, ids, l, p), "attndsl-64x128"),
            new(Masks.Document, DocumentD64Tile128x64.Info, (a, s, q, k, v, o, ids, l, p) => DocumentD64Tile128x64.Run(a, s, q, k, v, o, ids, l, p), "attndsl-128x64"),
            new(Masks.Document, DocumentD128Tile64x64.Info, (a, s, q, k, v, o, ids, l, p) => DocumentD128Tile64x64.Run(a, s, q, k, v, o, ids, l, p), "attndsl-64x64"),
            new(Masks.Document, DocumentD128Tile128x64.Info, (a, s, q, k, v, o, ids, l, p) => DocumentD128Tile128x64.Run(a, s, q, k, v, o, ids, l, p), "attndsl-128x64"),
            new(Masks.Document, DocumentD128Tile64x128.Info, (a, s, q, k, v, o, ids, l, p) => DocumentD128Tile64x128.Run(a, s, q, k, v, o, ids, l, p), "attndsl-64x128"),
            new(Masks.Window, WindowD64Tile128x128.Info, (a, s, q, k, v, o, ids, l, p) => WindowD64Tile128x128.Run(a, s, q, k, v, o, l, p), "attndsl-128x128"),
            new(Masks.Window, WindowD64Tile64x128.Info, (a, s, q, k, v, o, ids, l, p) => WindowD64Tile64x128.Run(a, s, q, k, v, o, l, p), "attndsl-64x128"),
            new(Masks.Window, WindowD64Tile128x64.Info, (a, s, q, k, v, o, ids, l, p) => WindowD64Tile128x64.Run(a, s, q, k, v, o, l, p), "attndsl-128x64"),
            new(Masks.Window, WindowD128Tile128x128.Info, (a, s, q, k, v, o, ids, l, p) => WindowD128Tile128x128.Run(a, s, q, k, v, o, l, p), "attndsl-128x128"),
            new(Masks.Window, WindowD128Tile64x64.Info, (a, s, q, k, v, o, ids, l, p) => WindowD128Tile64x64.Run(a, s, q, k, v, o, l, p), "attndsl-64x64"),
            new(Masks.Alibi, AlibiD128Tile128x128.Info, (a, s, q, k, v, o, ids, l, p) => AlibiD128Tile128x128.Run(a, s, q, k, v, o, l, p), "attndsl-128x128"),
            new(Masks.Dense, DenseD128Tile128x128.Info, (a, s, q, k, v, o, ids, l, p) => DenseD128Tile128x128.Run(a, s, q, k, v, o, l, p), "attndsl-128x128"),
            new(Masks.Window, WindowModD64.Info, (a, s, q, k, v, o, ids, l, p) => WindowModD64.Run(a, s, q, k, v, o, l, p), "attndsl-maskmod")
                { MaskMod = WindowModD64.CreateReferenceArguments().MaskMod },
            new(Masks.Window, WindowModD128.Info, (a, s, q, k, v, o, ids, l, p) => WindowModD128.Run(a, s, q, k, v, o, l, p), "attndsl-maskmod")
                { MaskMod = WindowModD128.CreateReferenceArguments().MaskMod },
            new(Masks.Window, WindowTensorModD128.Info, (a, s, q, k, v, o, ids, l, p) => WindowTensorModD128.Run(a, s, q, k, v, o, ZeroGate.For(a), l, p), "attndsl-maskmod-percall")
                { MaskMod = (b, h, i, j) => j <= i && i - j <= 1024 },
            new(Masks.Causal, CausalSoftCapD64.Info, (a, s, q, k, v, o, ids, l, p) => CausalSoftCapD64.Run(a, s, q, k, v, o, l, p), "attndsl-softcap50"),
            new(Masks.Causal, CausalSoftCapD128.Info, (a, s, q, k, v, o, ids, l, p) => CausalSoftCapD128.Run(a, s, q, k, v, o, l, p), "attndsl-softcap50"),
        };
    }

    /// <summary>One zero int per accelerator: the tensor of <see cref="WindowTensorModD128"/>.</summary>
    internal static class ZeroGate
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Accelerator, MemoryBuffer1D<int, Stride1D.Dense>> s_gates = new();

        public static ArrayView<int> For(Accelerator accelerator) => s_gates.GetValue(accelerator, a => a.Allocate1D(new int[1])).View;
    }
}
