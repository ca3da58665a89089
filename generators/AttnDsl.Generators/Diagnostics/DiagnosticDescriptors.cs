using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace AttnDsl.Generators.Diagnostics
{
    /// <summary>
    /// Diagnostics of the generator itself (ATTN0xxx). The spec rules (ATTN1xxx) are reported by the
    /// analyzers from the shared SpecChecker; the generator runs the same checks and stays quiet.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "AttnDsl.Generator";

        public static readonly DiagnosticDescriptor GeneratorFailure = Create(
            "ATTN0099", "AttnDsl generator failure",
            "The AttnDsl generator could not process '{0}': {1}");

        private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new()
        {
            [GeneratorFailure.Id] = GeneratorFailure,
        };

        public static IReadOnlyCollection<DiagnosticDescriptor> All => s_byId.Values;

        public static DiagnosticDescriptor ById(string id) => s_byId[id];

        private static DiagnosticDescriptor Create(string id, string title, string message) =>
            new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                helpLinkUri: $"docs/diagnostics/{id}.md");
    }
}
