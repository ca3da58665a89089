namespace AttnDsl
{
    /// <summary>What a mask does to a (query tile, key block) pair.</summary>
    public enum BlockClass : byte
    {
        /// <summary>No query of the tile sees any key of the block: the block is skipped.</summary>
        Empty = 0,

        /// <summary>Some pairs are visible: each element is tested.</summary>
        Partial = 1,

        /// <summary>Every pair is visible: no per-element test.</summary>
        Full = 2,
    }
}
