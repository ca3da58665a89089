using System.Threading.Tasks;
using AttnDsl.Analyzers.Tests.Infrastructure;
using Xunit;
using V = AttnDsl.Analyzers.Tests.Infrastructure.Verify<AttnDsl.Analyzers.SpecAttributeAnalyzer>;

namespace AttnDsl.Analyzers.Tests
{
    /// <summary>ATTN1001-1008 and ATTN1017-1020: class shape, sizes, enum values, attribute arguments and combinations.</summary>
    public sealed class SpecAttributeAnalyzerTests
    {
        // ---------------------------------------------------------------- ATTN1001

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 64)]\npublic partial class {|ATTN1001:Spec|} { }")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\npublic static class {|ATTN1001:Spec|} { }")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\npublic class {|ATTN1001:Spec|} { }")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\npublic static partial class {|ATTN1001:Spec|}<T> { }")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\npublic partial record {|ATTN1001:Spec|};")]
        [InlineData("public static class Outer\n{\n    [AttentionKernel(HeadDim = 64)]\n    public static partial class {|ATTN1001:Spec|} { }\n}")]
        [InlineData("public static partial class Outer<T>\n{\n    [AttentionKernel(HeadDim = 64)]\n    public static partial class {|ATTN1001:Spec|} { }\n}")]
        [InlineData("public partial class Middle<T>\n{\n    public partial class Inner\n    {\n        [AttentionKernel(HeadDim = 64)]\n        public static partial class {|ATTN1001:Spec|} { }\n    }\n}")]
        public Task ATTN1001_Reported_WhenTheClassIsNotANonGenericStaticPartialClass(string source) => V.AnalyzeAsync(source);

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec;")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\ninternal static partial class Spec { }")]
        [InlineData("public static partial class Outer\n{\n    [AttentionKernel(HeadDim = 64)]\n    private static partial class Spec { }\n}")]
        [InlineData("public partial struct Outer\n{\n    [AttentionKernel(HeadDim = 64)]\n    public static partial class Spec { }\n}")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec;\npublic static partial class Spec { }")]
        // Not a spec: no rule applies.
        [InlineData("public class Plain<T> { }")]
        public Task ATTN1001_NotReported_ForStaticPartialSpecs(string source) => V.AnalyzeAsync(source);

        [Fact]
        public Task ATTN1001_Message_SaysWhatIsWrong() => V.AnalyzeAsync(
            "public static class Outer\n{\n    [AttentionKernel(HeadDim = 64)]\n    public static partial class {|#0:Spec|} { }\n}",
            V.Diagnostic("ATTN1001").WithLocation(0).WithArguments("Spec", "is nested in 'Outer', which is not partial"));

        [Fact]
        public Task ATTN1001_Message_ForARecord() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\npublic partial record {|#0:Spec|};",
            V.Diagnostic("ATTN1001").WithLocation(0).WithArguments("Spec", "is a record, not a static class"));

        [Fact]
        public Task ATTN1001_Reported_ForAStruct_BesideTheCompilersError() => V.AnalyzeAsync(
            "[{|CS0592:AttentionKernel|}(HeadDim = 64)]\npublic partial struct {|#0:Spec|} { }",
            V.Diagnostic("ATTN1001").WithLocation(0).WithArguments("Spec", "is a struct, not a static class"));

        // ---------------------------------------------------------------- duplicates

        /// <summary>
        /// Every AttnDsl attribute has AllowMultiple = false, so a duplicate (on one declaration or across partial
        /// declarations) is the compiler's error CS0579; the analyzer adds nothing and does not trip over it.
        /// </summary>
        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[Causal, {|CS0579:Causal|}]\npublic static partial class Spec;")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[SlidingWindow(16)]\npublic static partial class Spec;\n[{|CS0579:SlidingWindow|}(32)]\npublic static partial class Spec;")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\npublic static partial class Spec;\n[{|CS0579:AttentionKernel|}(HeadDim = 72)]\npublic static partial class Spec;")]
        public Task DuplicateAttributes_AreTheCompilersError(string source) => V.AnalyzeAsync(source);

        // ---------------------------------------------------------------- ATTN1002

        [Theory]
        [InlineData("[{|ATTN1002:AttentionKernel|}]")]
        [InlineData("[{|ATTN1002:AttentionKernel(HeadDim = 0)|}]")]
        [InlineData("[{|ATTN1002:AttentionKernel(HeadDim = 72)|}]")]
        [InlineData("[{|ATTN1002:AttentionKernel(HeadDim = 512)|}]")]
        [InlineData("[{|ATTN1002:AttentionKernel(HeadDim = -64)|}]")]
        [InlineData("[{|ATTN1002:AttentionKernel(HeadDim = 64, HeadDimV = 40)|}]")]
        [InlineData("[{|ATTN1002:AttentionKernel(HeadDim = 64, HeadDimV = 272)|}]")]
        public Task ATTN1002_Reported_ForInvalidHeadDims(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 16)]")]
        [InlineData("[AttentionKernel(HeadDim = 256)]")]
        [InlineData("[AttentionKernel(HeadDim = 64, HeadDimV = 0)]")]
        [InlineData("[AttentionKernel(HeadDim = 128, HeadDimV = 64)]")]
        public Task ATTN1002_NotReported_ForValidHeadDims(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1002_Message_NamesTheNearestValidValue() => V.AnalyzeAsync(
            "[{|#0:AttentionKernel(HeadDim = 72)|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1002").WithLocation(0).WithArguments("HeadDim", "72", "80"));

        // ---------------------------------------------------------------- ATTN1003

        [Theory]
        [InlineData("[{|ATTN1003:AttentionKernel(HeadDim = 64, BlockM = 8)|}]")]
        [InlineData("[{|ATTN1003:AttentionKernel(HeadDim = 64, BlockM = 300)|}]")]
        [InlineData("[{|ATTN1003:AttentionKernel(HeadDim = 64, BlockN = 24)|}]")]
        [InlineData("[{|ATTN1003:AttentionKernel(HeadDim = 64, BlockM = -64)|}]")]
        public Task ATTN1003_Reported_ForInvalidTiles(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 64, BlockM = 16, BlockN = 16)]")]
        [InlineData("[AttentionKernel(HeadDim = 64, BlockM = 128, BlockN = 32)]")]
        [InlineData("[AttentionKernel(HeadDim = 16, BlockM = 256, BlockN = 256)]")]
        public Task ATTN1003_NotReported_ForValidTiles(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");

        [Fact]
        public Task SeveralSizeProblems_AreAllReported() => V.AnalyzeAsync(
            "[{|#0:AttentionKernel(HeadDim = 72, BlockM = 8, BlockN = 1000)|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1002").WithLocation(0).WithArguments("HeadDim", "72", "80"),
            V.Diagnostic("ATTN1003").WithLocation(0).WithArguments("BlockM", "8", "16"),
            V.Diagnostic("ATTN1003").WithLocation(0).WithArguments("BlockN", "1000", "256"));

        // ---------------------------------------------------------------- ATTN1004

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[{|ATTN1004:SlidingWindow(-1)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[{|ATTN1004:SlidingWindow(16, -2)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[Causal, {|ATTN1004:AttentionSinks(0)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[{|ATTN1004:SoftCap(0)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[{|ATTN1004:SoftCap(double.PositiveInfinity)|}]")]
        [InlineData("[{|ATTN1004:AttentionKernel(HeadDim = 64, Scale = -1)|}]")]
        [InlineData("[{|ATTN1004:AttentionKernel(HeadDim = 64, Scale = double.NaN)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[{|ATTN1004:TokenGrid(0)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[TokenGrid(8), {|ATTN1004:RadialDecay(DecayFactor = 0)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[Causal, {|ATTN1004:BlockSelect(TopFraction = 1.5)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[Causal, {|ATTN1004:BlockSelect(CumulativeMass = 2)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[Causal, {|ATTN1004:BlockSelect(TopK = 4, KeepSinkBlocks = -1)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[TokenGrid(8), {|ATTN1004:RadialDecay(SinkFrames = -1)|}]")]
        public Task ATTN1004_Reported_ForInvalidArguments(string attributes) => V.AnalyzeAsync(attributes + "\npublic static partial class Spec;");

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[SlidingWindow(0)]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[SlidingWindow(16, 4)]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[Causal, AttentionSinks(1)]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[SoftCap(30)]")]
        [InlineData("[AttentionKernel(HeadDim = 64, Scale = 0.125)]")]
        [InlineData("[AttentionKernel(HeadDim = 64, Scale = 0)]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[TokenGrid(1), RadialDecay(DecayFactor = 0.5, SinkFrames = 0)]")]
        public Task ATTN1004_NotReported_ForValidArguments(string attributes) => V.AnalyzeAsync(attributes + "\npublic static partial class Spec;");

        // ---------------------------------------------------------------- ATTN1005

        [Theory]
        [InlineData("[{|ATTN1005:AttentionKernel(HeadDim = 64, Element = (ElementType)7)|}]")]
        [InlineData("[{|ATTN1005:AttentionKernel(HeadDim = 64, Element = (ElementType)(-1))|}]")]
        [InlineData("[{|ATTN1005:AttentionKernel(HeadDim = 64, Layout = (TensorLayout)3)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[Causal, {|ATTN1005:BlockSelect((BlockEstimator)2, TopK = 4)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[{|ATTN1005:Quantize((QuantFormat)1)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[{|ATTN1005:Quantize(QueryKey = (QuantFormat)(-1))|}]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[{|ATTN1005:Quantize(Granularity = (QuantGranularity)2, SmoothKeys = false)|}]")]
        public Task ATTN1005_Reported_ForValuesOutsideTheEnum(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 64, Element = ElementType.Float32, Layout = TensorLayout.BNHD)]")]
        [InlineData("[AttentionKernel(HeadDim = 64, Element = ElementType.BFloat16)]")]
        [InlineData("[AttentionKernel(HeadDim = 64, Element = (ElementType)2, Layout = (TensorLayout)1)]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[Quantize(QuantFormat.Int8, Granularity = QuantGranularity.PerBlock)]")]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[Quantize((QuantFormat)0, Granularity = (QuantGranularity)0)]")]
        public Task ATTN1005_NotReported_ForEnumMembers(string attribute) => V.AnalyzeAsync(attribute + "\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1005_Message_NamesTheQuantizeProperty() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n[{|#0:Quantize(QueryKey = (QuantFormat)3, Granularity = (QuantGranularity)1)|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1005").WithLocation(0).WithArguments("Quantize QueryKey", "3", "AttnDsl.QuantFormat"),
            V.Diagnostic("ATTN1005").WithLocation(0).WithArguments("Quantize Granularity", "1", "AttnDsl.QuantGranularity"));

        [Fact]
        public Task ATTN1005_NamedQueryKey_WinsOverTheConstructorArgument() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n[{|#0:Quantize(QuantFormat.Int8, QueryKey = (QuantFormat)2)|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1005").WithLocation(0).WithArguments("Quantize QueryKey", "2", "AttnDsl.QuantFormat"));

        // ---------------------------------------------------------------- ATTN1006

        [Fact]
        public Task ATTN1006_Reported_ForRadialDecayWithoutTokenGrid() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n[Causal, {|ATTN1006:RadialDecay(DecayFactor = 2)|}]\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1006_Reported_ForRadialDecayWithTokenGridOnAnotherClass() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n[TokenGrid(8)]\npublic static partial class Other;\n" +
            "[AttentionKernel(HeadDim = 64)]\n[{|ATTN1006:RadialDecay|}]\npublic static partial class Spec;");

        [Theory]
        [InlineData("[TokenGrid(8), RadialDecay]")]
        [InlineData("[RadialDecay, TokenGrid(8)]")]
        [InlineData("[TokenGrid(8)]")]
        public Task ATTN1006_NotReported_WithTokenGrid(string attributes) => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n" + attributes + "\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1006_NotReported_WithTokenGridOnAnotherPartialDeclaration() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n[RadialDecay]\npublic static partial class Spec;\n[TokenGrid(16)]\npublic static partial class Spec;");

        // ---------------------------------------------------------------- ATTN1017

        [Theory]
        [InlineData("[Causal, {|ATTN1017:BlockSelect|}]")]
        [InlineData("[Causal, {|ATTN1017:BlockSelect(BlockEstimator.MeanPooled, KeepDiagonal = false)|}]")]
        [InlineData("[Causal, {|ATTN1017:BlockSelect(TopK = 8, TopFraction = 0.1)|}]")]
        [InlineData("[{|ATTN1017:BlockSelect(TopK = 8, TopFraction = 0.1, CumulativeMass = 0.9)|}]")]
        public Task ATTN1017_Reported_ForNoneOrSeveralRules(string attributes) => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n" + attributes + "\npublic static partial class Spec;");

        [Theory]
        [InlineData("[Causal, BlockSelect(TopK = 8)]")]
        [InlineData("[Causal, BlockSelect(BlockEstimator.MeanPooled, TopFraction = 0.1, KeepSinkBlocks = 0)]")]
        [InlineData("[BlockSelect(Estimator = BlockEstimator.MeanPooled, CumulativeMass = 0.95, KeepDiagonal = false)]")]
        public Task ATTN1017_NotReported_ForOneRule(string attributes) => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n" + attributes + "\npublic static partial class Spec;");

        // ---------------------------------------------------------------- ATTN1018

        [Fact]
        public Task ATTN1018_Reported_ForBlockSelectWithBlockSparse() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n[Causal, BlockSparse, {|ATTN1018:BlockSelect(TopK = 4)|}]\npublic static partial class Spec;");

        [Theory]
        [InlineData("[Causal, BlockSparse]")]
        [InlineData("[Causal, BlockSelect(TopK = 4)]")]
        public Task ATTN1018_NotReported_ForOneBlockMaskSource(string attributes) => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n" + attributes + "\npublic static partial class Spec;");

        // ---------------------------------------------------------------- ATTN1019

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 48)]\n[{|ATTN1019:Quantize|}]")]
        [InlineData("[AttentionKernel(HeadDim = 16)]\n[{|ATTN1019:Quantize(QuantFormat.Int8)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 80, Element = ElementType.BFloat16)]\n[Causal, {|ATTN1019:Quantize(QueryKey = QuantFormat.Int8, Granularity = QuantGranularity.PerBlock)|}]")]
        [InlineData("[AttentionKernel(HeadDim = 240, HeadDimV = 64)]\n[{|ATTN1019:Quantize(SmoothKeys = false)|}]")]
        public Task ATTN1019_Reported_ForInt8WithHeadDimNotAMultipleOf32(string attributes) => V.AnalyzeAsync(
            attributes + "\npublic static partial class Spec;");

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[Quantize]")]
        [InlineData("[AttentionKernel(HeadDim = 128, Element = ElementType.Float16)]\n[Causal, Quantize(QuantFormat.Int8, SmoothKeys = false)]")]
        [InlineData("[AttentionKernel(HeadDim = 128, Element = ElementType.BFloat16)]\n[Quantize(QueryKey = QuantFormat.Int8, Granularity = QuantGranularity.PerBlock, SmoothKeys = true)]")]
        [InlineData("[AttentionKernel(HeadDim = 32)]\n[Quantize]")]
        [InlineData("[AttentionKernel(HeadDim = 256)]\n[Quantize]")]
        // HeadDimV is not quantized: P.V needs only a multiple of 16.
        [InlineData("[AttentionKernel(HeadDim = 64, HeadDimV = 48)]\n[Quantize]")]
        // Without [Quantize] a multiple of 16 is enough.
        [InlineData("[AttentionKernel(HeadDim = 48)]\n[Causal]")]
        public Task ATTN1019_NotReported_ForMultiplesOf32OrWithoutQuantize(string attributes) => V.AnalyzeAsync(
            attributes + "\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1019_Message_NamesTheNextMultipleOf32() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 48)]\n[{|#0:Quantize|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1019").WithLocation(0).WithArguments("48", "64"));

        [Fact]
        public Task ATTN1019_NotReported_WhenHeadDimIsInvalidAnyway() =>
            // One mistake, one error: ATTN1002 names the nearest valid head size already.
            V.AnalyzeAsync("[{|ATTN1002:AttentionKernel(HeadDim = 72)|}]\n[Quantize]\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1019_NotReported_ForAnUnknownFormat() =>
            // Only int8 has the 32-wide k-step; an unknown format is ATTN1005.
            V.AnalyzeAsync("[AttentionKernel(HeadDim = 48)]\n[{|ATTN1005:Quantize((QuantFormat)5)|}]\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1019_NotReported_WithTheKernelOnAnotherPartialDeclaration_AndAValidHeadDim() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 96)]\npublic static partial class Spec;\n[Quantize]\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1019_Reported_WithTheKernelOnAnotherPartialDeclaration() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 112)]\npublic static partial class Spec;\n[{|#0:Quantize|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1019").WithLocation(0).WithArguments("112", "128"));

        // ---------------------------------------------------------------- ATTN1020

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 64, Element = ElementType.Float32)]\n[{|ATTN1020:Quantize|}]")]
        [InlineData("[AttentionKernel(HeadDim = 128, Element = (ElementType)2)]\n[Causal, {|ATTN1020:Quantize(QuantFormat.Int8, SmoothKeys = false)|}]")]
        public Task ATTN1020_Reported_ForFloat32(string attributes) => V.AnalyzeAsync(
            attributes + "\npublic static partial class Spec;");

        [Theory]
        [InlineData("[AttentionKernel(HeadDim = 64)]\n[Quantize]")]
        [InlineData("[AttentionKernel(HeadDim = 64, Element = ElementType.Float16)]\n[Quantize(SmoothKeys = false)]")]
        [InlineData("[AttentionKernel(HeadDim = 128, Element = ElementType.BFloat16)]\n[Quantize]")]
        // Float32 is fine without [Quantize].
        [InlineData("[AttentionKernel(HeadDim = 64, Element = ElementType.Float32)]\n[Causal]")]
        public Task ATTN1020_NotReported_For16BitElementsOrWithoutQuantize(string attributes) => V.AnalyzeAsync(
            attributes + "\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1020_NotReported_ForAnUnknownElement() =>
            // An Element outside the enum is ATTN1005 alone.
            V.AnalyzeAsync("[{|ATTN1005:AttentionKernel(HeadDim = 64, Element = (ElementType)7)|}]\n[Quantize]\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1020_Message_SaysWhichElementTypesWork_BesideATTN1019() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 48, Element = ElementType.Float32)]\n[{|#0:Quantize|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1019").WithLocation(0).WithArguments("48", "64"),
            V.Diagnostic("ATTN1020").WithLocation(0).WithArguments("Spec", "Float32"));

        // ---------------------------------------------------------------- ATTN1007

        [Theory]
        [InlineData("[Causal, {|ATTN1007:SlidingWindow(128, 4)|}]")]
        [InlineData("[{|ATTN1007:SlidingWindow(0, 1)|}]\n[Causal]")]
        public Task ATTN1007_Reported_ForRightWindowUnderCausal(string attributes) => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n" + attributes + "\npublic static partial class Spec;");

        [Theory]
        [InlineData("[Causal, SlidingWindow(128)]")]
        [InlineData("[Causal, SlidingWindow(128, 0)]")]
        [InlineData("[SlidingWindow(128, 4)]")]
        public Task ATTN1007_NotReported_WithoutRightOrWithoutCausal(string attributes) => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n" + attributes + "\npublic static partial class Spec;");

        [Fact]
        public Task ATTN1007_Message_SaysToDropRight() => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n[Causal, {|#0:SlidingWindow(128, 4)|}]\npublic static partial class Spec;",
            V.Diagnostic("ATTN1007").WithLocation(0).WithArguments("128", "4"));

        // ---------------------------------------------------------------- ATTN1008

        [Theory]
        [InlineData("[{|ATTN1008:AttentionSinks(4)|}]")]
        [InlineData("[{|ATTN1008:PrefixLM|}]")]
        [InlineData("[{|ATTN1008:PrefixLM|}, {|ATTN1008:AttentionSinks(2)|}, DocumentMask, Alibi]")]
        public Task ATTN1008_Reported_ForSinksOrPrefixWithoutALocalMask(string attributes) => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n" + attributes + "\npublic static partial class Spec;");

        [Theory]
        [InlineData("[Causal, AttentionSinks(4)]")]
        [InlineData("[SlidingWindow(64), PrefixLM]")]
        [InlineData("[TokenGrid(16), RadialDecay, AttentionSinks(4), PrefixLM]")]
        [InlineData("[DocumentMask, Alibi, SoftCap(20)]")]
        public Task ATTN1008_NotReported_WhenTheAttributeRestrictsSomething(string attributes) => V.AnalyzeAsync(
            "[AttentionKernel(HeadDim = 64)]\n" + attributes + "\npublic static partial class Spec;");
    }
}
