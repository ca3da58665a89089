using System;
using AttnDsl;
using BenchmarkDotNet.Attributes;
using ILGPU;
using ILGPU.Runtime;

namespace AttnDsl.Benchmarks
{
    /// <summary>
    /// The portable kernels on ILGPU's CPU accelerator (the row-streaming shape the dispatcher picks
    /// there, and the tiled shape for comparison) against the double-precision reference, B=1, H=4, D=64.
    /// </summary>
    [MemoryDiagnoser(false)]
    public class PortableKernelBenchmarks
    {
        private Context _context = null!;
        private Accelerator _accelerator = null!;
        private MemoryBuffer1D<float, Stride1D.Dense> _q = null!, _k = null!, _v = null!, _o = null!;
        private float[] _hq = null!, _hk = null!, _hv = null!;
        private AttentionShape _shape;

        [Params(512, 1024)]
        public int N { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            _context = Context.CreateDefault();
            _accelerator = _context.GetPreferredDevice(preferCPU: true).CreateAccelerator(_context);
            _shape = new AttentionShape(1, 4, N);
            var rng = new Random(42);
            _hq = Random(rng, _shape.QueryElements(64));
            _hk = Random(rng, _shape.KeyElements(64));
            _hv = Random(rng, _shape.KeyElements(64));
            _q = _accelerator.Allocate1D(_hq);
            _k = _accelerator.Allocate1D(_hk);
            _v = _accelerator.Allocate1D(_hv);
            _o = _accelerator.Allocate1D<float>(_hq.Length);
            // Compile outside the measurement.
            Dense();
            Causal();
            Streaming();
            CausalTiled();
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            foreach (var b in new[] { _q, _k, _v, _o }) b.Dispose();
            _accelerator.Dispose();
            _context.Dispose();
        }

        [Benchmark(Baseline = true)]
        public void Dense() => Sync(() => Dense64.Run(_accelerator, _shape, _q.View, _k.View, _v.View, _o.View));

        [Benchmark]
        public void Causal() => Sync(() => Causal64.Run(_accelerator, _shape, _q.View, _k.View, _v.View, _o.View));

        [Benchmark]
        public void Streaming() => Sync(() => Streaming64.Run(_accelerator, _shape, _q.View, _k.View, _v.View, _o.View));

        [Benchmark]
        public void CausalTiled() => Sync(() => Causal64.Run(_accelerator, _shape, _q.View, _k.View, _v.View, _o.View, default, AttentionPath.Tiled));

        [Benchmark]
        public double[] CausalReference() => AttentionReference.Compute(Causal64.Info, _shape, _hq, _hk, _hv).Output;

        private void Sync(Action run)
        {
            run();
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
