using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AttnDsl.Generators.Diagnostics;
using AttnDsl.Generators.Model;
using AttnDsl.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AttnDsl.Generators.Parsing
{
    /// <summary>Turns a valid [AttentionKernel] class symbol into a <see cref="KernelSpec"/>; invalid specs yield none.</summary>
    internal static class Parser
    {
        public const string KernelAttribute = SpecChecker.KernelAttribute;

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            string hint = HintName(type);
            // [AttentionKernel] on several partial declarations (CS0579): the first one speaks for the class.
            var first = type.DeclaringSyntaxReferences
                .Select(r => r.GetSyntax(cancellationToken))
                .FirstOrDefault(n => n is TypeDeclarationSyntax t && t.AttributeLists.SelectMany(l => l.Attributes)
                    .Any(a => a.Name.ToString() is var name && (name.EndsWith("AttentionKernel", StringComparison.Ordinal) || name.EndsWith("AttentionKernelAttribute", StringComparison.Ordinal))));
            if (first is not null && first != context.TargetNode)
                return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty, hint);
            try
            {
                var spec = ParseCore(type, context.Attributes[0], context.SemanticModel.Compilation, cancellationToken);
                return new ParseResult(spec, EquatableArray<DiagnosticInfo>.Empty, hint);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The generator never throws into the compiler: a failure is a diagnostic.
                var failure = new DiagnosticInfo(DiagnosticDescriptors.GeneratorFailure.Id, LocationInfo.From(context.TargetNode.GetLocation()),
                    new[] { type.Name, ex.GetType().Name + ": " + ex.Message }.ToEquatableArray());
                return new ParseResult(null, new[] { failure }.ToEquatableArray(), hint);
            }
        }

        private static KernelSpec? ParseCore(INamedTypeSymbol type, AttributeData kernel, Compilation compilation, CancellationToken ct)
        {
            // The rules live in SpecChecker, shared with the analyzers, which report them; a spec that
            // breaks one gets no code from here, and no second copy of the diagnostic.
            bool invalid = false;
            SpecChecker.CheckSpec(type, kernel, compilation, d => invalid |= d.Severity == DiagnosticSeverity.Error, ct);
            if (invalid)
                return null;

            var chosen = SpecChecker.ChosenTilesOf(type, kernel);
            int headDim = chosen.HeadDim;
            int headDimV = chosen.HeadDimV;
            double scale = SpecChecker.NamedDouble(kernel, "Scale", 0);
            var tiles = new TileSpec(
                headDim,
                headDimV == 0 ? headDim : headDimV,
                chosen.BlockM,
                chosen.BlockN,
                (ElementKind)SpecChecker.NamedInt(kernel, "Element", 0),
                (LayoutKind)SpecChecker.NamedInt(kernel, "Layout", 0),
                scale > 0 ? (float)scale : (float)(1.0 / Math.Sqrt(headDim)));

            // Class attributes, in source order: masks, score modifiers and their runtime arguments.
            bool causal = false, hasWindow = false, prefix = false, document = false, hasRadial = false, alibi = false, blockSparse = false;
            int left = 0, right = 0, sinks = 0, tokensPerFrame = 0, sinkFrames = 1;
            double decay = 1, softCap = 0;
            var runtimeArguments = new List<RuntimeArgument>();
            BlockSelectSpec? select = null;
            QuantizeSpec? quantize = null;
            foreach (var attribute in type.GetAttributes())
            {
                var name = attribute.AttributeClass?.ToDisplayString();
                if (name is null || !name.StartsWith(SpecChecker.Namespace, StringComparison.Ordinal))
                    continue;
                switch (name.Substring(SpecChecker.Namespace.Length))
                {
                    case "CausalAttribute":
                        causal = true;
                        break;
                    case "SlidingWindowAttribute":
                        hasWindow = true;
                        left = SpecChecker.CtorInt(attribute, 0, 0);
                        right = SpecChecker.CtorInt(attribute, 1, 0);
                        break;
                    case "AttentionSinksAttribute":
                        sinks = SpecChecker.CtorInt(attribute, 0, 0);
                        break;
                    case "PrefixLMAttribute":
                        prefix = true;
                        runtimeArguments.Add(new RuntimeArgument("prefixLength", "global::ILGPU.ArrayView<int>", true, "[PrefixLM]"));
                        break;
                    case "DocumentMaskAttribute":
                        document = true;
                        runtimeArguments.Add(new RuntimeArgument("documentIds", "global::ILGPU.ArrayView<int>", true, "[DocumentMask]"));
                        break;
                    case "BlockSparseAttribute":
                        blockSparse = true;
                        runtimeArguments.Add(new RuntimeArgument("blockMask", "global::AttnDsl.BlockMask", false, "[BlockSparse]"));
                        break;
                    case "BlockSelectAttribute":
                        select = new BlockSelectSpec(
                            SpecChecker.NamedInt(attribute, "Estimator", SpecChecker.CtorInt(attribute, 0, 0)),
                            SpecChecker.NamedInt(attribute, "TopK", 0),
                            SpecChecker.NamedDouble(attribute, "TopFraction", 0),
                            SpecChecker.NamedDouble(attribute, "CumulativeMass", 0),
                            SpecChecker.NamedBool(attribute, "KeepDiagonal", true),
                            SpecChecker.NamedInt(attribute, "KeepSinkBlocks", 1));
                        break;
                    case "QuantizeAttribute":
                        quantize = new QuantizeSpec(
                            SpecChecker.NamedInt(attribute, "QueryKey", SpecChecker.CtorInt(attribute, 0, 0)),
                            SpecChecker.NamedInt(attribute, "Granularity", 0),
                            SpecChecker.NamedBool(attribute, "SmoothKeys", true));
                        break;
                    case "TokenGridAttribute":
                        tokensPerFrame = SpecChecker.CtorInt(attribute, 0, 0);
                        break;
                    case "RadialDecayAttribute":
                        hasRadial = true;
                        decay = SpecChecker.NamedDouble(attribute, "DecayFactor", 1);
                        sinkFrames = SpecChecker.NamedInt(attribute, "SinkFrames", 1);
                        break;
                    case "AlibiAttribute":
                        alibi = true;
                        break;
                    case "SoftCapAttribute":
                        softCap = SpecChecker.CtorDouble(attribute, 0, 0);
                        break;
                }
            }

            // [MaskMod] / [ScoreMod] methods in declaration order; mods may share a parameter (one Run argument).
            var maskMods = new List<ModSpec>();
            var scoreMods = new List<ModSpec>();
            var names = new HashSet<string>(runtimeArguments.Select(a => a.Name), StringComparer.Ordinal);
            foreach (var (method, isMask) in SpecChecker.Mods(type))
            {
                var parameters = method.Parameters.Skip(isMask ? 4 : 5).Select(ModParameterOf).ToList();
                (isMask ? maskMods : scoreMods).Add(new ModSpec(method.Name, parameters.ToEquatableArray(), NamesParameter(method, 1, ct)));
                foreach (var parameter in parameters.Where(p => names.Add(p.Name)))
                    runtimeArguments.Add(new RuntimeArgument(parameter.Name, parameter.TypeName, parameter.IsView, method.Name));
            }

            return new KernelSpec(
                TypeLocationOf(type),
                tiles,
                new MaskSpec(causal, hasWindow, left, right, sinks, prefix, document, tokensPerFrame, hasRadial, decay, sinkFrames, blockSparse),
                new ScoreSpec(alibi, softCap),
                maskMods.ToEquatableArray(),
                scoreMods.ToEquatableArray(),
                runtimeArguments.ToEquatableArray(),
                select,
                quantize);
        }

        /// <summary>Whether the body of <paramref name="method"/> names its parameter at <paramref name="index"/> (true when there is no body to read).</summary>
        private static bool NamesParameter(IMethodSymbol method, int index, CancellationToken ct)
        {
            string name = method.Parameters[index].Name;
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(ct) is not MethodDeclarationSyntax declaration)
                    return true;
                SyntaxNode? body = (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody;
                if (body is null || body.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == name))
                    return true;
            }
            return method.DeclaringSyntaxReferences.Length == 0;
        }

        private static ModParameter ModParameterOf(IParameterSymbol parameter)
        {
            string full = parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            return parameter.Type is INamedTypeSymbol { IsGenericType: true } view
                ? new ModParameter(parameter.Name, full, true, view.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat))
                : new ModParameter(parameter.Name, full, false, full);
        }

        private static TypeLocation TypeLocationOf(INamedTypeSymbol type)
        {
            var containing = new List<string>();
            var kinds = new List<string>();
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                containing.Insert(0, outer.Name);
                kinds.Insert(0, outer.TypeKind switch
                {
                    TypeKind.Struct => outer.IsRecord ? "record struct" : "struct",
                    TypeKind.Interface => "interface",
                    _ => outer.IsRecord ? "record" : "class",
                });
            }
            var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
            return new TypeLocation(ns, containing.ToEquatableArray(), kinds.ToEquatableArray(), type.Name);
        }

        private static string HintName(INamedTypeSymbol type)
        {
            var name = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
            var chars = name.Select(c => char.IsLetterOrDigit(c) || c == '.' || c == '_' ? c : '_').ToArray();
            return new string(chars) + ".g.cs";
        }
    }
}
