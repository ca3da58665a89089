namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// StreamingLLM: every query sees the 4 attention-sink tokens plus a recent window. Expressed
    /// with built-ins only, so the block ranges (sink blocks + window blocks) are derived analytically.
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal, SlidingWindow(256), AttentionSinks(4)]
    public static partial class StreamingLlm
    {
        public const string Seed = "StreamingLLM";

        public const string Description =
            "Causal, 4 attention sinks + a 256-token recent window (keys i-256..i); O(N*W) work.";

        public static GalleryVariant Variant => new(
            "streaming-llm", Seed, Description, Info,
            _ => new Binding(Run, new ReferenceArguments()));
    }
}
