"""Report sections (the ORM code in reports/sections/) against the same figures computed by hand-written SQL, one
query per section, and the time ratio ORM / SQL (target: at most 2x).

    .venv/bin/python bench/report_vs_sql.py [--scale 10x|1x] [--repeat 5] [--kind KIND] [--rebuild]

Against PostgreSQL, residency_bench_10x by default (see bench/common.py), with the parameters of
common.report_targets. Whole reports: every section of each kind (cohort, mentor, annual) is timed (the section
function: its queries and the Python that shapes its tables); each covered section is also computed by one
hand-written SQL query (one cursor.execute + fetchall) giving every figure the section shows; both the median of
--repeat after one warm-up, the section and its query called in turn in each round (bench/common.timed_together), so
a change of the machine's speed during the run falls on both alike. Before timing, the key figures of both are
compared and must be equal, so the two compute the same thing. Printed per section and per report: ORM ms, SQL ms,
ratio. What a query needs read before it runs is timed with it (the mentor report's satisfaction query takes the
disclosure audit's verdicts, which the section reads too; bench/sql_mentor.py `_verdict_lookup`); the query alone is
printed beside it.

Every section of the three reports has a baseline (bench/sql_cohort.py, sql_mentor.py, sql_annual.py and
sql_surveys.py; each module's docstring defines its queries). The questionnaire sections' baselines apply the
results pages' rules (closed, released, at least k; an item at least k) as HAVING / FILTER conditions; the mentor
report's pooled satisfaction walks the pooling with a recursive CTE, and takes the department-wide complementary
suppression's verdicts (which blocks the disclosure audit hides) as an input, read before the query by the same
cached_pools call the section makes (timed; turning them into the query's parameters is not).
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


def child(repeat: int, only: list[str]) -> dict:
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
            for kind in (k for k in KINDS if not only or k in only):
                context = ReportContext.of(runs[kind])
                covered = cases(context)
                out[kind] = []
                for section_fn in sections_of(kind):
                    name = section_fn.__name__
                    line = {"section": name, "orm": None, "sql": None, "checked": ""}
                    if name in covered:
                        line.update(_against_sql(connection, kind, covered[name], section_fn, context, repeat))
                    else:
                        line["orm"] = common.median(common.timed(lambda f=section_fn, c=context: f(c), repeat))
                    out[kind].append(line)
    finally:
        for run in runs.values():
            run.delete()
    return out


def _against_sql(connection, kind: str, case, section_fn, context, repeat: int) -> dict:
    """The section and the case's query timed in the same rounds (common.timed_together), after their figures are
    checked equal: `orm`, the section; `sql`, the query with its `lookup` when the case has one (what must be read
    before the query, such as the mentor report's disclosure verdicts); `sql_only`, the query alone."""
    name, sql, params, from_sql, from_orm, *lookup = case
    arguments = params()

    def run_sql():
        with connection.cursor() as cursor:
            cursor.execute(sql, arguments)
            return cursor.fetchall()

    def run_all():
        for read in lookup:
            read()
        return run_sql()

    orm_figures, sql_figures = from_orm(section_fn(context)), from_sql(run_sql())
    if orm_figures != sql_figures:
        raise SystemExit(f"{kind}.{name}: the SQL does not give the section's figures:\n"
                         f"  ORM {orm_figures!r}\n  SQL {sql_figures!r}")
    timings = common.timed_together({"orm": lambda: section_fn(context), "sql": run_all if lookup else run_sql,
                                     **({"sql_only": run_sql} if lookup else {})}, repeat)
    figures = {key: common.median(seconds) for key, seconds in timings.items()}
    figures.setdefault("sql_only", figures["sql"])
    return {**figures, "checked": _short(sql_figures)}


def _short(figures) -> str:
    text = json.dumps(figures, default=str)
    return text if len(text) < 60 else text[:57] + "..."


def _verdict(orm: float, sql: float) -> str:
    return "ok" if orm <= 2 * sql else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["10x", "1x"], default="10x")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--kind", action="append", default=[], choices=["cohort", "mentor", "annual"],
                        help="only this kind of report (repeatable)")
    parser.add_argument("--rebuild", action="store_true", help="drop and build the database again")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.repeat, args.kind)))
        return
    figures = common.run_child("report_vs_sql.py", common.ensure(args.scale, rebuild=args.rebuild),
                               "--repeat", str(args.repeat), *[a for kind in args.kind for a in ("--kind", kind)])
    rows, reports = [], []
    for kind, lines in figures.items():
        missing = [f["section"] for f in lines if f["sql"] is None]
        if missing:
            raise SystemExit(f"{kind}: no SQL baseline for {', '.join(missing)}")
        orm, sql, alone = (sum(f[key] for f in lines) for key in ("orm", "sql", "sql_only"))
        for f in lines:
            rows.append([f"{kind}.{f['section']}", f["orm"] * 1000, f["sql"] * 1000, f["sql_only"] * 1000,
                         f"{f['orm'] / f['sql']:.2f}x", _verdict(f["orm"], f["sql"]), f["checked"]])
        reports.append([kind, orm * 1000, sql * 1000, f"{orm / sql:.2f}x", _verdict(orm, sql), alone * 1000,
                        f"{orm / alone:.2f}x"])
    print(f"Each section: ORM (the section function) vs one hand-written SQL query, ms (median of {args.repeat}) at "
          f"{args.scale}; the figures were checked equal first. SQL ms includes what the query needs read first "
          "(the mentor report's disclosure verdicts, read as the section reads them); 'query alone' leaves that out")
    common.print_table(["section", "ORM ms", "SQL ms", "query alone", "ORM/SQL", "target <= 2x",
                        "figures checked (SQL)"], rows)
    print()
    print("Whole reports: every section's ORM and SQL time and the ratio; the queries alone and the ratio to them")
    common.print_table(["report", "ORM ms", "SQL ms", "ORM/SQL", "target <= 2x", "queries alone ms",
                        "ORM/queries alone"], reports)


if __name__ == "__main__":
    main()
