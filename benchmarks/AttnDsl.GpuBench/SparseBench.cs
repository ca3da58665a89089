using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using AttnDsl.GpuBench.Specs;
using Half = ILGPU.Half;

namespace AttnDsl.GpuBench
{
    /// <summary>
    /// The [BlockSelect] rows (--sparse): on one causal D=128 shape, the dense causal kernel, the estimator alone
    /// (SelectCausalD128.Select), the sparse kernel alone on that selection (Run with reuseSelection) and both
    /// together (Run). The selection is written as FlexAttention's four int32 tensors so that
    /// benchmarks/gpu/bench_sparse_torch.py times FlexAttention on the same BlockMask. Checked first on a small
    /// shape: the selection against the rule on host-pooled scores, the output against the reference on it.
    /// </summary>
    public sealed partial class Bench
    {
        public int RunSparse(string directory)
        {
            Directory.CreateDirectory(directory);
            int failures = CheckSparse(new AttentionShape(1, 2, 2048));
            var g = _options.SparseShape;
            var shape = new AttentionShape(g.Batch, g.Heads, g.Length);
            long elements = shape.QueryElements(128);
            using var q = _device.Allocate1D<Half>(elements);
            using var k = _device.Allocate1D<Half>(elements);
            using var v = _device.Allocate1D<Half>(elements);
            using var o = _device.Allocate1D<Half>(elements);
            uint seed = (uint)_options.Seed;
            _fill((int)elements, q.View, seed * 3 + 1);
            _fill((int)elements, k.View, seed * 3 + 2);
            _fill((int)elements, v.View, seed * 3 + 3);
            using var selection = BlockMask.Allocate(_device, shape.Batch, shape.QueryHeads, shape.QueryLength, shape.KeyLength, 128, 64);
            _device.Synchronize();

            var row = new Dictionary<string, object?>
            {
                ["type"] = "sparse", ["impl"] = "attndsl", ["mask"] = "select-causal", ["B"] = g.Batch, ["H"] = g.Heads, ["N"] = g.Length, ["D"] = 128,
                ["spec"] = SelectCausalD128.Info.Describe(), ["device"] = _device.Name,
            };
            try
            {
                row["dense_ms"] = Time(() => CausalD128.Run(_device, shape, q.View, k.View, v.View, o.View, default, _options.Path));
                row["estimator_ms"] = Time(() => SelectCausalD128.Select(_device, shape, q.View, k.View, selection));
                row["sparse_ms"] = Time(() => SelectCausalD128.Run(_device, shape, q.View, k.View, v.View, o.View, default, _options.Path, selection, reuseSelection: true));
                row["total_ms"] = Time(() => SelectCausalD128.Run(_device, shape, q.View, k.View, v.View, o.View, default, _options.Path, selection));

                // The selection of the timed rows (the estimator is deterministic for fixed inputs).
                var host = selection.ToHost();
                var causal = BlockAnalysis.Count(CausalD128.Info, shape, new ReferenceArguments(), 128);
                var sparse = BlockAnalysis.Count(SelectCausalD128.Info, shape, new ReferenceArguments { BlockMask = host }, 128);
                row["kept_blocks"] = selection.PartialBlocks + selection.FullBlocks;
                row["partial_blocks"] = selection.PartialBlocks;
                row["causal_blocks"] = causal.VisitedBlocks;
                row["sparsity_of_causal"] = 1.0 - (double)sparse.VisitedBlocks / causal.VisitedBlocks;
                row["sparsity_of_grid"] = selection.Sparsity;
                row["dense_tflops"] = causal.Flops / ((double)row["dense_ms"]! * 1e-3) / 1e12;
                row["sparse_tflops"] = sparse.Flops / ((double)row["sparse_ms"]! * 1e-3) / 1e12;
                row["speedup_sparse"] = (double)row["dense_ms"]! / (double)row["sparse_ms"]!;
                row["speedup_total"] = (double)row["dense_ms"]! / (double)row["total_ms"]!;
                row["estimator_share"] = (double)row["estimator_ms"]! / (double)row["sparse_ms"]!;
                string prefix = Path.Combine(directory, $"select_b{g.Batch}_h{g.Heads}_n{g.Length}_d128");
                WriteInts(prefix + ".kv_num_blocks.i32", selection.PartialCounts);
                WriteInts(prefix + ".kv_indices.i32", selection.PartialIndices);
                WriteInts(prefix + ".full_kv_num_blocks.i32", selection.FullCounts);
                WriteInts(prefix + ".full_kv_indices.i32", selection.FullIndices);
                File.WriteAllText(prefix + ".json", System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["B"] = g.Batch, ["H"] = g.Heads, ["N"] = g.Length, ["D"] = 128, ["block_m"] = 128, ["block_n"] = 64,
                    ["query_blocks"] = selection.QueryBlocks, ["key_blocks"] = selection.KeyBlocks, ["seed"] = seed,
                    ["partial_mask"] = "causal", ["kept_blocks"] = row["kept_blocks"]!, ["sparsity_of_causal"] = row["sparsity_of_causal"]!,
                }));
                row["mask_files"] = prefix;
                row["status"] = "ok";
                Console.WriteLine($"  select-causal D128 {g}: dense {row["dense_ms"]:F3} ms, estimator {row["estimator_ms"]:F3} ms, sparse {row["sparse_ms"]:F3} ms, " +
                                  $"estimator + sparse {row["total_ms"]:F3} ms; {(double)row["sparsity_of_causal"]! * 100:F1}% of the causal blocks skipped; " +
                                  $"speedup {row["speedup_sparse"]:F2}x (kernel), {row["speedup_total"]:F2}x (with the estimator); estimator {(double)row["estimator_share"]! * 100:F1}% of the sparse kernel");
            }
            catch (Exception ex)
            {
                row["status"] = "error";
                row["note"] = $"{ex.GetType().Name}: {ex.Message}";
                Console.WriteLine($"  select-causal FAILED: {ex}");
                failures++;
            }
            _json.Write(row);
            return failures == 0 ? 0 : 1;
        }

        /// <summary>Median milliseconds of one call (first call separately, as the grid rows do).</summary>
        private double Time(Action call)
        {
            call();
            _device.Synchronize();
            var sw = Stopwatch.StartNew();
            call();
            _device.Synchronize();
            double est = Math.Max(sw.Elapsed.TotalMilliseconds, 1e-3);
            int inner = (int)Math.Clamp(Math.Ceiling(_options.RoundMs / est), 1, 1000);
            var times = new double[_options.Reps];
            for (int r = 0; r < times.Length; r++)
                times[r] = TimeRound(call, inner);
            return Median(times);
        }

        private static void WriteInts(string path, ArrayView<int> view)
        {
            var data = new int[view.Length];
            view.CopyToCPU(data);
            File.WriteAllBytes(path, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
        }

        /// <summary>
        /// The selection of a small shape against the rule applied to scores pooled on the host in double (ranks may
        /// differ only between blocks whose scores are within 1e-3 of the rule's cut), then the output against the reference.
        /// </summary>
        private int CheckSparse(AttentionShape shape)
        {
            var spec = SelectCausalD128.Info;
            var random = new Random(777);
            var (qh, qf) = RandomHalf(shape.QueryElements(128), random);
            var (kh, kf) = RandomHalf(shape.KeyElements(128), random);
            var (vh, vf) = RandomHalf(shape.KeyElements(128), random);
            using var q = _device.Allocate1D(qh);
            using var k = _device.Allocate1D(kh);
            using var v = _device.Allocate1D(vh);
            using var o = _device.Allocate1D<Half>(shape.QueryElements(128));
            using var l = _device.Allocate1D<float>(shape.QueryRows);
            using var selection = BlockMask.Allocate(_device, shape.Batch, shape.QueryHeads, shape.QueryLength, shape.KeyLength, 128, 64);
            var sw = Stopwatch.StartNew();
            SelectCausalD128.Run(_device, shape, q.View, k.View, v.View, o.View, l.View, _options.Path, selection);
            _device.Synchronize();
            double firstMs = sw.Elapsed.TotalMilliseconds;
            var host = selection.ToHost();

            // The rule on host scores.
            int qb = host.QueryBlocks, kb = host.KeyBlocks, d = 128, n = shape.QueryLength;
            int mismatches = 0, ties = 0, kept = 0;
            for (int h = 0; h < shape.QueryHeads; h++)
            {
                var pq = PoolHost(qf, h, shape.QueryHeads, n, 128, qb);
                var pk = PoolHost(kf, h, shape.KeyValueHeads, n, 64, kb);
                for (int qi = 0; qi < qb; qi++)
                {
                    int last = Math.Min((qi + 1) * 128, n) - 1;
                    int candidates = Math.Min(last / 64, kb - 1) + 1;
                    var scores = Enumerable.Range(0, candidates).Select(kk => Enumerable.Range(0, d).Sum(t => pq[qi * d + t] * pk[kk * d + t])).ToArray();
                    var ranking = Enumerable.Range(0, candidates).OrderByDescending(kk => scores[kk]).ThenBy(kk => kk).ToArray();
                    int keep = Math.Max(1, (int)Math.Ceiling(spec.BlockSelect!.TopFraction * candidates));
                    double cut = scores[ranking[keep - 1]];
                    for (int kk = 0; kk < kb; kk++)
                    {
                        bool forced = kk == 0 || (kk * 64 <= last && kk * 64 + 63 >= qi * 128);
                        bool expected = kk < candidates && (forced || Array.IndexOf(ranking, kk) < keep);
                        bool actual = host.Class(0, h, qi, kk) != BlockClass.Empty;
                        kept += actual ? 1 : 0;
                        if (expected == actual)
                            continue;
                        if (kk < candidates && Math.Abs(scores[kk] - cut) <= 1e-3 * Math.Max(1, Math.Abs(cut)))
                            ties++;
                        else
                            mismatches++;
                    }
                }
            }
            var reference = AttentionReference.Compute(spec, shape, qf, kf, vf, new ReferenceArguments { BlockMask = host });
            var output = o.GetAsArray1D();
            double maxV = vf.Max(x => Math.Abs((double)x)), outErr = 0;
            for (int x = 0; x < output.Length; x++)
                outErr = Math.Max(outErr, Math.Abs((float)output[x] - reference.Output[x]));
            bool ok = mismatches == 0 && outErr <= OutputToleranceOfMaxValue * maxV && kept > 0;
            _json.Write(new Dictionary<string, object?>
            {
                ["type"] = "check", ["impl"] = "attndsl", ["mask"] = "select-causal", ["B"] = shape.Batch, ["H"] = shape.QueryHeads, ["N"] = n, ["D"] = 128,
                ["spec"] = spec.Describe(), ["first_call_ms"] = firstMs, ["selection_mismatches"] = mismatches, ["selection_near_ties"] = ties,
                ["kept_blocks"] = kept, ["output_error"] = outErr, ["output_tolerance"] = OutputToleranceOfMaxValue * maxV, ["status"] = ok ? "ok" : "error",
            });
            Console.WriteLine($"check select-causal D128 on {shape}: first call {firstMs / 1000:F2} s; selection {mismatches} mismatches, {ties} near-ties, {kept} blocks kept; " +
                              $"output error {outErr:E2} (tolerance {OutputToleranceOfMaxValue * maxV:E2}): {(ok ? "ok" : "FAILED")}");
            return ok ? 0 : 1;
        }

        /// <summary>Means of blocks of rows of head h (batch 0, BHND) in double, times the spec's scale times log2(e) for the queries.</summary>
        private static double[] PoolHost(float[] x, int h, int heads, int n, int block, int blocks)
        {
            const int d = 128;
            var pooled = new double[blocks * d];
            for (int blk = 0; blk < blocks; blk++)
            {
                int first = blk * block, end = Math.Min(first + block, n);
                for (int i = first; i < end; i++)
                    for (int t = 0; t < d; t++)
                        pooled[blk * d + t] += x[((long)h * n + i) * d + t];
                for (int t = 0; t < d; t++)
                    pooled[blk * d + t] /= end - first;
            }
            return pooled;
        }
    }
}
