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
                    static (node, _) => node is ClassDeclarationSyntax,
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
            var anySpec = specs
                .Select(static (result, _) => result.Spec is not null)
                .Collect()
                .Select(static (flags, _) => flags.Contains(true))
                .WithTrackingName(TrackingNames.AnySpec);
            context.RegisterSourceOutput(anySpec, static (spc, any) =>
            {
                if (any)
                    spc.AddSource("AttnDsl.KernelAccess.g.cs", KernelEmitter.EmitKernelAccess());
            });
        }
    }
}
