"""Report time at 1x and 10x data, per kind of report, and the ratio (target: 10x data in at most 12x the time).

    .venv/bin/python bench/report_scaling.py [--repeat 3] [--rebuild]

Against PostgreSQL: residency_bench_1x (seed_scale --factor 0.1) and residency_bench_10x (seed_scale, the default
scale), built when missing (see bench/common.py). Each kind (cohort, mentor, annual) is computed with
reports.services.compute on a run made for the purpose (and deleted afterwards) with the parameters chosen by
common.report_targets; the figure is the median of --repeat computations after one warm-up, and the number of
queries of one computation (it must be the same at both sizes).
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

KINDS = ("cohort", "mentor", "annual")


def make_runs() -> dict:
    from organization.models import AcademicYear, Department
    from reports.models import ReportRun

    t = common.report_targets()
    department = Department.objects.get(pk=t["department"])
    year = AcademicYear.objects.get(pk=t["year"])
    return {
        "cohort": ReportRun.objects.create(kind="cohort", department=department, cohort_id=t["cohort"]),
        "mentor": ReportRun.objects.create(kind="mentor", department=department, mentor_id=t["mentor"],
                                           academic_year=year),
        "annual": ReportRun.objects.create(kind="annual", department=department, academic_year=year),
    }


def child(repeat: int) -> dict:
    common.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.services import compute

    runs = make_runs()
    out = {}
    try:
        for kind, run in runs.items():
            times = common.timed(lambda run=run: compute(run), repeat)
            with CaptureQueriesContext(connection) as ctx:
                compute(run)
            out[kind] = {"median": common.median(times), "min": min(times), "queries": len(ctx.captured_queries)}
    finally:
        for run in runs.values():
            run.delete()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="drop and build the databases again")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.repeat)))
        return
    figures = {key: common.run_child("report_scaling.py", common.ensure(key, rebuild=args.rebuild),
                                     "--repeat", str(args.repeat)) for key in ("1x", "10x")}
    rows = []
    for kind in KINDS:
        small, big = figures["1x"][kind], figures["10x"][kind]
        ratio = big["median"] / small["median"]
        rows.append([kind, small["median"], big["median"], f"{ratio:.1f}x", f"{small['queries']}/{big['queries']}",
                     "ok" if ratio <= 12 else "MISSED"])
    print(f"Report time, seconds (median of {args.repeat}); 1x = seed_scale --factor 0.1, 10x = default scale")
    common.print_table(["report", "1x s", "10x s", "10x/1x", "queries 1x/10x", "target <= 12x"], rows)


if __name__ == "__main__":
    main()
