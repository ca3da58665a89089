namespace AttnDsl
{
    /// <summary>
    /// Sizes of one attention call. Query heads <c>h</c> read key/value head
    /// <c>h / (QueryHeads / KeyValueHeads)</c> (GQA; MQA when <c>KeyValueHeads == 1</c>).
    /// </summary>
    public readonly record struct AttentionShape(int Batch, int QueryHeads, int KeyValueHeads, int QueryLength, int KeyLength)
    {
        /// <summary>Self-attention shape: equal heads and lengths.</summary>
        public AttentionShape(int batch, int heads, int length)
            : this(batch, heads, heads, length, length)
        {
        }

        /// <summary>Query heads that share one key/value head.</summary>
        public int GroupSize => KeyValueHeads > 0 ? QueryHeads / KeyValueHeads : 0;

        /// <summary>Elements of the query tensor for a head dimension.</summary>
        public long QueryElements(int headDim) => (long)Batch * QueryHeads * QueryLength * headDim;

        /// <summary>Elements of the key (or value) tensor for a head dimension.</summary>
        public long KeyElements(int headDim) => (long)Batch * KeyValueHeads * KeyLength * headDim;

        /// <summary>Query rows over all batches and heads (the length of <c>logSumExp</c>).</summary>
        public long QueryRows => (long)Batch * QueryHeads * QueryLength;

        public override string ToString() =>
            $"(Batch={Batch}, QueryHeads={QueryHeads}, KeyValueHeads={KeyValueHeads}, QueryLength={QueryLength}, KeyLength={KeyLength})";
    }
}
