namespace AttnDsl.Gallery.Specs
{
    /// <summary>
    /// LongLoRA's shifted sparse attention (S2-Attn): tokens attend (causally) only inside groups of
    /// <c>groupSize</c>; heads from <c>shiftedHeadStart</c> on use groups shifted by half a group, so
    /// information flows across group boundaries. LongLoRA shifts by rolling the sequence, which also
    /// joins the last half-group with the first one into a wrapped group; here those two half-groups stay
    /// separate (the roll lets the first tokens see the last ones, which a causal model must not).
    /// </summary>
    [AttentionKernel(HeadDim = 64)]
    [Causal]
    public static partial class LongLoraS2
    {
        public const string Seed = "LongLoRA";

        public const string Description =
            "Causal + MaskMod: group-local attention, group = N/4 (runtime scalar); the upper half of the heads uses groups shifted by group/2.";

        [MaskMod]
        public static bool ShiftedGroups(int batch, int head, int query, int key, int groupSize, int shiftedHeadStart)
        {
            int shift = head >= shiftedHeadStart ? groupSize / 2 : 0;
            return (query + shift) / groupSize == (key + shift) / groupSize;
        }

        public static GalleryVariant Variant => new(
            "longlora-s2", Seed, Description, Info,
            context =>
            {
                int group = context.Shape.KeyLength / 4; // LongLoRA's group_size_ratio = 1/4
                int shiftedFrom = context.Shape.QueryHeads / 2;
                return new Binding(
                    (a, s, q, k, v, o, l, p) => Run(a, s, q, k, v, o, group, shiftedFrom, l, p),
                    CreateReferenceArguments(group, shiftedFrom));
            });
    }
}
