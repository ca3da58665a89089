using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using AttnDsl.Generators.Diagnostics;
using AttnDsl.Generators.Model;
using AttnDsl.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AttnDsl.Generators.Parsing
{
    /// <summary>Turns an [AttentionKernel] class symbol into a <see cref="KernelSpec"/> or diagnostics.</summary>
    internal static class Parser
    {
        public const string KernelAttribute = "AttnDsl.AttentionKernelAttribute";
        private const string Ns = "AttnDsl.";

        /// <summary>Names Run already uses, which runtime arguments may not take.</summary>
        private static readonly HashSet<string> s_reservedNames = new(StringComparer.Ordinal)
        {
            "accelerator", "shape", "query", "key", "value", "output", "logSumExp", "path",
        };

        private static readonly HashSet<SpecialType> s_scalarTypes = new()
        {
            SpecialType.System_Byte, SpecialType.System_SByte, SpecialType.System_Int16, SpecialType.System_UInt16,
            SpecialType.System_Int32, SpecialType.System_UInt32, SpecialType.System_Int64, SpecialType.System_UInt64,
            SpecialType.System_Single, SpecialType.System_Double,
        };

        public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            string hint = HintName(type);
            var diagnostics = new List<DiagnosticInfo>();
            // [AttentionKernel] on several partial declarations (CS0579): the first one speaks for the class.
            var first = type.DeclaringSyntaxReferences
                .Select(r => r.GetSyntax(cancellationToken))
                .FirstOrDefault(n => n is TypeDeclarationSyntax t && t.AttributeLists.SelectMany(l => l.Attributes)
                    .Any(a => a.Name.ToString() is var name && (name.EndsWith("AttentionKernel", StringComparison.Ordinal) || name.EndsWith("AttentionKernelAttribute", StringComparison.Ordinal))));
            if (first is not null && first != context.TargetNode)
                return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty, hint);
            try
            {
                var spec = ParseCore(type, context.Attributes[0], context.TargetNode, diagnostics, cancellationToken);
                return new ParseResult(diagnostics.Count == 0 ? spec : null, diagnostics.ToEquatableArray(), hint);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The generator never throws into the compiler: a failure is a diagnostic.
                diagnostics.Add(Diag(DiagnosticDescriptors.GeneratorFailure, context.TargetNode.GetLocation(), type.Name, ex.GetType().Name + ": " + ex.Message));
                return new ParseResult(null, diagnostics.ToEquatableArray(), hint);
            }
        }

        private static KernelSpec? ParseCore(INamedTypeSymbol type, AttributeData kernel, SyntaxNode node, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            var classLocation = (node as TypeDeclarationSyntax)?.Identifier.GetLocation() ?? node.GetLocation();
            CheckClassShape(type, classLocation, diagnostics);

            // [AttentionKernel]
            var kernelLocation = kernel.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation() ?? classLocation;
            int headDim = NamedInt(kernel, "HeadDim", 0);
            int headDimV = NamedInt(kernel, "HeadDimV", 0);
            int blockM = NamedInt(kernel, "BlockM", 64);
            int blockN = NamedInt(kernel, "BlockN", 64);
            int element = NamedInt(kernel, "Element", 0);
            int layout = NamedInt(kernel, "Layout", 0);
            double scale = NamedDouble(kernel, "Scale", 0);
            CheckHeadDim("HeadDim", headDim, kernelLocation, diagnostics);
            if (headDimV != 0)
                CheckHeadDim("HeadDimV", headDimV, kernelLocation, diagnostics);
            CheckBlock("BlockM", blockM, kernelLocation, diagnostics);
            CheckBlock("BlockN", blockN, kernelLocation, diagnostics);
            if (!Enum.IsDefined(typeof(ElementKind), element))
                diagnostics.Add(Diag(DiagnosticDescriptors.UnknownEnumValue, kernelLocation, "Element", Str(element), "AttnDsl.ElementType"));
            if (!Enum.IsDefined(typeof(LayoutKind), layout))
                diagnostics.Add(Diag(DiagnosticDescriptors.UnknownEnumValue, kernelLocation, "Layout", Str(layout), "AttnDsl.TensorLayout"));
            if (double.IsNaN(scale) || double.IsInfinity(scale) || scale < 0)
                diagnostics.Add(Diag(DiagnosticDescriptors.InvalidArgument, kernelLocation, "Scale", Str(scale), "it must be positive and finite, or 0 for 1/sqrt(HeadDim)"));
            float effectiveScale = scale > 0 ? (float)scale : headDim > 0 ? (float)(1.0 / Math.Sqrt(headDim)) : 0f;

            // Class attributes, in source order: masks, score modifiers and their runtime arguments.
            bool causal = false, hasWindow = false, prefix = false, document = false, hasRadial = false, alibi = false;
            int left = 0, right = 0, sinks = 0, tokensPerFrame = 0, sinkFrames = 1;
            double decay = 1, softCap = 0;
            var runtimeArguments = new List<RuntimeArgument>();
            Location? radialLocation = null;
            foreach (var attribute in type.GetAttributes())
            {
                var name = attribute.AttributeClass?.ToDisplayString();
                if (name is null || !name.StartsWith(Ns, StringComparison.Ordinal))
                    continue;
                var location = attribute.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation() ?? classLocation;
                switch (name.Substring(Ns.Length))
                {
                    case "CausalAttribute":
                        causal = true;
                        break;
                    case "SlidingWindowAttribute":
                        hasWindow = true;
                        left = CtorInt(attribute, 0, 0);
                        right = CtorInt(attribute, 1, 0);
                        if (left < 0)
                            diagnostics.Add(Diag(DiagnosticDescriptors.InvalidArgument, location, "SlidingWindow Left", Str(left), "it must be >= 0"));
                        if (right < 0)
                            diagnostics.Add(Diag(DiagnosticDescriptors.InvalidArgument, location, "SlidingWindow Right", Str(right), "it must be >= 0"));
                        break;
                    case "AttentionSinksAttribute":
                        sinks = CtorInt(attribute, 0, 0);
                        if (sinks <= 0)
                            diagnostics.Add(Diag(DiagnosticDescriptors.InvalidArgument, location, "AttentionSinks Count", Str(sinks), "it must be >= 1"));
                        break;
                    case "PrefixLMAttribute":
                        prefix = true;
                        runtimeArguments.Add(new RuntimeArgument("prefixLength", "global::ILGPU.ArrayView<int>", true, "[PrefixLM]"));
                        break;
                    case "DocumentMaskAttribute":
                        document = true;
                        runtimeArguments.Add(new RuntimeArgument("documentIds", "global::ILGPU.ArrayView<int>", true, "[DocumentMask]"));
                        break;
                    case "TokenGridAttribute":
                        tokensPerFrame = CtorInt(attribute, 0, 0);
                        if (tokensPerFrame <= 0)
                            diagnostics.Add(Diag(DiagnosticDescriptors.InvalidArgument, location, "TokenGrid TokensPerFrame", Str(tokensPerFrame), "it must be >= 1"));
                        break;
                    case "RadialDecayAttribute":
                        hasRadial = true;
                        radialLocation = location;
                        decay = NamedDouble(attribute, "DecayFactor", 1);
                        sinkFrames = NamedInt(attribute, "SinkFrames", 1);
                        if (!(decay > 0) || double.IsInfinity(decay))
                            diagnostics.Add(Diag(DiagnosticDescriptors.InvalidArgument, location, "RadialDecay DecayFactor", Str(decay), "it must be positive and finite"));
                        if (sinkFrames < 0)
                            diagnostics.Add(Diag(DiagnosticDescriptors.InvalidArgument, location, "RadialDecay SinkFrames", Str(sinkFrames), "it must be >= 0"));
                        break;
                    case "AlibiAttribute":
                        alibi = true;
                        break;
                    case "SoftCapAttribute":
                        softCap = CtorDouble(attribute, 0, 0);
                        if (!(softCap > 0) || double.IsInfinity(softCap))
                            diagnostics.Add(Diag(DiagnosticDescriptors.InvalidArgument, location, "SoftCap Cap", Str(softCap), "it must be positive and finite"));
                        break;
                }
            }
            if (hasRadial && tokensPerFrame == 0)
                diagnostics.Add(Diag(DiagnosticDescriptors.RadialWithoutGrid, radialLocation ?? classLocation, type.Name));

            // [MaskMod] / [ScoreMod] methods, in declaration order.
            var maskMods = new List<ModSpec>();
            var scoreMods = new List<ModSpec>();
            var argumentSources = runtimeArguments.ToDictionary(a => a.Name, a => a, StringComparer.Ordinal);
            foreach (var member in type.GetMembers().OfType<IMethodSymbol>().OrderBy(m => m.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0))
            {
                ct.ThrowIfCancellationRequested();
                foreach (var attribute in member.GetAttributes())
                {
                    var name = attribute.AttributeClass?.ToDisplayString();
                    bool isMask = name == Ns + "MaskModAttribute";
                    if (!isMask && name != Ns + "ScoreModAttribute")
                        continue;
                    var mod = ParseMod(member, isMask, diagnostics);
                    if (mod is null)
                        continue;
                    (isMask ? maskMods : scoreMods).Add(mod);
                    foreach (var parameter in mod.Parameters)
                    {
                        var location = member.Parameters.First(p => p.Name == parameter.Name).Locations.FirstOrDefault();
                        if (s_reservedNames.Contains(parameter.Name) || (argumentSources.TryGetValue(parameter.Name, out var existing) && existing.Source.StartsWith("[", StringComparison.Ordinal)))
                        {
                            diagnostics.Add(Diag(DiagnosticDescriptors.RuntimeArgumentConflict, location, parameter.Name, member.Name, "has the name of a parameter that Run already has"));
                        }
                        else if (argumentSources.TryGetValue(parameter.Name, out existing))
                        {
                            // Mods may share a tensor: one Run parameter, when the types agree.
                            if (existing.TypeName != parameter.TypeName)
                                diagnostics.Add(Diag(DiagnosticDescriptors.RuntimeArgumentConflict, location, parameter.Name, member.Name, $"has type '{parameter.TypeName}' but '{existing.Source}' declares it as '{existing.TypeName}'"));
                        }
                        else
                        {
                            var argument = new RuntimeArgument(parameter.Name, parameter.TypeName, parameter.IsView, member.Name);
                            argumentSources.Add(parameter.Name, argument);
                            runtimeArguments.Add(argument);
                        }
                    }
                }
            }

            if (diagnostics.Count > 0)
                return null;
            return new KernelSpec(
                TypeLocationOf(type),
                new TileSpec(headDim, headDimV == 0 ? headDim : headDimV, blockM, blockN, (ElementKind)element, (LayoutKind)layout, effectiveScale),
                new MaskSpec(causal, hasWindow, left, right, sinks, prefix, document, tokensPerFrame, hasRadial, decay, sinkFrames),
                new ScoreSpec(alibi, softCap),
                maskMods.ToEquatableArray(),
                scoreMods.ToEquatableArray(),
                runtimeArguments.ToEquatableArray());
        }

        private static void CheckClassShape(INamedTypeSymbol type, Location location, List<DiagnosticInfo> diagnostics)
        {
            string? problem = null;
            if (!type.IsStatic)
                problem = "is not static";
            else if (!IsPartial(type))
                problem = "is not partial";
            else if (type.IsGenericType)
                problem = "is generic";
            else
            {
                for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
                {
                    if (outer.IsGenericType)
                    {
                        problem = $"is nested in the generic type '{outer.Name}'";
                        break;
                    }
                    if (!IsPartial(outer))
                    {
                        problem = $"is nested in '{outer.Name}', which is not partial";
                        break;
                    }
                }
            }
            if (problem is not null)
                diagnostics.Add(Diag(DiagnosticDescriptors.SpecClassShape, location, type.Name, problem));
        }

        private static bool IsPartial(INamedTypeSymbol type) =>
            type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(m => m.Text == "partial"));

        private static ModSpec? ParseMod(IMethodSymbol method, bool isMask, List<DiagnosticInfo> diagnostics)
        {
            string kind = isMask ? "[MaskMod]" : "[ScoreMod]";
            string expected = isMask
                ? "'static bool Name(int batch, int head, int query, int key, ...extra)'"
                : "'static float Name(float score, int batch, int head, int query, int key, ...extra)'";
            var location = method.Locations.FirstOrDefault();
            string? problem = null;
            int fixedCount = isMask ? 4 : 5;
            if (!method.IsStatic)
                problem = "is an instance method";
            else if (method.IsGenericMethod)
                problem = "is generic";
            else if (method.ReturnType.SpecialType != (isMask ? SpecialType.System_Boolean : SpecialType.System_Single) || method.ReturnsByRef || method.ReturnsByRefReadonly)
                problem = $"returns '{method.ReturnType.ToDisplayString()}'";
            else if (method.Parameters.Length < fixedCount)
                problem = $"has {method.Parameters.Length} parameters";
            else if (method.Parameters.Any(p => p.RefKind != RefKind.None))
                problem = "has a ref, out or in parameter";
            else if (method.Parameters.Any(p => p.IsParams))
                problem = "has a params parameter";
            else
            {
                for (int i = 0; i < fixedCount; i++)
                {
                    var want = !isMask && i == 0 ? SpecialType.System_Single : SpecialType.System_Int32;
                    if (method.Parameters[i].Type.SpecialType != want)
                    {
                        problem = $"has parameter {i + 1} ('{method.Parameters[i].Name}') of type '{method.Parameters[i].Type.ToDisplayString()}'";
                        break;
                    }
                }
            }
            if (problem is not null)
            {
                diagnostics.Add(Diag(DiagnosticDescriptors.InvalidModSignature, location, kind, method.Name, problem, expected));
                return null;
            }

            var parameters = new List<ModParameter>();
            bool ok = true;
            foreach (var parameter in method.Parameters.Skip(fixedCount))
            {
                var extra = ParseModParameter(parameter);
                if (extra is null)
                {
                    diagnostics.Add(Diag(DiagnosticDescriptors.UnsupportedModParameter, parameter.Locations.FirstOrDefault(), parameter.Name, method.Name, parameter.Type.ToDisplayString()));
                    ok = false;
                }
                else
                {
                    parameters.Add(extra);
                }
            }
            return ok ? new ModSpec(method.Name, parameters.ToEquatableArray()) : null;
        }

        private static ModParameter? ParseModParameter(IParameterSymbol parameter)
        {
            var type = parameter.Type;
            string full = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            if (s_scalarTypes.Contains(type.SpecialType))
                return new ModParameter(parameter.Name, full, false, full);
            if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
                && named.ConstructedFrom.ToDisplayString() == "ILGPU.ArrayView<T>")
            {
                var element = named.TypeArguments[0];
                string elementName = element.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                bool numeric = s_scalarTypes.Contains(element.SpecialType)
                    || elementName == "global::ILGPU.Half" || elementName == "global::AttnDsl.BFloat16";
                return numeric ? new ModParameter(parameter.Name, full, true, elementName) : null;
            }
            return null;
        }

        private static void CheckHeadDim(string name, int value, Location location, List<DiagnosticInfo> diagnostics)
        {
            if (!SpecRules.IsValidHeadDim(value))
                diagnostics.Add(Diag(DiagnosticDescriptors.InvalidHeadDim, location, name, Str(value), Str(SpecRules.NearestHeadDim(value))));
        }

        private static void CheckBlock(string name, int value, Location location, List<DiagnosticInfo> diagnostics)
        {
            if (!SpecRules.IsValidBlock(value))
                diagnostics.Add(Diag(DiagnosticDescriptors.InvalidBlock, location, name, Str(value), Str(SpecRules.NearestBlock(value))));
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

        private static int NamedInt(AttributeData attribute, string name, int fallback)
        {
            foreach (var pair in attribute.NamedArguments)
                if (pair.Key == name && pair.Value.Value is not null)
                    return Convert.ToInt32(pair.Value.Value, CultureInfo.InvariantCulture);
            return fallback;
        }

        private static double NamedDouble(AttributeData attribute, string name, double fallback)
        {
            foreach (var pair in attribute.NamedArguments)
                if (pair.Key == name && pair.Value.Value is not null)
                    return Convert.ToDouble(pair.Value.Value, CultureInfo.InvariantCulture);
            return fallback;
        }

        private static int CtorInt(AttributeData attribute, int index, int fallback) =>
            attribute.ConstructorArguments.Length > index && attribute.ConstructorArguments[index].Value is { } v
                ? Convert.ToInt32(v, CultureInfo.InvariantCulture) : fallback;

        private static double CtorDouble(AttributeData attribute, int index, double fallback) =>
            attribute.ConstructorArguments.Length > index && attribute.ConstructorArguments[index].Value is { } v
                ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : fallback;

        private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Str(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        private static DiagnosticInfo Diag(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
            new(descriptor.Id, LocationInfo.From(location), arguments.ToEquatableArray());
    }
}
