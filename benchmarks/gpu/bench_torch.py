#!/usr/bin/env python3
"""PyTorch side of the AttnDsl GPU benchmark (benchmarks/gpu/run.sh runs it beside AttnDsl.GpuBench).

Times, on the same grid, masks and FLOP convention as benchmarks/AttnDsl.GpuBench, fp16, BHND:
  sdpa-flash  F.scaled_dot_product_attention under sdpa_kernel(FLASH_ATTENTION) (FlashAttention-2)
  flash-attn  the flash-attn package (FlashAttention-2) where SDPA has no argument for the mask
              (sliding window: window_size; ALiBi: alibi_slopes), only if the package is installed
  sdpa-cudnn  F.scaled_dot_product_attention under sdpa_kernel(CUDNN_ATTENTION)
  flex        torch.compile'd flex_attention with create_block_mask; one compiled function per mask kind,
              module-level mask/score mods (no per-call lambdas, so no recompile-limit fallback)

Timing as ../shared/gpu/anchors_bench.py (CUDA events, warm-up), made per round: a round is `inner` back-to-back
calls between two events (inner chosen so a round lasts about --round-ms), the median of --reps rounds is reported.
The first call of each row is timed separately (host clock, synchronized): for Flex it includes the torch.compile
of that mask kind for that shape.

FLOPs: 4*B*H*N^2*D dense, half of that for causal and causal+ALiBi (the anchors' convention), and 4*H*D*(exact
number of visible query-key pairs) for causal+window and document+causal.

Output: one JSON object per line (--json), flushed per line.
"""
import argparse
import contextlib
import json
import math
import os
import statistics
import sys
import time
import traceback

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from attn_masks import (CONVENTION, MASKS, WINDOW, alibi_slopes, convention_flops, document_ids,  # noqa: E402
                        fnv1a, visible_pairs)

DEV = "cuda"


# ---------------------------------------------------------------------------------------------------------------
# FlexAttention: module-level mods and one compiled function per mask kind
# ---------------------------------------------------------------------------------------------------------------

DOC_IDS = None        # (B, N) int32 on the device, set per shape
ALIBI_SLOPES = None   # (H,) float32 on the device, set per shape


def causal_mod(b, h, q, kv):
    return q >= kv


def window_mod(b, h, q, kv):
    return (q >= kv) & (q - kv <= WINDOW)


def document_mod(b, h, q, kv):
    return (DOC_IDS[b, q] == DOC_IDS[b, kv]) & (q >= kv)


def alibi_score(score, b, h, q, kv):
    return score - ALIBI_SLOPES[h] * (q - kv).abs()


SOFTCAP = 50.0


def softcap_score(score, b, h, q, kv):
    return SOFTCAP * torch.tanh(score / SOFTCAP)


FLEX_SOFTCAP = None  # built in main, beside FLEX


MASK_MODS = {
    "dense": None,
    "causal": causal_mod,
    "causal-window1024": window_mod,
    "document-causal": document_mod,
    "causal-alibi": causal_mod,
}


def _make_flex(score_mod):
    def run(q, k, v, block_mask):
        return flex_attention(q, k, v, score_mod=score_mod, block_mask=block_mask)
    return torch.compile(run, dynamic=False)


FLEX = None  # built in main (after the dynamo limits are raised)


# ---------------------------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------------------------

def time_fn(fn, args):
    """First call (host clock), warm-up, then rounds of `inner` calls between CUDA events; ms per call."""
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    fn()
    torch.cuda.synchronize()
    first = (time.perf_counter() - t0) * 1e3
    est = float("inf")
    for _ in range(args.warmup):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        est = min(est, (time.perf_counter() - t0) * 1e3)
    inner = int(min(1000, max(1, math.ceil(args.round_ms / max(est, 1e-3)))))
    rounds = args.reps
    if rounds * inner * est > args.row_budget_s * 1e3:
        rounds = max(3, int(args.row_budget_s * 1e3 / (inner * est)))
    times = []
    for _ in range(rounds):
        st = torch.cuda.Event(enable_timing=True)
        en = torch.cuda.Event(enable_timing=True)
        st.record()
        for _ in range(inner):
            fn()
        en.record()
        en.synchronize()
        times.append(st.elapsed_time(en) / inner)
    return dict(first_call_ms=first, ms=statistics.median(times), ms_min=min(times), times_ms=times,
                rounds=rounds, inner=inner)


# ---------------------------------------------------------------------------------------------------------------
# Dense references and bias tensors
# ---------------------------------------------------------------------------------------------------------------

def visible_matrix(mask, n, batch_ids=None):
    """(1 or B, 1, N, N) bool: which keys each query sees (ALiBi is a score term, not a mask)."""
    i = torch.arange(n, device=DEV).view(n, 1)
    j = torch.arange(n, device=DEV).view(1, n)
    if mask == "dense":
        return torch.ones(1, 1, n, n, dtype=torch.bool, device=DEV)
    vis = j <= i
    if mask == "causal-window1024":
        vis = vis & (i - j <= WINDOW)
    vis = vis.view(1, 1, n, n)
    if mask == "document-causal":
        same = batch_ids[:, :, None] == batch_ids[:, None, :]
        vis = vis & same[:, None]
    return vis


def additive_bias(mask, heads, n, slopes, dtype):
    """(1, H, N, N) additive bias for causal+ALiBi (-inf above the diagonal), built head by head."""
    bias = torch.empty(1, heads, n, n, dtype=dtype, device=DEV)
    i = torch.arange(n, device=DEV).view(n, 1)
    j = torch.arange(n, device=DEV).view(1, n)
    dist = (i - j).abs().to(torch.float32)
    above = j > i
    for h in range(heads):
        bias[0, h] = (-slopes[h] * dist).masked_fill(above, float("-inf")).to(dtype)
    del dist, above
    return bias


def reference(q, k, v, mask, ids_t, slopes_t):
    """fp32 exact attention with explicit masks (small shapes only)."""
    b, h, n, d = q.shape
    s = torch.matmul(q.float(), k.float().transpose(-1, -2)) / math.sqrt(d)
    if mask == "causal-alibi":
        i = torch.arange(n, device=DEV).view(n, 1)
        j = torch.arange(n, device=DEV).view(1, n)
        s = s - slopes_t.view(1, h, 1, 1) * (i - j).abs().float()
    vis = visible_matrix(mask, n, ids_t)
    s = s.masked_fill(~vis, float("-inf"))
    p = torch.softmax(s, dim=-1)
    return torch.matmul(p, v.float())


# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------

def parse_shape(text):
    b, h, n = (int(x) for x in text.split("x"))
    return (b, h, n)


def grid(args):
    if args.shapes:
        return [parse_shape(s) for s in args.shapes.split(",") if s.strip()]
    shapes = []
    if args.full:
        for b in (1, 2, 4):
            for n in (1024, 4096, 16384, 32768):
                shapes.append((b, 16, n))
    else:
        for n in (1024, 4096, 16384):
            shapes.append((1, 16, n))
    shapes.append((4, 32, 4096))
    return shapes


class Out:
    def __init__(self, path):
        self.f = open(path, "w") if path else None

    def write(self, rec):
        clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in rec.items()}
        if self.f:
            self.f.write(json.dumps(clean) + "\n")
            self.f.flush()


def main():
    global DOC_IDS, ALIBI_SLOPES, FLEX, FLEX_SOFTCAP
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", default=None)
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--shapes", default=None, help="BxHxN,... (overrides the grid)")
    ap.add_argument("--dims", default="64,128")
    ap.add_argument("--masks", default=",".join(MASKS))
    ap.add_argument("--impls", default="sdpa-flash,flash-attn,sdpa-cudnn,flex")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--round-ms", type=float, default=20.0)
    ap.add_argument("--row-budget-s", type=float, default=8.0)
    ap.add_argument("--deadline-s", type=float, default=0.0, help="skip the remaining rows after this many seconds")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--doc-min", type=int, default=512)
    ap.add_argument("--doc-max", type=int, default=4096)
    ap.add_argument("--bias-limit-gib", type=float, default=8.0,
                    help="largest (1, H, N, N) fp16 bias tensor built for SDPA ALiBi")
    ap.add_argument("--check-max-n", type=int, default=1024,
                    help="rows with N <= this are checked against an fp32 reference with explicit masks")
    args = ap.parse_args()

    clock = time.perf_counter()
    out = Out(args.json)
    dims = [int(x) for x in args.dims.split(",") if x.strip()]
    masks = [m for m in args.masks.split(",") if m.strip()]
    impls = [x for x in args.impls.split(",") if x.strip()]
    for m in masks:
        if m not in MASKS:
            sys.exit(f"unknown mask {m}")

    # One compiled function per mask kind; each new shape recompiles it once (dynamic=False), so raise the
    # per-function recompile limit above the number of shapes in the grid.
    limit = 4 * len(grid(args)) * len(dims) + 8
    for name in ("cache_size_limit", "recompile_limit"):
        if hasattr(torch._dynamo.config, name):
            setattr(torch._dynamo.config, name, max(getattr(torch._dynamo.config, name), limit))
    FLEX = {m: _make_flex(alibi_score if m == "causal-alibi" else None) for m in MASKS}
    FLEX_SOFTCAP = _make_flex(softcap_score)

    try:
        import flash_attn  # noqa: F401
        from flash_attn import flash_attn_func
        fa_version = getattr(flash_attn, "__version__", "?")
    except Exception as e:  # not installed on the device image, or built for another torch
        flash_attn_func, fa_version = None, None
        fa_error = f"{type(e).__name__}: {e}"
    else:
        fa_error = None

    torch.manual_seed(args.seed)
    env = dict(type="env", impl="torch", torch=torch.__version__, cuda=torch.version.cuda,
               cudnn=torch.backends.cudnn.version(), device=torch.cuda.get_device_name(),
               capability=".".join(map(str, torch.cuda.get_device_capability())),
               flash_attn=fa_version, flash_attn_error=fa_error, reps=args.reps, warmup=args.warmup,
               round_ms=args.round_ms, seed=args.seed, doc_min=args.doc_min, doc_max=args.doc_max,
               flops_convention=CONVENTION,
               timing="CUDA events around rounds of back-to-back calls; median of rounds")
    out.write(env)
    print(f"torch {torch.__version__} CUDA {torch.version.cuda} cuDNN {env['cudnn']} on {env['device']}; "
          f"flash-attn {fa_version or 'not available (' + str(fa_error) + ')'}", flush=True)

    block_masks = {}
    for (B, H, N) in grid(args):
        ids_rows = document_ids(B, N, args.seed, args.doc_min, args.doc_max) if "document-causal" in masks else None
        ids_hash = fnv1a(ids_rows) if ids_rows else None
        DOC_IDS = torch.tensor(ids_rows, dtype=torch.int32, device=DEV) if ids_rows else None
        slopes = alibi_slopes(H)
        ALIBI_SLOPES = torch.tensor(slopes, dtype=torch.float32, device=DEV)
        for D in dims:
            try:
                q, k, v = (torch.randn(B, H, N, D, device=DEV, dtype=torch.float16) for _ in range(3))
            except torch.cuda.OutOfMemoryError as e:
                for mask in masks:
                    for impl in impls:
                        out.write(dict(type="row", impl=impl, mask=mask, B=B, H=H, N=N, D=D, status="skipped",
                                       note=f"inputs do not fit: {e}"[:300]))
                continue
            check = N <= args.check_max_n
            for mask in masks:
                try:
                    pairs = visible_pairs(mask, B, N, ids_rows)
                    flops = convention_flops(mask, B, H, N, D, pairs)
                    ref = reference(q, k, v, mask, DOC_IDS, ALIBI_SLOPES) if check else None
                    base = dict(type="row", mask=mask, B=B, H=H, N=N, D=D, visible_pairs=pairs * H, flops=flops,
                                device=env["device"])
                    if mask == "document-causal":
                        base.update(doc_ids_hash=ids_hash, documents=sum(r[-1] + 1 for r in ids_rows))

                    def emit(impl, fn, note=None, extra=None, layout_back=None, backend=None, check=True):
                        rec = dict(base, impl=impl)
                        if note:
                            rec["note"] = note
                        if extra:
                            rec.update(extra)
                        if args.deadline_s and time.perf_counter() - clock > args.deadline_s:
                            rec.update(status="skipped", note="deadline reached before this row")
                            out.write(rec)
                            return
                        try:
                            ctx = sdpa_kernel(backend) if backend is not None else contextlib.nullcontext()
                            with ctx:
                                rec.update(time_fn(fn, args))
                            rec["status"] = "ok"
                            rec["tflops"] = flops / (rec["ms"] * 1e-3) / 1e12
                            if ref is not None and check:
                                with (sdpa_kernel(backend) if backend is not None else contextlib.nullcontext()):
                                    o = fn()
                                if layout_back:
                                    o = layout_back(o)
                                rec["max_abs_err_vs_fp32_ref"] = (o.float() - ref).abs().max().item()
                            print(f"  {impl:10s} {mask:18s} B{B} H{H} N{N} D{D}: first {rec['first_call_ms']:9.1f} ms  "
                                  f"median {rec['ms']:8.3f} ms x{rec['rounds']}x{rec['inner']}  {rec['tflops']:7.1f} TFLOP/s"
                                  + (f"  err {rec['max_abs_err_vs_fp32_ref']:.1e}" if ref is not None else ""), flush=True)
                        except Exception as e:
                            rec.update(status="error", note=(f"{note}; " if note else "") + f"{type(e).__name__}: {str(e)[:300]}")
                            print(f"  {impl:10s} {mask:18s} B{B} H{H} N{N} D{D}: ERROR {type(e).__name__}: {str(e)[:200]}", flush=True)
                            if os.environ.get("BENCH_TRACE"):
                                traceback.print_exc()
                        out.write(rec)

                    def skip(impl, note):
                        out.write(dict(base, impl=impl, status="skipped", note=note))

                    # --- SDPA flash (FlashAttention-2) and the flash-attn package where SDPA cannot express the mask
                    if "sdpa-flash" in impls:
                        if mask in ("dense", "causal"):
                            def f_flash(causal=(mask == "causal")):
                                return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
                            emit("sdpa-flash", f_flash, backend=SDPBackend.FLASH_ATTENTION)
                        elif mask == "document-causal":
                            skip("sdpa-flash", "SDPA has no document (varlen) mask; the flash backend takes no attn_mask")
                        else:
                            skip("sdpa-flash", "SDPA's flash backend takes no attn_mask and has no window/ALiBi argument"
                                 + ("; see flash-attn" if flash_attn_func and "flash-attn" in impls else ""))
                    if "flash-attn" in impls and mask in ("causal-window1024", "causal-alibi"):
                        if flash_attn_func is None:
                            skip("flash-attn", f"flash-attn package not available on the device: {fa_error}")
                        else:
                            qt, kt, vt = (x.transpose(1, 2).contiguous() for x in (q, k, v))  # (B, N, H, D)
                            if mask == "causal-window1024":
                                def f_fa():
                                    return flash_attn_func(qt, kt, vt, causal=True, window_size=(WINDOW, 0))
                                emit("flash-attn", f_fa, note=f"flash-attn {fa_version} window_size=({WINDOW}, 0)",
                                     layout_back=lambda o: o.transpose(1, 2))
                            else:
                                def f_fa():
                                    return flash_attn_func(qt, kt, vt, causal=True, alibi_slopes=ALIBI_SLOPES)
                                emit("flash-attn", f_fa, note=f"flash-attn {fa_version} alibi_slopes",
                                     layout_back=lambda o: o.transpose(1, 2))
                            del qt, kt, vt

                    # --- SDPA cuDNN
                    if "sdpa-cudnn" in impls:
                        if mask in ("dense", "causal"):
                            def f_cudnn(causal=(mask == "causal")):
                                return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
                            emit("sdpa-cudnn", f_cudnn, backend=SDPBackend.CUDNN_ATTENTION)
                        elif mask == "document-causal":
                            skip("sdpa-cudnn", "SDPA has no document (varlen) mask")
                        elif mask == "causal-window1024":
                            gib = N * N * 2 / 2**30
                            if gib > args.bias_limit_gib:
                                skip("sdpa-cudnn", f"(1, 1, N, N) fp16 window mask would take {gib:.1f} GiB > {args.bias_limit_gib}")
                            else:
                                vis = visible_matrix(mask, N)
                                bias = torch.zeros(1, 1, N, N, dtype=torch.float16, device=DEV).masked_fill(~vis, float("-inf"))
                                del vis

                                def f_cudnn_w():
                                    return F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
                                emit("sdpa-cudnn", f_cudnn_w, backend=SDPBackend.CUDNN_ATTENTION,
                                     note="window as a dense additive (1,1,N,N) mask: every block computed")
                                del bias
                        elif mask == "causal-alibi":
                            gib = H * N * N * 2 / 2**30
                            if gib > args.bias_limit_gib:
                                skip("sdpa-cudnn", f"(1, H, N, N) fp16 ALiBi bias would take {gib:.1f} GiB > {args.bias_limit_gib}")
                            else:
                                try:
                                    bias = additive_bias(mask, H, N, slopes, torch.float16)
                                except torch.cuda.OutOfMemoryError as e:
                                    skip("sdpa-cudnn", f"ALiBi bias does not fit: {str(e)[:200]}")
                                    bias = None
                                if bias is not None:
                                    def f_cudnn_a():
                                        return F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
                                    emit("sdpa-cudnn", f_cudnn_a, backend=SDPBackend.CUDNN_ATTENTION, note=f"ALiBi + causal as a (1,H,N,N) fp16 additive bias ({gib:.2f} GiB): every block computed")
                                    del bias
                        torch.cuda.empty_cache()

                    # --- FlexAttention
                    if "flex" in impls:
                        mod = MASK_MODS[mask]
                        extra = {}
                        bm, ok = None, True
                        if mod is not None:
                            # Batch-independent masks broadcast one (1, 1) block mask over B and H, cached per N;
                            # document masks need one per batch row, cached per (B, N).
                            key = (mask, B if mask == "document-causal" else None, N)
                            if key not in block_masks:
                                try:
                                    torch.cuda.synchronize()
                                    t0 = time.perf_counter()
                                    block_masks[key] = create_block_mask(mod, key[1], None, N, N, device=DEV)
                                    torch.cuda.synchronize()
                                    extra["block_mask_ms"] = (time.perf_counter() - t0) * 1e3
                                except Exception as e:
                                    block_masks[key] = e
                            bm = block_masks[key]
                            if isinstance(bm, Exception):
                                skip("flex", f"create_block_mask failed: {type(bm).__name__}: {str(bm)[:200]}")
                                ok = False
                        if ok:
                            fn_c = FLEX[mask]

                            def f_flex(bm=bm):
                                return fn_c(q, k, v, bm)
                            emit("flex", f_flex, extra=extra)
                            if mask == "causal":
                                # Gemma-2's soft-cap as a score_mod on the same block mask: the twin of [Causal, SoftCap(50)]
                                # (its error is against the plain causal reference, so it is not reported).
                                def f_flex_softcap(bm=bm):
                                    return FLEX_SOFTCAP(q, k, v, bm)
                                emit("flex-softcap50", f_flex_softcap, check=False)
                    del ref
                except Exception as e:  # keep going: one broken row must not cost the rest of the device run
                    print(f"  {mask} B{B} H{H} N{N} D{D}: ERROR {type(e).__name__}: {str(e)[:300]}", flush=True)
                    traceback.print_exc()
                    out.write(dict(type="row", impl="bench_torch", mask=mask, B=B, H=H, N=N, D=D, status="error",
                                   note=f"{type(e).__name__}: {str(e)[:300]}"))
                    ref = None
                    torch.cuda.empty_cache()
            del q, k, v
            torch.cuda.empty_cache()
        # Document block masks of this (B, N) are not reused by later shapes.
        for stale in [key for key in block_masks if key[1] is not None]:
            del block_masks[stale]
        DOC_IDS = None
        torch.cuda.empty_cache()
    print(f"done in {time.perf_counter() - clock:.1f} s", flush=True)


if __name__ == "__main__":
    main()
