#!/usr/bin/env python3
"""Merges the JSON lines of AttnDsl.GpuBench and bench_torch.py into one markdown table (stdout and --out).

Per row: shape, mask, D, TFLOP/s of AttnDsl, FA2 (SDPA flash backend, or the flash-attn package where SDPA cannot
express the mask), cuDNN (SDPA cuDNN backend) and FlexAttention, the ratios AttnDsl/FA2 and AttnDsl/Flex, and the
first-call times (AttnDsl: per spec, the call that compiles its kernel; Flex: per row, torch.compile for that shape).
"""
import argparse
import json
import os
import subprocess
import sys

MASK_ORDER = ["dense", "causal", "causal-window1024", "document-causal", "causal-alibi"]


def load(path):
    recs = []
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        recs.append(json.loads(line))
                    except json.JSONDecodeError:
                        pass
    return recs


def gpu_info(path):
    text = None
    if path and os.path.exists(path):
        with open(path) as f:
            text = f.read().strip()
    if not text:
        try:
            text = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                                  capture_output=True, text=True, timeout=30).stdout.strip()
        except Exception:
            text = ""
    parts = [p.strip() for p in text.splitlines()[0].split(",")] if text else []
    return (parts + ["?", "?", "?"])[:3]


def fmt_t(x):
    if x is None:
        return "—"
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}" if x >= 1 else f"{x:.3g}"


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    r = a / b
    return f"{r:.2f}" if r >= 0.1 else f"{r:.3f}" if r >= 0.001 else f"{r:.1e}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--attndsl", required=True)
    ap.add_argument("--torch", required=True)
    ap.add_argument("--gpu", default=None, help="nvidia-smi --query-gpu=name,driver_version,memory.total output")
    ap.add_argument("--out", default=None)
    ap.add_argument("--ptxas", default=None, help="run.sh's ptxas -v summary of the AttnDsl tiled kernels")
    ap.add_argument("--command", default=None)
    args = ap.parse_args()

    a_recs, t_recs = load(args.attndsl), load(args.torch)
    a_env = next((r for r in a_recs if r.get("type") == "env"), {})
    t_env = next((r for r in t_recs if r.get("type") == "env"), {})
    rows = {}
    order = []
    for r in a_recs + t_recs:
        if r.get("type") != "row":
            continue
        key = (r["B"], r["H"], r["N"], r["mask"], r["D"])
        if key not in rows:
            rows[key] = {}
            order.append(key)
        rows[key][r["impl"]] = r
    shape_order = []
    for k in order:
        if k[:3] not in shape_order:
            shape_order.append(k[:3])
    order.sort(key=lambda k: (shape_order.index(k[:3]), k[4], MASK_ORDER.index(k[3]) if k[3] in MASK_ORDER else 99))
    checks = [r for r in a_recs if r.get("type") == "check"]
    spec_first = {(r["mask"], r["D"]): r.get("first_call_ms") for r in checks}

    notes = []

    def note_ref(text):
        if text not in notes:
            notes.append(text)
        return f"[{notes.index(text) + 1}]"

    def cell(rec, marker=""):
        if rec is None:
            return "—", None
        if rec.get("status") == "ok":
            mark = marker
            if rec.get("note"):
                mark += note_ref(f"{rec['impl']}: {rec['note']}")
            return fmt_t(rec["tflops"]) + mark, rec["tflops"]
        status = "skip" if rec.get("status") == "skipped" else "err"
        return f"{status} {note_ref(rec['impl'] + ': ' + (rec.get('note') or rec.get('status', '?')))}", None

    name, driver, mem = gpu_info(args.gpu)
    out = []
    w = out.append
    w(f"GPU: {name} ({mem}), driver {driver}")
    if t_env:
        w(f"PyTorch {t_env.get('torch')} (CUDA {t_env.get('cuda')}, cuDNN {t_env.get('cudnn')}); "
          f"flash-attn package: {t_env.get('flash_attn') or 'not available'}")
    if a_env:
        w(f"AttnDsl: ILGPU {a_env.get('ilgpu')}, .NET {a_env.get('dotnet')}, accelerator {a_env.get('device')} "
          f"({a_env.get('accelerator_type')}), kernel path requested: {a_env.get('path_requested')}")
    kernels = sorted({r.get("kernel") for r in a_recs if r.get("type") == "row" and r.get("kernel")})
    if kernels:
        w("AttnDsl kernel: " + "; ".join(kernels))
    if args.command:
        w(f"command: `{args.command}`")
    w("")
    w("TFLOP/s, fp16 in, BHND, self-attention (KV heads = heads). FLOPs: " + (a_env.get("flops_convention") or t_env.get("flops_convention") or "?") + ".")
    w("Time: median of rounds; a round is back-to-back calls between two CUDA events (AttnDsl: ILGPU profiling markers), "
      "sized to about 20 ms; the first call of each row is timed on its own and not included.")
    w("")
    header = ["B", "H", "N", "mask", "D", "AttnDsl", "FA2", "cuDNN", "Flex", "AttnDsl/FA2", "AttnDsl/Flex",
              "AttnDsl 1st call s (per spec)", "Flex 1st call s"]
    w("| " + " | ".join(header) + " |")
    w("|" + "|".join("---:" if i not in (3,) else "---" for i in range(len(header))) + "|")
    for key in order:
        B, H, N, mask, D = key
        impls = rows[key]
        a_cell, a_t = cell(impls.get("attndsl"))
        fa = impls.get("sdpa-flash")
        fa_marker = ""
        if (fa is None or fa.get("status") != "ok") and impls.get("flash-attn", {}).get("status") == "ok":
            fa, fa_marker = impls["flash-attn"], "†"
        elif fa is None:
            fa = impls.get("flash-attn")
        fa_cell, fa_t = cell(fa, fa_marker)
        cu_cell, cu_t = cell(impls.get("sdpa-cudnn"))
        fx_cell, fx_t = cell(impls.get("flex"))
        first = spec_first.get((mask, D))
        if first is None and impls.get("attndsl", {}).get("first_call_compiled"):
            first = impls["attndsl"].get("first_call_ms")
        flex_first = impls.get("flex", {}).get("first_call_ms") if impls.get("flex", {}).get("status") == "ok" else None
        bm = impls.get("flex", {}).get("block_mask_ms")
        bm_s = "" if not bm else f" (+{bm / 1e3:.1f} s mask)" if bm >= 50 else f" (+{bm:.0f} ms mask)"
        flex_first_s = "—" if flex_first is None else f"{flex_first / 1e3:.1f}{bm_s}"
        w("| " + " | ".join([str(B), str(H), str(N), mask, str(D), a_cell, fa_cell, cu_cell, fx_cell,
                             fmt_ratio(a_t, fa_t), fmt_ratio(a_t, fx_t),
                             "—" if first is None else f"{first / 1e3:.1f}", flex_first_s]) + " |")
    w("")
    w("† FA2 from the flash-attn package (window_size / alibi_slopes), not SDPA. "
      "Flex 1st call: torch.compile of that mask kind for that shape (dynamic=False), plus create_block_mask once per mask and N (B, N for documents) in parentheses.")
    if notes:
        w("")
        w("Notes:")
        for i, n in enumerate(notes):
            w(f"{i + 1}. {n}")

    # Checks
    w("")
    w("Correctness:")
    if checks:
        for r in checks:
            if r.get("status") in ("pass", "fail"):
                w(f"- AttnDsl {r['mask']} D{r['D']} on B{r['B']} H{r['H']} N{r['N']} vs AttentionReference: {r['status'].upper()} "
                  f"(output {r.get('output_error', float('nan')):.1e} <= {r.get('output_tolerance', float('nan')):.1e}, "
                  f"LSE {r.get('lse_error', float('nan')):.1e} <= {r.get('lse_tolerance', float('nan')):.0e})")
            else:
                w(f"- AttnDsl {r['mask']} D{r['D']}: {r.get('status')}: {r.get('note')}")
    else:
        w("- AttnDsl: no check records")
    errs = [r for r in t_recs if r.get("type") == "row" and r.get("max_abs_err_vs_fp32_ref") is not None]
    if errs:
        worst = {}
        for r in errs:
            k = r["impl"]
            worst[k] = max(worst.get(k, 0.0), r["max_abs_err_vs_fp32_ref"])
        w("- PyTorch rows with N <= 1024 vs an fp32 reference with the same explicit masks/bias: max |err| "
          + ", ".join(f"{k} {v:.1e}" for k, v in sorted(worst.items())))
    hashes_a = {(r["B"], r["N"]): r.get("doc_ids_hash") for r in a_recs if r.get("type") == "row" and r.get("doc_ids_hash")}
    hashes_t = {(r["B"], r["N"]): r.get("doc_ids_hash") for r in t_recs if r.get("type") == "row" and r.get("doc_ids_hash")}
    common = set(hashes_a) & set(hashes_t)
    if common:
        same = all(hashes_a[k] == hashes_t[k] for k in common)
        w(f"- document ids identical on both sides (FNV-1a of the ids, {len(common)} shapes): {'yes' if same else 'NO'}")
    failed = [r for r in a_recs + t_recs if r.get("type") == "row" and r.get("status") == "error"]
    if failed:
        w(f"- {len(failed)} row(s) ended in an error (see notes)")
        known = {"attndsl", "sdpa-flash", "flash-attn", "sdpa-cudnn", "flex"}
        for r in failed:
            if r.get("impl") not in known:
                w(f"  - {r.get('impl')} B{r.get('B')} H{r.get('H')} N{r.get('N')} {r.get('mask')} D{r.get('D')}: {r.get('note')}")

    if args.ptxas and os.path.exists(args.ptxas):
        with open(args.ptxas) as f:
            lines = [l.rstrip() for l in f if l.strip()]
        if lines:
            w("")
            w("AttnDsl portable tiled kernels, `ptxas -arch=sm_90 -v` on ILGPU's PTX:")
            for l in lines:
                w(f"- {l}")

    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
