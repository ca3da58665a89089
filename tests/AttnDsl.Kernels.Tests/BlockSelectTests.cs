using System;
using System.Collections.Generic;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Kernels.Tests.Specs;
using ILGPU;
using ILGPU.Runtime;
using Xunit;
using Half = ILGPU.Half;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// Device-built block masks: [BlockSelect]'s estimator equals the rule written plainly on the host
    /// (<see cref="HostSelection"/>), block for block; Run on the selection equals the reference restricted to
    /// it; a given selection is reused untouched; a [BlockSparse] spec's CreateBlockMask equals the host
    /// classification of its masks (mods and document ids element by element); bad selections are refused.
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class BlockSelectTests
    {
        private readonly AcceleratorFixture _fixture;
        private readonly Accelerator _accelerator;

        public BlockSelectTests(AcceleratorFixture fixture)
        {
            _fixture = fixture;
            _accelerator = fixture.Accelerator;
        }

        private static readonly Dictionary<string, AttentionShape> s_shapes = new()
        {
            ["gqa"] = new AttentionShape(2, 4, 2, 100, 100),
            ["cross-ragged"] = new AttentionShape(1, 2, 1, 45, 131),
            ["more-queries"] = new AttentionShape(1, 2, 2, 90, 61),
            // Enough blocks for several score tiles per head (some hidden whole) and rows whose visible span is not the whole row.
            ["long"] = new AttentionShape(1, 2, 1, 300, 300),
        };

        private static readonly string[] s_specs = { nameof(SelectTopKCausalF32), nameof(SelectFractionCausalF16), nameof(SelectMassWindowF32), nameof(SelectModF32) };

        public static IEnumerable<object[]> Cases() =>
            from spec in s_specs
            from shape in s_shapes.Keys
            select new object[] { spec, shape };

        /// <summary>One spec's entry points with the element type hidden.</summary>
        private sealed record Selectable(AttentionSpecInfo Info, ReferenceArguments Arguments,
            Func<Accelerator, AttentionShape, MemoryBuffer, MemoryBuffer, BlockMask?, BlockMask> Select,
            Action<Accelerator, AttentionShape, MemoryBuffer, MemoryBuffer, MemoryBuffer, MemoryBuffer, ArrayView<float>, AttentionPath, BlockMask?, bool> Run,
            Func<float[], MemoryBuffer> Upload, Func<MemoryBuffer, float[]> Download, Func<long, MemoryBuffer> Allocate);

        private Selectable Get(string spec)
        {
            var f32 = (Func<float[], MemoryBuffer>)(x => _accelerator.Allocate1D(x));
            var f16 = (Func<float[], MemoryBuffer>)(x => _accelerator.Allocate1D(Elements.FromFloats<Half>(x)));
            static ArrayView<T> V<T>(MemoryBuffer m) where T : unmanaged => ((MemoryBuffer1D<T, Stride1D.Dense>)m).View;
            return spec switch
            {
                nameof(SelectTopKCausalF32) => new Selectable(SelectTopKCausalF32.Info, new ReferenceArguments(),
                    (a, s, q, k, into) => SelectTopKCausalF32.Select(a, s, V<float>(q), V<float>(k), into),
                    (a, s, q, k, v, o, l, p, sel, reuse) => SelectTopKCausalF32.Run(a, s, V<float>(q), V<float>(k), V<float>(v), V<float>(o), l, p, sel, reuse),
                    f32, m => ((MemoryBuffer1D<float, Stride1D.Dense>)m).GetAsArray1D(), n => _accelerator.Allocate1D<float>(n)),
                nameof(SelectFractionCausalF16) => new Selectable(SelectFractionCausalF16.Info, new ReferenceArguments(),
                    (a, s, q, k, into) => SelectFractionCausalF16.Select(a, s, V<Half>(q), V<Half>(k), into),
                    (a, s, q, k, v, o, l, p, sel, reuse) => SelectFractionCausalF16.Run(a, s, V<Half>(q), V<Half>(k), V<Half>(v), V<Half>(o), l, p, sel, reuse),
                    f16, m => Elements.ToFloats(((MemoryBuffer1D<Half, Stride1D.Dense>)m).GetAsArray1D()), n => _accelerator.Allocate1D<Half>(n)),
                nameof(SelectMassWindowF32) => new Selectable(SelectMassWindowF32.Info, new ReferenceArguments(),
                    (a, s, q, k, into) => SelectMassWindowF32.Select(a, s, V<float>(q), V<float>(k), into),
                    (a, s, q, k, v, o, l, p, sel, reuse) => SelectMassWindowF32.Run(a, s, V<float>(q), V<float>(k), V<float>(v), V<float>(o), l, p, sel, reuse),
                    f32, m => ((MemoryBuffer1D<float, Stride1D.Dense>)m).GetAsArray1D(), n => _accelerator.Allocate1D<float>(n)),
                nameof(SelectModF32) => new Selectable(SelectModF32.Info, new ReferenceArguments { MaskMod = SelectModF32.Band },
                    (a, s, q, k, into) => SelectModF32.Select(a, s, V<float>(q), V<float>(k), into),
                    (a, s, q, k, v, o, l, p, sel, reuse) => SelectModF32.Run(a, s, V<float>(q), V<float>(k), V<float>(v), V<float>(o), l, p, sel, reuse),
                    f32, m => ((MemoryBuffer1D<float, Stride1D.Dense>)m).GetAsArray1D(), n => _accelerator.Allocate1D<float>(n)),
                _ => throw new ArgumentException(spec, nameof(spec)),
            };
        }

        private static Inputs RandomInputs(AttentionSpecInfo spec, AttentionShape shape, Random rng) =>
            spec.Element == ElementType.Float16 ? KernelCheck.RandomInputs<Half>(spec, shape, rng) : KernelCheck.RandomInputs<float>(spec, shape, rng);

        [Theory]
        [MemberData(nameof(Cases))]
        public void Select_EqualsThePlainRule(string spec, string shapeName)
        {
            var s = Get(spec);
            var shape = s_shapes[shapeName];
            var inputs = RandomInputs(s.Info, shape, new Random(spec.Length * 7919 + shapeName.Length));
            using var q = s.Upload(inputs.Query);
            using var k = s.Upload(inputs.Key);
            using var mask = s.Select(_accelerator, shape, q, k, null);
            var device = mask.ToHost();
            var (expected, scores) = HostSelection.Select(s.Info, shape, inputs.Query, inputs.Key, s.Arguments);

            Assert.Equal(shape.QueryHeads, device.Heads);
            int kb = device.KeyBlocks;
            var differences = Enumerable.Range(0, expected.Length).Where(x => device.Classes[x] != expected[x]).ToList();
            Assert.True(differences.Count == 0,
                $"{differences.Count} of {expected.Length} blocks differ; first: " + string.Join("; ", differences.Take(5).Select(x =>
                    $"row {x / kb} block {x % kb}: device {device.Classes[x]}, host {expected[x]} (score {scores[x]})")));
            // The rule must select something and leave something out, or the comparison proves little.
            Assert.Contains(expected, c => c != BlockClass.Empty);
            Assert.Contains(Enumerable.Range(0, expected.Length), x => expected[x] == BlockClass.Empty && scores[x] > float.NegativeInfinity);
            Assert.Equal(expected.LongCount(c => c == BlockClass.Partial), mask.PartialBlocks);
            Assert.Equal(expected.LongCount(c => c == BlockClass.Full), mask.FullBlocks);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Run_MatchesTheReferenceOnItsSelection(string spec, string shapeName)
        {
            var s = Get(spec);
            var shape = s_shapes[shapeName];
            foreach (var path in new[] { AttentionPath.RowStreaming, AttentionPath.Tiled })
            {
                var inputs = RandomInputs(s.Info, shape, new Random(spec.Length * 31 + shapeName.Length + (int)path));
                using var q = s.Upload(inputs.Query);
                using var k = s.Upload(inputs.Key);
                using var v = s.Upload(inputs.Value);
                using var o = s.Allocate(shape.QueryElements(s.Info.HeadDimV));
                using var l = _accelerator.Allocate1D<float>(shape.QueryRows);
                using var selection = BlockMask.Allocate(_accelerator, shape.Batch, shape.QueryHeads, shape.QueryLength, shape.KeyLength, s.Info.BlockM, s.Info.BlockN);
                s.Run(_accelerator, shape, q, k, v, o, l.View, path, selection, false);
                _accelerator.Synchronize();
                var host = selection.ToHost();
                Assert.Equal(HostSelection.Select(s.Info, shape, inputs.Query, inputs.Key, s.Arguments).Classes, host.Classes);
                var reference = new ReferenceArguments { MaskMod = s.Arguments.MaskMod, BlockMask = host };
                Result(s, shape, path, inputs, s.Download(o), l.GetAsArray1D(), reference).AssertMatchesReference();
            }
        }

        [Fact]
        public void TensorCore_MatchesTheReferenceOnItsSelection()
        {
            // The tensor-core kernel (MMA emulation on 32-lane warps) after the estimator, on the same accelerator.
            var accelerator = _fixture.WarpAccelerator;
            var shape = new AttentionShape(1, 2, 1, 96, 96);
            var inputs = KernelCheck.RandomInputs<Half>(SelectFractionCausalF16.Info, shape, new Random(17));
            using var q = accelerator.Allocate1D(Elements.FromFloats<Half>(inputs.Query));
            using var k = accelerator.Allocate1D(Elements.FromFloats<Half>(inputs.Key));
            using var v = accelerator.Allocate1D(Elements.FromFloats<Half>(inputs.Value));
            using var o = accelerator.Allocate1D<Half>(shape.QueryElements(32));
            using var l = accelerator.Allocate1D<float>(shape.QueryRows);
            using var selection = BlockMask.Allocate(accelerator, 1, 2, 96, 96, 32, 16);
            SelectFractionCausalF16.Run(accelerator, shape, q.View, k.View, v.View, o.View, l.View, AttentionPath.TensorCore, selection);
            accelerator.Synchronize();
            var host = selection.ToHost();
            Assert.Equal(HostSelection.Select(SelectFractionCausalF16.Info, shape, inputs.Query, inputs.Key, new ReferenceArguments()).Classes, host.Classes);
            var result = new KernelResult
            {
                Spec = SelectFractionCausalF16.Info, Shape = shape, Path = AttentionPath.TensorCore, Element = ElementType.Float16, Inputs = inputs,
                Output = Elements.ToFloats(o.GetAsArray1D()), LogSumExp = l.GetAsArray1D(),
                Reference = AttentionReference.Compute(SelectFractionCausalF16.Info, shape, inputs.Query, inputs.Key, inputs.Value, new ReferenceArguments { BlockMask = host }),
            };
            result.AssertMatchesReference();
        }

        [Fact]
        public void Run_WithoutASelection_EqualsRunWithOne()
        {
            var s = Get(nameof(SelectTopKCausalF32));
            var shape = s_shapes["gqa"];
            var inputs = RandomInputs(s.Info, shape, new Random(5));
            using var q = s.Upload(inputs.Query);
            using var k = s.Upload(inputs.Key);
            using var v = s.Upload(inputs.Value);
            using var o1 = s.Allocate(shape.QueryElements(s.Info.HeadDimV));
            using var o2 = s.Allocate(shape.QueryElements(s.Info.HeadDimV));
            using var selection = s.Select(_accelerator, shape, q, k, null);
            s.Run(_accelerator, shape, q, k, v, o1, default, AttentionPath.Auto, null, false);
            s.Run(_accelerator, shape, q, k, v, o2, default, AttentionPath.Auto, selection, true);
            _accelerator.Synchronize();
            Assert.Equal(s.Download(o2), s.Download(o1));
        }

        [Fact]
        public void ReuseSelection_UsesTheGivenMaskAndLeavesItUntouched()
        {
            var s = Get(nameof(SelectTopKCausalF32));
            var shape = s_shapes["gqa"];
            var rng = new Random(11);
            var inputs = RandomInputs(s.Info, shape, rng);
            // A broadcast mask the estimator could not have produced (every block of every row, Partial).
            using var given = BlockMasks.Random(_accelerator, s.Info, shape, heads: 1, density: 0.5, fullShare: 0, rng);
            var before = given.ToHost();
            using var q = s.Upload(inputs.Query);
            using var k = s.Upload(inputs.Key);
            using var v = s.Upload(inputs.Value);
            using var o = s.Allocate(shape.QueryElements(s.Info.HeadDimV));
            using var l = _accelerator.Allocate1D<float>(shape.QueryRows);
            s.Run(_accelerator, shape, q, k, v, o, l.View, AttentionPath.Tiled, given, true);
            _accelerator.Synchronize();
            Assert.Equal(before.Classes, given.ToHost().Classes);
            Result(s, shape, AttentionPath.Tiled, inputs, s.Download(o), l.GetAsArray1D(), new ReferenceArguments { BlockMask = before }).AssertMatchesReference();
        }

        [Fact]
        public void BadSelections_AreRefusedBeforeLaunch()
        {
            var s = Get(nameof(SelectTopKCausalF32));
            var shape = s_shapes["gqa"];
            using var q = s.Allocate(shape.QueryElements(s.Info.HeadDim));
            using var k = s.Allocate(shape.KeyElements(s.Info.HeadDim));
            using var v = s.Allocate(shape.KeyElements(s.Info.HeadDimV));
            using var o = s.Allocate(shape.QueryElements(s.Info.HeadDimV));
            var missing = Assert.Throws<ArgumentNullException>(() => s.Run(_accelerator, shape, q, k, v, o, default, AttentionPath.Auto, null, true));
            Assert.Equal("selection", missing.ParamName);

            using var broadcast = BlockMask.Allocate(_accelerator, shape.Batch, 1, shape.QueryLength, shape.KeyLength, s.Info.BlockM, s.Info.BlockN);
            var heads = Assert.Throws<ArgumentException>(() => s.Run(_accelerator, shape, q, k, v, o, default, AttentionPath.Auto, broadcast, false));
            Assert.Equal("selection", heads.ParamName);
            Assert.Contains("Heads=1; expected 4", heads.Message);
            var into = Assert.Throws<ArgumentException>(() => s.Select(_accelerator, shape, q, k, broadcast));
            Assert.Equal("into", into.ParamName);

            using var tiles = BlockMask.Allocate(_accelerator, shape.Batch, shape.QueryHeads, shape.QueryLength, shape.KeyLength, 32, s.Info.BlockN);
            var tile = Assert.Throws<ArgumentException>(() => s.Run(_accelerator, shape, q, k, v, o, default, AttentionPath.Auto, tiles, true));
            Assert.Contains("BlockM=32", tile.Message);

            var other = new AttentionShape(shape.Batch, shape.QueryHeads, shape.KeyValueHeads, shape.QueryLength + 16, shape.KeyLength);
            using var longer = BlockMask.Allocate(_accelerator, other.Batch, other.QueryHeads, other.QueryLength, other.KeyLength, s.Info.BlockM, s.Info.BlockN);
            var length = Assert.Throws<ArgumentException>(() => s.Run(_accelerator, shape, q, k, v, o, default, AttentionPath.Auto, longer, false));
            Assert.Contains($"QueryLength={other.QueryLength}", length.Message);

            var disposed = BlockMask.Allocate(_accelerator, shape.Batch, shape.QueryHeads, shape.QueryLength, shape.KeyLength, s.Info.BlockM, s.Info.BlockN);
            disposed.Dispose();
            Assert.Throws<ArgumentException>(() => s.Run(_accelerator, shape, q, k, v, o, default, AttentionPath.Auto, disposed, true));
        }

        // ---- CreateBlockMask of a [BlockSparse] spec ----------------------------------------------

        public static IEnumerable<object[]> CreateCases() =>
            from perHead in new[] { false, true }
            from shape in new[] { "gqa", "self-ragged" }
            select new object[] { perHead, shape };

        [Theory]
        [MemberData(nameof(CreateCases))]
        public void CreateBlockMask_EqualsTheHostClassification_AndKeepsEveryVisiblePair(bool perHead, string shapeName)
        {
            var shape = shapeName == "gqa" ? new AttentionShape(2, 4, 2, 100, 100) : new AttentionShape(1, 2, 1, 77, 77);
            var rng = new Random(perHead ? 3 : 4);
            // Long documents (boundaries inside blocks) so that Full, Partial and Empty blocks all occur.
            var ids = new int[shape.Batch * shape.KeyLength];
            for (int b = 0; b < shape.Batch; b++)
                for (int j = 0; j < shape.KeyLength; j++)
                    ids[b * shape.KeyLength + j] = j < 37 + 11 * b ? 0 : 1;
            const int period = 3;
            using var documents = _accelerator.Allocate1D(ids);
            using var mask = SparseDocumentModF32.CreateBlockMask(_accelerator, shape, documents.View, period, perHead);
            var host = mask.ToHost();
            var arguments = new ReferenceArguments { DocumentIds = ids, MaskMod = (b, h, i, j) => SparseDocumentModF32.Stripe(b, h, i, j, period) };
            var expected = HostSelection.SpecClasses(SparseDocumentModF32.Info, shape, arguments, perHead ? shape.QueryHeads : 1);
            Assert.Equal(perHead ? shape.QueryHeads : 1, host.Heads);
            Assert.Equal(expected, host.Classes);
            Assert.Contains(expected, c => c == BlockClass.Empty);
            Assert.Contains(expected, c => c == BlockClass.Full);
            Assert.Contains(expected, c => c == BlockClass.Partial);

            // On the mask, the kernel equals the reference with every block tested (nothing visible was dropped).
            // A broadcast mask is evaluated at head 0, so only the per-head mask is exact for this head-dependent mod.
            if (!perHead)
                return;
            using var all = BlockMask.FromBlockBitmap(_accelerator, Enumerable.Repeat(BlockClass.Partial, expected.Length).ToArray(),
                shape.Batch, shape.QueryHeads, shape.QueryLength, shape.KeyLength, 16, 16);
            var result = KernelCheck.Execute<float>(_accelerator, SparseDocumentModF32.Info, shape,
                (a, s, q, k, v, o, l, p) => SparseDocumentModF32.Run(a, s, q, k, v, o, documents.View, mask, period, l, p),
                SparseDocumentModF32.CreateReferenceArguments(documents.View, all, period), AttentionPath.Tiled, rng);
            result.AssertMatchesReference();
        }

        [Fact]
        public void CreateBlockMask_OfBuiltInMasks_EqualsFromSpec()
        {
            var shape = new AttentionShape(2, 2, 1, 70, 90);
            using var prefix = _accelerator.Allocate1D(new[] { 5, 40 });
            using var device = BlockSparseStreamingPrefixF32.CreateBlockMask(_accelerator, shape, prefix.View);
            using var host = BlockMask.FromSpec(_accelerator, BlockSparseStreamingPrefixF32.Info, shape, new ReferenceArguments { PrefixLength = new[] { 5, 40 } });
            Assert.Equal(host.ToHost().Classes, device.ToHost().Classes);
            Assert.Equal(host.PartialBlocks, device.PartialBlocks);
            Assert.Equal(host.FullBlocks, device.FullBlocks);
            Assert.True(device.Sparsity > 0.2, $"sparsity {device.Sparsity}");
        }

        [Fact]
        public void CreateBlockMask_RefusesBadRuntimeTensors()
        {
            var shape = new AttentionShape(1, 2, 1, 64, 64);
            using var ids = _accelerator.Allocate1D<int>(63);
            var e = Assert.Throws<ArgumentException>(() => SparseDocumentModF32.CreateBlockMask(_accelerator, shape, ids.View, 3));
            Assert.Equal("documentIds", e.ParamName);
            Assert.Contains("expected 64", e.Message);
            using var ok = _accelerator.Allocate1D<int>(64);
            var cross = Assert.Throws<ArgumentException>(() => SparseDocumentModF32.CreateBlockMask(_accelerator, new AttentionShape(1, 2, 1, 32, 64), ok.View, 3));
            Assert.Equal("shape", cross.ParamName);
        }

        private static KernelResult Result(Selectable s, AttentionShape shape, AttentionPath path, Inputs inputs, float[] output, float[] lse, ReferenceArguments reference) => new()
        {
            Spec = s.Info,
            Shape = shape,
            Path = path,
            Element = s.Info.Element,
            Inputs = inputs,
            Output = output,
            LogSumExp = lse,
            Reference = AttentionReference.Compute(s.Info, shape, inputs.Query, inputs.Key, inputs.Value, reference),
        };
    }
}
