namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// CLEAR (linearized DiT attention): each image token attends to the tokens of a circular
    /// neighbourhood on the 2-D latent grid. Row-major grid, width a runtime scalar.
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    public static partial class ClearCircular
    {
        public const string Seed = "CLEAR";

        public const string Description =
            "MaskMod over a row-major 2-D grid (width = smallest power of two w with w*w >= N): visible iff (dx^2 + dy^2) <= r^2, r = width/4.";

        [MaskMod]
        public static bool CircularWindow(int batch, int head, int query, int key, int gridWidth, int radius)
        {
            int dx = query % gridWidth - key % gridWidth;
            int dy = query / gridWidth - key / gridWidth;
            return dx * dx + dy * dy <= radius * radius;
        }

        public static GalleryVariant Variant => new(
            "clear-circular", Seed, Description, Info,
            context =>
            {
                int n = context.Shape.KeyLength;
                int width = 1;
                while (width * width < n)
                    width *= 2; // N=512 -> 32 x 16, N=1024 -> 32 x 32, N=4096 -> 64 x 64
                int radius = width / 4;
                return new Binding(
                    (a, s, q, k, v, o, l, p) => Run(a, s, q, k, v, o, width, radius, l, p),
                    CreateReferenceArguments(width, radius));
            });
    }
}
