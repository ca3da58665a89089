using AttnDsl;

// [BlockSparse] specs: a runtime BlockMask picks the key blocks each query block visits; partial
// blocks are tested by the spec's other masks, full blocks are taken whole. Small tiles so that the
// test lengths cross several query and key blocks and end in ragged ones.
namespace AttnDsl.Kernels.Tests.Specs
{
    /// <summary>Block-sparse with no other mask: a partial block is visible whole too.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [BlockSparse]
    public static partial class BlockSparseF32;

    /// <summary>Block-sparse under causal: partial blocks run the causal test, full blocks none.</summary>
    [AttentionKernel(HeadDim = 32, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, BlockSparse]
    public static partial class BlockSparseCausalF32;

    /// <summary>Float16, causal, unequal tiles (query blocks of 32 rows, key blocks of 16 keys).</summary>
    [AttentionKernel(HeadDim = 32, BlockM = 32, BlockN = 16, Element = ElementType.Float16)]
    [Causal, BlockSparse]
    public static partial class BlockSparseCausalF16;

    /// <summary>Block-sparse with sinks, a window and a runtime prefix: every mask kind inside partial blocks.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, SlidingWindow(20), AttentionSinks(3), PrefixLM, BlockSparse]
    public static partial class BlockSparseStreamingPrefixF32;
}
