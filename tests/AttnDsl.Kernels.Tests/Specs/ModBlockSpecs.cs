using ILGPU;

// [MaskMod] specs whose blocks Run classifies on the device: a band with a scalar width (one mask per width),
// adversarial masks (one visible pair in blocks that are otherwise hidden, one hidden pair in blocks that are otherwise
// visible), a random mask read from a tensor (reclassified on every call), and a 16-bit chunked mask for the
// tensor-core path.
namespace AttnDsl.Kernels.Tests.Specs
{
    /// <summary>Causal band of <c>width</c> keys written as a mod: the built-in [Causal, SlidingWindow(width)] for Nq == Nk.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    public static partial class BandModF32
    {
        [MaskMod]
        public static bool Band(int batch, int head, int query, int key, int width) => key <= query && query - key <= width;
    }

    /// <summary>
    /// Rows below 20 see key 37 alone (one pair in a block row that is otherwise hidden); the other rows see every key but
    /// key 3 of query 40 (one hidden pair in a block that is otherwise visible). Heads past 0 see the transpose.
    /// </summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    public static partial class PinholeModF32
    {
        [MaskMod]
        public static bool Pinhole(int batch, int head, int query, int key)
        {
            int q = head == 0 ? query : key;
            int k = head == 0 ? key : query;
            return q < 20 ? k == 37 : !(q == 40 && k == 3);
        }
    }

    /// <summary>A random (batch, query, key) bit table: blocks empty, full, one pair, or mixed (RuntimeData.BlockPatternBits).</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    public static partial class RandomTableModF32
    {
        [MaskMod]
        public static bool FromTable(int batch, int head, int query, int key, ArrayView<byte> bits, int queries, int keys) =>
            bits[((long)batch * queries + query) * keys + key] != 0;
    }

    /// <summary>Causal chunks of 24 tokens, or keys flagged in a tensor: 16-bit, for the tensor-core kernels.</summary>
    [AttentionKernel(HeadDim = 32, BlockM = 32, BlockN = 32)]
    [Causal]
    public static partial class ChunkOrFlaggedModF16
    {
        [MaskMod]
        public static bool ChunkOrFlagged(int batch, int head, int query, int key, ArrayView<int> keyFlags) =>
            query / 24 == key / 24 || keyFlags[key % (int)keyFlags.Length] != 0;
    }
}
