using System;
using System.Collections.Generic;
using System.Linq;
using AttnDsl.Kernels.Tests.Specs;
using ILGPU;
using ILGPU.Runtime;

namespace AttnDsl.Kernels.Tests.Harness
{
    /// <summary>A test spec that can run itself: binds its runtime arguments, calls Run, and calls the reference.</summary>
    public abstract class SpecCase
    {
        public abstract AttentionSpecInfo Info { get; }

        public string Name => Info.Name.Substring(Info.Name.LastIndexOf('.') + 1);

        /// <summary>[DocumentMask] specs only accept Nq == Nk.</summary>
        public bool SelfAttentionOnly => Info.DocumentMask;

        public abstract KernelResult Execute(Accelerator accelerator, AttentionShape shape, AttentionPath path, int seed, bool withLogSumExp = true);

        /// <summary>Allocates the runtime data for <paramref name="shape"/> and returns it as reference arguments (dispose the buffers after use).</summary>
        public abstract (ReferenceArguments Reference, IDisposable Buffers) BindReference(Accelerator accelerator, AttentionShape shape, Random rng);

        public override string ToString() => Name;
    }

    /// <summary>A spec's Run with its runtime argument buffers allocated and bound.</summary>
    public sealed class Bound<T> : IDisposable
        where T : unmanaged
    {
        private readonly IDisposable[] _buffers;

        public Bound(RunKernel<T> run, ReferenceArguments reference, params IDisposable[] buffers)
            : this(run, null, reference, buffers)
        {
        }

        /// <param name="quantize">The generated Quantize of a [Quantize] spec (the reference runs on its dequantized tensors).</param>
        public Bound(RunKernel<T> run, QuantizeKernel<T>? quantize, ReferenceArguments reference, params IDisposable[] buffers)
        {
            Run = run;
            Quantize = quantize;
            Reference = reference;
            _buffers = buffers;
        }

        public RunKernel<T> Run { get; }

        public QuantizeKernel<T>? Quantize { get; }

        public ReferenceArguments Reference { get; }

        public void Dispose()
        {
            foreach (var b in _buffers) b.Dispose();
        }
    }

    public sealed class SpecCase<T> : SpecCase
        where T : unmanaged
    {
        private readonly Func<Accelerator, AttentionShape, Random, Bound<T>> _bind;

        public SpecCase(AttentionSpecInfo info, Func<Accelerator, AttentionShape, Random, Bound<T>> bind)
        {
            Info = info;
            _bind = bind;
        }

        public override AttentionSpecInfo Info { get; }

        public Bound<T> Bind(Accelerator accelerator, AttentionShape shape, Random rng) => _bind(accelerator, shape, rng);

        public override (ReferenceArguments Reference, IDisposable Buffers) BindReference(Accelerator accelerator, AttentionShape shape, Random rng)
        {
            var bound = _bind(accelerator, shape, rng);
            return (bound.Reference, bound);
        }

        public override KernelResult Execute(Accelerator accelerator, AttentionShape shape, AttentionPath path, int seed, bool withLogSumExp = true)
        {
            var rng = new Random(seed);
            using var bound = _bind(accelerator, shape, rng);
            return KernelCheck.Execute(accelerator, Info, shape, bound.Run, bound.Reference, path, rng, withLogSumExp, bound.Quantize);
        }
    }

    /// <summary>Every test spec, by name, with the runtime data each one gets.</summary>
    public static class SpecCatalog
    {
        public static IReadOnlyList<SpecCase> All { get; } = Build();

        public static SpecCase Get(string name) =>
            All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"No test spec named {name}.", nameof(name));

        private static SpecCase<T> Plain<T>(AttentionSpecInfo info, RunKernel<T> run, Func<ReferenceArguments> reference)
            where T : unmanaged => new(info, (a, s, r) => new Bound<T>(run, reference()));

        private static IReadOnlyList<SpecCase> Build()
        {
            var list = new List<SpecCase>
            {
                Plain<float>(DenseF32.Info, DenseF32.Run, DenseF32.CreateReferenceArguments),
                Plain<float>(CausalF32.Info, CausalF32.Run, CausalF32.CreateReferenceArguments),
                Plain<float>(WindowLeftF32.Info, WindowLeftF32.Run, WindowLeftF32.CreateReferenceArguments),
                Plain<float>(WindowBothF32.Info, WindowBothF32.Run, WindowBothF32.CreateReferenceArguments),
                Plain<float>(StreamingLlmF32.Info, StreamingLlmF32.Run, StreamingLlmF32.CreateReferenceArguments),
                Plain<float>(SinksWindowF32.Info, SinksWindowF32.Run, SinksWindowF32.CreateReferenceArguments),
                Plain<float>(ManySinksF32.Info, ManySinksF32.Run, ManySinksF32.CreateReferenceArguments),
                Prefix<float>(PrefixLmF32.Info,
                    p => (a, s, q, k, v, o, l, path) => PrefixLmF32.Run(a, s, q, k, v, o, p, l, path),
                    PrefixLmF32.CreateReferenceArguments),
                Prefix<float>(PrefixLmCausalF32.Info,
                    p => (a, s, q, k, v, o, l, path) => PrefixLmCausalF32.Run(a, s, q, k, v, o, p, l, path),
                    PrefixLmCausalF32.CreateReferenceArguments),
                Prefix<float>(PrefixSinksWindowF32.Info,
                    p => (a, s, q, k, v, o, l, path) => PrefixSinksWindowF32.Run(a, s, q, k, v, o, p, l, path),
                    PrefixSinksWindowF32.CreateReferenceArguments),
                Document<float>(DocumentF32.Info,
                    d => (a, s, q, k, v, o, l, path) => DocumentF32.Run(a, s, q, k, v, o, d, l, path),
                    DocumentF32.CreateReferenceArguments),
                Document<float>(DocumentCausalF32.Info,
                    d => (a, s, q, k, v, o, l, path) => DocumentCausalF32.Run(a, s, q, k, v, o, d, l, path),
                    DocumentCausalF32.CreateReferenceArguments),
                Document<ILGPU.Half>(DocumentCausalF16.Info,
                    d => (a, s, q, k, v, o, l, path) => DocumentCausalF16.Run(a, s, q, k, v, o, d, l, path),
                    DocumentCausalF16.CreateReferenceArguments),
                Plain<ILGPU.Half>(WarpgroupWindowSinksF16.Info, WarpgroupWindowSinksF16.Run, WarpgroupWindowSinksF16.CreateReferenceArguments),
                Document<AttnDsl.BFloat16>(WarpgroupDocumentBf16.Info,
                    d => (a, s, q, k, v, o, l, path) => WarpgroupDocumentBf16.Run(a, s, q, k, v, o, d, l, path),
                    WarpgroupDocumentBf16.CreateReferenceArguments),
                Document<ILGPU.Half>(WarpgroupDocumentF16.Info,
                    d => (a, s, q, k, v, o, l, path) => WarpgroupDocumentF16.Run(a, s, q, k, v, o, d, l, path),
                    WarpgroupDocumentF16.CreateReferenceArguments),
                Plain<ILGPU.Half>(WarpgroupAlibiWideF16.Info, WarpgroupAlibiWideF16.Run, WarpgroupAlibiWideF16.CreateReferenceArguments),
                Plain<float>(RadialF32.Info, RadialF32.Run, RadialF32.CreateReferenceArguments),
                Plain<float>(RadialWideF32.Info, RadialWideF32.Run, RadialWideF32.CreateReferenceArguments),
                Plain<float>(RadialCausalSinkFramesF32.Info, RadialCausalSinkFramesF32.Run, RadialCausalSinkFramesF32.CreateReferenceArguments),
                Plain<float>(RadialOddGridF32.Info, RadialOddGridF32.Run, RadialOddGridF32.CreateReferenceArguments),
                Plain<float>(DiagonalWindowF32.Info, DiagonalWindowF32.Run, DiagonalWindowF32.CreateReferenceArguments),
                Plain<float>(HugeWindowCausalF32.Info, HugeWindowCausalF32.Run, HugeWindowCausalF32.CreateReferenceArguments),
                Plain<float>(HugeWindowF32.Info, HugeWindowF32.Run, HugeWindowF32.CreateReferenceArguments),

                Plain<float>(AlibiF32.Info, AlibiF32.Run, AlibiF32.CreateReferenceArguments),
                Plain<float>(AlibiCausalF32.Info, AlibiCausalF32.Run, AlibiCausalF32.CreateReferenceArguments),
                Plain<float>(SoftCapF32.Info, SoftCapF32.Run, SoftCapF32.CreateReferenceArguments),
                Plain<float>(SharpCausalF32.Info, SharpCausalF32.Run, SharpCausalF32.CreateReferenceArguments),
                new SpecCase<float>(HeadFlagMaskF32.Info, (a, s, r) =>
                {
                    var flags = a.Allocate1D(RuntimeData.HeadFlags(s));
                    return new Bound<float>(
                        (acc, sh, q, k, v, o, l, path) => HeadFlagMaskF32.Run(acc, sh, q, k, v, o, flags.View, l, path),
                        HeadFlagMaskF32.CreateReferenceArguments(flags.View), flags);
                }),
                new SpecCase<float>(TableBiasScoreF32.Info, (a, s, r) =>
                {
                    var table = a.Allocate1D(RuntimeData.BiasTable(r));
                    const float temperature = 1.7f;
                    return new Bound<float>(
                        (acc, sh, q, k, v, o, l, path) => TableBiasScoreF32.Run(acc, sh, q, k, v, o, table.View, temperature, l, path),
                        TableBiasScoreF32.CreateReferenceArguments(table.View, temperature), table);
                }),
                new SpecCase<float>(SharedSpanMasksF32.Info, (a, s, r) =>
                {
                    var blocked = a.Allocate1D(RuntimeData.BlockedKeys());
                    const int span = 6;
                    return new Bound<float>(
                        (acc, sh, q, k, v, o, l, path) => SharedSpanMasksF32.Run(acc, sh, q, k, v, o, span, blocked.View, l, path),
                        SharedSpanMasksF32.CreateReferenceArguments(span, blocked.View), blocked);
                }),
                new SpecCase<float>(ChainedScoreModsF32.Info, (a, s, r) =>
                {
                    var shifts = a.Allocate1D(RuntimeData.PerHead(s, r));
                    const float factor = 1.5f;
                    return new Bound<float>(
                        (acc, sh, q, k, v, o, l, path) => ChainedScoreModsF32.Run(acc, sh, q, k, v, o, factor, shifts.View, l, path),
                        ChainedScoreModsF32.CreateReferenceArguments(factor, shifts.View), shifts);
                }),
                new SpecCase<BFloat16>(KitchenSinkBf16.Info, (a, s, r) =>
                {
                    var prefix = a.Allocate1D(RuntimeData.PrefixLengths(s, KitchenSinkBf16.Info.BlockN));
                    var docs = a.Allocate1D(RuntimeData.DocumentIds(s, r));
                    var bias = a.Allocate1D(RuntimeData.PerHead(s, r));
                    return new Bound<BFloat16>(
                        (acc, sh, q, k, v, o, l, path) => KitchenSinkBf16.Run(acc, sh, q, k, v, o, prefix.View, docs.View, bias.View, l, path),
                        KitchenSinkBf16.CreateReferenceArguments(prefix.View, docs.View, bias.View), prefix, docs, bias);
                }),

                Plain<ILGPU.Half>(DefaultsF16.Info, DefaultsF16.Run, DefaultsF16.CreateReferenceArguments),
                Plain<float>(WideValueF32.Info, WideValueF32.Run, WideValueF32.CreateReferenceArguments),
                Plain<float>(NarrowValueBnhdF32.Info, NarrowValueBnhdF32.Run, NarrowValueBnhdF32.CreateReferenceArguments),
                Plain<float>(TallTileF32.Info, TallTileF32.Run, TallTileF32.CreateReferenceArguments),
                Plain<float>(WideTileF32.Info, WideTileF32.Run, WideTileF32.CreateReferenceArguments),
                Plain<float>(SplitStageF32.Info, SplitStageF32.Run, SplitStageF32.CreateReferenceArguments),
                Plain<float>(CausalBnhdF32.Info, CausalBnhdF32.Run, CausalBnhdF32.CreateReferenceArguments),
                Plain<ILGPU.Half>(CausalF16.Info, CausalF16.Run, CausalF16.CreateReferenceArguments),
                Plain<ILGPU.Half>(CausalBnhdF16.Info, CausalBnhdF16.Run, CausalBnhdF16.CreateReferenceArguments),
                Plain<BFloat16>(CausalBf16.Info, CausalBf16.Run, CausalBf16.CreateReferenceArguments),
                Plain<BFloat16>(CausalBnhdBf16.Info, CausalBnhdBf16.Run, CausalBnhdBf16.CreateReferenceArguments),
                Plain<ILGPU.Half>(WindowSinksBnhdF16.Info, WindowSinksBnhdF16.Run, WindowSinksBnhdF16.CreateReferenceArguments),
                Plain<BFloat16>(AlibiWideValueBf16.Info, AlibiWideValueBf16.Run, AlibiWideValueBf16.CreateReferenceArguments),
                Plain<ILGPU.Half>(RadialBnhdF16.Info, RadialBnhdF16.Run, RadialBnhdF16.CreateReferenceArguments),
                Plain<ILGPU.Half>(HeadDim80F16.Info, HeadDim80F16.Run, HeadDim80F16.CreateReferenceArguments),
                Plain<ILGPU.Half>(ShortBlockBnhdF16.Info, ShortBlockBnhdF16.Run, ShortBlockBnhdF16.CreateReferenceArguments),

                Sparse<float>(BlockSparseF32.Info,
                    m => (a, s, q, k, v, o, l, path) => BlockSparseF32.Run(a, s, q, k, v, o, m, l, path),
                    BlockSparseF32.CreateReferenceArguments),
                Sparse<float>(BlockSparseCausalF32.Info,
                    m => (a, s, q, k, v, o, l, path) => BlockSparseCausalF32.Run(a, s, q, k, v, o, m, l, path),
                    BlockSparseCausalF32.CreateReferenceArguments),
                Sparse<ILGPU.Half>(BlockSparseCausalF16.Info,
                    m => (a, s, q, k, v, o, l, path) => BlockSparseCausalF16.Run(a, s, q, k, v, o, m, l, path),
                    BlockSparseCausalF16.CreateReferenceArguments),
                // [BlockSelect] specs on a given selection (reuseSelection): the sparse loop of every kernel shape.
                Sparse<float>(SelectTopKCausalF32.Info,
                    m => (a, s, q, k, v, o, l, path) => SelectTopKCausalF32.Run(a, s, q, k, v, o, l, path, m, reuseSelection: true),
                    SelectTopKCausalF32.CreateReferenceArguments),
                Sparse<ILGPU.Half>(SelectFractionCausalF16.Info,
                    m => (a, s, q, k, v, o, l, path) => SelectFractionCausalF16.Run(a, s, q, k, v, o, l, path, m, reuseSelection: true),
                    SelectFractionCausalF16.CreateReferenceArguments),
                Sparse<float>(SelectModF32.Info,
                    m => (a, s, q, k, v, o, l, path) => SelectModF32.Run(a, s, q, k, v, o, l, path, m, reuseSelection: true),
                    SelectModF32.CreateReferenceArguments),
                // [Quantize] specs: the reference runs on the tensors their prologue produced.
                Quantized<ILGPU.Half>(QuantCausalF16.Info, QuantCausalF16.Run, (a, s, q, k) => QuantCausalF16.Quantize(a, s, q, k), QuantCausalF16.CreateReferenceArguments),
                Quantized<ILGPU.Half>(WarpgroupQuantCausalF16.Info, WarpgroupQuantCausalF16.Run, (a, s, q, k) => WarpgroupQuantCausalF16.Quantize(a, s, q, k), WarpgroupQuantCausalF16.CreateReferenceArguments),
                Quantized<BFloat16>(QuantWindowBnhdBf16.Info, QuantWindowBnhdBf16.Run, (a, s, q, k) => QuantWindowBnhdBf16.Quantize(a, s, q, k), QuantWindowBnhdBf16.CreateReferenceArguments),
                Quantized<ILGPU.Half>(QuantSoftCapModF16.Info, QuantSoftCapModF16.Run, (a, s, q, k) => QuantSoftCapModF16.Quantize(a, s, q, k), QuantSoftCapModF16.CreateReferenceArguments),
                new SpecCase<ILGPU.Half>(QuantDocumentModF16.Info, (a, s, r) =>
                {
                    var docs = a.Allocate1D(RuntimeData.DocumentIds(s, r));
                    return new Bound<ILGPU.Half>(
                        (acc, sh, q, k, v, o, l, path) => QuantDocumentModF16.Run(acc, sh, q, k, v, o, docs.View, l, path),
                        (acc, sh, q, k) => QuantDocumentModF16.Quantize(acc, sh, q, k),
                        QuantDocumentModF16.CreateReferenceArguments(docs.View), docs);
                }),
                new SpecCase<ILGPU.Half>(QuantSelectF16.Info, (a, s, r) =>
                {
                    var mask = BlockMasks.ForCatalog(a, QuantSelectF16.Info, s, r);
                    return new Bound<ILGPU.Half>(
                        (acc, sh, q, k, v, o, l, path) => QuantSelectF16.Run(acc, sh, q, k, v, o, l, path, mask, reuseSelection: true),
                        (acc, sh, q, k) => QuantSelectF16.Quantize(acc, sh, q, k),
                        QuantSelectF16.CreateReferenceArguments(mask), mask);
                }),
                new SpecCase<float>(BlockSparseStreamingPrefixF32.Info, (a, s, r) =>
                {
                    var prefix = a.Allocate1D(RuntimeData.PrefixLengths(s, BlockSparseStreamingPrefixF32.Info.BlockN));
                    var mask = BlockMasks.ForCatalog(a, BlockSparseStreamingPrefixF32.Info, s, r);
                    return new Bound<float>(
                        (acc, sh, q, k, v, o, l, path) => BlockSparseStreamingPrefixF32.Run(acc, sh, q, k, v, o, prefix.View, mask, l, path),
                        BlockSparseStreamingPrefixF32.CreateReferenceArguments(prefix.View, mask), prefix, mask);
                }),
            };
            return list;
        }

        private static SpecCase<T> Quantized<T>(AttentionSpecInfo info, RunKernel<T> run, QuantizeKernel<T> quantize, Func<ReferenceArguments> reference)
            where T : unmanaged => new(info, (a, s, r) => new Bound<T>(run, quantize, reference()));

        /// <summary>A [BlockSparse] spec with a seeded random <see cref="BlockMask"/> per shape (see <see cref="BlockMasks.ForCatalog"/>).</summary>
        private static SpecCase<T> Sparse<T>(AttentionSpecInfo info, Func<BlockMask, RunKernel<T>> run, Func<BlockMask, ReferenceArguments> reference)
            where T : unmanaged =>
            new(info, (a, s, r) =>
            {
                var mask = BlockMasks.ForCatalog(a, info, s, r);
                return new Bound<T>(run(mask), reference(mask), mask);
            });

        private static SpecCase<T> Prefix<T>(AttentionSpecInfo info, Func<ArrayView<int>, RunKernel<T>> run, Func<ArrayView<int>, ReferenceArguments> reference)
            where T : unmanaged =>
            new(info, (a, s, r) =>
            {
                var prefix = a.Allocate1D(RuntimeData.PrefixLengths(s, info.BlockN));
                return new Bound<T>(run(prefix.View), reference(prefix.View), prefix);
            });

        private static SpecCase<T> Document<T>(AttentionSpecInfo info, Func<ArrayView<int>, RunKernel<T>> run, Func<ArrayView<int>, ReferenceArguments> reference)
            where T : unmanaged =>
            new(info, (a, s, r) =>
            {
                var docs = a.Allocate1D(RuntimeData.DocumentIds(s, r));
                return new Bound<T>(run(docs.View), reference(docs.View), docs);
            });
    }
}
