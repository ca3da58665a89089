using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using AttnDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AttnDsl.Generators.Tests
{
    /// <summary>
    /// The incremental pipeline caches on equality of the parse result, so the model must be plain
    /// data: no symbols, syntax, locations, semantic models or compilations (which would both defeat
    /// caching and keep whole compilations alive), and every model type must compare by value.
    /// </summary>
    public sealed class ModelPurityTests
    {
        /// <summary>Roslyn types that must not appear anywhere in the model.</summary>
        private static readonly Type[] s_forbidden =
        {
            typeof(ISymbol),
            typeof(SyntaxNode),
            typeof(SyntaxToken),
            typeof(SyntaxTrivia),
            typeof(SyntaxTree),
            typeof(SyntaxReference),
            typeof(Location),
            typeof(SemanticModel),
            typeof(Compilation),
            typeof(AttributeData),
            typeof(TypedConstant),
            typeof(Diagnostic),
        };

        private static readonly Assembly s_generatorAssembly = typeof(ParseResult).Assembly;

        [Fact]
        public void ModelGraph_ContainsNoRoslynSymbolsSyntaxOrCompilations()
        {
            var violations = new List<string>();
            foreach (var (type, path) in ReachableTypes())
            {
                foreach (var forbidden in s_forbidden)
                {
                    if (forbidden.IsAssignableFrom(type))
                        violations.Add($"{path} is {type.FullName}, which is (or derives from) {forbidden.Name}");
                }
            }
            Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        }

        [Fact]
        public void ModelGraph_ReachesTheWholeSpecModel()
        {
            // Guards the walk itself: if it stopped early, the purity test would pass vacuously.
            var reached = ReachableTypes().Select(r => r.Type).ToHashSet();
            Type[] expected =
            {
                typeof(ParseResult), typeof(KernelSpec), typeof(TypeLocation), typeof(TileSpec), typeof(MaskSpec),
                typeof(ScoreSpec), typeof(ModSpec), typeof(ModParameter), typeof(RuntimeArgument), typeof(DiagnosticInfo),
                typeof(LocationInfo), typeof(EquatableArray<ModSpec>), typeof(EquatableArray<DiagnosticInfo>),
                typeof(ElementKind), typeof(LayoutKind),
            };
            var missing = expected.Where(t => !reached.Contains(t)).Select(t => t.Name).ToList();
            Assert.True(missing.Count == 0, "Not reached from ParseResult: " + string.Join(", ", missing));
        }

        [Fact]
        public void ModelTypes_AreRecordsOrOverrideEquality()
        {
            var problems = new List<string>();
            foreach (var type in ReachableTypes().Select(r => r.Type).Distinct().Where(IsModelType))
            {
                // Enums compare by value; arrays appear only as storage inside EquatableArray<T>, which compares them by element.
                if (type.IsEnum || type.IsArray)
                    continue;

                // A record (or hand-written equatable type) declares Equals(object) and Equals(T) itself.
                var equalsObject = type.GetMethod(nameof(Equals), BindingFlags.Public | BindingFlags.Instance, null, new[] { typeof(object) }, null);
                if (equalsObject is null || equalsObject.DeclaringType != type)
                    problems.Add($"{type.Name} does not override Equals(object)");
                var equalsTyped = type.GetMethod(nameof(Equals), BindingFlags.Public | BindingFlags.Instance, null, new[] { type }, null);
                if (equalsTyped is null || equalsTyped.DeclaringType != type)
                    problems.Add($"{type.Name} does not declare Equals({type.Name})");
                var hash = type.GetMethod(nameof(GetHashCode), BindingFlags.Public | BindingFlags.Instance, null, Type.EmptyTypes, null);
                if (hash is null || hash.DeclaringType != type)
                    problems.Add($"{type.Name} does not override GetHashCode()");

                if (type.IsClass)
                {
                    // Records carry a compiler-generated <Clone>$ and EqualityContract; sealed keeps equality symmetric.
                    bool isRecord = type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is not null;
                    if (!isRecord)
                        problems.Add($"{type.Name} is a class but not a record");
                    if (!type.IsSealed)
                        problems.Add($"{type.Name} is not sealed");
                }
            }
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }

        [Fact]
        public void EquatableArray_ComparesByElements()
        {
            var a = new[] { "x", "y" }.ToEquatableArray();
            var b = new List<string> { "x", "y" }.ToEquatableArray();
            var c = new[] { "x", "z" }.ToEquatableArray();
            Assert.Equal(a, b);
            Assert.True(a == b);
            Assert.Equal(a.GetHashCode(), b.GetHashCode());
            Assert.NotEqual(a, c);
            Assert.Equal(default(EquatableArray<string>), EquatableArray<string>.Empty);
        }

        [Theory]
        [MemberData(nameof(Infrastructure.SpecCatalog.Names), MemberType = typeof(Infrastructure.SpecCatalog))]
        public void ParsingTheSameSpecTwice_GivesEqualModels(string specName)
        {
            // Two independent compilations of the same source yield equal parse results (what caching relies on),
            // and a different HeadDim yields a different one.
            string source = Infrastructure.SpecCatalog.Get(specName).Source;
            var first = ParseResultOf(source);
            var second = ParseResultOf(source);
            Assert.NotSame(first, second);
            Assert.Equal(first, second);
            Assert.Equal(first.GetHashCode(), second.GetHashCode());
            Assert.NotNull(first.Spec);

            var changed = ParseResultOf(source.Replace("HeadDim = ", "HeadDim = 16 + "));
            Assert.NotEqual(first, changed);
        }

        private static ParseResult ParseResultOf(string source)
        {
            var run = Infrastructure.GeneratorHarness.Run(source);
            var output = Assert.Single(run.Result.TrackedSteps[TrackingNames.Spec].SelectMany(s => s.Outputs));
            return Assert.IsType<ParseResult>(output.Value);
        }

        private static bool IsModelType(Type type) => type.Assembly == s_generatorAssembly;

        /// <summary>Every type reachable from ParseResult through fields, properties, generic arguments and element types, with a path for messages.</summary>
        private static List<(Type Type, string Path)> ReachableTypes()
        {
            var seen = new HashSet<Type>();
            var result = new List<(Type, string)>();
            var queue = new Queue<(Type, string)>();
            queue.Enqueue((typeof(ParseResult), nameof(ParseResult)));
            while (queue.Count > 0)
            {
                var (type, path) = queue.Dequeue();
                if (!seen.Add(type))
                    continue;
                result.Add((type, path));

                if (type.IsArray || type.IsByRef || type.IsPointer)
                {
                    queue.Enqueue((type.GetElementType()!, path + "[]"));
                    continue;
                }
                if (type.IsGenericType)
                {
                    foreach (var argument in type.GetGenericArguments())
                        queue.Enqueue((argument, $"{path}<{argument.Name}>"));
                }
                foreach (var element in EnumerableElementTypes(type))
                    queue.Enqueue((element, path + ".<element>"));

                // Walk into the generator's own types and into value types (e.g. TextSpan inside LocationInfo);
                // other reference types (string, Type) are leaves, checked above but not walked.
                if (!IsModelType(type) && !(type.IsValueType && !type.IsPrimitive && !type.IsEnum))
                    continue;

                const BindingFlags all = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
                for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
                {
                    foreach (var field in t.GetFields(all))
                        queue.Enqueue((field.FieldType, $"{path}.{field.Name}"));
                    foreach (var property in t.GetProperties(all))
                    {
                        if (property.Name == "EqualityContract" || property.GetIndexParameters().Length > 0)
                            continue;
                        queue.Enqueue((property.PropertyType, $"{path}.{property.Name}"));
                    }
                }
            }
            return result;
        }

        private static IEnumerable<Type> EnumerableElementTypes(Type type) =>
            type.GetInterfaces()
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                .Select(i => i.GetGenericArguments()[0]);
    }
}
