namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// Prefix-LM: bidirectional attention over a per-batch prefix, causal after it. The composition
    /// rule ORs the prefix into the causal mask, so queries in the prefix see the whole prefix.
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    [PrefixLM, Causal]
    public static partial class PrefixLm
    {
        public const string Seed = "Prefix-LM (UniLM/T5)";

        public const string Description =
            "Causal OR j < prefixLength[b] (runtime, per batch): full attention inside the prefix, causal after; prefix ~ N/3, not block-aligned.";

        public static GalleryVariant Variant => new(
            "prefix-lm", Seed, Description, Info,
            context =>
            {
                var shape = context.Shape;
                var lengths = new int[shape.Batch];
                for (int b = 0; b < lengths.Length; b++)
                    lengths[b] = shape.KeyLength / 3 + 17 * b; // deliberately not a multiple of BlockN
                var prefix = context.Tensors.Upload(lengths);
                return new Binding(
                    (a, s, q, k, v, o, l, p) => Run(a, s, q, k, v, o, prefix, l, p),
                    CreateReferenceArguments(prefix));
            });
    }
}
