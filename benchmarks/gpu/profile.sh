#!/usr/bin/env bash
# Nsight Compute profile of the attention kernels behind one benchmark row, run on the device machine from the
# repository root:
#
#   benchmarks/gpu/profile.sh [--shape BxHxN] [--dims 64,128] [--masks causal,...]
#
# For each (mask, D) it profiles one launch of AttnDsl's kernel (the tensor-core path on sm_80+), of SDPA's flash
# backend (FlashAttention-2) and of FlexAttention on the same shape, and writes the metrics that say what limits a
# FlashAttention-style kernel: tensor-pipe utilization, issue-slot use, shared-memory bank conflicts, registers,
# achieved occupancy and the main stall reasons. Output: $OUT/ncu/<impl>-<mask>-<D>.csv (raw ncu CSV)
# and $OUT/profile.md (one table). Environment: OUT (default .gpu/out), GPUBENCH_TAR.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
OUT=${OUT:-$root/.gpu/out}
mkdir -p "$OUT"
tarball=${GPUBENCH_TAR:-$root/.gpu/gpubench.tar.xz}
shape=1x16x16384; dims=64,128; masks=causal
while [ $# -gt 0 ]; do
    case "$1" in
        --shape) shape=$2; shift 2 ;;
        --dims) dims=$2; shift 2 ;;
        --masks) masks=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

app=$(mktemp -d)
tar xJf "$tarball" -C "$app" || { echo "cannot unpack $tarball" >&2; exit 1; }
chmod +x "$app/AttnDsl.GpuBench" 2>/dev/null || true

metrics=gpu__time_duration.sum,sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active,\
sm__inst_executed.avg.per_cycle_active,sm__warps_active.avg.pct_of_peak_sustained_active,\
launch__registers_per_thread,launch__occupancy_limit_registers,launch__occupancy_limit_shared_mem,\
launch__shared_mem_per_block_dynamic,launch__shared_mem_per_block_static,launch__block_size,\
l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum,\
smsp__average_warps_issue_stalled_barrier_per_issue_active.ratio,smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio,\
smsp__average_warps_issue_stalled_short_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_math_pipe_throttle_per_issue_active.ratio,\
smsp__average_warps_issue_stalled_mio_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_wait_per_issue_active.ratio,\
smsp__average_warps_issue_stalled_not_selected_per_issue_active.ratio,smsp__average_warps_issue_stalled_selected_per_issue_active.ratio,\
smsp__average_warps_issue_stalled_dispatch_stall_per_issue_active.ratio,smsp__average_warps_issue_stalled_no_instruction_per_issue_active.ratio

mkdir -p "$OUT/ncu"
IFS=, read -ra dlist <<< "$dims"
IFS=, read -ra mlist <<< "$masks"
for m in "${mlist[@]}"; do
    for d in "${dlist[@]}"; do
        echo "== $m D$d $shape"
        # The warm-up launches come first; the profiled launch is a timed one.
        timeout 300 ncu --csv --log-file "$OUT/ncu/attndsl-$m-$d.csv" --metrics "$metrics" \
            --kernel-name regex:TensorCoreKernel --launch-skip 2 --launch-count 1 \
            "$app/AttnDsl.GpuBench" --no-check --shapes "$shape" --dims "$d" --masks "$m" --reps 1 --warmup 1 --round-ms 1 \
            > "$OUT/ncu/attndsl-$m-$d.log" 2>&1
        for impl in sdpa-flash flex; do
            case $impl in sdpa-flash) kernel=regex:flash_fwd ;; flex) kernel=regex:triton_tem ;; esac
            timeout 300 ncu --csv --log-file "$OUT/ncu/$impl-$m-$d.csv" --metrics "$metrics" \
                --kernel-name "$kernel" --launch-skip 2 --launch-count 1 \
                python3 "$here/bench_torch.py" --impls "$impl" --shapes "$shape" --dims "$d" --masks "$m" --reps 1 --warmup 1 --round-ms 1 \
                > "$OUT/ncu/$impl-$m-$d.log" 2>&1
        done
    done
done
python3 "$here/profile_report.py" "$OUT/ncu" > "$OUT/profile.md"
cat "$OUT/profile.md"
rm -rf "$app"
