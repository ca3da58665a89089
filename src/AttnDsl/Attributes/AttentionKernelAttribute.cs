using System;

namespace AttnDsl
{
    /// <summary>Element type of query, key, value and output tensors.</summary>
    public enum ElementType
    {
        /// <summary>IEEE half precision (<see cref="ILGPU.Half"/>).</summary>
        Float16 = 0,
        /// <summary>bfloat16 (<see cref="AttnDsl.BFloat16"/>).</summary>
        BFloat16 = 1,
        /// <summary>IEEE single precision.</summary>
        Float32 = 2,
    }

    /// <summary>Memory layout of the four tensors; the head dimension is always contiguous.</summary>
    public enum TensorLayout
    {
        /// <summary>(batch, head, token, dim).</summary>
        BHND = 0,
        /// <summary>(batch, token, head, dim).</summary>
        BNHD = 1,
    }

    /// <summary>
    /// Marks a <c>static partial class</c> as an attention kernel spec. The generator adds
    /// <c>Run</c> and <c>Info</c> to the class, specialized for these constants.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class AttentionKernelAttribute : Attribute
    {
        /// <summary>Query/key head dimension (required; a multiple of 16, at most 256).</summary>
        public int HeadDim { get; set; }

        /// <summary>Value/output head dimension; 0 means <see cref="HeadDim"/>.</summary>
        public int HeadDimV { get; set; }

        /// <summary>
        /// Query tile height (rows per work group on GPUs). 0 (not set): chosen for the head dims, element type and masks (the
        /// fastest tile measured for the tensor-core kernels; 64 for Float32 and for [BlockSparse], [BlockSelect] and
        /// [Quantize] specs, whose masks, selections and scales are per tile). <c>Info.BlockM</c> tells the tile chosen.
        /// </summary>
        public int BlockM { get; set; }

        /// <summary>Key tile width (the unit of block skipping). 0 (not set): chosen, as for <see cref="BlockM"/>.</summary>
        public int BlockN { get; set; }

        /// <summary>Element type of the tensors.</summary>
        public ElementType Element { get; set; } = ElementType.Float16;

        /// <summary>Tensor layout.</summary>
        public TensorLayout Layout { get; set; } = TensorLayout.BHND;

        /// <summary>Softmax scale; 0 means 1/sqrt(HeadDim).</summary>
        public double Scale { get; set; }
    }
}
