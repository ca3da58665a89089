using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AttnDsl
{
    /// <summary>A runtime argument a spec adds to its generated <c>Run</c>.</summary>
    /// <param name="Name">Parameter name in <c>Run</c>.</param>
    /// <param name="TypeName">Its C# type, as written in the generated code.</param>
    /// <param name="Source">The attribute or mod it comes from.</param>
    public sealed record RuntimeArgumentInfo(string Name, string TypeName, string Source);

    /// <summary>The parsed [BlockSelect] of a spec: the estimator and the selection rule (exactly one of TopK, TopFraction, CumulativeMass is set).</summary>
    public sealed record BlockSelectInfo(BlockEstimator Estimator, int TopK, double TopFraction, double CumulativeMass, bool KeepDiagonal, int KeepSinkBlocks)
    {
        /// <summary>The attribute as a user would write it.</summary>
        public override string ToString()
        {
            var c = CultureInfo.InvariantCulture;
            string rule = TopK > 0 ? $"TopK = {TopK}" : TopFraction > 0 ? string.Format(c, "TopFraction = {0}", TopFraction) : string.Format(c, "CumulativeMass = {0}", CumulativeMass);
            return $"BlockSelect({Estimator}, {rule}, KeepDiagonal = {(KeepDiagonal ? "true" : "false")}, KeepSinkBlocks = {KeepSinkBlocks})";
        }
    }

    /// <summary>The parsed [Quantize] of a spec.</summary>
    public sealed record QuantizeInfo(QuantFormat QueryKey, QuantGranularity Granularity, bool SmoothKeys)
    {
        /// <summary>The attribute as a user would write it.</summary>
        public override string ToString() => $"Quantize({QueryKey}, {Granularity}, SmoothKeys = {(SmoothKeys ? "true" : "false")})";
    }

    /// <summary>The parsed spec of one generated kernel class (the generated <c>Info</c>).</summary>
    public sealed class AttentionSpecInfo
    {
        public string Name { get; init; } = "";
        public int HeadDim { get; init; }
        public int HeadDimV { get; init; }
        public int BlockM { get; init; }
        public int BlockN { get; init; }
        public ElementType Element { get; init; }
        public TensorLayout Layout { get; init; }

        /// <summary>Effective softmax scale (1/sqrt(HeadDim) unless the spec sets one).</summary>
        public float Scale { get; init; }

        public bool Causal { get; init; }
        public bool HasSlidingWindow { get; init; }
        public int WindowLeft { get; init; }
        public int WindowRight { get; init; }
        public int SinkCount { get; init; }
        public bool PrefixLM { get; init; }
        public bool DocumentMask { get; init; }

        /// <summary>[BlockSparse]: Run takes a <see cref="BlockMask"/> that restricts the visited key blocks.</summary>
        public bool BlockSparse { get; init; }

        /// <summary>[BlockSelect]: the selection rule; null when absent.</summary>
        public BlockSelectInfo? BlockSelect { get; init; }

        /// <summary>Whether the kernels visit only the blocks of a <see cref="BlockMask"/> ([BlockSparse] or [BlockSelect]).</summary>
        public bool UsesBlockMask => BlockSparse || BlockSelect is not null;

        /// <summary>
        /// [MaskMod]s without [BlockSparse] or [BlockSelect]: Run classifies the mods' (query block, key block) pairs on the
        /// device (empty, partial, full; FlexAttention's create_block_mask), and the kernels visit only the non-empty blocks and
        /// test elements only in the partial ones. The mask is kept per accelerator, shape and scalar arguments while the mods
        /// read no tensor, and classified again on every call when they do.
        /// </summary>
        public bool ModBlockMask { get; init; }

        /// <summary>Whether the kernels visit only the blocks of a BlockMask: the caller's, the estimator's or the mods' own.</summary>
        public bool KernelsUseBlockMask => UsesBlockMask || ModBlockMask;

        /// <summary>
        /// Whether the spec's tiles take the sm_90 tensor-core kernel (wgmma on swizzled shared tiles), which the tensor-core
        /// path runs on CUDA devices of compute capability 9.0; elsewhere, and for other tiles, the mma.sync kernel runs.
        /// </summary>
        public bool HasWarpgroupKernel { get; init; }

        /// <summary>[Quantize]: quantized QK^T; null when absent.</summary>
        public QuantizeInfo? Quantize { get; init; }

        /// <summary>Tokens per frame of [TokenGrid]; 0 when absent.</summary>
        public int TokensPerFrame { get; init; }
        public bool HasRadialDecay { get; init; }
        public double RadialDecayFactor { get; init; }
        public int RadialSinkFrames { get; init; }
        public bool Alibi { get; init; }

        /// <summary>[SoftCap] cap; 0 when absent.</summary>
        public float SoftCap { get; init; }

        /// <summary>Names of the [MaskMod] methods, in declaration order.</summary>
        public IReadOnlyList<string> MaskMods { get; init; } = Array.Empty<string>();

        /// <summary>Names of the [ScoreMod] methods, in declaration order.</summary>
        public IReadOnlyList<string> ScoreMods { get; init; } = Array.Empty<string>();

        /// <summary>Runtime arguments of <c>Run</c> after <c>output</c>, in order.</summary>
        public IReadOnlyList<RuntimeArgumentInfo> RuntimeArguments { get; init; } = Array.Empty<RuntimeArgumentInfo>();

        /// <summary>Whether any mask restricts positions (Causal, SlidingWindow or RadialDecay).</summary>
        public bool HasLocalMask => Causal || HasSlidingWindow || HasRadialDecay;

        /// <summary>The attribute list as a user would write it.</summary>
        public string Describe()
        {
            var parts = new List<string>();
            var c = CultureInfo.InvariantCulture;
            if (Causal) parts.Add("Causal");
            if (HasSlidingWindow) parts.Add(WindowRight == 0 ? $"SlidingWindow({WindowLeft})" : $"SlidingWindow({WindowLeft}, {WindowRight})");
            if (SinkCount > 0) parts.Add($"AttentionSinks({SinkCount})");
            if (PrefixLM) parts.Add("PrefixLM");
            if (DocumentMask) parts.Add("DocumentMask");
            if (BlockSparse) parts.Add("BlockSparse");
            if (BlockSelect is not null) parts.Add(BlockSelect.ToString());
            if (Quantize is not null) parts.Add(Quantize.ToString());
            if (TokensPerFrame > 0) parts.Add($"TokenGrid({TokensPerFrame})");
            if (HasRadialDecay) parts.Add(string.Format(c, "RadialDecay(DecayFactor = {0}, SinkFrames = {1})", RadialDecayFactor, RadialSinkFrames));
            if (Alibi) parts.Add("Alibi");
            if (SoftCap > 0) parts.Add(string.Format(c, "SoftCap({0})", SoftCap));
            foreach (var m in MaskMods) parts.Add($"MaskMod {m}");
            foreach (var m in ScoreMods) parts.Add($"ScoreMod {m}");
            var sb = new StringBuilder();
            sb.Append(Name).Append(": HeadDim=").Append(HeadDim);
            if (HeadDimV != HeadDim) sb.Append(", HeadDimV=").Append(HeadDimV);
            sb.Append(", BlockM=").Append(BlockM).Append(", BlockN=").Append(BlockN)
              .Append(", ").Append(Element).Append(", ").Append(Layout);
            if (parts.Count > 0) sb.Append(" [").Append(string.Join(", ", parts)).Append(']');
            return sb.ToString();
        }

        public override string ToString() => Describe();
    }
}
