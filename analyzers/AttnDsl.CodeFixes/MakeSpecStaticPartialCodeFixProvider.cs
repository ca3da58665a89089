using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AttnDsl.CodeFixes
{
    /// <summary>
    /// ATTN1001: adds the missing <c>static</c> and <c>partial</c> modifiers to a spec class (dropping
    /// <c>abstract</c> / <c>sealed</c>, which a static class cannot have) and <c>partial</c> to its
    /// containing types. A generic spec class, or one nested in a generic type, gets no fix: that
    /// needs a change of design, not of modifiers.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeSpecStaticPartialCodeFixProvider)), Shared]
    public sealed class MakeSpecStaticPartialCodeFixProvider : CodeFixProvider
    {
        public const string EquivalenceKey = "AttnDsl.MakeSpecStaticPartial";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.SpecClassShape);

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
                return;
            foreach (var diagnostic in context.Diagnostics)
            {
                if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not ClassDeclarationSyntax spec)
                    continue;
                if (!CanFix(spec))
                    continue;
                bool classChanges = !Has(spec, SyntaxKind.StaticKeyword) || !Has(spec, SyntaxKind.PartialKeyword);
                string title = classChanges ? "Make the class static partial" : "Make the containing types partial";
                context.RegisterCodeFix(
                    CodeAction.Create(title, ct => FixAsync(context.Document, spec.Span, ct), EquivalenceKey),
                    diagnostic);
            }
        }

        /// <summary>Whether modifiers alone make the class a valid spec: neither it nor a containing type is generic.</summary>
        private static bool CanFix(ClassDeclarationSyntax spec)
        {
            if (spec.TypeParameterList is not null)
                return false;
            foreach (var outer in spec.Ancestors().OfType<TypeDeclarationSyntax>())
                if (outer.TypeParameterList is not null)
                    return false;
            // Nothing to add: the diagnostic has another cause (e.g. a partial part elsewhere).
            return !Has(spec, SyntaxKind.StaticKeyword) || !Has(spec, SyntaxKind.PartialKeyword)
                || spec.Ancestors().OfType<TypeDeclarationSyntax>().Any(t => !Has(t, SyntaxKind.PartialKeyword));
        }

        private static async Task<Document> FixAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            if (root is null)
                return document;
            var spec = root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<ClassDeclarationSyntax>();
            if (spec is null)
                return document;
            var outers = spec.Ancestors().OfType<TypeDeclarationSyntax>().Where(t => !Has(t, SyntaxKind.PartialKeyword)).ToList();
            var newRoot = root.ReplaceNodes(
                outers.Append(spec),
                (original, rewritten) => original == spec
                    ? WithModifiers(rewritten, makeStatic: true)
                    : WithModifiers(rewritten, makeStatic: false));
            return document.WithSyntaxRoot(newRoot);
        }

        private static bool Has(TypeDeclarationSyntax type, SyntaxKind kind) => type.Modifiers.Any(kind);

        private static readonly SyntaxKind[] s_accessibility =
        {
            SyntaxKind.PublicKeyword, SyntaxKind.PrivateKeyword, SyntaxKind.ProtectedKeyword,
            SyntaxKind.InternalKeyword, SyntaxKind.FileKeyword,
        };

        /// <summary>
        /// Adds <c>static</c> (after the accessibility, as in 'public static partial class') when
        /// <paramref name="makeStatic"/>, and <c>partial</c> (last, right before the keyword), keeping the
        /// declaration's leading trivia (indentation, comments) in front of its first token.
        /// </summary>
        private static TypeDeclarationSyntax WithModifiers(TypeDeclarationSyntax type, bool makeStatic)
        {
            var keyword = type.Keyword;
            var oldModifiers = type.Modifiers;
            var leading = oldModifiers.Count > 0 ? oldModifiers[0].LeadingTrivia : keyword.LeadingTrivia;

            var tokens = new List<SyntaxToken>();
            for (int i = 0; i < oldModifiers.Count; i++)
            {
                var token = oldModifiers[i];
                if (makeStatic && (token.IsKind(SyntaxKind.AbstractKeyword) || token.IsKind(SyntaxKind.SealedKeyword)))
                    continue;
                tokens.Add(i == 0 ? token.WithLeadingTrivia() : token);
            }
            if (makeStatic && !tokens.Any(t => t.IsKind(SyntaxKind.StaticKeyword)))
            {
                int index = tokens.FindLastIndex(t => s_accessibility.Any(k => t.IsKind(k))) + 1;
                tokens.Insert(index, SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.StaticKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space)));
            }
            if (!tokens.Any(t => t.IsKind(SyntaxKind.PartialKeyword)))
                tokens.Add(SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space)));

            if (tokens.Count == 0)
                return type.WithModifiers(default).WithKeyword(keyword.WithLeadingTrivia(leading));
            tokens[0] = tokens[0].WithLeadingTrivia(leading);
            return type.WithModifiers(SyntaxFactory.TokenList(tokens))
                .WithKeyword(oldModifiers.Count == 0 ? keyword.WithLeadingTrivia() : keyword);
        }
    }
}
