using AttnDsl;

// [BlockSelect] specs, one per selection rule, and a [BlockSparse] spec whose masks need the element-wise
// device classification (document ids and a head-dependent [MaskMod]). Small tiles so that short test
// sequences hold many blocks.
namespace AttnDsl.Kernels.Tests.Specs
{
    /// <summary>TopK under causal, with the diagonal and one sink block kept.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, BlockSelect(TopK = 2)]
    public static partial class SelectTopKCausalF32;

    /// <summary>TopFraction, Float16, unequal tiles, no sink block.</summary>
    [AttentionKernel(HeadDim = 32, BlockM = 32, BlockN = 16, Element = ElementType.Float16)]
    [Causal, BlockSelect(TopFraction = 0.3, KeepSinkBlocks = 0)]
    public static partial class SelectFractionCausalF16;

    /// <summary>CumulativeMass under a two-sided window, nothing forced.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [SlidingWindow(40, 24), BlockSelect(CumulativeMass = 0.7, KeepDiagonal = false, KeepSinkBlocks = 0)]
    public static partial class SelectMassWindowF32;

    /// <summary>TopK over the blocks a [MaskMod] leaves visible: the estimator classifies mod blocks element by element.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [BlockSelect(TopK = 3, KeepSinkBlocks = 2)]
    public static partial class SelectModF32
    {
        /// <summary>Hides a band of keys that moves with the query block: some blocks empty, some partial, some full.</summary>
        [MaskMod]
        public static bool Band(int batch, int head, int query, int key) => (key / 8 + query / 16) % 5 != 0 || key % 8 == head % 8;
    }

    /// <summary>Causal documents with a head-dependent [MaskMod]: CreateBlockMask classifies on the device.</summary>
    [AttentionKernel(HeadDim = 16, BlockM = 16, BlockN = 16, Element = ElementType.Float32)]
    [Causal, DocumentMask, BlockSparse]
    public static partial class SparseDocumentModF32
    {
        [MaskMod]
        public static bool Stripe(int batch, int head, int query, int key, int period) => (key / 16 + head) % period != period - 1;
    }
}
