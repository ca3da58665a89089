using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

// Shared source (generator and analyzers): what a mod body may do. Mods are inlined into ILGPU
// kernels, where there is no managed heap, no exceptions and no virtual dispatch.
namespace AttnDsl.Rules
{
    internal static class ModSafety
    {
        /// <summary>
        /// Reports every kernel-unsafe operation in the body of <paramref name="method"/>, binding its
        /// declarations through <paramref name="compilation"/> (the generator's entry; the analyzers
        /// are handed the operations and call <see cref="CheckBody"/>).
        /// </summary>
        public static void Check(IMethodSymbol method, Compilation compilation, Action<Diagnostic> report, CancellationToken ct)
        {
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(ct);
                if (!compilation.ContainsSyntaxTree(syntax.SyntaxTree))
                    continue;
                var model = compilation.GetSemanticModel(syntax.SyntaxTree);
                var body = model.GetOperation(syntax, ct);
                if (body is not null)
                    CheckBody(method, body, report);
            }
        }

        /// <summary>ATTN1013 for each kernel-unsafe operation under <paramref name="body"/>.</summary>
        public static void CheckBody(IMethodSymbol method, IOperation body, Action<Diagnostic> report)
        {
            foreach (var operation in body.DescendantsAndSelf())
            {
                var problem = Problem(operation);
                if (problem is not null)
                    report(Diagnostic.Create(SpecDescriptors.KernelUnsafeMod, operation.Syntax.GetLocation(), method.Name, problem));
            }
        }

        /// <summary>Why an operation cannot run in a kernel, or null.</summary>
        public static string? Problem(IOperation operation)
        {
            switch (operation)
            {
                case IObjectCreationOperation creation when creation.Type is { IsReferenceType: true }:
                    return $"allocates a '{creation.Type.ToDisplayString()}'";
                case IArrayCreationOperation:
                    return "allocates an array";
                case IAnonymousObjectCreationOperation:
                    return "allocates an anonymous object";
                case ICollectionExpressionOperation collection when collection.Type is not { IsValueType: true }:
                    return "allocates a collection";
                case IThrowOperation:
                    return "throws an exception";
                case ITryOperation:
                    return "handles exceptions";
                // A lambda is reported once, at the delegate it becomes.
                case IDelegateCreationOperation creation:
                    return creation.Target is IAnonymousFunctionOperation ? "creates a lambda" : "creates a delegate";
                case IAnonymousFunctionOperation when operation.Parent is not IDelegateCreationOperation:
                    return "creates a lambda";
                case IAwaitOperation:
                    return "awaits";
                case IForEachLoopOperation:
                    return "uses foreach (an enumerator)";
                case ILockOperation:
                    return "takes a lock";
                case IDynamicInvocationOperation or IDynamicMemberReferenceOperation or IDynamicObjectCreationOperation or IDynamicIndexerAccessOperation:
                    return "uses dynamic";
                case ITypeOfOperation:
                    return "uses reflection (typeof)";
                case IConversionOperation conversion when conversion.Operand.Type?.IsValueType == true && conversion.Type?.IsReferenceType == true:
                    return "boxes a value";
                case IInvocationOperation invocation when InvocationProblem(invocation) is { } problem:
                    return problem;
                case IFieldReferenceOperation field when field.Field.IsStatic && !field.Field.IsReadOnly && !field.Field.IsConst:
                    return $"reads or writes the mutable static field '{field.Field.Name}'";
                case IPropertyReferenceOperation property when property.Property.IsVirtual || property.Property.IsAbstract || property.Property.IsOverride
                    || property.Property.ContainingType?.TypeKind == TypeKind.Interface:
                    return $"calls the virtual or interface property '{property.Property.Name}'";
                case IPropertyReferenceOperation property when property.Property.IsStatic && property.Property.SetMethod is { IsInitOnly: false }:
                    return $"reads or writes the mutable static property '{property.Property.Name}'";
            }
            // Strings: reported once, at the outermost expression of type string.
            if (operation.Type?.SpecialType == SpecialType.System_String && !HasStringAncestor(operation))
                return "uses a string";
            return null;
        }

        private static bool HasStringAncestor(IOperation operation)
        {
            for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
                if (parent.Type?.SpecialType == SpecialType.System_String)
                    return true;
            return false;
        }

        private static string? InvocationProblem(IInvocationOperation invocation)
        {
            var target = invocation.TargetMethod;
            string? ns = target.ContainingType?.ContainingNamespace?.ToDisplayString();
            if (ns == "System.Linq")
                return $"uses LINQ ('{target.Name}')";
            if (target.ContainingType?.TypeKind == TypeKind.Delegate)
                return "invokes a delegate";
            if (!target.IsStatic && (target.IsVirtual || target.IsAbstract || target.IsOverride || target.ContainingType?.TypeKind == TypeKind.Interface)
                && invocation.Instance?.Type?.IsValueType != true)
                return $"makes the virtual or interface call '{target.Name}'";
            return null;
        }
    }
}
