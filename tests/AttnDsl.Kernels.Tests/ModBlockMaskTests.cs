using System;
using System.Collections.Generic;
using AttnDsl.Kernels.Tests.Harness;
using AttnDsl.Kernels.Tests.Specs;
using AttnDsl.Runtime;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace AttnDsl.Kernels.Tests
{
    /// <summary>
    /// [MaskMod] specs run on a block mask that Run classifies on the device: a skipped block must hold no visible pair and
    /// a full block no hidden one (the kernel's output would differ from the reference on random inputs otherwise), the
    /// mask kept per shape and scalar arguments must follow them, and a mod that reads a tensor must be classified again
    /// when the tensor changes.
    /// </summary>
    [Collection(AcceleratorCollection.Name)]
    public sealed class ModBlockMaskTests
    {
        private readonly AcceleratorFixture _fixture;

        public ModBlockMaskTests(AcceleratorFixture fixture) => _fixture = fixture;

        private static void Check<T>(Accelerator accelerator, AttentionSpecInfo info, AttentionShape shape, RunKernel<T> run,
            ReferenceArguments reference, AttentionPath path, int seed)
            where T : unmanaged =>
            KernelCheck.Execute(accelerator, info, shape, run, reference, path, new Random(seed)).AssertMatchesReference();

        [Fact]
        public void Info_SaysWhichSpecsClassifyModBlocks()
        {
            Assert.True(BandModF32.Info.ModBlockMask);
            Assert.True(BandModF32.Info.KernelsUseBlockMask);
            Assert.False(BandModF32.Info.UsesBlockMask); // the reference needs no mask from the caller
            Assert.True(ChunkOrFlaggedModF16.Info.ModBlockMask);
            Assert.False(CausalF32.Info.ModBlockMask);
        }

        [Theory]
        [InlineData(AttentionPath.RowStreaming)]
        [InlineData(AttentionPath.Tiled)]
        public void ScalarArgument_EachValueGetsItsOwnBlocks(AttentionPath path)
        {
            var shape = new AttentionShape(1, 2, 1, 70, 70);
            int seed = 3;
            // Narrow, wide, then narrow again: a mask kept for the wrong width would show keys the band hides, or hide some it shows.
            foreach (int width in new[] { 3, 40, 3, 0 })
            {
                Check<float>(_fixture.Accelerator, BandModF32.Info, shape,
                    (a, s, q, k, v, o, l, p) => BandModF32.Run(a, s, q, k, v, o, width, l, p),
                    BandModF32.CreateReferenceArguments(width), path, seed++);
            }
        }

        [Theory]
        [InlineData(AttentionPath.RowStreaming, 1, 64, 64)]
        [InlineData(AttentionPath.Tiled, 1, 64, 64)]
        [InlineData(AttentionPath.RowStreaming, 2, 45, 70)]
        [InlineData(AttentionPath.Tiled, 2, 70, 45)]
        public void SinglePairs_AreNeitherSkippedNorTakenWhole(AttentionPath path, int batch, int queries, int keys)
        {
            var shape = new AttentionShape(batch, 2, 1, queries, keys);
            Check<float>(_fixture.Accelerator, PinholeModF32.Info, shape, PinholeModF32.Run, PinholeModF32.CreateReferenceArguments(), path, queries + keys);
        }

        /// <summary>A random table of blocks that are empty, full, hold one pair, one hole, or a random mix, with ragged edges.</summary>
        private static byte[] BlockPatternBits(int batch, int queries, int keys, Random rng)
        {
            var bits = new byte[(long)batch * queries * keys];
            const int tile = 16;
            for (int b = 0; b < batch; b++)
                for (int q0 = 0; q0 < queries; q0 += tile)
                    for (int k0 = 0; k0 < keys; k0 += tile)
                    {
                        int kind = rng.Next(5);
                        int qn = Math.Min(tile, queries - q0), kn = Math.Min(tile, keys - k0);
                        int pq = q0 + rng.Next(qn), pk = k0 + rng.Next(kn);
                        for (int q = q0; q < q0 + qn; q++)
                            for (int k = k0; k < k0 + kn; k++)
                            {
                                bool on = kind switch
                                {
                                    0 => false,
                                    1 => true,
                                    2 => q == pq && k == pk,
                                    3 => !(q == pq && k == pk),
                                    _ => rng.Next(3) == 0,
                                };
                                bits[((long)b * queries + q) * keys + k] = on ? (byte)1 : (byte)0;
                            }
                    }
            return bits;
        }

        [Theory]
        [InlineData(AttentionPath.RowStreaming, 11)]
        [InlineData(AttentionPath.Tiled, 12)]
        [InlineData(AttentionPath.RowStreaming, 13)]
        [InlineData(AttentionPath.Tiled, 14)]
        public void RandomMasks_MatchReference_AndAreClassifiedAgainWhenTheTensorChanges(AttentionPath path, int seed)
        {
            var rng = new Random(seed);
            var shape = new AttentionShape(2, 2, 2, 50 + rng.Next(30), 50 + rng.Next(30));
            using var bits = _fixture.Accelerator.Allocate1D(BlockPatternBits(shape.Batch, shape.QueryLength, shape.KeyLength, rng));
            for (int call = 0; call < 2; call++)
            {
                if (call == 1)
                    bits.CopyFromCPU(BlockPatternBits(shape.Batch, shape.QueryLength, shape.KeyLength, rng)); // same shape, new mask
                Check<float>(_fixture.Accelerator, RandomTableModF32.Info, shape,
                    (a, s, q, k, v, o, l, p) => RandomTableModF32.Run(a, s, q, k, v, o, bits.View, shape.QueryLength, shape.KeyLength, l, p),
                    RandomTableModF32.CreateReferenceArguments(bits.View, shape.QueryLength, shape.KeyLength), path, seed * 10 + call);
            }
        }

        [Theory]
        [InlineData(AttentionPath.TensorCore)]
        [InlineData(AttentionPath.RowStreaming)]
        public void TensorCore_ChunkedMod_FollowsItsTensor(AttentionPath path)
        {
            var accelerator = path == AttentionPath.TensorCore ? _fixture.WarpAccelerator : _fixture.Accelerator;
            var shape = new AttentionShape(1, 2, 1, 100, 100);
            using var flags = accelerator.Allocate1D(new int[100]);
            Check<ILGPU.Half>(accelerator, ChunkOrFlaggedModF16.Info, shape,
                (a, s, q, k, v, o, l, p) => ChunkOrFlaggedModF16.Run(a, s, q, k, v, o, flags.View, l, p),
                ChunkOrFlaggedModF16.CreateReferenceArguments(flags.View), path, 21);
            var set = new int[100];
            set[5] = set[61] = 1; // keys every later row sees, in blocks the chunks alone leave empty
            flags.CopyFromCPU(set);
            Check<ILGPU.Half>(accelerator, ChunkOrFlaggedModF16.Info, shape,
                (a, s, q, k, v, o, l, p) => ChunkOrFlaggedModF16.Run(a, s, q, k, v, o, flags.View, l, p),
                ChunkOrFlaggedModF16.CreateReferenceArguments(flags.View), path, 22);
        }

        [Fact]
        public void Cache_ReturnsTheSameMaskForTheSameKey_AndFreesTheOldestPastItsCapacity()
        {
            var masks = new ModBlockMasks();
            var slot = masks.For(_fixture.Accelerator);
            Assert.Throws<InvalidOperationException>(() => slot.Get(new AttentionShape(1, 1, 1, 16, 16), 1, 16, 16, null, out _));
            lock (slot)
            {
                var shape = new AttentionShape(1, 2, 1, 40, 40);
                var first = slot.Get(shape, 1, 16, 16, (object)(3, 1.5f), out bool classify);
                Assert.True(classify);
                Assert.Same(first, slot.Get(shape, 1, 16, 16, (object)(3, 1.5f), out classify));
                Assert.False(classify);
                Assert.NotSame(first, slot.Get(shape, 1, 16, 16, (object)(4, 1.5f), out classify)); // another scalar
                Assert.True(classify);
                Assert.NotSame(first, slot.Get(shape, 2, 16, 16, (object)(3, 1.5f), out _)); // per head
                var masksSeen = new List<BlockMask> { first };
                for (int n = 0; n < ModBlockMasks.Capacity; n++)
                    masksSeen.Add(slot.Get(new AttentionShape(1, 1, 1, 20 + n, 20), 1, 16, 16, null, out _));
                Assert.Equal(ModBlockMasks.Capacity, slot.Count);
                // The first key was the least recently used: it was freed, and asking again classifies anew.
                Assert.NotSame(first, slot.Get(shape, 1, 16, 16, (object)(3, 1.5f), out classify));
                Assert.True(classify);
            }
        }
    }
}
