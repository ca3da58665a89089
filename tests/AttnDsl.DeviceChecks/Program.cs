using System;
using System.Diagnostics;
using System.Linq;
using AttnDsl;
using AttnDsl.Kernels.Tests.Harness;
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
Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 ? 0 : 1;
