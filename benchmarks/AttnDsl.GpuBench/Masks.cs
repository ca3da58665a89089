using System;
using System.Collections.Generic;
using System.Globalization;

namespace AttnDsl.GpuBench
{
    /// <summary>SplitMix64: the same sequence in benchmarks/gpu/bench_torch.py, so both sides see the same document ids.</summary>
    public struct SplitMix64
    {
        private ulong _state;

        public SplitMix64(ulong seed) => _state = seed;

        public ulong Next()
        {
            unchecked
            {
                _state += 0x9E3779B97F4A7C15UL;
                ulong z = _state;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
                return z ^ (z >> 31);
            }
        }
    }

    /// <summary>The benchmarked masks, their document ids and their exact visible-pair counts.</summary>
    public static class Masks
    {
        public const string Dense = "dense";
        public const string Causal = "causal";
        public const string Window = "causal-window1024";
        public const string Document = "document-causal";
        public const string Alibi = "causal-alibi";

        public static readonly string[] All = { Dense, Causal, Window, Document, Alibi };

        public const int WindowLeft = 1024;

        /// <summary>
        /// Document ids (batch, token): documents of <paramref name="minLength"/>..<paramref name="maxLength"/> tokens
        /// (uniform, inclusive), one SplitMix64 stream seeded with <paramref name="seed"/> over the batches in order;
        /// the last document of each batch row is cut at <paramref name="length"/>. Ids count up from 0 per batch row.
        /// </summary>
        public static int[] DocumentIds(int batch, int length, ulong seed, int minLength, int maxLength)
        {
            var rng = new SplitMix64(seed);
            var ids = new int[(long)batch * length];
            ulong span = (ulong)(maxLength - minLength + 1);
            for (int b = 0; b < batch; b++)
            {
                int position = 0, document = 0;
                while (position < length)
                {
                    int docLength = minLength + (int)(rng.Next() % span);
                    int end = Math.Min(length, position + docLength);
                    for (int t = position; t < end; t++)
                        ids[(long)b * length + t] = document;
                    position = end;
                    document++;
                }
            }
            return ids;
        }

        /// <summary>FNV-1a (64-bit) over the ids as little-endian int32, hex: bench_torch.py prints the same.</summary>
        public static string Hash(int[] ids)
        {
            unchecked
            {
                ulong h = 0xCBF29CE484222325UL;
                foreach (int id in ids)
                {
                    uint v = (uint)id;
                    for (int k = 0; k < 4; k++)
                    {
                        h ^= (v >> (8 * k)) & 0xFF;
                        h *= 0x100000001B3UL;
                    }
                }
                return h.ToString("x16", CultureInfo.InvariantCulture);
            }
        }

        /// <summary>Number of documents (over all batch rows).</summary>
        public static int DocumentCount(int[] ids, int batch, int length)
        {
            int count = 0;
            for (int b = 0; b < batch; b++)
                count += ids[(long)b * length + length - 1] + 1;
            return count;
        }

        /// <summary>Exact visible (query, key) pairs of one head, summed over the batch rows (self-attention, Nq = Nk = n).</summary>
        public static double VisiblePairs(string mask, int batch, int n, int[]? ids)
        {
            double perRow;
            switch (mask)
            {
                case Dense:
                    return (double)batch * n * n;
                case Causal:
                case Alibi:
                    return (double)batch * n * (n + 1.0) / 2.0;
                case Window:
                    // query i sees keys max(0, i - W)..i: min(i, W) + 1 keys.
                    {
                        int w = WindowLeft;
                        int head = Math.Min(n, w);
                        perRow = head * (head + 1.0) / 2.0 + (double)Math.Max(0, n - w) * (w + 1);
                        return batch * perRow;
                    }
                case Document:
                    {
                        double total = 0;
                        for (int b = 0; b < batch; b++)
                        {
                            int start = 0;
                            for (int t = 1; t <= n; t++)
                            {
                                if (t == n || ids![(long)b * n + t] != ids[(long)b * n + t - 1])
                                {
                                    double len = t - start;
                                    total += len * (len + 1) / 2;
                                    start = t;
                                }
                            }
                        }
                        return total;
                    }
                default:
                    throw new ArgumentException($"unknown mask '{mask}'", nameof(mask));
            }
        }

        /// <summary>
        /// FLOPs under the anchors' convention (benchmarks/gpu/README and ../shared/gpu/anchors_bench.py):
        /// 4 * B * H * N^2 * D dense, half of that for causal (and causal + ALiBi), and 4 * H * D * (exact visible pairs)
        /// for the window and document masks.
        /// </summary>
        public static double ConventionFlops(string mask, int batch, int heads, int n, int d, double visiblePairs) => mask switch
        {
            Dense => 4.0 * batch * heads * (double)n * n * d,
            Causal or Alibi => 0.5 * 4.0 * batch * heads * (double)n * n * d,
            _ => 4.0 * heads * d * visiblePairs,
        };

        public const string Convention =
            "4*B*H*N^2*D for dense; half of that for causal and causal+alibi (as anchors_bench.py); " +
            "4*H*D*(exact visible query-key pairs, summed over batches) for causal+window and document+causal";
    }
}
