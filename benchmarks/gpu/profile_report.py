#!/usr/bin/env python3
"""One Markdown table from the ncu CSV files of profile.sh: a column per profiled kernel, a row per metric."""
import csv
import os
import sys

ROWS = [
    ("gpu__time_duration.sum", "duration"),
    ("sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active", "tensor pipe active (% of peak)"),
    ("sm__inst_executed.avg.per_cycle_active", "instructions issued per cycle (SM)"),
    ("sm__warps_active.avg.pct_of_peak_sustained_active", "achieved occupancy (% of 64 warps)"),
    ("launch__block_size", "threads per block"),
    ("launch__registers_per_thread", "registers per thread"),
    ("launch__occupancy_limit_registers", "blocks per SM (register limit)"),
    ("launch__occupancy_limit_shared_mem", "blocks per SM (shared-memory limit)"),
    ("launch__shared_mem_per_block_dynamic", "dynamic shared memory per block"),
    ("l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum", "shared-load bank conflicts"),
    ("l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum", "shared-load wavefronts"),
    ("smsp__average_warps_issue_stalled_barrier_per_issue_active.ratio", "stall: barrier (warps per issue)"),
    ("smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio", "stall: long scoreboard (global/local) (warps per issue)"),
    ("smsp__average_warps_issue_stalled_short_scoreboard_per_issue_active.ratio", "stall: short scoreboard (shared, MUFU) (warps per issue)"),
    ("smsp__average_warps_issue_stalled_math_pipe_throttle_per_issue_active.ratio", "stall: math pipe throttle (warps per issue)"),
    ("smsp__average_warps_issue_stalled_mio_throttle_per_issue_active.ratio", "stall: MIO throttle (warps per issue)"),
    ("smsp__average_warps_issue_stalled_wait_per_issue_active.ratio", "stall: fixed-latency wait (warps per issue)"),
    ("smsp__average_warps_issue_stalled_not_selected_per_issue_active.ratio", "stall: not selected (warps per issue)"),
    ("smsp__average_warps_issue_stalled_selected_per_issue_active.ratio", "selected (warps per issue)"),
    ("smsp__average_warps_issue_stalled_dispatch_stall_per_issue_active.ratio", "stall: dispatch (warps per issue)"),
    ("smsp__average_warps_issue_stalled_no_instruction_per_issue_active.ratio", "stall: no instruction (warps per issue)"),
]


def read(path):
    """Metric name -> (value, unit, kernel name) from one ncu --csv log."""
    values = {}
    with open(path, newline="") as f:
        lines = [l for l in f if l.startswith('"')]
    for row in csv.DictReader(lines):
        name = row.get("Metric Name")
        if name:
            values[name] = (row.get("Metric Value", ""), row.get("Metric Unit", ""), row.get("Kernel Name", ""))
    return values


def main():
    folder = sys.argv[1]
    files = sorted(f for f in os.listdir(folder) if f.endswith(".csv"))
    columns = []
    for f in files:
        try:
            values = read(os.path.join(folder, f))
        except (OSError, csv.Error) as e:
            print(f"{f}: unreadable ({e})", file=sys.stderr)
            continue
        if values:
            columns.append((f[:-4], values))
        else:
            print(f"{f}: no metrics (kernel not matched or profiling failed; see the .log beside it)", file=sys.stderr)
    if not columns:
        print("no profiled kernels")
        return 1
    print("| metric | " + " | ".join(c for c, _ in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for key, label in ROWS:
        cells = []
        for _, values in columns:
            v = values.get(key)
            cells.append(f"{v[0]} {v[1]}".strip() if v else "")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()
    for c, values in columns:
        kernel = next(iter(values.values()))[2]
        print(f"- {c}: `{kernel[:120]}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
