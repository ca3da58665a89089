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
Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;
