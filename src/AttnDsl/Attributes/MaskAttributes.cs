using System;

// Mask attributes. Their per-element and per-block semantics live in AttnDsl.MaskSemantics,
// which the generated kernels and AttentionReference both call.
namespace AttnDsl
{
    /// <summary>Key <c>j</c> is visible to query <c>i</c> iff <c>j &lt;= i + (Nk - Nq)</c> (bottom-right aligned).</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class CausalAttribute : Attribute
    {
    }

    /// <summary>Key <c>j</c> is visible iff <c>i' - Left &lt;= j &lt;= i' + Right</c>, with <c>i' = i + (Nk - Nq)</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class SlidingWindowAttribute : Attribute
    {
        public SlidingWindowAttribute(int left, int right = 0)
        {
            Left = left;
            Right = right;
        }

        /// <summary>Keys visible before the (aligned) query position.</summary>
        public int Left { get; }

        /// <summary>Keys visible after the (aligned) query position.</summary>
        public int Right { get; }
    }

    /// <summary>Keys <c>j &lt; Count</c> are visible to every query (still subject to <see cref="CausalAttribute"/>).</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class AttentionSinksAttribute : Attribute
    {
        public AttentionSinksAttribute(int count) => Count = count;

        /// <summary>Number of leading sink keys.</summary>
        public int Count { get; }
    }

    /// <summary>
    /// Adds a runtime <c>ArrayView&lt;int&gt; prefixLength</c> (one per batch): keys
    /// <c>j &lt; prefixLength[b]</c> are visible to every query of batch <c>b</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class PrefixLMAttribute : Attribute
    {
    }

    /// <summary>
    /// Adds a runtime <c>ArrayView&lt;int&gt; documentIds</c> of shape (batch, tokens): a key is
    /// visible only to queries of the same document. Self-attention only (Nq == Nk).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class DocumentMaskAttribute : Attribute
    {
    }

    /// <summary>
    /// Adds a runtime <see cref="AttnDsl.BlockMask"/> <c>blockMask</c> (FlexAttention's BlockMask): per
    /// (batch, head, query block of BlockM rows) the key blocks of BlockN keys to visit, split into
    /// partial blocks (each key tested by the spec's other masks) and full blocks (every key visible,
    /// no test). Keys of blocks not listed are invisible.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class BlockSparseAttribute : Attribute
    {
    }

    /// <summary>Video token grid: frame <c>n / TokensPerFrame</c>, in-frame position <c>n % TokensPerFrame</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class TokenGridAttribute : Attribute
    {
        public TokenGridAttribute(int tokensPerFrame) => TokensPerFrame = tokensPerFrame;

        /// <summary>Tokens in one frame.</summary>
        public int TokensPerFrame { get; }
    }

    /// <summary>
    /// Radial Attention mask over a <see cref="TokenGridAttribute"/>: visible iff same frame, or
    /// key frame &lt; <see cref="SinkFrames"/>, or <c>|pi - pj| &lt;= floor(DecayFactor * TokensPerFrame / 2^bitlen(d))</c>
    /// with <c>d</c> the frame distance.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    public sealed class RadialDecayAttribute : Attribute
    {
        /// <summary>Scales the in-frame window; 1 halves it for each doubling of the frame distance.</summary>
        public double DecayFactor { get; set; } = 1;

        /// <summary>Leading frames that every query sees whole.</summary>
        public int SinkFrames { get; set; } = 1;
    }

    /// <summary>
    /// Marks a static method <c>bool M(int batch, int head, int query, int key, ...tensors)</c> as a
    /// custom mask, ANDed with the spec's other masks. <c>query</c> and <c>key</c> are raw token indices.
    /// Extra parameters become parameters of the generated <c>Run</c>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
    public sealed class MaskModAttribute : Attribute
    {
    }
}
