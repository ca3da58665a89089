using System;
using System.Diagnostics;
using System.Linq;
using AttnDsl;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Kernels.Tests.Specs;
using ILGPU;
using ILGPU.Runtime;

// Every spec of the kernel test catalog x every test shape x both kernel paths, checked against
// AttentionReference on the best accelerator present (CUDA when there is one). Prints one line per
// failure and a closing "N passed, N failed"; exits 1 when anything failed.
using var context = Context.CreateDefault();
var device = context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda)
    ?? context.GetPreferredDevice(preferCPU: true);
using var accelerator = device.CreateAccelerator(context);
Console.WriteLine($"accelerator: {accelerator.Name} ({accelerator.AcceleratorType}, warp {accelerator.WarpSize}, {accelerator.MaxNumThreadsPerGroup} threads/group)");

int passed = 0, failed = 0, seed = 1;
var clock = Stopwatch.StartNew();
foreach (var spec in SpecCatalog.All)
{
    foreach (var (name, shape) in Shapes.ByName)
    {
        if (spec.SelfAttentionOnly && !Shapes.IsSelfAttention(shape))
            continue;
        var paths = spec.Info.Element == ElementType.Float32
            ? new[] { AttentionPath.RowStreaming, AttentionPath.Tiled }
            : new[] { AttentionPath.RowStreaming, AttentionPath.Tiled, AttentionPath.TensorCore };
        foreach (var path in paths)
        {
            try
            {
                spec.Execute(accelerator, shape, path, seed++).AssertMatchesReference();
                passed++;
            }
            catch (Exception ex)
            {
                failed++;
                Console.WriteLine($"FAIL {spec.Name} {name} {path}: {ex.Message.Split('\n')[0]}");
            }
        }
    }
}
Console.WriteLine($"{SpecCatalog.All.Count} specs, {clock.Elapsed.TotalSeconds:F1} s");

// [BlockSelect] estimators on the device against the rule written plainly on the host. The device may fuse
// multiply-adds, so a block may flip only where its host score is within 1e-4 of a block decided the other way.
var selectShape = new AttentionShape(2, 4, 2, 300, 300);
void CheckSelect<T>(AttentionSpecInfo info, Func<ArrayView<T>, ArrayView<T>, BlockMask> select, ReferenceArguments arguments)
    where T : unmanaged
{
    try
    {
        var inputs = KernelCheck.RandomInputs<T>(info, selectShape, new Random(seed++));
        using var q = accelerator.Allocate1D(Elements.FromFloats<T>(inputs.Query));
        using var k = accelerator.Allocate1D(Elements.FromFloats<T>(inputs.Key));
        using var mask = select(q.View, k.View);
        var device = mask.ToHost().Classes;
        var (expected, scores) = HostSelection.Select(info, selectShape, inputs.Query, inputs.Key, arguments);
        int kb = mask.KeyBlocks, flips = 0, wrong = 0;
        for (int x = 0; x < expected.Length; x++)
        {
            if (device[x] == expected[x])
                continue;
            long row = x / kb * kb;
            bool nearTie = Enumerable.Range(0, kb).Any(y => y != x - row && (expected[row + y] == BlockClass.Empty) != (expected[x] == BlockClass.Empty)
                && Math.Abs(scores[row + y] - scores[x]) <= 1e-4f * Math.Max(1f, Math.Abs(scores[x])));
            if (nearTie) flips++; else wrong++;
        }
        if (wrong > 0)
            throw new Exception($"{wrong} blocks differ from the host rule ({flips} near-ties)");
        Console.WriteLine($"select {info.Name}: {expected.Length} blocks, {expected.Count(c => c != BlockClass.Empty)} kept, {flips} near-tie flips");
        passed++;
    }
    catch (Exception ex)
    {
        failed++;
        Console.WriteLine($"FAIL select {info.Name}: {ex.Message.Split('\n')[0]}");
    }
}
CheckSelect<float>(SelectTopKCausalF32.Info, (q, k) => SelectTopKCausalF32.Select(accelerator, selectShape, q, k), new ReferenceArguments());
CheckSelect<ILGPU.Half>(SelectFractionCausalF16.Info, (q, k) => SelectFractionCausalF16.Select(accelerator, selectShape, q, k), new ReferenceArguments());
CheckSelect<float>(SelectMassWindowF32.Info, (q, k) => SelectMassWindowF32.Select(accelerator, selectShape, q, k), new ReferenceArguments());
CheckSelect<float>(SelectModF32.Info, (q, k) => SelectModF32.Select(accelerator, selectShape, q, k), new ReferenceArguments { MaskMod = SelectModF32.Band });

// [MaskMod] specs whose blocks Run classifies on the device: adversarial and random masks, a tensor that changes
// between calls (classified again), on every kernel path their element type has.
void CheckMods(string name, Action run)
{
    try
    {
        run();
        passed++;
    }
    catch (Exception ex)
    {
        failed++;
        Console.WriteLine($"FAIL mod blocks {name}: {ex.Message.Split('\n')[0]}");
    }
}
foreach (var path in new[] { AttentionPath.RowStreaming, AttentionPath.Tiled })
{
    var pinhole = new AttentionShape(2, 2, 1, 300, 260);
    CheckMods($"PinholeModF32 {path}", () => KernelCheck.Execute<float>(accelerator, PinholeModF32.Info, pinhole, PinholeModF32.Run,
        PinholeModF32.CreateReferenceArguments(), path, new Random(seed++)).AssertMatchesReference());
    foreach (int width in new[] { 5, 100, 5 })
        CheckMods($"BandModF32 width {width} {path}", () => KernelCheck.Execute<float>(accelerator, BandModF32.Info, pinhole,
            (a, s, q, k, v, o, l, p) => BandModF32.Run(a, s, q, k, v, o, width, l, p), BandModF32.CreateReferenceArguments(width), path,
            new Random(seed++)).AssertMatchesReference());
}
foreach (var path in new[] { AttentionPath.RowStreaming, AttentionPath.Tiled, AttentionPath.TensorCore })
{
    var chunkShape = new AttentionShape(2, 4, 2, 500, 500);
    using var flags = accelerator.Allocate1D(new int[500]);
    for (int call = 0; call < 2; call++)
    {
        if (call == 1)
        {
            var set = new int[500];
            set[7] = set[250] = set[499] = 1;
            flags.CopyFromCPU(set);
        }
        CheckMods($"ChunkOrFlaggedModF16 call {call} {path}", () => KernelCheck.Execute<ILGPU.Half>(accelerator, ChunkOrFlaggedModF16.Info, chunkShape,
            (a, s, q, k, v, o, l, p) => ChunkOrFlaggedModF16.Run(a, s, q, k, v, o, flags.View, l, p),
            ChunkOrFlaggedModF16.CreateReferenceArguments(flags.View), path, new Random(seed++)).AssertMatchesReference());
    }
}

// Soft-cap's tanh on CUDA is tanh.approx.f32: its error over the scores soft-cap sees, against tanh in double.
if (accelerator.AcceleratorType == AcceleratorType.Cuda)
{
    const int count = 1 << 20;
    var xs = new float[count];
    for (int n = 0; n < count; n++)
        xs[n] = -20f + 40f * n / (count - 1);
    using var x = accelerator.Allocate1D(xs);
    using var y = accelerator.Allocate1D<float>(count);
    accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(TanhProbe.Kernel)(count, x.View, y.View);
    var ys = y.GetAsArray1D();
    double worstAbs = 0, worstRel = 0;
    for (int n = 0; n < count; n++)
    {
        double exact = Math.Tanh(xs[n]), e = Math.Abs(ys[n] - exact);
        worstAbs = Math.Max(worstAbs, e);
        if (exact != 0)
            worstRel = Math.Max(worstRel, e / Math.Abs(exact));
    }
    bool ok = worstAbs <= 1.0 / 1024 && worstRel <= 1.0 / 1024;
    Console.WriteLine($"tanh.approx.f32 on [-20, 20] ({count} points): max abs error {worstAbs:E3} (2^{Math.Log2(worstAbs):F2}), max rel error {worstRel:E3} (2^{Math.Log2(worstRel):F2}) {(ok ? "within" : "OUTSIDE")} 2^-10");
    if (ok) passed++; else failed++;
}
Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;

/// <summary>The soft-cap kernels' tanh on the CUDA target, one value per thread.</summary>
internal static class TanhProbe
{
    public static void Kernel(Index1D index, ArrayView<float> x, ArrayView<float> y) =>
        y[index] = AttnDsl.TensorCores.Fragments.Tanh<AttnDsl.TensorCores.CudaTarget>(x[index]);
}
