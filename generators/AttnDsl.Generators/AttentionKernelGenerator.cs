using AttnDsl.Generators.Emitting;
using AttnDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AttnDsl.Generators
{
    /// <summary>
    /// The pipeline: [AttentionKernel] classes -> <see cref="Parser"/> (symbols to an equatable
    /// spec model) -> <see cref="KernelEmitter"/> (model to source). A spec with diagnostics gets none.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class AttentionKernelGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var specs = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    Parser.KernelAttribute,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (ctx, ct) => Parser.Parse(ctx, ct))
                .WithTrackingName(TrackingNames.Spec);

            context.RegisterSourceOutput(specs, static (spc, result) =>
            {
                foreach (var diagnostic in result.Diagnostics)
                    spc.ReportDiagnostic(diagnostic.ToDiagnostic());
                if (result.Spec is not null)
                    spc.AddSource(result.HintName, KernelEmitter.Emit(result.Spec));
            });

            // ILGPU builds kernel launchers in its own dynamic assembly, "ILGPURuntime"; kernels of
            // internal spec classes are only reachable from there through this attribute.
            // A signed assembly cannot name the unsigned ILGPURuntime as a friend; its spec classes must be public.
            var unsigned = context.CompilationProvider.Select(static (c, _) =>
                c.Options.CryptoPublicKey.IsDefaultOrEmpty && c.Options.CryptoKeyFile is null && c.Options.CryptoKeyContainer is null && !c.Options.PublicSign);
            var anySpec = specs
                .Select(static (result, _) => result.Spec is not null)
                .Collect()
                .Combine(unsigned)
                .Select(static (pair, _) => pair.Left.Contains(true) && pair.Right)
                .WithTrackingName(TrackingNames.AnySpec);
            context.RegisterSourceOutput(anySpec, static (spc, any) =>
            {
                if (any)
                    spc.AddSource("AttnDsl.KernelAccess.g.cs", KernelEmitter.EmitKernelAccess());
            });
        }
    }
}
