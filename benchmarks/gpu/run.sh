#!/usr/bin/env bash
# The one command of the GPU benchmark, run on the device machine from the repository root:
#
#   benchmarks/gpu/run.sh [--full] [--shapes BxHxN,...] [--dims 64,128] [--masks m,...] [--reps N] [--seed N]
#
# It unpacks the published AttnDsl.GpuBench (.gpu/gpubench.tar.xz, see docs/benchmarks.md for the publish step),
# runs it, then benchmarks/gpu/bench_torch.py on the same grid (the arguments above go to both), and merges both
# JSON-lines files with benchmarks/gpu/report.py into $OUT/benchmarks.md (also printed).
# Environment: OUT (output folder, default .gpu/out), GPUBENCH_TAR, ATTNDSL_ARGS / TORCH_ARGS (extra arguments for
# one side only), ATTNDSL_DEADLINE_S / TORCH_DEADLINE_S (soft: remaining rows are skipped and reported as such),
# ATTNDSL_TIMEOUT_S / TORCH_TIMEOUT_S (hard limits), PTXAS_REPORT=0 (skip the ptxas register report, which compiles
# every spec's kernels once more).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
OUT=${OUT:-$root/.gpu/out}
mkdir -p "$OUT"
tarball=${GPUBENCH_TAR:-$root/.gpu/gpubench.tar.xz}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$OUT/gpu.txt" 2>/dev/null || true
echo "GPU: $(head -1 "$OUT/gpu.txt")"

app=$(mktemp -d)
if ! tar xJf "$tarball" -C "$app"; then
    echo "cannot unpack $tarball" >&2
    exit 1
fi
chmod +x "$app/AttnDsl.GpuBench" 2>/dev/null || true

echo "== AttnDsl.GpuBench $*"
timeout "${ATTNDSL_TIMEOUT_S:-900}" "$app/AttnDsl.GpuBench" --json "$OUT/attndsl.jsonl" \
    --deadline-s "${ATTNDSL_DEADLINE_S:-0}" "$@" ${ATTNDSL_ARGS:-} 2>&1 | tee "$OUT/attndsl.log"
echo "AttnDsl.GpuBench exit: ${PIPESTATUS[0]}"

echo "== bench_torch.py $*"
timeout "${TORCH_TIMEOUT_S:-1800}" python3 "$here/bench_torch.py" --json "$OUT/torch.jsonl" \
    --deadline-s "${TORCH_DEADLINE_S:-0}" "$@" ${TORCH_ARGS:-} 2>&1 | tee "$OUT/torch.log"
echo "bench_torch.py exit: ${PIPESTATUS[0]}"

# Registers, stack and spills of the portable tiled and tensor-core kernels (ILGPU PTX for SM_90, sm_90a for the wgmma
# kernels -> ptxas -v; ptxas's wgmma serialization warnings too), when ptxas exists.
if [ "${PTXAS_REPORT:-1}" != 0 ] && command -v ptxas >/dev/null 2>&1; then
    ptx=$(mktemp -d)
    "$app/AttnDsl.GpuBench" --dump-ptx "$ptx" > /dev/null 2>&1
    for f in "$ptx"/*.ptx; do
        arch=sm_90; case "$f" in *.wg.ptx) arch=sm_90a ;; esac  # the warpgroup (wgmma) kernels target sm_90a
        echo "$(basename "$f" .ptx): $(ptxas -arch=$arch -v "$f" -o /dev/null 2>&1 | grep -E 'Used|spill|wgmma' | sed 's/ptxas info *: //' | tr '\n' ' ')"
    done > "$OUT/ptxas.txt"
    cat "$OUT/ptxas.txt"
    rm -rf "$ptx"
fi

python3 "$here/report.py" --attndsl "$OUT/attndsl.jsonl" --torch "$OUT/torch.jsonl" --gpu "$OUT/gpu.txt" \
    --ptxas "$OUT/ptxas.txt" --out "$OUT/benchmarks.md" --command "benchmarks/gpu/run.sh $*"
rm -rf "$app"
