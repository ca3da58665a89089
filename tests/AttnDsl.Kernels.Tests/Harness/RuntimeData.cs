using System;

namespace AttnDsl.Kernels.Tests.Harness
{
    /// <summary>Host data for the runtime arguments of the test specs: deterministic patterns that vary by batch.</summary>
    public static class RuntimeData
    {
        /// <summary>
        /// One prefix length per batch, cycling through: about a third of the keys (not a block
        /// multiple), 0 (no prefix), beyond the key length (clamped: every key), one past a key block,
        /// and negative (no prefix).
        /// </summary>
        public static int[] PrefixLengths(AttentionShape shape, int blockN)
        {
            var result = new int[shape.Batch];
            for (int b = 0; b < shape.Batch; b++)
            {
                result[b] = (b % 5) switch
                {
                    0 => shape.KeyLength / 3 + 1,
                    1 => 0,
                    2 => shape.KeyLength + 3,
                    3 => blockN + 1,
                    _ => -2,
                };
            }
            return result;
        }

        /// <summary>
        /// Document ids (batch, token), cycling by batch through: contiguous documents of random
        /// lengths 1..20; non-contiguous ids drawn from {3, -1, 8} per token (documents interleave);
        /// one document for the whole sequence; every token its own document; contiguous documents of
        /// lengths 8..100 (key blocks of one document, or of two where one ends: packed long documents).
        /// </summary>
        public static int[] DocumentIds(AttentionShape shape, Random rng)
        {
            int n = shape.KeyLength;
            var ids = new int[shape.Batch * n];
            var scattered = new[] { 3, -1, 8 };
            for (int b = 0; b < shape.Batch; b++)
            {
                int doc = 0, left = 0;
                for (int t = 0; t < n; t++)
                {
                    int id;
                    switch (b % 5)
                    {
                        case 0:
                        case 4:
                            if (left == 0)
                            {
                                doc++;
                                left = b % 5 == 0 ? rng.Next(1, 21) : rng.Next(8, 101);
                            }
                            left--;
                            id = doc;
                            break;
                        case 1:
                            id = scattered[rng.Next(scattered.Length)];
                            break;
                        case 2:
                            id = 42;
                            break;
                        default: // 3
                            id = 1000 + t;
                            break;
                    }
                    ids[b * n + t] = id;
                }
            }
            return ids;
        }

        /// <summary>Per query head: 0 (all keys), 1 (raw causal), 2 (nothing) cycling.</summary>
        public static int[] HeadFlags(AttentionShape shape)
        {
            var flags = new int[shape.QueryHeads];
            for (int h = 0; h < flags.Length; h++) flags[h] = h % 3;
            return flags;
        }

        /// <summary>Relative-position bias of 40 entries in [-1, 1]; distances 3 and 11 are -inf (masked by the score mod).</summary>
        public static float[] BiasTable(Random rng)
        {
            var table = new float[40];
            for (int d = 0; d < table.Length; d++) table[d] = (float)(rng.NextDouble() * 2 - 1);
            table[3] = float.NegativeInfinity;
            table[11] = float.NegativeInfinity;
            return table;
        }

        /// <summary>Keys with key % 5 == 2 are blocked.</summary>
        public static int[] BlockedKeys() => new[] { 0, 0, 1, 0, 0 };

        /// <summary>One float per query head in [-2, 2].</summary>
        public static float[] PerHead(AttentionShape shape, Random rng)
        {
            var values = new float[shape.QueryHeads];
            for (int h = 0; h < values.Length; h++) values[h] = (float)(rng.NextDouble() * 4 - 2);
            return values;
        }
    }
}
