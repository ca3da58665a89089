using System;
using System.Collections.Generic;
using System.Linq;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Kernels.Tests.Specs;
using AttnDsl.Runtime;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// [BlockSparse]: the kernels visit only the blocks a <see cref="BlockMask"/> lists and equal the
    /// reference restricted to the mask (unlisted blocks invisible, partial blocks tested by the spec's
    /// other masks, full blocks visible whole); <see cref="BlockMask.FromSpec"/> of a causal spec gives the
    /// dense causal result; bad masks are refused before anything is launched.
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class BlockSparseTests
    {
        private readonly AcceleratorFixture _fixture;
        private readonly Accelerator _accelerator;

        public BlockSparseTests(AcceleratorFixture fixture)
        {
            _fixture = fixture;
            _accelerator = fixture.Accelerator;
        }

        // ---- random masks against the restricted reference --------------------------------------

        private static readonly Dictionary<string, (AttentionShape Shape, bool Broadcast)> s_shapes = new()
        {
            ["gqa-broadcast"] = (new AttentionShape(2, 4, 2, 50, 50), true),
            ["gqa-perhead"] = (new AttentionShape(2, 4, 2, 50, 50), false),
            ["cross-broadcast"] = (new AttentionShape(1, 2, 1, 37, 70), true),
            ["more-queries-perhead"] = (new AttentionShape(1, 2, 2, 70, 37), false),
        };

        /// <summary>(density, share of listed blocks that are full, every third row empty).</summary>
        private static readonly Dictionary<string, (double Density, double FullShare, bool EmptyRows)> s_densities = new()
        {
            ["empty"] = (0, 0, false),
            ["sparse-emptyrows"] = (0.3, 0.5, true),
            ["dense"] = (0.8, 0.5, false),
            ["all-full"] = (1, 1, false),
            ["all-partial"] = (1, 0, false),
        };

        private static readonly string[] s_specs = { nameof(BlockSparseF32), nameof(BlockSparseCausalF32), nameof(BlockSparseCausalF16) };

        public static IEnumerable<object[]> RandomCases() =>
            from spec in s_specs
            from path in new[] { AttentionPath.RowStreaming, AttentionPath.Tiled }
            from density in s_densities.Keys
            from shape in s_shapes.Keys
            select new object[] { spec, path, density, shape };

        private KernelResult Execute(string spec, AttentionShape shape, BlockMask mask, AttentionPath path, Random rng) => spec switch
        {
            nameof(BlockSparseF32) => KernelCheck.Execute<float>(_accelerator, BlockSparseF32.Info, shape,
                (a, s, q, k, v, o, l, p) => BlockSparseF32.Run(a, s, q, k, v, o, mask, l, p),
                BlockSparseF32.CreateReferenceArguments(mask), path, rng),
            nameof(BlockSparseCausalF32) => KernelCheck.Execute<float>(_accelerator, BlockSparseCausalF32.Info, shape,
                (a, s, q, k, v, o, l, p) => BlockSparseCausalF32.Run(a, s, q, k, v, o, mask, l, p),
                BlockSparseCausalF32.CreateReferenceArguments(mask), path, rng),
            nameof(BlockSparseCausalF16) => KernelCheck.Execute<ILGPU.Half>(_accelerator, BlockSparseCausalF16.Info, shape,
                (a, s, q, k, v, o, l, p) => BlockSparseCausalF16.Run(a, s, q, k, v, o, mask, l, p),
                BlockSparseCausalF16.CreateReferenceArguments(mask), path, rng),
            _ => throw new ArgumentException(spec, nameof(spec)),
        };

        private static AttentionSpecInfo InfoOf(string spec) => SpecCatalog.Get(spec).Info;

        [Theory]
        [MemberData(nameof(RandomCases))]
        public void RandomMask_MatchesReferenceRestrictedToMask(string spec, AttentionPath path, string density, string shapeName)
        {
            var (shape, broadcast) = s_shapes[shapeName];
            var (p, full, emptyRows) = s_densities[density];
            var info = InfoOf(spec);
            var rng = new Random(spec.Length * 1000003 + (int)path * 10007 + density.Length * 101 + shapeName.Length);
            using var mask = BlockMasks.Random(_accelerator, info, shape, broadcast ? 1 : shape.QueryHeads, p, full, rng, emptyRows);
            var result = Execute(spec, shape, mask, path, rng);
            result.AssertMatchesReference();

            // The case exercises what it is named after.
            long total = (long)mask.Batch * mask.Heads * mask.QueryBlocks * mask.KeyBlocks;
            switch (density)
            {
                case "empty":
                    Assert.Equal(0, mask.PartialBlocks + mask.FullBlocks);
                    Assert.Equal((int)shape.QueryRows, result.MaskedRows);
                    break;
                case "all-full":
                    Assert.Equal(total, mask.FullBlocks);
                    Assert.Equal(0, result.MaskedRows); // full blocks override causal: every row sees every key
                    break;
                case "all-partial":
                    Assert.Equal(total, mask.PartialBlocks);
                    break;
                case "sparse-emptyrows":
                    Assert.True(result.MaskedRows > 0, "expected the empty mask rows to leave rows with no visible key");
                    break;
            }
        }

        /// <summary>
        /// The restriction matters: the same inputs with a mask that drops one block of a row that had
        /// others give a different reference there (so the tests above cannot pass by ignoring the mask).
        /// </summary>
        [Fact]
        public void Reference_DependsOnTheMask()
        {
            var info = BlockSparseF32.Info;
            var shape = new AttentionShape(1, 1, 1, 32, 32);
            var rng = new Random(5);
            var inputs = KernelCheck.RandomInputs<float>(info, shape, rng);
            var all = new BlockClass[] { BlockClass.Full, BlockClass.Full, BlockClass.Full, BlockClass.Full };
            var some = new BlockClass[] { BlockClass.Full, BlockClass.Empty, BlockClass.Full, BlockClass.Full };
            var a = AttentionReference.Compute(info, shape, inputs.Query, inputs.Key, inputs.Value,
                new ReferenceArguments { BlockMask = new HostBlockMask(1, 1, 32, 32, 16, 16, all) });
            var b = AttentionReference.Compute(info, shape, inputs.Query, inputs.Key, inputs.Value,
                new ReferenceArguments { BlockMask = new HostBlockMask(1, 1, 32, 32, 16, 16, some) });
            Assert.NotEqual(a.Output[0], b.Output[0]);          // query block 0 lost key block 1
            Assert.Equal(a.Output[16 * 16], b.Output[16 * 16]); // query block 1 kept both
        }

        // ---- BlockMask.FromSpec -------------------------------------------------------------------

        [Theory]
        [InlineData(AttentionPath.RowStreaming, 64, 64)]
        [InlineData(AttentionPath.Tiled, 64, 64)]
        [InlineData(AttentionPath.RowStreaming, 17, 63)]
        [InlineData(AttentionPath.Tiled, 65, 40)]
        public void FromSpec_OfCausalSpec_ReproducesDenseCausal(AttentionPath path, int nq, int nk)
        {
            var shape = new AttentionShape(2, 4, 2, nq, nk);
            using var mask = BlockMask.FromSpec(_accelerator, BlockSparseCausalF32.Info, shape);
            Assert.Equal(1, mask.Heads);
            // The reference is the dense [Causal] spec (same sizes and tiles, no block mask).
            Assert.Equal(CausalF32.Info.HeadDim, BlockSparseCausalF32.Info.HeadDim);
            var result = KernelCheck.Execute<float>(_accelerator, CausalF32.Info, shape,
                (a, s, q, k, v, o, l, p) => BlockSparseCausalF32.Run(a, s, q, k, v, o, mask, l, p),
                CausalF32.CreateReferenceArguments(), path, new Random(nq * 1000 + nk));
            result.AssertMatchesReference();
        }

        [Fact]
        public void FromSpec_OfCausalSpec_ListsDiagonalPartialAndBelowFull()
        {
            var shape = new AttentionShape(1, 2, 2, 64, 64); // 4 x 4 blocks of 16
            using var mask = BlockMask.FromSpec(_accelerator, CausalF32.Info, shape);
            Assert.Equal(4, mask.PartialBlocks);
            Assert.Equal(6, mask.FullBlocks);
            Assert.Equal(1 - 10.0 / 16, mask.Sparsity, 12);
            var host = mask.ToHost();
            for (int q = 0; q < 4; q++)
                for (int k = 0; k < 4; k++)
                    Assert.Equal(k < q ? BlockClass.Full : k == q ? BlockClass.Partial : BlockClass.Empty, host.Class(0, 1, q, k));
            Assert.Equal(new[] { 1, 1, 1, 1 }, ArrayViewExtensions.GetAsArray1D<int>(mask.PartialCounts));
            Assert.Equal(new[] { 0, 1, 2, 3 }, ArrayViewExtensions.GetAsArray1D<int>(mask.FullCounts));
        }

        [Fact]
        public void BlockAnalysis_CountsTheMaskBlocks()
        {
            var shape = new AttentionShape(2, 4, 2, 65, 65);
            using var causal = BlockMask.FromSpec(_accelerator, CausalF32.Info, shape);
            var dense = BlockAnalysis.Count(CausalF32.Info, shape, new ReferenceArguments(), CausalF32.Info.BlockM);
            var sparse = BlockAnalysis.Count(BlockSparseCausalF32.Info, shape, new ReferenceArguments { BlockMask = causal.ToHost() }, 1);
            Assert.Equal(dense, sparse); // the causal mask through [BlockSparse] costs what dense causal costs

            // All listed partial under causal: the blocks above the diagonal are still skipped.
            var all = Enumerable.Repeat(BlockClass.Partial, 2 * 4 * 5 * 5).ToArray();
            var perHead = BlockAnalysis.Count(BlockSparseCausalF32.Info, shape,
                new ReferenceArguments { BlockMask = new HostBlockMask(2, 4, 65, 65, 16, 16, all) }, 1);
            Assert.Equal(dense.VisitedBlocks, perHead.VisitedBlocks);
            // Nothing listed: nothing visited.
            var none = BlockAnalysis.Count(BlockSparseCausalF32.Info, shape,
                new ReferenceArguments { BlockMask = new HostBlockMask(2, 1, 65, 65, 16, 16, new BlockClass[2 * 5 * 5]) }, 1);
            Assert.Equal(0, none.VisitedBlocks);
            Assert.Equal(1.0, none.SkippedFraction);
        }

        [Fact]
        public void FromSpec_WithPrefixLM_NeedsThePrefixLengths()
        {
            var shape = new AttentionShape(2, 1, 1, 20, 20);
            var ex = Assert.Throws<ArgumentException>(() => BlockMask.FromSpec(_accelerator, PrefixLmCausalF32.Info, shape));
            Assert.Equal("arguments", ex.ParamName);
            Assert.Contains("expected 2", ex.Message);
            using var mask = BlockMask.FromSpec(_accelerator, PrefixLmCausalF32.Info, shape, new ReferenceArguments { PrefixLength = new[] { 20, 0 } });
            // Batch 0 sees every key through its prefix: all blocks listed; batch 1 is plain causal.
            var host = mask.ToHost();
            Assert.Equal(BlockClass.Full, host.Class(0, 0, 0, 1));
            Assert.Equal(BlockClass.Empty, host.Class(1, 0, 0, 1));
        }

        // ---- host layouts -----------------------------------------------------------------------

        [Fact]
        public void FromIndices_AndFromBlockBitmap_AgreeAndRoundTrip()
        {
            // 1 batch, 2 heads, 2 query blocks, 3 key blocks (lengths 20 and 40, tiles 16).
            var classes = new[]
            {
                BlockClass.Full, BlockClass.Empty, BlockClass.Partial,
                BlockClass.Empty, BlockClass.Empty, BlockClass.Empty,
                BlockClass.Partial, BlockClass.Partial, BlockClass.Full,
                BlockClass.Full, BlockClass.Full, BlockClass.Full,
            };
            using var fromBitmap = BlockMask.FromBlockBitmap(_accelerator, classes, 1, 2, 20, 40, 16, 16);
            Assert.Equal(classes, fromBitmap.ToHost().Classes);
            Assert.Equal(new[] { 1, 0, 2, 0 }, ArrayViewExtensions.GetAsArray1D<int>(fromBitmap.PartialCounts));
            Assert.Equal(new[] { 1, 0, 1, 3 }, ArrayViewExtensions.GetAsArray1D<int>(fromBitmap.FullCounts));
            Assert.Equal(3, fromBitmap.PartialBlocks);
            Assert.Equal(5, fromBitmap.FullBlocks);

            // Same mask from FlexAttention's tensors, indices in another order.
            using var fromIndices = BlockMask.FromIndices(_accelerator,
                new[] { 1, 0, 2, 0 }, new[] { 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 },
                new[] { 1, 0, 1, 3 }, new[] { 0, 0, 0, 0, 0, 0, 2, 0, 0, 2, 1, 0 },
                1, 2, 20, 40, 16, 16);
            Assert.Equal(classes, fromIndices.ToHost().Classes);

            var bytes = classes.Select(c => (byte)c).ToArray();
            using var fromBytes = BlockMask.FromBlockBitmap(_accelerator, bytes, 1, 2, 20, 40, 16, 16);
            Assert.Equal(classes, fromBytes.ToHost().Classes);
        }

        // ---- bad masks --------------------------------------------------------------------------

        [Fact]
        public void FromIndices_IndexOutOfRange_IsRefused()
        {
            var ex = Assert.Throws<ArgumentException>(() => BlockMask.FromIndices(_accelerator,
                new[] { 1 }, new[] { 3, 0, 0 }, new[] { 0 }, new[] { 0, 0, 0 }, 1, 1, 16, 40, 16, 16));
            Assert.Equal("partialIndices", ex.ParamName);
            Assert.Contains("is 3", ex.Message);
            Assert.Contains("[0, 3)", ex.Message);
            ex = Assert.Throws<ArgumentException>(() => BlockMask.FromIndices(_accelerator,
                new[] { 0 }, new[] { 0, 0, 0 }, new[] { 1 }, new[] { -1, 0, 0 }, 1, 1, 16, 40, 16, 16));
            Assert.Equal("fullIndices", ex.ParamName);
            Assert.Contains("is -1", ex.Message);
        }

        [Fact]
        public void FromIndices_BlockListedTwice_IsRefused()
        {
            // Key block 1 listed partial and full in the same row.
            var ex = Assert.Throws<ArgumentException>(() => BlockMask.FromIndices(_accelerator,
                new[] { 1 }, new[] { 1, 0, 0 }, new[] { 2 }, new[] { 0, 1, 0 }, 1, 1, 16, 40, 16, 16));
            Assert.Equal("fullIndices", ex.ParamName);
            Assert.Contains("listed twice", ex.Message);
            Assert.Contains("partial and full", ex.Message);
            // Twice in the same list.
            ex = Assert.Throws<ArgumentException>(() => BlockMask.FromIndices(_accelerator,
                new[] { 2 }, new[] { 2, 2, 0 }, new[] { 0 }, new[] { 0, 0, 0 }, 1, 1, 16, 40, 16, 16));
            Assert.Equal("partialIndices", ex.ParamName);
            Assert.Contains("Key block 2 is listed twice", ex.Message);
        }

        [Fact]
        public void FromIndices_BadCountsOrLengths_AreRefused()
        {
            var ex = Assert.Throws<ArgumentException>(() => BlockMask.FromIndices(_accelerator,
                new[] { 4 }, new[] { 0, 1, 2 }, new[] { 0 }, new[] { 0, 0, 0 }, 1, 1, 16, 40, 16, 16));
            Assert.Equal("partialCounts", ex.ParamName);
            Assert.Contains("is 4; expected 0 to 3", ex.Message);
            ex = Assert.Throws<ArgumentException>(() => BlockMask.FromIndices(_accelerator,
                new[] { 0 }, new[] { 0, 0 }, new[] { 0 }, new[] { 0, 0, 0 }, 1, 1, 16, 40, 16, 16));
            Assert.Equal("partialIndices", ex.ParamName);
            Assert.Contains("has 2 elements; expected 3", ex.Message);
        }

        [Fact]
        public void FromBlockBitmap_WrongSizeOrValue_IsRefused()
        {
            var ex = Assert.Throws<ArgumentException>(() =>
                BlockMask.FromBlockBitmap(_accelerator, new BlockClass[5], 1, 2, 20, 40, 16, 16));
            Assert.Equal("blocks", ex.ParamName);
            Assert.Contains("has 5 block classes; expected 12", ex.Message);
            ex = Assert.Throws<ArgumentException>(() =>
                BlockMask.FromBlockBitmap(_accelerator, new byte[] { 0, 3, 1 }, 1, 1, 16, 40, 16, 16));
            Assert.Equal("blocks", ex.ParamName);
            Assert.Contains("is 3; expected 0 (Empty), 1 (Partial) or 2 (Full)", ex.Message);
            var range = Assert.Throws<ArgumentOutOfRangeException>(() =>
                BlockMask.FromBlockBitmap(_accelerator, new BlockClass[0], 1, 1, 0, 40, 16, 16));
            Assert.Equal("queryLength", range.ParamName);
        }

        /// <summary>A valid call of <see cref="BlockSparseCausalF32"/> whose mask each test replaces.</summary>
        private sealed class SparseCall : IDisposable
        {
            public static readonly AttentionShape Shape = new(2, 4, 2, 40, 50);
            private readonly MemoryBuffer1D<float, Stride1D.Dense> _q, _k, _v, _o, _l;

            public SparseCall(Accelerator accelerator)
            {
                var info = BlockSparseCausalF32.Info;
                var inputs = KernelCheck.RandomInputs<float>(info, Shape, new Random(11));
                _q = accelerator.Allocate1D(inputs.Query);
                _k = accelerator.Allocate1D(inputs.Key);
                _v = accelerator.Allocate1D(inputs.Value);
                _o = KernelCheck.Filled(accelerator, Shape.QueryElements(info.HeadDimV), float.NaN);
                _l = KernelCheck.Filled(accelerator, Shape.QueryRows, float.NaN);
                Accelerator = accelerator;
            }

            public Accelerator Accelerator { get; }

            public void Run(BlockMask? mask) =>
                BlockSparseCausalF32.Run(Accelerator, Shape, _q.View, _k.View, _v.View, _o.View, mask!, _l.View);

            public void AssertUntouched()
            {
                Accelerator.Synchronize();
                Assert.All(_o.GetAsArray1D(), x => Assert.True(float.IsNaN(x), "output was written"));
                Assert.All(_l.GetAsArray1D(), x => Assert.True(float.IsNaN(x), "logSumExp was written"));
            }

            public void AssertWritten()
            {
                Accelerator.Synchronize();
                Assert.DoesNotContain(_o.GetAsArray1D(), float.IsNaN);
            }

            public void Dispose()
            {
                _q.Dispose(); _k.Dispose(); _v.Dispose(); _o.Dispose(); _l.Dispose();
            }
        }

        private BlockMask Mask(int batch, int heads, int nq, int nk, int blockM = 16, int blockN = 16) =>
            BlockMask.FromBlockBitmap(_accelerator,
                Enumerable.Repeat(BlockClass.Partial, batch * heads * ((nq + blockM - 1) / blockM) * ((nk + blockN - 1) / blockN)).ToArray(),
                batch, heads, nq, nk, blockM, blockN);

        [Fact]
        public void Run_ValidMask_Writes()
        {
            using var call = new SparseCall(_accelerator);
            using var mask = Mask(2, 4, 40, 50);
            call.Run(mask);
            call.AssertWritten();
        }

        public static IEnumerable<object[]> BadMasks() => new[]
        {
            new object[] { "tiles", new[] { "BlockM=32, BlockN=16", "expected BlockM=16, BlockN=16" } },
            new object[] { "key-tiles", new[] { "BlockM=16, BlockN=32", "expected BlockM=16, BlockN=16" } },
            new object[] { "batch", new[] { "Batch=1", "expected 2" } },
            new object[] { "heads", new[] { "Heads=2", "expected 1 (broadcast) or 4" } },
            new object[] { "query-length", new[] { "QueryLength=41, KeyLength=50", "expected QueryLength=40, KeyLength=50" } },
            new object[] { "key-length", new[] { "QueryLength=40, KeyLength=49", "expected QueryLength=40, KeyLength=50" } },
        };

        [Theory]
        [MemberData(nameof(BadMasks))]
        public void Run_MaskThatDoesNotFit_IsRefused(string what, string[] expected)
        {
            using var call = new SparseCall(_accelerator);
            using var mask = what switch
            {
                "tiles" => Mask(2, 4, 40, 50, blockM: 32),
                "key-tiles" => Mask(2, 4, 40, 50, blockN: 32),
                "batch" => Mask(1, 4, 40, 50),
                "heads" => Mask(2, 2, 40, 50),
                "query-length" => Mask(2, 4, 41, 50),
                "key-length" => Mask(2, 4, 40, 49),
                _ => throw new ArgumentException(what),
            };
            var ex = Assert.Throws<ArgumentException>(() => call.Run(mask));
            Assert.Equal("blockMask", ex.ParamName);
            foreach (var text in expected)
                Assert.Contains(text, ex.Message);
            call.AssertUntouched();
        }

        [Fact]
        public void Run_NullDisposedOrForeignMask_IsRefused()
        {
            using var call = new SparseCall(_accelerator);
            var missing = Assert.Throws<ArgumentNullException>(() => call.Run(null));
            Assert.Equal("blockMask", missing.ParamName);

            var disposed = Mask(2, 4, 40, 50);
            disposed.Dispose();
            var ex = Assert.Throws<ArgumentException>(() => call.Run(disposed));
            Assert.Equal("blockMask", ex.ParamName);
            Assert.Contains("disposed", ex.Message);
            Assert.Throws<ObjectDisposedException>(() => disposed.PartialCounts);

            using var other = _fixture.Context.CreateCPUAccelerator(0);
            using var foreign = BlockMask.FromBlockBitmap(other, new BlockClass[2 * 4 * 3 * 4], 2, 4, 40, 50, 16, 16);
            ex = Assert.Throws<ArgumentException>(() => call.Run(foreign));
            Assert.Equal("blockMask", ex.ParamName);
            Assert.Contains("expected a mask on", ex.Message);
            call.AssertUntouched();
        }

        [Fact]
        public void Reference_WithoutOrWithBadMask_IsRefused()
        {
            var info = BlockSparseF32.Info;
            var shape = new AttentionShape(1, 1, 1, 16, 16);
            var data = new float[16 * 16];
            var ex = Assert.Throws<ArgumentException>(() => AttentionReference.Compute(info, shape, data, data, data));
            Assert.Equal("arguments", ex.ParamName);
            Assert.Contains("[BlockSparse]", ex.Message);
            ex = Assert.Throws<ArgumentException>(() => AttentionReference.Compute(info, shape, data, data, data,
                new ReferenceArguments { BlockMask = new HostBlockMask(1, 1, 16, 32, 16, 16, new BlockClass[2]) }));
            Assert.Equal("BlockMask", ex.ParamName);
            Assert.Contains("KeyLength=32", ex.Message);
            ex = Assert.Throws<ArgumentException>(() => AttentionReference.Compute(info, shape, data, data, data,
                new ReferenceArguments { BlockMask = new HostBlockMask(1, 1, 16, 16, 16, 16, new BlockClass[3]) }));
            Assert.Equal("BlockMask", ex.ParamName);
            Assert.Contains("has 3 block classes; expected 1", ex.Message);
        }

        // ---- launch planning ----------------------------------------------------------------------

        [Fact]
        public void Planner_TiledSparseTilesDivideBlockM()
        {
            using var context = Context.Create(builder => builder.CPU(new CPUDevice(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: 8, numMultiprocessors: 1)));
            using var accelerator = context.GetCPUDevice(0).CreateCPUAccelerator(context);
            Assert.Equal(32, accelerator.MaxNumThreadsPerGroup);
            var dense = new AttentionSpecInfo { Name = "P", HeadDim = 16, HeadDimV = 16, BlockM = 48, BlockN = 16, Element = ElementType.Float32 };
            var sparse = new AttentionSpecInfo { Name = "P", HeadDim = 16, HeadDimV = 16, BlockM = 48, BlockN = 16, Element = ElementType.Float32, BlockSparse = true };
            var shape = new AttentionShape(1, 1, 1, 100, 100);
            Assert.Equal(32, LaunchPlanner.Plan(accelerator, shape, dense, AttentionPath.Tiled).GroupThreads);
            var plan = LaunchPlanner.Plan(accelerator, shape, sparse, AttentionPath.Tiled);
            Assert.Equal(24, plan.GroupThreads); // a tile of 24 rows never straddles two query blocks of 48
            Assert.Equal(5, plan.QueryBlocks);
        }
    }
}
