using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using ILGPU.Runtime;

namespace AttnDsl.Gallery
{
    /// <summary>The printed table and the JSON file.</summary>
    public static class GalleryReport
    {
        public static string FormatShape(AttentionShape s, int headDim) =>
            $"B{s.Batch} H{s.QueryHeads}{(s.KeyValueHeads != s.QueryHeads ? "/" + s.KeyValueHeads : "")} N{s.QueryLength}{(s.KeyLength != s.QueryLength ? "x" + s.KeyLength : "")} D{headDim}";

        public static void Print(TextWriter w, Accelerator device, GalleryRunner runner, IReadOnlyList<GalleryRow> rows)
        {
            var header = new[] { "variant", "seed paper", "shape", "max err out/tol", "max err LSE", "result", "time (ms)", "TFLOP/s", "skipped %" };
            var cells = rows.Select(r => new[]
            {
                r.Name + (r.HasMaskMod ? "*" : ""),
                r.Seed,
                FormatShape(r.Shape, r.HeadDim),
                double.IsNaN(r.OutputError) ? "-" : $"{r.OutputError:0.0E+0}/{r.OutputTolerance:0.0E+0}",
                double.IsNaN(r.LogSumExpError) ? "-" : $"{r.LogSumExpError:0.0E+0}",
                r.Pass ? "PASS" : "FAIL",
                r.MedianMs > 0 ? $"{r.MedianMs:F2}" : "-",
                r.MedianMs > 0 ? FormatTflops(r.TflopPerSecond) : "-",
                r.TotalBlocks > 0 ? $"{100 * r.SkippedFraction:F1}" : "-",
            }).ToList();
            var widths = header.Select((h, c) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(row => row[c].Length))).ToArray();
            bool[] right = { false, false, false, true, true, false, true, true, true };
            string Line(string[] values) => string.Join("  ", values.Select((v, c) => right[c] ? v.PadLeft(widths[c]) : v.PadRight(widths[c])));

            w.WriteLine();
            w.WriteLine($"accelerator: {device.Name} ({device.AcceleratorType}, warp {device.WarpSize}, {device.MaxNumThreadsPerGroup} threads/group)");
            var first = rows.FirstOrDefault();
            if (first is not null)
            {
                w.WriteLine($"kernel: {first.KernelPath}{(first.KernelPath == nameof(AttentionPath.Tiled) ? $" ({first.TileRows}-row query tiles)" : " (one thread per query row)")}; " +
                            $"time = median of {runner.Reps} runs after the compiling run{(runner.Warmups > 0 ? $" and {runner.Warmups} warm-ups" : "")}");
                if (first.CheckShape != first.Shape)
                    w.WriteLine($"errors checked against AttentionReference on {FormatShape(first.CheckShape, first.HeadDim)} (reference is O(N^2 D) per head on the host); timings on the shape shown");
            }
            w.WriteLine(Line(header));
            w.WriteLine(string.Join("  ", widths.Select(x => new string('-', x))));
            foreach (var c in cells)
                w.WriteLine(Line(c));
            w.WriteLine();
            w.WriteLine("TFLOP/s counts 4 * rows * keys * D (QK^T and PV) on the key blocks the kernel visits, i.e. the blocks the");
            w.WriteLine("spec's built-in masks do not classify Empty (AttnDsl.BlockAnalysis: the kernels' block schedule and classification on the host).");
            w.WriteLine("* has a [MaskMod]: mod blocks cannot be classified ahead, so they count as visited (the tiled kernel still");
            w.WriteLine("  skips the loads of a block the mod hides from the whole tile); skipped % covers the built-in masks only.");
            w.WriteLine($"tolerances: output {GalleryRunner.OutputToleranceOfMaxValue:0E+0} * max|v| (Float16 output rounding is 4.9e-4 * max|v|), LSE {GalleryRunner.LogSumExpTolerance:0E+0} absolute.");

            var failed = rows.Where(r => !r.Pass).ToList();
            w.WriteLine();
            w.WriteLine("specs:");
            foreach (var r in rows)
            {
                w.WriteLine($"  {r.Name,-17} {r.Spec}");
                w.WriteLine($"  {"",-17} {r.Description}");
                if (r.Note is not null)
                    w.WriteLine($"  {"",-17} note: {r.Note}");
            }
            w.WriteLine();
            if (failed.Count == 0)
            {
                w.WriteLine($"all {rows.Count} rows passed");
            }
            else
            {
                w.WriteLine($"{failed.Count} of {rows.Count} rows FAILED:");
                foreach (var r in failed)
                    w.WriteLine($"  {r.Name}: {r.Error ?? $"output error {r.OutputError:E3} (tolerance {r.OutputTolerance:E3}), LSE error {r.LogSumExpError:E3} (tolerance {r.LogSumExpTolerance:E3})"}");
            }
        }

        private static string FormatTflops(double t) =>
            t >= 10 ? $"{t:F1}" : t >= 0.1 ? $"{t:F3}" : $"{t:F5}";

        public static void WriteJson(string path, Accelerator device, GalleryRunner runner, IReadOnlyList<GalleryRow> rows)
        {
            var document = new
            {
                accelerator = device.Name,
                acceleratorType = device.AcceleratorType.ToString(),
                quick = runner.Options.Quick,
                reps = runner.Reps,
                warmups = runner.Warmups,
                outputToleranceOfMaxValue = GalleryRunner.OutputToleranceOfMaxValue,
                logSumExpTolerance = GalleryRunner.LogSumExpTolerance,
                flopsNote = "2 * rows * keys * (HeadDim + HeadDimV) per visited key block (QK^T and PV; 4 * rows * keys * D when HeadDimV == HeadDim); MaskMod blocks count as visited",
                allPassed = rows.All(r => r.Pass),
                rows,
            };
            var options = new JsonSerializerOptions
            {
                WriteIndented = true,
                PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
                NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep '+' and '<' readable
            };
            string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
                Directory.CreateDirectory(directory);
            File.WriteAllText(path, JsonSerializer.Serialize(document, options));
        }
    }
}
