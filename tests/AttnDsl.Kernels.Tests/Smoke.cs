using System;
using AttnDsl;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, SlidingWindow(20), AttentionSinks(4)]
    public static partial class SmokeSpec;

    public class Smoke
    {
        [Theory]
        [InlineData(AttentionPath.RowStreaming)]
        [InlineData(AttentionPath.Tiled)]
        public void Runs(AttentionPath path)
        {
            using var context = Context.CreateDefault();
            using var accelerator = context.GetPreferredDevice(preferCPU: true).CreateAccelerator(context);
            var shape = new AttentionShape(1, 2, 1, 65, 65);
            var rng = new Random(1);
            float[] q = new float[shape.QueryElements(32)], k = new float[shape.KeyElements(32)], v = new float[shape.KeyElements(32)];
            foreach (var a in new[] { q, k, v }) for (int x = 0; x < a.Length; x++) a[x] = (float)(rng.NextDouble() * 2 - 1);
            using var qb = accelerator.Allocate1D(q); using var kb = accelerator.Allocate1D(k); using var vb = accelerator.Allocate1D(v);
            using var ob = accelerator.Allocate1D<float>(q.Length); using var lb = accelerator.Allocate1D<float>(shape.QueryRows);
            SmokeSpec.Run(accelerator, shape, qb.View, kb.View, vb.View, ob.View, lb.View, path);
            accelerator.Synchronize();
            var o = ob.GetAsArray1D(); var l = lb.GetAsArray1D();
            var r = AttentionReference.Compute(SmokeSpec.Info, shape, q, k, v);
            double err = 0; for (int x = 0; x < o.Length; x++) err = Math.Max(err, Math.Abs(o[x] - r.Output[x]));
            double lerr = 0; for (int x = 0; x < l.Length; x++) lerr = Math.Max(lerr, Math.Abs(l[x] - r.LogSumExp[x]));
            Assert.True(err < 1e-5, $"max error {err}");
            Assert.True(lerr < 1e-5, $"lse error {lerr}");
        }
    }
}
