using System.Collections.Generic;

namespace AttnDsl.Kernels.Tests.Harness
{
    /// <summary>
    /// Named test shapes. Lengths are not multiples of the 16/32/48/64 tiles (1, 17, 40, 63, 65, 130),
    /// heads cover MHA, GQA (4 query heads on 2 KV heads) and MQA (1 KV head), and lengths differ
    /// both ways (decode, chunked prefill, more queries than keys).
    /// </summary>
    public static class Shapes
    {
        public static IReadOnlyDictionary<string, AttentionShape> ByName { get; } = new Dictionary<string, AttentionShape>
        {
            ["len1"] = new(1, 1, 1, 1, 1),
            ["len17"] = new(1, 2, 2, 17, 17),
            ["len63"] = new(1, 1, 1, 63, 63),
            ["len65-gqa"] = new(2, 4, 2, 65, 65),
            ["len130-mqa"] = new(1, 3, 1, 130, 130),
            ["batch5"] = new(5, 1, 1, 40, 40),
            // Decode: one query against 65 keys (bottom-right aligned: the query sits at key 64).
            ["decode-k65"] = new(2, 4, 2, 1, 65),
            // Chunked prefill: 17 queries aligned to the last 17 of 63 keys, three batches.
            ["q17-k63"] = new(3, 2, 2, 17, 63),
            // More queries than keys: with causal, queries 0..47 align before key 0 and see nothing.
            ["q65-k17"] = new(1, 2, 1, 65, 17),
        };

        public static AttentionShape Get(string name) => ByName[name];

        public static bool IsSelfAttention(AttentionShape shape) => shape.QueryLength == shape.KeyLength;
    }
}
