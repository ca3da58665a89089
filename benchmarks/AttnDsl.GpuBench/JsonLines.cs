using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AttnDsl.GpuBench
{
    /// <summary>One JSON object per line, flushed per line (a run cut short keeps what it measured). NaN and infinities become null.</summary>
    public sealed class JsonLines : IDisposable
    {
        private static readonly JsonSerializerOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        private readonly StreamWriter? _writer;

        public JsonLines(string? path)
        {
            if (path is null)
                return;
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir))
                Directory.CreateDirectory(dir);
            _writer = new StreamWriter(path, append: false) { AutoFlush = true };
        }

        public void Write(Dictionary<string, object?> record)
        {
            if (_writer is null)
                return;
            var clean = new Dictionary<string, object?>();
            foreach (var (key, value) in record)
            {
                clean[key] = value switch
                {
                    double d when !double.IsFinite(d) => null,
                    float f when !float.IsFinite(f) => null,
                    _ => value,
                };
            }
            _writer.WriteLine(JsonSerializer.Serialize(clean, s_options));
        }

        public void Dispose() => _writer?.Dispose();
    }
}
