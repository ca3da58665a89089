#!/usr/bin/env bash
# The block-sparse rows of the GPU benchmark, run on the device machine from the repository root:
#
#   benchmarks/gpu/run_sparse.sh [--sparse-shape BxHxN] [--reps N]
#
# AttnDsl.GpuBench --sparse (dense causal, [BlockSelect] estimator, sparse kernel on the selection, D=128 fp16;
# checked first on a small shape) writes the selection as FlexAttention's int32 tensors; bench_sparse_torch.py then
# times FlexAttention on that same BlockMask, dense causal Flex and FlashAttention-2, and prints one table.
# Environment: OUT (default .gpu/out; gets sparse-attndsl.jsonl, sparse-torch.jsonl, sparse.md and the logs),
# GPUBENCH_TAR, SPARSE_DIR (where the selections go; default a temporary folder).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
OUT=${OUT:-$root/.gpu/out}
mkdir -p "$OUT"
tarball=${GPUBENCH_TAR:-$root/.gpu/gpubench.tar.xz}
dir=${SPARSE_DIR:-$(mktemp -d)}
mkdir -p "$dir"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$OUT/gpu.txt" 2>/dev/null || true
echo "GPU: $(head -1 "$OUT/gpu.txt")"

app=$(mktemp -d)
tar xJf "$tarball" -C "$app" || { echo "cannot unpack $tarball" >&2; exit 1; }
chmod +x "$app/AttnDsl.GpuBench" 2>/dev/null || true

echo "== AttnDsl.GpuBench --sparse $dir $*"
timeout "${ATTNDSL_TIMEOUT_S:-400}" "$app/AttnDsl.GpuBench" --sparse "$dir" --json "$dir/attndsl.jsonl" "$@" 2>&1 | tee "$OUT/sparse-attndsl.log"
echo "AttnDsl.GpuBench exit: ${PIPESTATUS[0]}"
cp "$dir/attndsl.jsonl" "$OUT/sparse-attndsl.jsonl" 2>/dev/null || true

echo "== bench_sparse_torch.py $dir"
timeout "${TORCH_TIMEOUT_S:-400}" python3 "$here/bench_sparse_torch.py" "$dir" --json "$OUT/sparse-torch.jsonl" 2>&1 | tee "$OUT/sparse.md"
echo "bench_sparse_torch.py exit: ${PIPESTATUS[0]}"
rm -rf "$app"
