#!/usr/bin/env python3
"""PyTorch side of the block-sparse rows (benchmarks/gpu/run_sparse.sh runs it after `AttnDsl.GpuBench --sparse DIR`).

For every selection AttnDsl.GpuBench wrote to DIR (FlexAttention's four int32 tensors: kv_num_blocks, kv_indices,
full_kv_num_blocks, full_kv_indices, with BLOCK_SIZE = (block_m, block_n) and a causal mask_mod for partial blocks), on
the same shape, fp16, BHND, random inputs:
  flex-sparse   torch.compile'd flex_attention with BlockMask.from_kv_blocks of that selection
  flex-causal   the same compiled function with create_block_mask(causal) (dense causal Flex)
  sdpa-flash    F.scaled_dot_product_attention(is_causal=True) under the flash backend (FlashAttention-2, dense causal)
Then prints one table with the AttnDsl figures of DIR/attndsl.jsonl beside them. Timing as bench_torch.py (CUDA events,
median of rounds).
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.attention.flex_attention import BlockMask, create_block_mask, flex_attention

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_torch import causal_mod, time_fn  # noqa: E402

DEV = "cuda"


def load_mask(prefix, meta):
    b, h, qb, kb = meta["B"], meta["H"], meta["query_blocks"], meta["key_blocks"]

    def ints(name, shape):
        data = np.fromfile(f"{prefix}.{name}.i32", dtype="<i4")
        return torch.from_numpy(data.reshape(shape)).to(DEV)

    return BlockMask.from_kv_blocks(
        ints("kv_num_blocks", (b, h, qb)), ints("kv_indices", (b, h, qb, kb)),
        ints("full_kv_num_blocks", (b, h, qb)), ints("full_kv_indices", (b, h, qb, kb)),
        BLOCK_SIZE=(meta["block_m"], meta["block_n"]), mask_mod=causal_mod)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--json", default=None)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--round-ms", type=float, default=20.0)
    ap.add_argument("--row-budget-s", type=float, default=8.0)
    args = ap.parse_args()
    torch._dynamo.config.cache_size_limit = 64
    flex = torch.compile(lambda q, k, v, m: flex_attention(q, k, v, block_mask=m), dynamic=False)
    out = open(args.json or os.path.join(args.dir, "torch_sparse.jsonl"), "w")
    attndsl = {}
    path = os.path.join(args.dir, "attndsl.jsonl")
    if os.path.exists(path):
        for line in open(path):
            rec = json.loads(line)
            if rec.get("type") == "sparse" and rec.get("status") == "ok":
                attndsl[(rec["B"], rec["H"], rec["N"], rec["D"])] = rec
    rows = []
    for meta_path in sorted(glob.glob(os.path.join(args.dir, "*.json"))):
        meta = json.load(open(meta_path))
        prefix = meta_path[:-len(".json")]
        b, h, n, d = meta["B"], meta["H"], meta["N"], meta["D"]
        gen = torch.Generator(device=DEV).manual_seed(1)
        q, k, v = (torch.rand(b, h, n, d, device=DEV, generator=gen, dtype=torch.float16) * 2 - 1 for _ in range(3))
        res = dict(B=b, H=h, N=n, D=d, device=torch.cuda.get_device_name())
        notes = []

        def timed(name, make):
            try:
                res[name] = time_fn(make(), args)
            except Exception as ex:  # report, do not hide
                notes.append(f"{name}: {type(ex).__name__}: {str(ex).splitlines()[0]}")
            torch.cuda.empty_cache()

        mask = load_mask(prefix, meta)
        res["flex_sparsity"] = float(mask.sparsity()) / 100.0
        timed("flex-sparse", lambda: (lambda: flex(q, k, v, mask)))
        # Broadcast over batch and heads and compiled: the default create_block_mask materializes B x H x N x N.
        causal = create_block_mask(causal_mod, None, None, n, n, device=DEV, _compile=True)
        timed("flex-causal", lambda: (lambda: flex(q, k, v, causal)))

        def fa2():
            with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
                return F.scaled_dot_product_attention(q, k, v, is_causal=True)
        timed("sdpa-flash", lambda: fa2)
        res["status"] = "ok" if not notes else "partial"
        if notes:
            res["note"] = "; ".join(notes)
        out.write(json.dumps(res) + "\n")
        out.flush()
        rows.append(res)

    print("| shape | AttnDsl dense causal ms | AttnDsl estimator ms | AttnDsl sparse ms | AttnDsl estimator + sparse ms | "
          "causal blocks skipped | Flex sparse ms (same BlockMask) | Flex causal ms | FA2 causal ms | "
          "AttnDsl dense / sparse time | estimator / sparse time | Flex sparse / AttnDsl sparse time | FA2 causal / AttnDsl est.+sparse time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        a = attndsl.get((r["B"], r["H"], r["N"], r["D"]))
        shape = f"B{r['B']} H{r['H']} N{r['N']} D{r['D']}"
        if a is None or any(x not in r for x in ("flex-sparse", "flex-causal", "sdpa-flash")):
            print(f"| {shape} | {r.get('note', 'no AttnDsl row')} |")
            continue
        fs, fc, fa = r["flex-sparse"]["ms"], r["flex-causal"]["ms"], r["sdpa-flash"]["ms"]
        print(f"| {shape} | {a['dense_ms']:.3f} | {a['estimator_ms']:.3f} | {a['sparse_ms']:.3f} | {a['total_ms']:.3f} | "
              f"{100 * a['sparsity_of_causal']:.1f}% | {fs:.3f} | {fc:.3f} | {fa:.3f} | "
              f"{a['dense_ms'] / a['sparse_ms']:.2f}x | {100 * a['estimator_ms'] / a['sparse_ms']:.1f}% | "
              f"{fs / a['sparse_ms']:.2f}x | {fa / a['total_ms']:.2f}x |")


if __name__ == "__main__":
    main()
