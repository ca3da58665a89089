using System;
using System.Collections.Generic;
using System.Linq;
using ILGPU;
using ILGPU.Runtime;
using AttnDsl.GpuBench.Specs;
using Half = ILGPU.Half;

namespace AttnDsl.GpuBench
{
    /// <summary>
    /// GpuBench --quant: the [Quantize] int8 path against the Float16 tensor-core path on one shape (dense and causal),
    /// Run timed whole (prologue included) and the prologue alone; the int8 output compared with the Float16 one
    /// (cosine, relative L1) on the timed inputs, and a small shape checked against the reference on the dequantized tensors.
    /// </summary>
    public sealed partial class Bench
    {
        public int RunQuant()
        {
            int failures = CheckQuant(new AttentionShape(1, 2, 1024));
            var g = _options.QuantShape;
            var shape = new AttentionShape(g.Batch, g.Heads, g.Length);
            long elements = shape.QueryElements(128);
            using var q = _device.Allocate1D<Half>(elements);
            using var k = _device.Allocate1D<Half>(elements);
            using var v = _device.Allocate1D<Half>(elements);
            using var o16 = _device.Allocate1D<Half>(elements);
            using var o8 = _device.Allocate1D<Half>(elements);
            uint seed = (uint)_options.Seed;
            _fill((int)elements, q.View, seed * 3 + 1);
            _fill((int)elements, k.View, seed * 3 + 2);
            _fill((int)elements, v.View, seed * 3 + 3);
            // The prologue's outputs, in each int8 spec's quantization blocks (its BlockM x BlockN).
            using var quantizedCausal = QuantizedInputs.Allocate(_device, shape, 128, SageCausalD128.Info.BlockM, SageCausalD128.Info.BlockN, smoothKeys: true);
            using var quantizedDense = QuantizedInputs.Allocate(_device, shape, 128, SageDenseD128.Info.BlockM, SageDenseD128.Info.BlockN, smoothKeys: true);
            _device.Synchronize();

            void Row(string mask, AttentionSpecInfo fp16Info, Action fp16, AttentionSpecInfo int8Info, Action int8, Action prologue)
            {
                var row = new Dictionary<string, object?>
                {
                    ["type"] = "quant", ["impl"] = "attndsl", ["mask"] = mask, ["B"] = g.Batch, ["H"] = g.Heads, ["N"] = g.Length, ["D"] = 128,
                    ["spec"] = int8Info.Describe(), ["device"] = _device.Name,
                };
                try
                {
                    row["fp16_ms"] = Time(fp16);
                    row["int8_ms"] = Time(int8);
                    row["prologue_ms"] = Time(prologue);
                    var flops = BlockAnalysis.Count(fp16Info, shape, new ReferenceArguments(), 128).Flops;
                    row["fp16_tflops"] = flops / ((double)row["fp16_ms"]! * 1e-3) / 1e12;
                    row["int8_tflops"] = flops / ((double)row["int8_ms"]! * 1e-3) / 1e12;
                    row["speedup"] = (double)row["fp16_ms"]! / (double)row["int8_ms"]!;
                    row["prologue_share"] = (double)row["prologue_ms"]! / (double)row["int8_ms"]!;
                    fp16();
                    int8();
                    _device.Synchronize();
                    var a = o16.GetAsArray1D().Select(x => (double)(float)x).ToArray();
                    var b = o8.GetAsArray1D().Select(x => (float)x).ToArray();
                    var accuracy = AttentionAccuracy.Compare(a, b);
                    row["cosine_vs_fp16"] = accuracy.CosineSimilarity;
                    row["relative_l1_vs_fp16"] = accuracy.RelativeL1;
                    row["status"] = "ok";
                    Console.WriteLine($"  quant {mask} D128 {g}: Float16 tensor cores {row["fp16_ms"]:F3} ms ({row["fp16_tflops"]:F1} TFLOP/s), int8 {row["int8_ms"]:F3} ms " +
                                      $"({row["int8_tflops"]:F1} TFLOP/s) with the prologue {row["prologue_ms"]:F3} ms ({(double)row["prologue_share"]! * 100:F1}%): {row["speedup"]:F2}x; " +
                                      $"int8 vs Float16 output: {accuracy}");
                }
                catch (Exception ex)
                {
                    row["status"] = "error";
                    row["note"] = $"{ex.GetType().Name}: {ex.Message}";
                    Console.WriteLine($"  quant {mask} FAILED: {ex}");
                    failures++;
                }
                _json.Write(row);
            }

            Row("causal", CausalD128.Info,
                () => CausalD128.Run(_device, shape, q.View, k.View, v.View, o16.View, default, _options.Path),
                SageCausalD128.Info,
                () => SageCausalD128.Run(_device, shape, q.View, k.View, v.View, o8.View, default, _options.Path),
                () => SageCausalD128.Quantize(_device, shape, q.View, k.View, quantizedCausal));
            Row("dense", DenseD128.Info,
                () => DenseD128.Run(_device, shape, q.View, k.View, v.View, o16.View, default, _options.Path),
                SageDenseD128.Info,
                () => SageDenseD128.Run(_device, shape, q.View, k.View, v.View, o8.View, default, _options.Path),
                () => SageDenseD128.Quantize(_device, shape, q.View, k.View, quantizedDense));
            return failures == 0 ? 0 : 1;
        }

        /// <summary>The int8 causal kernel against exact attention of its dequantized tensors, and against the unquantized inputs.</summary>
        private int CheckQuant(AttentionShape shape)
        {
            var info = SageCausalD128.Info;
            var random = new Random(4242);
            var (qh, qf) = RandomHalf(shape.QueryElements(128), random);
            var (kh, kf) = RandomHalf(shape.KeyElements(128), random);
            var (vh, vf) = RandomHalf(shape.KeyElements(128), random);
            using var q = _device.Allocate1D(qh);
            using var k = _device.Allocate1D(kh);
            using var v = _device.Allocate1D(vh);
            using var o = _device.Allocate1D<Half>(shape.QueryElements(128));
            using var l = _device.Allocate1D<float>(shape.QueryRows);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            SageCausalD128.Run(_device, shape, q.View, k.View, v.View, o.View, l.View, _options.Path);
            _device.Synchronize();
            double firstMs = sw.Elapsed.TotalMilliseconds;
            using var quantized = SageCausalD128.Quantize(_device, shape, q.View, k.View);
            var host = quantized.ToHost();
            var output = o.GetAsArray1D().Select(x => (float)x).ToArray();
            var lse = l.GetAsArray1D();
            var dequantized = AttentionReference.Compute(info, shape, host.DequantizedQuery(info.Layout), host.DequantizedKey(info.Layout), vf);
            var exact = AttentionReference.Compute(info, shape, qf, kf, vf);
            var own = AttentionAccuracy.Compare(dequantized.Output, output);
            double lseError = lse.Select((x, i) => Math.Abs(x - dequantized.LogSumExp[i])).Max();
            var accuracy = AttentionAccuracy.Compare(exact.Output, output);
            bool ok = own.MaxAbsError <= 2e-3 && lseError <= 1e-3;
            Console.WriteLine($"  quant check {shape} ({_options.Path}, first call {firstMs / 1000:F1} s): vs exact attention of the dequantized tensors " +
                              $"max |error| {own.MaxAbsError:G3}, LSE {lseError:G3} -> {(ok ? "PASS" : "FAIL")}; vs exact attention of the inputs: {accuracy}");
            _json.Write(new Dictionary<string, object?>
            {
                ["type"] = "quant-check", ["spec"] = info.Describe(), ["N"] = shape.QueryLength, ["H"] = shape.QueryHeads, ["first_call_ms"] = firstMs,
                ["max_error_vs_dequantized"] = own.MaxAbsError, ["lse_error"] = lseError, ["cosine_vs_exact"] = accuracy.CosineSimilarity,
                ["relative_l1_vs_exact"] = accuracy.RelativeL1, ["status"] = ok ? "ok" : "fail",
            });
            return ok ? 0 : 1;
        }
    }
}
