using System;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AttnDsl.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AttnDsl.CodeFixes
{
    /// <summary>
    /// ATTN1002 / ATTN1003: replaces the value of the named argument (HeadDim, HeadDimV, BlockM or
    /// BlockN) of <c>[AttentionKernel(...)]</c> with the nearest valid value, computed by the same
    /// <see cref="SpecRules"/> that the analyzer and the generator check against. The diagnostic's
    /// message names the property ("HeadDim is 72; ..."); when the property has no argument (HeadDim
    /// left at its default 0) there is nothing to round and no fix is offered.
    /// ATTN1019 (int8 [Quantize], HeadDim not a multiple of 32) is reported on the [Quantize] attribute;
    /// its fix rounds HeadDim of the same class's [AttentionKernel], which may sit on another partial
    /// declaration, up to the next multiple of 32.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RoundToValidSizeCodeFixProvider)), Shared]
    public sealed class RoundToValidSizeCodeFixProvider : CodeFixProvider
    {
        public const string EquivalenceKey = "AttnDsl.RoundToValidSize";

        private static readonly string[] s_headDimProperties = { "HeadDim", "HeadDimV" };
        private static readonly string[] s_blockProperties = { "BlockM", "BlockN" };

        private static readonly string[] s_quantizedProperties = { "HeadDim" };

        private const string KernelAttribute = "AttnDsl.AttentionKernelAttribute";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.InvalidHeadDim, DiagnosticIds.InvalidBlock, DiagnosticIds.QuantizedHeadDim);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
                return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var attribute = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeSyntax>();
                if (attribute is null)
                    continue;
                var document = context.Document;
                (AttributeArgumentSyntax Argument, string Name, int Nearest)? target;
                if (diagnostic.Id == DiagnosticIds.QuantizedHeadDim)
                {
                    var kernel = await KernelAttributeAsync(context.Document, model, attribute, context.CancellationToken).ConfigureAwait(false);
                    if (kernel is null)
                        continue;
                    document = kernel.Value.Document;
                    target = FindArgument(kernel.Value.Attribute, "HeadDim", s_quantizedProperties, SpecRules.IsValidQuantizedHeadDim, SpecRules.NearestQuantizedHeadDim, kernel.Value.Model, context.CancellationToken);
                }
                else if (diagnostic.Id == DiagnosticIds.InvalidHeadDim)
                    target = FindArgument(attribute, PropertyName(diagnostic), s_headDimProperties, SpecRules.IsValidHeadDim, SpecRules.NearestHeadDim, model, context.CancellationToken);
                else
                    target = FindArgument(attribute, PropertyName(diagnostic), s_blockProperties, SpecRules.IsValidBlock, SpecRules.NearestBlock, model, context.CancellationToken);
                if (target is null)
                    continue;
                var (argument, name, nearest) = target.Value;
                var expressionSpan = argument.Expression.Span;
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Round {name} to {nearest.ToString(CultureInfo.InvariantCulture)}",
                        ct => ReplaceAsync(document, expressionSpan, nearest, ct),
                        EquivalenceKey),
                    diagnostic);
            }
        }

        /// <summary>
        /// The [AttentionKernel] of the class that <paramref name="attribute"/> is applied to, with the document
        /// and semantic model it is in (a partial class may carry it on a declaration in another file).
        /// </summary>
        private static async Task<(AttributeSyntax Attribute, Document Document, SemanticModel Model)?> KernelAttributeAsync(
            Document document, SemanticModel model, AttributeSyntax attribute, CancellationToken ct)
        {
            if (attribute.Parent?.Parent is not TypeDeclarationSyntax declaration || model.GetDeclaredSymbol(declaration, ct) is not INamedTypeSymbol type)
                return null;
            var reference = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KernelAttribute)?.ApplicationSyntaxReference;
            if (reference is null || await reference.GetSyntaxAsync(ct).ConfigureAwait(false) is not AttributeSyntax kernel)
                return null;
            if (reference.SyntaxTree == model.SyntaxTree)
                return (kernel, document, model);
            var other = document.Project.GetDocument(reference.SyntaxTree);
            var otherModel = other is null ? null : await other.GetSemanticModelAsync(ct).ConfigureAwait(false);
            return other is null || otherModel is null ? null : (kernel, other, otherModel);
        }

        /// <summary>The property a diagnostic is about: its message starts with "{0} is {1};".</summary>
        private static string? PropertyName(Diagnostic diagnostic)
        {
            string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
            int end = message.IndexOf(" is ", StringComparison.Ordinal);
            return end > 0 ? message.Substring(0, end) : null;
        }

        /// <summary>
        /// The named argument to round: the one the message names, or (if the message cannot be read)
        /// the first invalid one of <paramref name="candidates"/>. Null when it has no argument or its
        /// value is not a constant or already valid.
        /// </summary>
        private static (AttributeArgumentSyntax Argument, string Name, int Nearest)? FindArgument(
            AttributeSyntax attribute, string? named, string[] candidates, Func<int, bool> isValid, Func<int, int> nearest, SemanticModel model, CancellationToken ct)
        {
            if (attribute.ArgumentList is null)
                return null;
            foreach (var argument in attribute.ArgumentList.Arguments)
            {
                string? name = argument.NameEquals?.Name.Identifier.ValueText;
                if (name is null || !candidates.Contains(name) || (named is not null && name != named))
                    continue;
                var constant = model.GetConstantValue(argument.Expression, ct);
                if (!constant.HasValue || constant.Value is not int value)
                    continue;
                if (isValid(value))
                    continue;
                return (argument, name, nearest(value));
            }
            return null;
        }

        private static async Task<Document> ReplaceAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, int nearest, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            if (root?.FindNode(span, getInnermostNodeForTie: true) is not ExpressionSyntax expression)
                return document;
            // FindNode may return a parenthesized or cast parent with the same span: take the outermost expression of that span.
            while (expression.Parent is ExpressionSyntax parent && parent.Span == span)
                expression = parent;
            var literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(nearest))
                .WithTriviaFrom(expression);
            return document.WithSyntaxRoot(root.ReplaceNode(expression, literal));
        }
    }
}
