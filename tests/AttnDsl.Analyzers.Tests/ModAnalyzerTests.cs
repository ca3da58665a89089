using System.Threading.Tasks;
using Xunit;
using V = AttnDsl.Analyzers.Tests.Infrastructure.Verify<AttnDsl.Analyzers.ModAnalyzer>;

namespace AttnDsl.Analyzers.Tests
{
    /// <summary>ATTN1009-1013: mods outside a spec, signatures, parameter types, Run-argument names and kernel safety.</summary>
    public sealed class ModAnalyzerTests
    {
        private static string Spec(string members, string attributes = "") =>
            "[AttentionKernel(HeadDim = 64)]\n" + attributes + "public static partial class Spec\n{\n    " + members + "\n}";

        // ---------------------------------------------------------------- ATTN1009

        [Theory]
        [InlineData("public static class Helpers\n{\n    [MaskMod] public static bool {|ATTN1009:M|}(int batch, int head, int query, int key) => true;\n}")]
        [InlineData("public static class Helpers\n{\n    [ScoreMod] public static float {|ATTN1009:S|}(float score, int batch, int head, int query, int key) => score;\n}")]
        // A nested class of a spec is not the spec.
        [InlineData("[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec\n{\n    public static class Nested\n    {\n        [MaskMod] public static bool {|ATTN1009:M|}(int batch, int head, int query, int key) => true;\n    }\n}")]
        public Task ATTN1009_Reported_ForAModOutsideASpec(string source) => V.AnalyzeAsync(source);

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec\n{\n    [MaskMod] public static bool M(int batch, int head, int query, int key) => true;\n}")]
        // [AttentionKernel] on another part of the same class.
        [InlineData("[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec;\npublic static partial class Spec\n{\n    [MaskMod] public static bool M(int batch, int head, int query, int key) => true;\n}")]
        // A method with the right shape but no attribute is no mod.
        [InlineData("public static class Helpers\n{\n    public static bool M(int batch, int head, int query, int key) => true;\n}")]
        public Task ATTN1009_NotReported_ForModsInASpecOrPlainMethods(string source) => V.AnalyzeAsync(source);

        // ---------------------------------------------------------------- ATTN1010

        [Theory]
        [InlineData("[MaskMod] public static int {|ATTN1010:M|}(int batch, int head, int query, int key) => 1;")]
        [InlineData("[MaskMod] public static bool {|ATTN1010:M|}(int batch, int head, int query) => true;")]
        [InlineData("[MaskMod] public static bool {|ATTN1010:M|}<T>(int batch, int head, int query, int key) => true;")]
        [InlineData("[MaskMod] public static bool {|ATTN1010:M|}(int batch, int head, int query, ref int key) => true;")]
        [InlineData("[MaskMod] public static bool {|ATTN1010:M|}(int batch, int head, int query, out int key) { key = 0; return true; }")]
        [InlineData("[MaskMod] public static bool {|ATTN1010:M|}(int batch, int head, int query, in int key) => true;")]
        [InlineData("[MaskMod] public static bool {|ATTN1010:M|}(int batch, int head, int query, long key) => true;")]
        [InlineData("[MaskMod] public static bool {|ATTN1010:M|}(int batch, int head, int query, int key, params int[] rest) => true;")]
        [InlineData("[MaskMod] public static ref bool {|ATTN1010:M|}(int batch, int head, int query, int key) => ref {|ATTN1013:s_flag|};\n    private static bool s_flag;")]
        [InlineData("[ScoreMod] public static double {|ATTN1010:S|}(float score, int batch, int head, int query, int key) => score;")]
        [InlineData("[ScoreMod] public static float {|ATTN1010:S|}(int batch, int head, int query, int key) => 0f;")]
        [InlineData("[ScoreMod] public static float {|ATTN1010:S|}(double score, int batch, int head, int query, int key) => 0f;")]
        [InlineData("[MaskMod, ScoreMod] public static bool {|ATTN1010:M|}(int batch, int head, int query, int key) => true;")]
        public Task ATTN1010_Reported_ForWrongSignatures(string members) => V.AnalyzeAsync(Spec(members));

        [Fact]
        public Task ATTN1010_Reported_ForAnInstanceMod() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\npublic partial class Spec\n{\n    [MaskMod] public bool {|#0:M|}(int batch, int head, int query, int key) => true;\n}",
            V.Diagnostic("ATTN1010").WithLocation(0).WithArguments("[MaskMod]", "M", "is an instance method",
                "'static bool Name(int batch, int head, int query, int key, ...extra)'"));

        [Theory]
        [InlineData("[MaskMod] public static bool M(int b, int h, int q, int k) => q >= k;")]
        [InlineData("[MaskMod] private static bool M(int b, int h, int q, int k, ArrayView<int> table, int span) => table[b] + span > k;")]
        [InlineData("[ScoreMod] internal static float S(float s, int b, int h, int q, int k, float scale) => s * scale;")]
        [InlineData("[MaskMod] public static bool M(int b, int h, int q, int k) => true;\n    [ScoreMod] public static float S(float s, int b, int h, int q, int k) => s;")]
        public Task ATTN1010_NotReported_ForRightSignatures(string members) => V.AnalyzeAsync(Spec(members));

        // ---------------------------------------------------------------- ATTN1011

        [Theory]
        [InlineData("[MaskMod] public static bool M(int batch, int head, int query, int key, string {|ATTN1011:name|}) => true;")]
        [InlineData("[MaskMod] public static bool M(int batch, int head, int query, int key, int[] {|ATTN1011:lengths|}) => true;")]
        [InlineData("[MaskMod] public static bool M(int batch, int head, int query, int key, decimal {|ATTN1011:limit|}) => true;")]
        [InlineData("[MaskMod] public static bool M(int batch, int head, int query, int key, bool {|ATTN1011:flag|}) => true;")]
        [InlineData("[ScoreMod] public static float S(float score, int batch, int head, int query, int key, ArrayView<DateTime> {|ATTN1011:times|}) => score;")]
        [InlineData("[ScoreMod] public static float S(float score, int batch, int head, int query, int key, ILGPU.Runtime.ArrayView2D<float, Stride2D.DenseX> {|ATTN1011:table|}) => score;")]
        public Task ATTN1011_Reported_ForUnsupportedParameterTypes(string members) => V.AnalyzeAsync(Spec(members));

        [Theory]
        [InlineData("[MaskMod] public static bool M(int b, int h, int q, int k, ArrayView<int> t, ArrayView<long> u, ArrayView<float> v, ArrayView<double> w) => true;")]
        [InlineData("[MaskMod] public static bool M(int b, int h, int q, int k, ArrayView<ILGPU.Half> t, ArrayView<BFloat16> u, ArrayView<byte> v, ArrayView<ushort> w) => true;")]
        [InlineData("[ScoreMod] public static float S(float s, int b, int h, int q, int k, int i, long l, float f, double d, byte by, sbyte sb, short sh, ushort us, uint ui, ulong ul) => s;")]
        public Task ATTN1011_NotReported_ForSupportedParameterTypes(string members) => V.AnalyzeAsync(Spec(members));

        // ---------------------------------------------------------------- ATTN1012

        [Theory]
        [InlineData("", "[ScoreMod] public static float S(float score, int b, int h, int q, int k, ArrayView<float> {|ATTN1012:query|}) => score;")]
        [InlineData("", "[MaskMod] public static bool M(int b, int h, int q, int k, int {|ATTN1012:logSumExp|}) => true;")]
        [InlineData("[PrefixLM]\n", "[MaskMod] public static bool M(int batch, int head, int query, int key, ArrayView<int> {|ATTN1012:prefixLength|}) => true;")]
        [InlineData("[BlockSparse]\n", "[MaskMod] public static bool M(int batch, int head, int query, int key, ArrayView<int> {|ATTN1012:blockMask|}) => true;")]
        [InlineData("[DocumentMask]\n", "[MaskMod] public static bool M(int batch, int head, int query, int key, ArrayView<int> {|ATTN1012:documentIds|}) => true;")]
        [InlineData("", "[MaskMod] public static bool M(int b, int h, int q, int k, ArrayView<int> table) => true;\n    [ScoreMod] public static float S(float s, int b, int h, int q, int k, ArrayView<float> {|ATTN1012:table|}) => s;")]
        public Task ATTN1012_Reported_ForParametersThatClashWithRunArguments(string attributes, string members) => V.AnalyzeAsync(Spec(members, attributes));

        [Theory]
        // Mods may share a parameter of one type: one Run argument.
        [InlineData("", "[MaskMod] public static bool M(int b, int h, int q, int k, ArrayView<int> table) => true;\n    [ScoreMod] public static float S(float s, int b, int h, int q, int k, ArrayView<int> table) => s;")]
        [InlineData("", "[MaskMod] public static bool M(int b, int h, int q, int k, ArrayView<int> prefixLength) => true;")]
        [InlineData("[PrefixLM]\n", "[MaskMod] public static bool M(int b, int h, int q, int k, ArrayView<int> prefix) => true;")]
        public Task ATTN1012_NotReported_ForDistinctOrSharedNames(string attributes, string members) => V.AnalyzeAsync(Spec(members, attributes));

        // ---------------------------------------------------------------- ATTN1013

        [Theory]
        [InlineData("allocation", "[MaskMod] public static bool M(int b, int h, int q, int k) => {|ATTN1013:new object()|} != null;")]
        [InlineData("array", "[MaskMod] public static bool M(int b, int h, int q, int k) => ({|ATTN1013:new int[4]|})[k & 3] == 0;")]
        [InlineData("collection expression", "[MaskMod] public static bool M(int b, int h, int q, int k) { int[] a = {|ATTN1013:[1, 2]|}; return a[0] == k; }")]
        [InlineData("string literal", "[MaskMod] public static bool M(int b, int h, int q, int k) => {|ATTN1013:\"abc\"|}.Length > k;")]
        [InlineData("string conversion", "[MaskMod] public static bool M(int b, int h, int q, int k) => {|ATTN1013:k.ToString()|}.Length > 1;")]
        [InlineData("string concatenation", "[MaskMod] public static bool M(int b, int h, int q, int k) => ({|ATTN1013:\"a\" + \"b\"|}).Length > k;")]
        [InlineData("throw", "[MaskMod] public static bool M(int b, int h, int q, int k) => k < 0 ? {|ATTN1013:throw {|ATTN1013:new InvalidOperationException()|}|} : true;")]
        [InlineData("try", "[MaskMod] public static bool M(int b, int h, int q, int k)\n    {\n        {|ATTN1013:try { return k > q; } finally { }|}\n    }")]
        [InlineData("lambda", "[MaskMod] public static bool M(int b, int h, int q, int k)\n    {\n        Func<int, bool> f = {|ATTN1013:x => x > k|};\n        return {|ATTN1013:f(q)|};\n    }")]
        [InlineData("method group", "[MaskMod] public static bool M(int b, int h, int q, int k)\n    {\n        Func<int, int> f = {|ATTN1013:Math.Abs|};\n        return {|ATTN1013:f(q)|} > k;\n    }")]
        [InlineData("LINQ", "[MaskMod] public static bool M(int b, int h, int q, int k) => {|ATTN1013:System.Linq.Enumerable.Count({|ATTN1013:System.Linq.Enumerable.Range(0, 4)|})|} > k;")]
        [InlineData("mutable static field", "[MaskMod] public static bool M(int b, int h, int q, int k) => {|ATTN1013:s_limit|} > k;\n    private static int s_limit = 4;")]
        [InlineData("mutable static property", "[MaskMod] public static bool M(int b, int h, int q, int k) => {|ATTN1013:Limit|} > k;\n    public static int Limit { get; set; }")]
        [InlineData("virtual call", "[MaskMod] public static bool M(int b, int h, int q, int k) => {|ATTN1013:s_gate.GetHashCode()|} > k;\n    private static readonly object s_gate = new object();")]
        [InlineData("interface call", "[MaskMod] public static bool M(int b, int h, int q, int k) => {|ATTN1013:({|ATTN1013:(IComparable<int>)k|}).CompareTo(q)|} < 0;")]
        [InlineData("boxing", "[MaskMod] public static bool M(int b, int h, int q, int k)\n    {\n        object o = {|ATTN1013:k|};\n        return o != null;\n    }")]
        [InlineData("typeof", "[MaskMod] public static bool M(int b, int h, int q, int k) => {|ATTN1013:typeof(int)|} != null;")]
        [InlineData("foreach", "[MaskMod] public static bool M(int b, int h, int q, int k)\n    {\n        {|ATTN1013:foreach (var x in default(ReadOnlySpan<int>)) { }|}\n        return true;\n    }")]
        [InlineData("score mod", "[ScoreMod] public static float S(float s, int b, int h, int q, int k) => s + ({|ATTN1013:new float[1]|})[0];")]
        public Task ATTN1013_Reported_ForKernelUnsafeCode(string what, string members)
        {
            Assert.NotEmpty(what);
            return V.AnalyzeAsync(Spec(members));
        }

        [Theory]
        [InlineData("[MaskMod] public static bool M(int b, int h, int q, int k) => Math.Abs(q - k) < Window && q >= k;\n    private const int Window = 8;")]
        [InlineData("[MaskMod] public static bool M(int b, int h, int q, int k, ArrayView<int> t) { int s = 0; for (int i = 0; i < 4; i++) s += t[(k + i) % (int)t.Length]; return s > Limit; }\n    private static readonly int Limit = 2;")]
        [InlineData("[ScoreMod] public static float S(float s, int b, int h, int q, int k) => s * MathF.Exp(-Helper(q, k)) + (float)Math.PI;\n    private static float Helper(int q, int k) => q > k ? q - k : k - q;")]
        [InlineData("[ScoreMod] public static float S(float s, int b, int h, int q, int k, ArrayView<ILGPU.Half> t) => s + (float)t[h] + ILGPU.Algorithms.XMath.Tanh(s);")]
        [InlineData("[ScoreMod] public static float S(float s, int b, int h, int q, int k) => k.CompareTo(q) + k.GetHashCode() + s;")]
        // Unsafe code outside a mod is none of these rules' business.
        [InlineData("[MaskMod] public static bool M(int b, int h, int q, int k) => true;\n    public static string Describe() => new object().ToString() + typeof(int);")]
        public Task ATTN1013_NotReported_ForKernelSafeCode(string members) => V.AnalyzeAsync(Spec(members));

        [Fact]
        public Task ATTN1013_Message_NamesTheModAndTheProblem() => V.AnalyzeAsync(
            Spec("[MaskMod] public static bool Gate(int b, int h, int q, int k) => {|#0:new object()|} != null;"),
            V.Diagnostic("ATTN1013").WithLocation(0).WithArguments("Gate", "allocates a 'object'"));
    }
}
