using Microsoft.CodeAnalysis;

// Shared source (generator and analyzers): the ATTN1xxx rules of a spec, reported by the analyzers.
// The generator runs the same checks and emits nothing for a spec with an error.
namespace AttnDsl.Rules
{
    internal static class SpecDescriptors
    {
        private const string SpecCategory = "AttnDsl.Spec";
        private const string ModCategory = "AttnDsl.Mods";
        private const string ResourceCategory = "AttnDsl.Resources";
        private const string UsageCategory = "AttnDsl.Usage";

        public static readonly DiagnosticDescriptor SpecClassShape = Create("ATTN1001", SpecCategory, DiagnosticSeverity.Error,
            "Attention spec class must be a non-generic static partial class",
            "'{0}' {1}; declare it as a non-generic 'static partial class' inside partial, non-generic types");

        public static readonly DiagnosticDescriptor InvalidHeadDim = Create("ATTN1002", SpecCategory, DiagnosticSeverity.Error,
            "Invalid head dimension",
            "{0} is {1}; it must be a positive multiple of 16 and at most 256 (nearest valid: {2})");

        public static readonly DiagnosticDescriptor InvalidBlock = Create("ATTN1003", SpecCategory, DiagnosticSeverity.Error,
            "Invalid tile size",
            "{0} is {1}; it must be a multiple of 16 in [16, 256] (nearest valid: {2})");

        public static readonly DiagnosticDescriptor InvalidArgument = Create("ATTN1004", SpecCategory, DiagnosticSeverity.Error,
            "Invalid attribute argument",
            "{0} is {1}; {2}");

        public static readonly DiagnosticDescriptor UnknownEnumValue = Create("ATTN1005", SpecCategory, DiagnosticSeverity.Error,
            "Unknown enum value",
            "{0} has the value {1}, which is not a member of {2}");

        public static readonly DiagnosticDescriptor RadialWithoutGrid = Create("ATTN1006", SpecCategory, DiagnosticSeverity.Error,
            "[RadialDecay] needs [TokenGrid]",
            "[RadialDecay] on '{0}' needs [TokenGrid(TokensPerFrame)] to know the frames; add it");

        public static readonly DiagnosticDescriptor RightWindowUnderCausal = Create("ATTN1007", SpecCategory, DiagnosticSeverity.Warning,
            "SlidingWindow Right has no effect under Causal",
            "[SlidingWindow({0}, {1})] with [Causal]: keys after the query are masked by Causal, so Right = {1} does nothing; drop Right");

        public static readonly DiagnosticDescriptor NoEffect = Create("ATTN1008", SpecCategory, DiagnosticSeverity.Warning,
            "Attribute has no effect",
            "{0} has no effect on '{1}': {2}");

        public static readonly DiagnosticDescriptor OrphanMod = Create("ATTN1009", ModCategory, DiagnosticSeverity.Warning,
            "Mod outside an attention spec",
            "{0} '{1}' is not in a class with [AttentionKernel], so no kernel uses it; move it into the spec class");

        public static readonly DiagnosticDescriptor InvalidModSignature = Create("ATTN1010", ModCategory, DiagnosticSeverity.Error,
            "Invalid mask or score mod signature",
            "{0} '{1}' {2}; expected {3}");

        public static readonly DiagnosticDescriptor UnsupportedModParameter = Create("ATTN1011", ModCategory, DiagnosticSeverity.Error,
            "Unsupported mod parameter type",
            "Parameter '{0}' of '{1}' has type '{2}'; extra mod parameters must be ArrayView<T> of an unmanaged numeric T, or a numeric scalar");

        public static readonly DiagnosticDescriptor RuntimeArgumentConflict = Create("ATTN1012", ModCategory, DiagnosticSeverity.Error,
            "Conflicting runtime argument",
            "Parameter '{0}' of '{1}' {2}; rename it");

        public static readonly DiagnosticDescriptor KernelUnsafeMod = Create("ATTN1013", ModCategory, DiagnosticSeverity.Error,
            "Mod code cannot run in a kernel",
            "'{0}' {1}, which cannot run inside a GPU kernel; mods may only use arithmetic, locals, their parameters, readonly static data and static non-virtual calls");

        public static readonly DiagnosticDescriptor SharedMemoryOverLimit = Create("ATTN1014", ResourceCategory, DiagnosticSeverity.Error,
            "Tile needs too much shared memory",
            "BlockM = {0}, BlockN = {1}, HeadDim = {2}, HeadDimV = {3} ({4}) need an estimated {5} bytes of shared memory per block on the tensor-core path; the limit is {6} bytes (Hopper); nearest valid: {7}");

        public static readonly DiagnosticDescriptor RegistersOverLimit = Create("ATTN1015", ResourceCategory, DiagnosticSeverity.Warning,
            "Tile needs too many registers",
            "BlockN = {0}, HeadDim = {1}, HeadDimV = {2} need an estimated {3} registers per thread for the tensor-core fragments; the limit is {4}, beyond which the compiler spills to local memory; nearest valid: BlockN = {5}");

        public static readonly DiagnosticDescriptor ShapeContradictsSpec = Create("ATTN1016", UsageCategory, DiagnosticSeverity.Warning,
            "Attention shape contradicts the spec",
            "This call of {0}.Run will throw: {1}");

        public static readonly DiagnosticDescriptor BlockSelectRule = Create("ATTN1017", SpecCategory, DiagnosticSeverity.Error,
            "[BlockSelect] needs exactly one selection rule",
            "[BlockSelect] sets {0} of TopK, TopFraction and CumulativeMass; set exactly one of them");

        public static readonly DiagnosticDescriptor SelectWithSparse = Create("ATTN1018", SpecCategory, DiagnosticSeverity.Error,
            "[BlockSelect] and [BlockSparse] on one spec",
            "'{0}' has both [BlockSelect] and [BlockSparse]; [BlockSelect] estimates the BlockMask itself (pass a given one with reuseSelection), so drop one of them");

        public static readonly DiagnosticDescriptor QuantizedHeadDim = Create("ATTN1019", SpecCategory, DiagnosticSeverity.Error,
            "Int8 [Quantize] needs HeadDim a multiple of 32",
            "[Quantize] with QueryKey = Int8 needs HeadDim to be a multiple of 32 (the k-step of one int8 MMA); HeadDim is {0}: set it to {1} and pad Q and K with zeros");

        public static readonly DiagnosticDescriptor QuantizeElement = Create("ATTN1020", SpecCategory, DiagnosticSeverity.Error,
            "[Quantize] needs a 16-bit element type",
            "[Quantize] on '{0}' needs a 16-bit element type because P.V runs in it; Element is {1}: set Element = ElementType.Float16 or ElementType.BFloat16");

        private static DiagnosticDescriptor Create(string id, string category, DiagnosticSeverity severity, string title, string message) =>
            new(id, title, message, category, severity, isEnabledByDefault: true,
                helpLinkUri: "docs/diagnostics/" + id + ".md");
    }
}
