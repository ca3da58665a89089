namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// MASFormer's short-range layers: local (sliding-window) attention of a causal decoder.
    /// SlidingWindow(Left, Right = 0) already limits keys to i-Left..i, so no [Causal] is needed.
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    [SlidingWindow(128)]
    public static partial class LocalWindow
    {
        public const string Seed = "MASFormer";

        public const string Description =
            "Local attention, keys i-128..i (the sparse layers of MASFormer's full/local mix).";

        public static GalleryVariant Variant => new(
            "local-window", Seed, Description, Info,
            _ => new Binding(Run, new ReferenceArguments()));
    }
}
