namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// Radial Attention for video DiTs: full attention inside a frame and to the sink frame, and an
    /// in-frame window that halves with each doubling of the temporal distance (O(n log n) density).
    /// The block classification is analytic (MaskSemantics.RadialBlock), so far-apart frame pairs are skipped.
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    [TokenGrid(256), RadialDecay(DecayFactor = 1, SinkFrames = 1)]
    public static partial class RadialAttention
    {
        public const string Seed = "Radial Attention";

        public const string Description =
            "Video grid of 256 tokens/frame (16x16 latent): same frame or frame 0 fully, else |pi - pj| <= floor(256 / 2^bitlen(|fi - fj|)).";

        // On the CPU the default N=512 would be only 2 frames (frame 0 is the sink frame, so everything is
        // dense); 1024 tokens = 4 frames exercise the decaying windows.
        public static GalleryVariant Variant => new(
            "radial", Seed, Description, Info,
            _ => new Binding(Run, new ReferenceArguments()),
            CpuLength: 1024);
    }
}
