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
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RoundToValidSizeCodeFixProvider)), Shared]
    public sealed class RoundToValidSizeCodeFixProvider : CodeFixProvider
    {
        public const string EquivalenceKey = "AttnDsl.RoundToValidSize";

        private static readonly string[] s_headDimProperties = { "HeadDim", "HeadDimV" };
        private static readonly string[] s_blockProperties = { "BlockM", "BlockN" };

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.InvalidHeadDim, DiagnosticIds.InvalidBlock);

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
                if (attribute?.ArgumentList is null)
                    continue;
                bool headDim = diagnostic.Id == DiagnosticIds.InvalidHeadDim;
                var target = FindArgument(attribute, PropertyName(diagnostic), headDim ? s_headDimProperties : s_blockProperties, headDim, model, context.CancellationToken);
                if (target is null)
                    continue;
                var (argument, name, nearest) = target.Value;
                var expressionSpan = argument.Expression.Span;
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Round {name} to {nearest.ToString(CultureInfo.InvariantCulture)}",
                        ct => ReplaceAsync(context.Document, expressionSpan, nearest, ct),
                        EquivalenceKey),
                    diagnostic);
            }
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
            AttributeSyntax attribute, string? named, string[] candidates, bool headDim, SemanticModel model, CancellationToken ct)
        {
            foreach (var argument in attribute.ArgumentList!.Arguments)
            {
                string? name = argument.NameEquals?.Name.Identifier.ValueText;
                if (name is null || !candidates.Contains(name) || (named is not null && name != named))
                    continue;
                var constant = model.GetConstantValue(argument.Expression, ct);
                if (!constant.HasValue || constant.Value is not int value)
                    continue;
                bool valid = headDim ? SpecRules.IsValidHeadDim(value) : SpecRules.IsValidBlock(value);
                if (valid)
                    continue;
                return (argument, name, headDim ? SpecRules.NearestHeadDim(value) : SpecRules.NearestBlock(value));
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
