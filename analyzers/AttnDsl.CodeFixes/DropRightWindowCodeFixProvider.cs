using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AttnDsl.CodeFixes
{
    /// <summary>
    /// ATTN1007: <c>[SlidingWindow(L, R)]</c> under <c>[Causal]</c> becomes <c>[SlidingWindow(L)]</c>;
    /// Right is the constructor's second parameter, passed by position or as <c>right:</c>.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DropRightWindowCodeFixProvider)), Shared]
    public sealed class DropRightWindowCodeFixProvider : CodeFixProvider
    {
        public const string EquivalenceKey = "AttnDsl.DropRightWindow";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.RightWindowUnderCausal);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
                return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var attribute = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeSyntax>();
                if (attribute is null || RightArgument(attribute) is null)
                    continue;
                var span = attribute.Span;
                context.RegisterCodeFix(
                    CodeAction.Create("Drop Right from SlidingWindow", ct => FixAsync(context.Document, span, ct), EquivalenceKey),
                    diagnostic);
            }
        }

        /// <summary>The argument that sets Right: named 'right:', else the second positional argument.</summary>
        private static AttributeArgumentSyntax? RightArgument(AttributeSyntax attribute)
        {
            var arguments = attribute.ArgumentList?.Arguments;
            if (arguments is null)
                return null;
            var list = arguments.Value;
            var named = list.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == "right");
            if (named is not null)
                return named;
            var positional = list.Where(a => a.NameColon is null && a.NameEquals is null).ToList();
            // A positional argument after a named 'left:' would not compile; only the second positional one is Right.
            return positional.Count >= 2 && list.IndexOf(positional[1]) == 1 ? positional[1] : null;
        }

        private static async Task<Document> FixAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var attribute = root?.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeSyntax>();
            if (root is null || attribute?.ArgumentList is null || RightArgument(attribute) is not { } right)
                return document;
            var list = attribute.ArgumentList;
            var arguments = list.Arguments;
            int index = arguments.IndexOf(right);
            var remaining = arguments.RemoveAt(index);
            // Removing the first argument ('right: 4, left: 128') leaves the next one with the separator's
            // trailing space in front: move the removed argument's leading trivia onto it instead.
            if (index == 0 && remaining.Count > 0)
                remaining = remaining.Replace(remaining[0], remaining[0].WithLeadingTrivia(right.GetLeadingTrivia()));
            return document.WithSyntaxRoot(root.ReplaceNode(list, list.WithArguments(remaining)));
        }
    }
}
