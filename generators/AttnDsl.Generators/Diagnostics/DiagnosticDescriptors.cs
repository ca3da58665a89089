using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace AttnDsl.Generators.Diagnostics
{
    /// <summary>Every diagnostic the generator reports (ATTN0xxx: a spec it cannot emit). A spec with any of them gets no code.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "AttnDsl.Generator";

        public static readonly DiagnosticDescriptor SpecClassShape = Create(
            "ATTN0001", "Attention spec class must be a non-generic static partial class",
            "'{0}' {1}; declare it as a non-generic 'static partial class' with partial, non-generic containing types");

        public static readonly DiagnosticDescriptor InvalidHeadDim = Create(
            "ATTN0002", "Invalid head dimension",
            "{0} is {1}; it must be a positive multiple of 16 and at most 256 (nearest valid: {2})");

        public static readonly DiagnosticDescriptor InvalidBlock = Create(
            "ATTN0003", "Invalid tile size",
            "{0} is {1}; it must be a multiple of 16 in [16, 256] (nearest valid: {2})");

        public static readonly DiagnosticDescriptor InvalidArgument = Create(
            "ATTN0004", "Invalid attribute argument",
            "{0} is {1}; {2}");

        public static readonly DiagnosticDescriptor RadialWithoutGrid = Create(
            "ATTN0005", "[RadialDecay] needs [TokenGrid]",
            "[RadialDecay] on '{0}' needs [TokenGrid(TokensPerFrame)] to know the frames; add it");

        public static readonly DiagnosticDescriptor InvalidModSignature = Create(
            "ATTN0006", "Invalid mask or score mod signature",
            "{0} '{1}' {2}; expected {3}");

        public static readonly DiagnosticDescriptor UnsupportedModParameter = Create(
            "ATTN0007", "Unsupported mod parameter type",
            "Parameter '{0}' of '{1}' has type '{2}'; extra mod parameters must be ArrayView<T> of an unmanaged numeric T, or a numeric scalar");

        public static readonly DiagnosticDescriptor RuntimeArgumentConflict = Create(
            "ATTN0008", "Conflicting runtime argument",
            "Parameter '{0}' of '{1}' {2}; rename it");

        public static readonly DiagnosticDescriptor UnknownEnumValue = Create(
            "ATTN0009", "Unknown enum value",
            "{0} has the value {1}, which is not a member of {2}");

        public static readonly DiagnosticDescriptor GeneratorFailure = Create(
            "ATTN0099", "AttnDsl generator failure",
            "The AttnDsl generator could not process '{0}': {1}");

        private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new()
        {
            [SpecClassShape.Id] = SpecClassShape,
            [InvalidHeadDim.Id] = InvalidHeadDim,
            [InvalidBlock.Id] = InvalidBlock,
            [InvalidArgument.Id] = InvalidArgument,
            [RadialWithoutGrid.Id] = RadialWithoutGrid,
            [InvalidModSignature.Id] = InvalidModSignature,
            [UnsupportedModParameter.Id] = UnsupportedModParameter,
            [RuntimeArgumentConflict.Id] = RuntimeArgumentConflict,
            [UnknownEnumValue.Id] = UnknownEnumValue,
            [GeneratorFailure.Id] = GeneratorFailure,
        };

        public static IReadOnlyCollection<DiagnosticDescriptor> All => s_byId.Values;

        public static DiagnosticDescriptor ById(string id) => s_byId[id];

        private static DiagnosticDescriptor Create(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                helpLinkUri: $"docs/diagnostics/{id}.md");
    }
}
