"""Report sections (the ORM code in reports/sections/) against the same figures computed by hand-written SQL, one
query per section, and the time ratio ORM / SQL (target: at most 2x).

    .venv/bin/python bench/report_vs_sql.py [--scale 10x|1x] [--repeat 5] [--rebuild]

Against PostgreSQL, residency_bench_10x by default (see bench/common.py), with the parameters of
common.report_targets. Whole reports: every section of each kind (cohort, mentor, annual) is timed (the section
function: its queries and the Python that shapes its tables); each covered section is also computed by one
hand-written SQL query (one cursor.execute + fetchall) giving every figure the section shows; both the median of
--repeat after one warm-up. Before timing, the key figures of both are compared and must be equal, so the two
compute the same thing. Printed per section and per report: ORM ms, SQL ms, ratio; per report, the covered
sections' totals and the ORM time of the sections not covered.

Every section of the three reports has a baseline (bench/sql_cohort.py, sql_mentor.py, sql_annual.py and
sql_surveys.py; each module's docstring defines its queries). The questionnaire sections' baselines apply the
results pages' rules (closed, released, at least k; an item at least k) as HAVING / FILTER conditions; the mentor
report's pooled satisfaction walks the pooling with a recursive CTE, and takes the department-wide complementary
suppression's verdicts (which blocks the disclosure audit hides) as an input computed outside the timing.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def cases(context) -> dict:
    """{section name: case} of the report of `context`: bench/sql_<kind>.py."""
    import sql_annual
    import sql_cohort
    import sql_mentor
    import sql_surveys

    module = {"cohort": sql_cohort, "mentor": sql_mentor, "annual": sql_annual}[context.kind]
    return {case[0]: case for case in [*module.cases(context), *sql_surveys.cases(context)]}


def child(repeat: int) -> dict:
    """{kind: [{section, orm, sql (None when not covered), checked}, ...] in the report's order}."""
    common.setup()
    from django.db import connection
    from django.utils import translation
    from report_scaling import KINDS, make_runs

    from reports.context import ReportContext
    from reports.sections import sections_of

    runs = make_runs()
    out = {}
    try:
        with translation.override("en"):
            for kind in KINDS:
                context = ReportContext.of(runs[kind])
                covered = cases(context)
                out[kind] = []
                for section_fn in sections_of(kind):
                    name = section_fn.__name__
                    orm = common.median(common.timed(lambda f=section_fn, c=context: f(c), repeat))
                    line = {"section": name, "orm": orm, "sql": None, "checked": ""}
                    if name in covered:
                        line.update(_against_sql(connection, kind, covered[name], section_fn(context), repeat))
                    out[kind].append(line)
    finally:
        for run in runs.values():
            run.delete()
    return out


def _against_sql(connection, kind: str, case, computed: dict, repeat: int) -> dict:
    name, sql, params, from_sql, from_orm = case
    arguments = params()

    def run_sql():
        with connection.cursor() as cursor:
            cursor.execute(sql, arguments)
            return cursor.fetchall()

    orm_figures, sql_figures = from_orm(computed), from_sql(run_sql())
    if orm_figures != sql_figures:
        raise SystemExit(f"{kind}.{name}: the SQL does not give the section's figures:\n"
                         f"  ORM {orm_figures!r}\n  SQL {sql_figures!r}")
    return {"sql": common.median(common.timed(run_sql, repeat)), "checked": _short(sql_figures)}


def _short(figures) -> str:
    text = json.dumps(figures, default=str)
    return text if len(text) < 60 else text[:57] + "..."


def _verdict(orm: float, sql: float) -> str:
    return "ok" if orm <= 2 * sql else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["10x", "1x"], default="10x")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="drop and build the database again")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.repeat)))
        return
    figures = common.run_child("report_vs_sql.py", common.ensure(args.scale, rebuild=args.rebuild),
                               "--repeat", str(args.repeat))
    rows, reports = [], []
    for kind, lines in figures.items():
        whole = sum(f["orm"] for f in lines)
        done = [f for f in lines if f["sql"] is not None]
        orm, sql = sum(f["orm"] for f in done), sum(f["sql"] for f in done)
        for f in lines:
            if f["sql"] is None:
                rows.append([f"{kind}.{f['section']}", f["orm"] * 1000, "-", "-", "not covered", ""])
            else:
                rows.append([f"{kind}.{f['section']}", f["orm"] * 1000, f["sql"] * 1000,
                             f"{f['orm'] / f['sql']:.2f}x", _verdict(f["orm"], f["sql"]), f["checked"]])
        reports.append([kind, whole * 1000, f"{len(done)} of {len(lines)}", orm * 1000, sql * 1000,
                        f"{orm / sql:.2f}x" if sql else "-", _verdict(orm, sql) if sql else "-",
                        (whole - orm) * 1000])
    print(f"Each section: ORM (the section function) vs one hand-written SQL query, ms (median of {args.repeat}) at "
          f"{args.scale}; the figures were checked equal first")
    common.print_table(["section", "ORM ms", "SQL ms", "ORM/SQL", "target <= 2x", "figures checked (SQL)"], rows)
    print()
    print("Whole reports: the ORM time of every section; the covered sections' ORM and SQL and the ratio; the ORM "
          "time of the sections not covered")
    common.print_table(["report", "ORM ms (all)", "covered", "ORM ms", "SQL ms", "ORM/SQL", "target <= 2x",
                        "not covered, ORM ms"], reports)


if __name__ == "__main__":
    main()
