"""The report worker's peak memory at the default scale (target: at most 512 MB).

    .venv/bin/python bench/worker_memory.py [--scale 10x|1x] [--rebuild]

A child process plays the worker: it runs the report task's body (reports.tasks.run_report, i.e.
report_execute: claim, compute, XLSX and CSV exports, store) for a cohort, a mentor and an annual monitoring run
of residency_bench_10x (seed_scale, the default scale; built when missing, see bench/common.py), one after the
other as a worker with the solo pool would, and reports its peak resident memory (getrusage ru_maxrss) after
start-up and after each report. The runs are deleted afterwards.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def child() -> dict:
    common.setup()
    from report_scaling import make_runs

    from reports.tasks import run_report

    out = {"start-up": {"peak_mb": peak_mb(), "seconds": 0.0, "state": ""}}
    runs = make_runs()
    try:
        for kind, run in runs.items():
            started = time.perf_counter()
            state = run_report(run.pk)
            run.refresh_from_db()
            out[kind] = {"peak_mb": peak_mb(), "seconds": time.perf_counter() - started,
                         "state": f"{state}: {run.error[:80]}" if run.error else state,
                         "files_kb": sum(f.size for f in run.files.all()) / 1024}
    finally:
        for run in runs.values():
            run.delete()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["10x", "1x"], default="10x")
    parser.add_argument("--rebuild", action="store_true", help="drop and build the database again")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child()))
        return
    figures = common.run_child("worker_memory.py", common.ensure(args.scale, rebuild=args.rebuild))
    rows = [[step, f["state"], f["seconds"], f"{f.get('files_kb', 0):,.0f}", f"{f['peak_mb']:.0f}"]
            for step, f in figures.items()]
    peak = max(f["peak_mb"] for f in figures.values())
    print(f"Report worker at {args.scale} (residency_bench_{args.scale}): peak RSS after each step")
    common.print_table(["step", "result", "seconds", "files KB", "peak MB"], rows)
    print(f"peak {peak:.0f} MB: {'ok' if peak <= 512 else 'MISSED'} (target <= 512 MB)")


if __name__ == "__main__":
    main()
