using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

// Shared source (generator and analyzers): every rule a spec class must satisfy, in one place.
// The analyzers report what it finds, one analyzer per part (each runs only its part); the
// generator runs all parts (CheckSpec) and emits nothing for a spec with an error, so a rule is
// never written twice.
namespace AttnDsl.Rules
{
    internal static class SpecChecker
    {
        public const string Namespace = "AttnDsl.";
        public const string KernelAttribute = "AttnDsl.AttentionKernelAttribute";
        public const string MaskModAttribute = "AttnDsl.MaskModAttribute";
        public const string ScoreModAttribute = "AttnDsl.ScoreModAttribute";
        public const string DocumentMaskAttribute = "AttnDsl.DocumentMaskAttribute";
        public const string ShapeType = "AttnDsl.AttentionShape";

        /// <summary>Names Run already uses, which runtime arguments may not take.</summary>
        public static readonly HashSet<string> ReservedNames = new(StringComparer.Ordinal)
        {
            "accelerator", "shape", "query", "key", "value", "output", "logSumExp", "path",
        };

        /// <summary>Scalar types a mod may take, and the element types of its ArrayViews.</summary>
        public static readonly HashSet<SpecialType> ScalarTypes = new()
        {
            SpecialType.System_Byte, SpecialType.System_SByte, SpecialType.System_Int16, SpecialType.System_UInt16,
            SpecialType.System_Int32, SpecialType.System_UInt32, SpecialType.System_Int64, SpecialType.System_UInt64,
            SpecialType.System_Single, SpecialType.System_Double,
        };

        /// <summary>
        /// Every rule of a spec class (the generator's check): <see cref="CheckClassAndAttributes"/>,
        /// <see cref="CheckResources"/>, <see cref="CheckModDeclarations"/> and the kernel safety of every mod body.
        /// </summary>
        public static void CheckSpec(INamedTypeSymbol type, AttributeData kernel, Compilation compilation, Action<Diagnostic> report, CancellationToken ct)
        {
            CheckClassAndAttributes(type, kernel, report, ct);
            CheckResources(type, kernel, report, ct);
            CheckModDeclarations(type, report, ct);
            foreach (var (method, _) in Mods(type))
                ModSafety.Check(method, compilation, report, ct);
        }

        /// <summary>The [AttentionKernel] of a type (the first, should the compiler have let several through), or null.</summary>
        public static AttributeData? KernelAttributeOf(INamedTypeSymbol type)
        {
            foreach (var attribute in type.GetAttributes())
                if (attribute.AttributeClass is { Name: "AttentionKernelAttribute" } c && c.ToDisplayString() == KernelAttribute)
                    return attribute;
            return null;
        }

        // ---------------------------------------------------------------- class and attributes (ATTN1001-1008, ATTN1017-1020)

        /// <summary>
        /// ATTN1001-1008 and ATTN1017-1020: the class declaration, the [AttentionKernel] sizes, enum values and
        /// scale, the arguments of the mask, score, [BlockSelect] and [Quantize] attributes, and combinations that
        /// contradict each other or do nothing.
        /// </summary>
        public static void CheckClassAndAttributes(INamedTypeSymbol type, AttributeData kernel, Action<Diagnostic> report, CancellationToken ct)
        {
            var classLocation = type.Locations.FirstOrDefault();
            CheckClassShape(type, classLocation, report);

            var kernelLocation = LocationOf(kernel, ct) ?? classLocation;
            var tiles = TilesOf(kernel);
            CheckHeadDim("HeadDim", tiles.HeadDim, kernelLocation, report);
            if (tiles.HeadDimV != 0)
                CheckHeadDim("HeadDimV", tiles.HeadDimV, kernelLocation, report);
            // 0 (or not set) asks for the chosen tile.
            if (tiles.BlockM != 0)
                CheckBlock("BlockM", tiles.BlockM, kernelLocation, report);
            if (tiles.BlockN != 0)
                CheckBlock("BlockN", tiles.BlockN, kernelLocation, report);
            if (tiles.Element < 0 || tiles.Element > 2)
                report(Diagnostic.Create(SpecDescriptors.UnknownEnumValue, kernelLocation, "Element", Str(tiles.Element), "AttnDsl.ElementType"));
            if (tiles.Layout < 0 || tiles.Layout > 1)
                report(Diagnostic.Create(SpecDescriptors.UnknownEnumValue, kernelLocation, "Layout", Str(tiles.Layout), "AttnDsl.TensorLayout"));
            double scale = NamedDouble(kernel, "Scale", 0);
            if (double.IsNaN(scale) || double.IsInfinity(scale) || scale < 0)
                report(Diagnostic.Create(SpecDescriptors.InvalidArgument, kernelLocation, "Scale", Str(scale), "it must be positive and finite, or 0 for 1/sqrt(HeadDim)"));

            // Mask and score attributes.
            AttributeData? causal = null, window = null, sinks = null, prefix = null, grid = null, radial = null, sparse = null, select = null;
            foreach (var attribute in type.GetAttributes())
            {
                var name = attribute.AttributeClass?.ToDisplayString();
                if (name is null || !name.StartsWith(Namespace, StringComparison.Ordinal))
                    continue;
                var location = LocationOf(attribute, ct) ?? classLocation;
                switch (name.Substring(Namespace.Length))
                {
                    case "CausalAttribute":
                        causal = attribute;
                        break;
                    case "SlidingWindowAttribute":
                        window = attribute;
                        NonNegative(CtorInt(attribute, 0, 0), "SlidingWindow Left", location, report);
                        NonNegative(CtorInt(attribute, 1, 0), "SlidingWindow Right", location, report);
                        break;
                    case "AttentionSinksAttribute":
                        sinks = attribute;
                        Positive(CtorInt(attribute, 0, 0), "AttentionSinks Count", location, report);
                        break;
                    case "PrefixLMAttribute":
                        prefix = attribute;
                        break;
                    case "TokenGridAttribute":
                        grid = attribute;
                        Positive(CtorInt(attribute, 0, 0), "TokenGrid TokensPerFrame", location, report);
                        break;
                    case "RadialDecayAttribute":
                        radial = attribute;
                        double decay = NamedDouble(attribute, "DecayFactor", 1);
                        if (!(decay > 0) || double.IsInfinity(decay))
                            report(Diagnostic.Create(SpecDescriptors.InvalidArgument, location, "RadialDecay DecayFactor", Str(decay), "it must be positive and finite"));
                        NonNegative(NamedInt(attribute, "SinkFrames", 1), "RadialDecay SinkFrames", location, report);
                        break;
                    case "BlockSparseAttribute":
                        sparse = attribute;
                        break;
                    case "BlockSelectAttribute":
                        select = attribute;
                        CheckBlockSelect(attribute, location, report);
                        break;
                    case "QuantizeAttribute":
                        CheckQuantize(attribute, tiles.HeadDim, tiles.Element, type.Name, location, report);
                        break;
                    case "SoftCapAttribute":
                        double cap = CtorDouble(attribute, 0, 0);
                        if (!(cap > 0) || double.IsInfinity(cap))
                            report(Diagnostic.Create(SpecDescriptors.InvalidArgument, location, "SoftCap Cap", Str(cap), "it must be positive and finite"));
                        break;
                }
            }
            if (select is not null && sparse is not null)
                report(Diagnostic.Create(SpecDescriptors.SelectWithSparse, LocationOf(select, ct) ?? classLocation, type.Name));
            if (radial is not null && grid is null)
                report(Diagnostic.Create(SpecDescriptors.RadialWithoutGrid, LocationOf(radial, ct) ?? classLocation, type.Name));
            if (causal is not null && window is not null && CtorInt(window, 1, 0) > 0)
                report(Diagnostic.Create(SpecDescriptors.RightWindowUnderCausal, LocationOf(window, ct) ?? classLocation, Str(CtorInt(window, 0, 0)), Str(CtorInt(window, 1, 0))));
            bool local = causal is not null || window is not null || radial is not null;
            if (sinks is not null && !local)
                report(Diagnostic.Create(SpecDescriptors.NoEffect, LocationOf(sinks, ct) ?? classLocation, "[AttentionSinks]", type.Name, "without [Causal], [SlidingWindow] or [RadialDecay] every key is visible already"));
            if (prefix is not null && !local)
                report(Diagnostic.Create(SpecDescriptors.NoEffect, LocationOf(prefix, ct) ?? classLocation, "[PrefixLM]", type.Name, "without [Causal], [SlidingWindow] or [RadialDecay] every key is visible already"));
        }

        /// <summary>[BlockSelect]: a known estimator, exactly one rule, and values in range.</summary>
        private static void CheckBlockSelect(AttributeData attribute, Location? location, Action<Diagnostic> report)
        {
            int estimator = NamedInt(attribute, "Estimator", CtorInt(attribute, 0, 0));
            if (estimator != 0)
                report(Diagnostic.Create(SpecDescriptors.UnknownEnumValue, location, "BlockSelect Estimator", Str(estimator), "AttnDsl.BlockEstimator"));
            int topK = NamedInt(attribute, "TopK", 0);
            double fraction = NamedDouble(attribute, "TopFraction", 0), mass = NamedDouble(attribute, "CumulativeMass", 0);
            if (topK < 0)
                report(Diagnostic.Create(SpecDescriptors.InvalidArgument, location, "BlockSelect TopK", Str(topK), "it must be >= 1, or 0 when another rule is used"));
            if (!(fraction >= 0 && fraction <= 1))
                report(Diagnostic.Create(SpecDescriptors.InvalidArgument, location, "BlockSelect TopFraction", Str(fraction), "it must be in (0, 1], or 0 when another rule is used"));
            if (!(mass >= 0 && mass <= 1))
                report(Diagnostic.Create(SpecDescriptors.InvalidArgument, location, "BlockSelect CumulativeMass", Str(mass), "it must be in (0, 1], or 0 when another rule is used"));
            NonNegative(NamedInt(attribute, "KeepSinkBlocks", 1), "BlockSelect KeepSinkBlocks", location, report);
            var rules = new List<string>();
            if (topK != 0) rules.Add("TopK");
            if (fraction != 0) rules.Add("TopFraction");
            if (mass != 0) rules.Add("CumulativeMass");
            if (rules.Count != 1)
                report(Diagnostic.Create(SpecDescriptors.BlockSelectRule, location, rules.Count == 0 ? "none" : string.Join(", ", rules)));
        }

        /// <summary>
        /// [Quantize]: known enum values (ATTN1005), HeadDim a multiple of 32 for int8 (ATTN1019), a 16-bit
        /// element type (ATTN1020). A HeadDim or Element that is invalid on its own is ATTN1002 / ATTN1005
        /// already, so it is not reported a second time here.
        /// </summary>
        private static void CheckQuantize(AttributeData attribute, int headDim, int element, string typeName, Location? location, Action<Diagnostic> report)
        {
            // QueryKey is the constructor's optional argument and a settable property: the named value wins.
            int queryKey = NamedInt(attribute, "QueryKey", CtorInt(attribute, 0, 0));
            if (queryKey != 0)
                report(Diagnostic.Create(SpecDescriptors.UnknownEnumValue, location, "Quantize QueryKey", Str(queryKey), "AttnDsl.QuantFormat"));
            int granularity = NamedInt(attribute, "Granularity", 0);
            if (granularity != 0)
                report(Diagnostic.Create(SpecDescriptors.UnknownEnumValue, location, "Quantize Granularity", Str(granularity), "AttnDsl.QuantGranularity"));
            if (queryKey == 0 && SpecRules.IsValidHeadDim(headDim) && !SpecRules.IsValidQuantizedHeadDim(headDim))
                report(Diagnostic.Create(SpecDescriptors.QuantizedHeadDim, location, Str(headDim), Str(SpecRules.NearestQuantizedHeadDim(headDim))));
            if (element == 2) // ElementType.Float32
                report(Diagnostic.Create(SpecDescriptors.QuantizeElement, location, typeName, "Float32"));
        }

        private static void CheckClassShape(INamedTypeSymbol type, Location? location, Action<Diagnostic> report)
        {
            string? problem = null;
            if (type.TypeKind != TypeKind.Class)
                problem = $"is a{(type.TypeKind == TypeKind.Interface ? "n" : "")} {(type.IsRecord ? "record " : "")}{type.TypeKind.ToString().ToLowerInvariant()}, not a static class";
            else if (!type.IsStatic)
                problem = type.IsRecord ? "is a record, not a static class" : "is not static";
            else if (!IsPartial(type))
                problem = "is not partial";
            else if (type.IsGenericType)
                problem = "is generic";
            else
            {
                for (var outer = type.ContainingType; outer is not null && problem is null; outer = outer.ContainingType)
                {
                    if (outer.IsGenericType)
                        problem = $"is nested in the generic type '{outer.Name}'";
                    else if (!IsPartial(outer))
                        problem = $"is nested in '{outer.Name}', which is not partial";
                }
            }
            if (problem is not null)
                report(Diagnostic.Create(SpecDescriptors.SpecClassShape, location, type.Name, problem));
        }

        private static bool IsPartial(INamedTypeSymbol type) =>
            type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(m => m.Text == "partial"));

        private static void CheckHeadDim(string name, int value, Location? location, Action<Diagnostic> report)
        {
            if (!SpecRules.IsValidHeadDim(value))
                report(Diagnostic.Create(SpecDescriptors.InvalidHeadDim, location, name, Str(value), Str(SpecRules.NearestHeadDim(value))));
        }

        private static void CheckBlock(string name, int value, Location? location, Action<Diagnostic> report)
        {
            if (!SpecRules.IsValidBlock(value))
                report(Diagnostic.Create(SpecDescriptors.InvalidBlock, location, name, Str(value), Str(SpecRules.NearestBlock(value))));
        }

        private static void NonNegative(int value, string name, Location? location, Action<Diagnostic> report)
        {
            if (value < 0)
                report(Diagnostic.Create(SpecDescriptors.InvalidArgument, location, name, Str(value), "it must be >= 0"));
        }

        private static void Positive(int value, string name, Location? location, Action<Diagnostic> report)
        {
            if (value <= 0)
                report(Diagnostic.Create(SpecDescriptors.InvalidArgument, location, name, Str(value), "it must be >= 1"));
        }

        // ---------------------------------------------------------------- resources (ATTN1014-1015)

        /// <summary>
        /// ATTN1014-1015: shared memory per block and accumulator registers per thread of the tile, estimated
        /// by <see cref="ResourceEstimates"/>. Only for valid sizes (invalid ones are ATTN1002/1003 already).
        /// </summary>
        public static void CheckResources(INamedTypeSymbol type, AttributeData kernel, Action<Diagnostic> report, CancellationToken ct)
        {
            var t = ChosenTilesOf(type, kernel);
            int headDimV = t.HeadDimV == 0 ? t.HeadDim : t.HeadDimV;
            if (!SpecRules.IsValidHeadDim(t.HeadDim) || !SpecRules.IsValidHeadDim(headDimV) || !SpecRules.IsValidBlock(t.BlockM) || !SpecRules.IsValidBlock(t.BlockN))
                return;
            // The estimates are the tensor-core kernels'; Float32 specs run the portable kernels only, whose K/V stage fits by construction.
            if (t.Element == 2)
                return;
            var location = LocationOf(kernel, ct) ?? type.Locations.FirstOrDefault();
            const int elementSize = 2;
            const string sizes = "16-bit elements";
            long shared = ResourceEstimates.TensorCoreSharedMemoryBytes(t.BlockM, t.BlockN, t.HeadDim, headDimV, elementSize);
            if (shared > ResourceEstimates.TensorCoreSharedMemoryLimitBytes)
            {
                var (blockM, blockN) = ResourceEstimates.NearestTensorCoreTiles(t.BlockM, t.BlockN, t.HeadDim, headDimV, elementSize);
                string nearest = blockM == t.BlockM ? $"BlockN = {Str(blockN)}" : $"BlockM = {Str(blockM)}, BlockN = {Str(blockN)}";
                report(Diagnostic.Create(SpecDescriptors.SharedMemoryOverLimit, location, Str(t.BlockM), Str(t.BlockN), Str(t.HeadDim), Str(headDimV), sizes,
                    shared.ToString(CultureInfo.InvariantCulture), Str(ResourceEstimates.TensorCoreSharedMemoryLimitBytes), nearest));
            }
            int registers = ResourceEstimates.TensorCoreRegistersPerThread(t.BlockN, t.HeadDim, headDimV);
            if (registers > ResourceEstimates.RegisterLimit)
            {
                int nearest = ResourceEstimates.NearestRegisterBlockN(t.BlockN, t.HeadDim, headDimV);
                report(Diagnostic.Create(SpecDescriptors.RegistersOverLimit, location, Str(t.BlockN), Str(t.HeadDim), Str(headDimV), Str(registers), Str(ResourceEstimates.RegisterLimit), Str(nearest)));
            }
        }

        /// <summary>The raw [AttentionKernel] values (HeadDimV 0 = HeadDim; enums as ints).</summary>
        public static (int HeadDim, int HeadDimV, int BlockM, int BlockN, int Element, int Layout) TilesOf(AttributeData kernel) =>
            (NamedInt(kernel, "HeadDim", 0), NamedInt(kernel, "HeadDimV", 0), NamedInt(kernel, "BlockM", 0), NamedInt(kernel, "BlockN", 0),
             NamedInt(kernel, "Element", 0), NamedInt(kernel, "Layout", 0));

        /// <summary>
        /// The [AttentionKernel] values with BlockM / BlockN as the kernels use them: as written, or chosen by
        /// <see cref="TileChoice"/> for the spec's head dims, element type and masks where not set (0). Invalid
        /// written sizes are returned as written (ATTN1003 reports them).
        /// </summary>
        public static (int HeadDim, int HeadDimV, int BlockM, int BlockN, int Element, int Layout) ChosenTilesOf(INamedTypeSymbol type, AttributeData kernel)
        {
            var t = TilesOf(kernel);
            bool causal = false, window = false, document = false, alibi = false, granular = false;
            foreach (var attribute in type.GetAttributes())
            {
                switch (attribute.AttributeClass?.ToDisplayString())
                {
                    case Namespace + "CausalAttribute": causal = true; break;
                    case Namespace + "SlidingWindowAttribute": window = true; break;
                    case Namespace + "DocumentMaskAttribute": document = true; break;
                    case Namespace + "AlibiAttribute": alibi = true; break;
                    case Namespace + "BlockSparseAttribute":
                    case Namespace + "BlockSelectAttribute":
                    case Namespace + "QuantizeAttribute":
                        granular = true;
                        break;
                }
            }
            var mask = window ? TileChoice.MaskClass.Window
                : (causal || document) && !alibi ? TileChoice.MaskClass.LongRows
                : TileChoice.MaskClass.Other;
            int headDimV = t.HeadDimV == 0 ? t.HeadDim : t.HeadDimV;
            if (!SpecRules.IsValidHeadDim(t.HeadDim) || !SpecRules.IsValidHeadDim(headDimV))
                return (t.HeadDim, t.HeadDimV, t.BlockM == 0 ? TileChoice.PortableDefault : t.BlockM, t.BlockN == 0 ? TileChoice.PortableDefault : t.BlockN, t.Element, t.Layout);
            var (blockM, blockN) = TileChoice.Choose(t.BlockM, t.BlockN, t.HeadDim, headDimV, t.Element, mask, granular);
            return (t.HeadDim, t.HeadDimV, blockM, blockN, t.Element, t.Layout);
        }

        // ---------------------------------------------------------------- mods (ATTN1009-1013)

        /// <summary>
        /// ATTN1010-1012 for every mod of a spec: signature, extra parameter types, and the runtime
        /// arguments they become (names Run already has, one name with two types).
        /// </summary>
        public static void CheckModDeclarations(INamedTypeSymbol type, Action<Diagnostic> report, CancellationToken ct)
        {
            var arguments = new Dictionary<string, (string Type, string Source)>(StringComparer.Ordinal);
            foreach (var attribute in type.GetAttributes())
            {
                var name = attribute.AttributeClass?.ToDisplayString();
                if (name == "AttnDsl.PrefixLMAttribute")
                    arguments["prefixLength"] = ("global::ILGPU.ArrayView<int>", "[PrefixLM]");
                else if (name == DocumentMaskAttribute)
                    arguments["documentIds"] = ("global::ILGPU.ArrayView<int>", "[DocumentMask]");
                else if (name == "AttnDsl.BlockSparseAttribute")
                    arguments["blockMask"] = ("global::AttnDsl.BlockMask", "[BlockSparse]");
            }
            foreach (var (method, isMask) in Mods(type))
            {
                ct.ThrowIfCancellationRequested();
                if (!CheckModSignature(method, isMask, report))
                    continue;
                foreach (var parameter in method.Parameters.Skip(isMask ? 4 : 5))
                {
                    var location = parameter.Locations.FirstOrDefault();
                    string full = parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                    if (!IsSupportedModParameter(parameter.Type))
                    {
                        report(Diagnostic.Create(SpecDescriptors.UnsupportedModParameter, location, parameter.Name, method.Name, parameter.Type.ToDisplayString()));
                        continue;
                    }
                    if (ReservedNames.Contains(parameter.Name) || (arguments.TryGetValue(parameter.Name, out var existing) && existing.Source.StartsWith("[", StringComparison.Ordinal)))
                        report(Diagnostic.Create(SpecDescriptors.RuntimeArgumentConflict, location, parameter.Name, method.Name, "has the name of a parameter that Run already has"));
                    else if (arguments.TryGetValue(parameter.Name, out existing) && existing.Type != full)
                        report(Diagnostic.Create(SpecDescriptors.RuntimeArgumentConflict, location, parameter.Name, method.Name, $"has type '{full}' but '{existing.Source}' declares it as '{existing.Type}'"));
                    else if (!arguments.ContainsKey(parameter.Name))
                        arguments[parameter.Name] = (full, method.Name);
                }
            }
        }

        /// <summary>ATTN1013 for one mod body (the analyzers hand it the operation blocks they are given).</summary>
        public static void CheckModBody(IMethodSymbol method, IOperation body, Action<Diagnostic> report) =>
            ModSafety.CheckBody(method, body, report);

        /// <summary>ATTN1009: a [MaskMod]/[ScoreMod] method whose class has no [AttentionKernel], so nothing uses it.</summary>
        public static void CheckOrphanMod(IMethodSymbol method, Action<Diagnostic> report)
        {
            var kind = ModKindOf(method);
            if (kind is null || method.ContainingType is not { } type || KernelAttributeOf(type) is not null)
                return;
            report(Diagnostic.Create(SpecDescriptors.OrphanMod, method.Locations.FirstOrDefault(), kind.Value ? "[MaskMod]" : "[ScoreMod]", method.Name));
        }

        /// <summary>Whether a method is a mod: true for [MaskMod] (also when it carries both), false for [ScoreMod], null for neither.</summary>
        public static bool? ModKindOf(IMethodSymbol method)
        {
            bool mask = false, score = false;
            foreach (var attribute in method.GetAttributes())
            {
                if (attribute.AttributeClass is not { Name: "MaskModAttribute" or "ScoreModAttribute" } c)
                    continue;
                var name = c.ToDisplayString();
                mask |= name == MaskModAttribute;
                score |= name == ScoreModAttribute;
            }
            return mask ? true : score ? false : null;
        }

        private static bool HasBothModAttributes(IMethodSymbol method) =>
            method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == MaskModAttribute)
            && method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ScoreModAttribute);

        /// <summary>Whether <paramref name="compilation"/> references the AttnDsl runtime (else no rule can apply).</summary>
        public static bool ReferencesAttnDsl(Compilation compilation) =>
            compilation.GetTypeByMetadataName(KernelAttribute) is not null;

        /// <summary>[MaskMod] and [ScoreMod] methods of a spec, each once, in declaration order.</summary>
        public static IEnumerable<(IMethodSymbol Method, bool IsMask)> Mods(INamedTypeSymbol type)
        {
            foreach (var method in type.GetMembers().OfType<IMethodSymbol>().OrderBy(m => m.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0))
            {
                if (ModKindOf(method) is bool isMask)
                    yield return (method, isMask);
            }
        }

        /// <summary>Whether an extra mod parameter can become a kernel argument.</summary>
        public static bool IsSupportedModParameter(ITypeSymbol type)
        {
            if (ScalarTypes.Contains(type.SpecialType))
                return true;
            if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
                && named.ConstructedFrom.ToDisplayString() == "ILGPU.ArrayView<T>")
            {
                var element = named.TypeArguments[0];
                string elementName = element.ToDisplayString();
                return ScalarTypes.Contains(element.SpecialType) || elementName == "ILGPU.Half" || elementName == "AttnDsl.BFloat16";
            }
            return false;
        }

        /// <summary>Checks a mod's signature; false when it is unusable (its parameters are not checked further).</summary>
        private static bool CheckModSignature(IMethodSymbol method, bool isMask, Action<Diagnostic> report)
        {
            string kind = isMask ? "[MaskMod]" : "[ScoreMod]";
            string expected = isMask
                ? "'static bool Name(int batch, int head, int query, int key, ...extra)'"
                : "'static float Name(float score, int batch, int head, int query, int key, ...extra)'";
            int fixedCount = isMask ? 4 : 5;
            string? problem = null;
            if (HasBothModAttributes(method))
            {
                kind = "[MaskMod] [ScoreMod]";
                problem = "is marked both as a mask and as a score mod";
                expected = "one of the two attributes";
            }
            else if (!method.IsStatic)
                problem = "is an instance method";
            else if (method.IsGenericMethod)
                problem = "is generic";
            else if (method.ReturnType.SpecialType != (isMask ? SpecialType.System_Boolean : SpecialType.System_Single) || method.ReturnsByRef || method.ReturnsByRefReadonly)
                problem = $"returns '{(method.ReturnsByRef ? "ref " : method.ReturnsByRefReadonly ? "ref readonly " : "")}{method.ReturnType.ToDisplayString()}'";
            else if (method.Parameters.Length < fixedCount)
                problem = $"has {method.Parameters.Length} parameters";
            else if (method.Parameters.Any(p => p.RefKind != RefKind.None))
                problem = "has a ref, out or in parameter";
            else if (method.Parameters.Any(p => p.IsParams))
                problem = "has a params parameter";
            else
            {
                for (int i = 0; i < fixedCount && problem is null; i++)
                {
                    var want = !isMask && i == 0 ? SpecialType.System_Single : SpecialType.System_Int32;
                    if (method.Parameters[i].Type.SpecialType != want)
                        problem = $"has parameter {i + 1} ('{method.Parameters[i].Name}') of type '{method.Parameters[i].Type.ToDisplayString()}'";
                }
            }
            if (problem is null)
                return true;
            report(Diagnostic.Create(SpecDescriptors.InvalidModSignature, method.Locations.FirstOrDefault(), kind, method.Name, problem, expected));
            return false;
        }

        // ---------------------------------------------------------------- call sites (ATTN1016)

        /// <summary>
        /// ATTN1016: <c>Spec.Run(..., new AttentionShape(constants), ...)</c> on a spec class, where the
        /// constants break what Run checks first (<see cref="ShapeRules.Problems"/>).
        /// </summary>
        public static void CheckCallSite(IInvocationOperation invocation, Action<Diagnostic> report)
        {
            var target = invocation.TargetMethod;
            if (target.Name != "Run" || !target.IsStatic || target.ContainingType is not { } spec || KernelAttributeOf(spec) is null)
                return;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Name != "shape")
                    continue;
                var value = argument.Value;
                while (value is IConversionOperation conversion)
                    value = conversion.Operand;
                if (value is not IObjectCreationOperation creation || creation.Type?.ToDisplayString() != ShapeType)
                    continue;
                if (!TryConstantShape(creation, out var shape))
                    continue;
                bool document = spec.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == DocumentMaskAttribute);
                var problems = ShapeRules.Problems(shape.Batch, shape.QueryHeads, shape.KeyValueHeads, shape.QueryLength, shape.KeyLength, document);
                if (problems.Count > 0)
                    report(Diagnostic.Create(SpecDescriptors.ShapeContradictsSpec, creation.Syntax.GetLocation(), spec.Name, string.Join("; ", problems)));
            }
        }

        /// <summary>The five sizes of <c>new AttentionShape(...)</c> when every argument is an int constant.</summary>
        private static bool TryConstantShape(IObjectCreationOperation creation, out (int Batch, int QueryHeads, int KeyValueHeads, int QueryLength, int KeyLength) shape)
        {
            shape = default;
            var values = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var argument in creation.Arguments)
            {
                if (argument.Parameter is null || argument.Value.ConstantValue is not { HasValue: true, Value: int value })
                    return false;
                values[argument.Parameter.Name] = value;
            }
            if (values.Count == 5 && values.TryGetValue("Batch", out int b) && values.TryGetValue("QueryHeads", out int hq) && values.TryGetValue("KeyValueHeads", out int hkv)
                && values.TryGetValue("QueryLength", out int nq) && values.TryGetValue("KeyLength", out int nk))
            {
                shape = (b, hq, hkv, nq, nk);
                return true;
            }
            if (values.Count == 3 && values.TryGetValue("batch", out b) && values.TryGetValue("heads", out int h) && values.TryGetValue("length", out int n))
            {
                shape = (b, h, h, n, n);
                return true;
            }
            return false;
        }

        // ---------------------------------------------------------------- attribute values

        public static Location? LocationOf(AttributeData attribute, CancellationToken ct) =>
            attribute.ApplicationSyntaxReference?.GetSyntax(ct).GetLocation();

        public static int NamedInt(AttributeData attribute, string name, int fallback)
        {
            foreach (var pair in attribute.NamedArguments)
                if (pair.Key == name)
                    return ToInt(pair.Value.Value, fallback);
            return fallback;
        }

        public static double NamedDouble(AttributeData attribute, string name, double fallback)
        {
            foreach (var pair in attribute.NamedArguments)
                if (pair.Key == name)
                    return ToDouble(pair.Value.Value, fallback);
            return fallback;
        }

        public static bool NamedBool(AttributeData attribute, string name, bool fallback)
        {
            foreach (var pair in attribute.NamedArguments)
                if (pair.Key == name)
                    return pair.Value.Value is bool b ? b : fallback;
            return fallback;
        }

        public static int CtorInt(AttributeData attribute, int index, int fallback) =>
            attribute.ConstructorArguments.Length > index ? ToInt(attribute.ConstructorArguments[index].Value, fallback) : fallback;

        public static double CtorDouble(AttributeData attribute, int index, double fallback) =>
            attribute.ConstructorArguments.Length > index ? ToDouble(attribute.ConstructorArguments[index].Value, fallback) : fallback;

        // Attribute values of malformed code can be anything: never throw on them.
        private static int ToInt(object? value, int fallback) => value switch
        {
            int i => i,
            short or sbyte or byte or ushort => Convert.ToInt32(value, CultureInfo.InvariantCulture),
            _ => fallback,
        };

        private static double ToDouble(object? value, double fallback) => value switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            _ => fallback,
        };

        public static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

        public static string Str(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
