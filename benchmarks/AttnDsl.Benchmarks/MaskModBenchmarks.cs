using System;
using BenchmarkDotNet.Attributes;
using ILGPU;
using ILGPU.Runtime;

namespace AttnDsl.Benchmarks
{
    /// <summary>
    /// A causal window of 256 keys as the built-in attributes and as a [MaskMod], on the tiled kernel shape of ILGPU's CPU
    /// accelerator (B=1, H=2, D=64): the mod's blocks come from the classification Run keeps per shape, so both visit the
    /// same blocks and test elements in the same partial ones.
    /// </summary>
    [MemoryDiagnoser(false)]
    public class MaskModBenchmarks
    {
        private Context _context = null!;
        private Accelerator _accelerator = null!;
        private MemoryBuffer1D<float, Stride1D.Dense> _q = null!, _k = null!, _v = null!, _o = null!;
        private AttentionShape _shape;

        [Params(2048)]
        public int N { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            _context = Context.CreateDefault();
            _accelerator = _context.GetPreferredDevice(preferCPU: true).CreateAccelerator(_context);
            _shape = new AttentionShape(1, 2, N);
            var rng = new Random(42);
            _q = _accelerator.Allocate1D(Random(rng, _shape.QueryElements(64)));
            _k = _accelerator.Allocate1D(Random(rng, _shape.KeyElements(64)));
            _v = _accelerator.Allocate1D(Random(rng, _shape.KeyElements(64)));
            _o = _accelerator.Allocate1D<float>(_shape.QueryElements(64));
            // Compile (and classify the mod's blocks) outside the measurement.
            BuiltInWindowTiled();
            MaskModWindowTiled();
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            foreach (var b in new[] { _q, _k, _v, _o }) b.Dispose();
            _accelerator.Dispose();
            _context.Dispose();
        }

        [Benchmark(Baseline = true)]
        public void BuiltInWindowTiled()
        {
            Window64.Run(_accelerator, _shape, _q.View, _k.View, _v.View, _o.View, default, AttentionPath.Tiled);
            _accelerator.Synchronize();
        }

        [Benchmark]
        public void MaskModWindowTiled()
        {
            WindowMod64.Run(_accelerator, _shape, _q.View, _k.View, _v.View, _o.View, default, AttentionPath.Tiled);
            _accelerator.Synchronize();
        }

        private static float[] Random(Random rng, long n)
        {
            var a = new float[n];
            for (long i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
            return a;
        }
    }
}
