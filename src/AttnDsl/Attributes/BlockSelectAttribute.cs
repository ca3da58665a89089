using System;

namespace AttnDsl
{
    /// <summary>How a [BlockSelect] spec estimates the attention mass of a (query block, key block) pair.</summary>
    public enum BlockEstimator
    {
        /// <summary>
        /// Mean-pool the queries over each BlockM rows and the keys over each BlockN keys; the pooled score
        /// of a pair is mean(q) . mean(k) * scale (DraftAttention, SeerAttention's pooling, MInference, FlexPrefill).
        /// </summary>
        MeanPooled = 0,
    }

    /// <summary>
    /// Dynamic block sparsity: a generated estimator scores every (query block, key block) pair the spec's
    /// masks leave visible (<see cref="BlockEstimator"/>), ranks a query block's key blocks by pooled score
    /// (ties: lower key block first) and keeps a prefix of that ranking by exactly one rule:
    /// <see cref="TopK"/>, <see cref="TopFraction"/> or <see cref="CumulativeMass"/>. The diagonal blocks and
    /// the first <see cref="KeepSinkBlocks"/> key blocks are kept in addition. The attention kernel then
    /// computes exact attention on the kept blocks only. <c>Run</c> takes an optional
    /// <see cref="BlockMask"/> <c>selection</c> that receives the selection, or, with <c>reuseSelection</c>,
    /// supplies it (reuse across diffusion steps).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class BlockSelectAttribute : Attribute
    {
        public BlockSelectAttribute(BlockEstimator estimator = BlockEstimator.MeanPooled) => Estimator = estimator;

        /// <summary>The estimator of block mass.</summary>
        public BlockEstimator Estimator { get; set; }

        /// <summary>Keep the K best-scoring key blocks per query block (0 = not this rule).</summary>
        public int TopK { get; set; }

        /// <summary>Keep ceil(TopFraction * candidates) key blocks per query block, at least 1 (0 = not this rule).</summary>
        public double TopFraction { get; set; }

        /// <summary>
        /// Keep the shortest prefix of the ranking whose share of the softmax over the pooled scores reaches
        /// CumulativeMass (0 = not this rule), as FlexPrefill's cumulative-attention threshold.
        /// </summary>
        public double CumulativeMass { get; set; }

        /// <summary>Also keep the key blocks that hold the query block's own (aligned) positions.</summary>
        public bool KeepDiagonal { get; set; } = true;

        /// <summary>Also keep the first KeepSinkBlocks key blocks (attention sinks).</summary>
        public int KeepSinkBlocks { get; set; } = 1;
    }
}
