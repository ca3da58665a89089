using System;
using System.Text;

namespace AttnDsl.Generators.Emitting
{
    /// <summary>Indented text builder for generated code.</summary>
    internal sealed class CodeWriter
    {
        private readonly StringBuilder _text = new();
        private int _indent;

        public CodeWriter Line(string line = "")
        {
            if (line.Length > 0)
                _text.Append(' ', _indent * 4);
            _text.Append(line).Append('\n');
            return this;
        }

        public CodeWriter Lines(string block)
        {
            foreach (var line in block.Replace("\r\n", "\n").Split('\n'))
                Line(line);
            return this;
        }

        /// <summary>A braced block under <paramref name="header"/>; an empty header opens a bare scope.</summary>
        public IDisposable Block(string header)
        {
            if (header.Length > 0)
                Line(header);
            Line("{");
            _indent++;
            return new Closer(this, "}");
        }

        public IDisposable Block(string header, string closer)
        {
            Line(header);
            Line("{");
            _indent++;
            return new Closer(this, closer);
        }

        public override string ToString() => _text.ToString();

        private sealed class Closer : IDisposable
        {
            private readonly CodeWriter _writer;
            private readonly string _closer;

            public Closer(CodeWriter writer, string closer)
            {
                _writer = writer;
                _closer = closer;
            }

            public void Dispose()
            {
                _writer._indent--;
                _writer.Line(_closer);
            }
        }
    }
}
