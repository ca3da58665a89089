using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using AttnDsl.Generators.Model;

namespace AttnDsl.Generators.Emitting
{
    /// <summary>Spellings shared by the emitters.</summary>
    internal static class EmitNames
    {
        public const string GeneratedCode = "[global::System.CodeDom.Compiler.GeneratedCode(\"AttnDsl.Generators\", \"0.1.0\")]";
        public const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";
        public const string Masks = "global::AttnDsl.MaskSemantics";
        public const string Scores = "global::AttnDsl.ScoreSemantics";
        public const string Math = "global::AttnDsl.KernelMath";
        public const string BlockClass = "global::AttnDsl.BlockClass";
        public const string KernelsClass = "AttnDslKernels";

        /// <summary>Prefix of runtime-argument fields in the kernel argument struct; no fixed field starts with it.</summary>
        public const string FieldPrefix = "Arg_";

        /// <summary>The kernel argument field of a runtime argument.</summary>
        public static string Field(string name) => FieldPrefix + name;

        /// <summary>A user-chosen name as an identifier: keywords get '@'.</summary>
        public static string Id(string name) => SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

        public static string ElementType(ElementKind element) => element switch
        {
            ElementKind.Float16 => "global::ILGPU.Half",
            ElementKind.BFloat16 => "global::AttnDsl.BFloat16",
            _ => "float",
        };

        public static string View(string elementType) => $"global::ILGPU.ArrayView<{elementType}>";

        public static string Float(double value)
        {
            float f = (float)value;
            if (float.IsPositiveInfinity(f)) return "float.PositiveInfinity";
            if (float.IsNegativeInfinity(f)) return "float.NegativeInfinity";
            return f.ToString("R", CultureInfo.InvariantCulture) + "f";
        }

        public static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture) + "d";

        public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

        public static string Bool(bool value) => value ? "true" : "false";

        public static string Literal(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
