"""Masks of the AttnDsl GPU benchmark on the host, shared by bench_torch.py and report.py.

The same document ids (one SplitMix64 stream), FNV-1a hash, exact visible-pair counts and FLOP convention as
benchmarks/AttnDsl.GpuBench/Masks.cs, so both sides time identical masks and count identical work.
"""

MASKS = ["dense", "causal", "causal-window1024", "document-causal", "causal-alibi"]
WINDOW = 1024
U64 = (1 << 64) - 1
CONVENTION = ("4*B*H*N^2*D for dense; half of that for causal and causal+alibi (as anchors_bench.py); "
              "4*H*D*(exact visible query-key pairs, summed over batches) for causal+window and document+causal")


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & U64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & U64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & U64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & U64
        return z ^ (z >> 31)


def document_ids(batch, n, seed, lo, hi):
    """(batch, n) ids: documents of lo..hi tokens (inclusive), last one cut at n, ids from 0 per batch row."""
    rng = SplitMix64(seed)
    span = hi - lo + 1
    rows = []
    for _ in range(batch):
        row, pos, doc = [], 0, 0
        while pos < n:
            length = lo + rng.next() % span
            end = min(n, pos + length)
            row.extend([doc] * (end - pos))
            pos, doc = end, doc + 1
        rows.append(row)
    return rows


def fnv1a(rows):
    h = 0xCBF29CE484222325
    for row in rows:
        for v in row:
            v &= 0xFFFFFFFF
            for k in range(4):
                h ^= (v >> (8 * k)) & 0xFF
                h = (h * 0x100000001B3) & U64
    return f"{h:016x}"


def visible_pairs(mask, batch, n, ids=None):
    """Exact visible (query, key) pairs of one head, summed over batch rows."""
    if mask == "dense":
        return float(batch) * n * n
    if mask in ("causal", "causal-alibi"):
        return float(batch) * n * (n + 1) / 2
    if mask == "causal-window1024":
        head = min(n, WINDOW)
        return batch * (head * (head + 1) / 2 + max(0, n - WINDOW) * (WINDOW + 1))
    if mask == "document-causal":
        total = 0.0
        for row in ids:
            start = 0
            for t in range(1, n + 1):
                if t == n or row[t] != row[t - 1]:
                    length = t - start
                    total += length * (length + 1) / 2
                    start = t
        return total
    raise ValueError(mask)


def convention_flops(mask, batch, heads, n, d, pairs):
    if mask == "dense":
        return 4.0 * batch * heads * n * n * d
    if mask in ("causal", "causal-alibi"):
        return 0.5 * 4.0 * batch * heads * n * n * d
    return 4.0 * heads * d * pairs


def alibi_slopes(heads):
    """ALiBi slopes as AttnDsl's ScoreSemantics.AlibiSlope (the paper's recipe, also for non-power-of-two H)."""
    n = 1
    while n * 2 <= heads:
        n *= 2
    out = []
    for h in range(heads):
        if h < n:
            out.append(2.0 ** (-8.0 * (h + 1) / n))
        else:
            out.append(2.0 ** (-8.0 * (2 * (h - n) + 1) / (2 * n)))
    return out
