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

Covered: cohort size, mentor load, exams; mentor observations; annual compliance (the eligibility rules of
mentoring/eligibility_db.py, their boundary days computed by the same functions), load, progress (EPA standing from
the decisions' history) and exams. Not covered yet: the surveys' sections (disclosure control and pooling are
Python rules: one query would not compute the same thing) and the others, which only time was lacking for
(cohort eligibility, curricula, activity, EPA; mentor residents, exams, meetings, evaluations; annual sites).
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

SIZE = """
SELECT count(*),
       count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'on_leave'),
       count(*) FILTER (WHERE status = 'graduated'), count(*) FILTER (WHERE status = 'withdrawn'),
       count(*) FILTER (WHERE track = 'standard'), count(*) FILTER (WHERE track = 'support'),
       count(*) FILTER (WHERE track = 'research')
FROM residents_resident WHERE cohort_id = %(cohort)s
"""

MENTOR_LOAD = """
WITH current AS (
    SELECT a.mentor_id, a.resident_id FROM mentoring_assignment a
    WHERE a.ended_on IS NULL AND a.kind = 'clinical'),
mine AS (
    SELECT c.mentor_id, count(*) AS cohort_n FROM current c JOIN residents_resident r ON r.id = c.resident_id
    WHERE r.cohort_id = %(cohort)s GROUP BY c.mentor_id),
loads AS (
    SELECT m.mentor_id, m.cohort_n, count(*) AS load FROM mine m JOIN current c ON c.mentor_id = m.mentor_id
    GROUP BY m.mentor_id, m.cohort_n)
SELECT u.last_name, u.first_name, l.mentor_id, l.cohort_n, l.load,
       (SELECT count(*) FROM residents_resident r WHERE r.cohort_id = %(cohort)s AND r.status = 'active'),
       (SELECT count(*) FROM residents_resident r WHERE r.cohort_id = %(cohort)s AND r.status = 'active'
          AND NOT EXISTS (SELECT 1 FROM current c WHERE c.resident_id = r.id))
FROM loads l JOIN mentoring_mentor m ON m.id = l.mentor_id JOIN accounts_user u ON u.id = m.user_id
ORDER BY u.last_name, u.first_name, m.id
"""

EXAMS = """
SELECT y.start_year, e.stage, count(*),
       avg(e.test_score), percentile_cont(0.5) WITHIN GROUP (ORDER BY e.test_score), min(e.test_score),
       max(e.test_score),
       avg(e.osce_score), percentile_cont(0.5) WITHIN GROUP (ORDER BY e.osce_score), min(e.osce_score),
       max(e.osce_score),
       avg(e.overall_score), percentile_cont(0.5) WITHIN GROUP (ORDER BY e.overall_score), min(e.overall_score),
       max(e.overall_score)
FROM assessments_examresult e JOIN residents_resident r ON r.id = e.resident_id
JOIN residents_cohort c ON c.id = r.cohort_id JOIN organization_academicyear y ON y.id = c.intake_year_id
WHERE c.specialty_id = %(specialty)s
GROUP BY y.start_year, e.stage ORDER BY y.start_year, e.stage
"""

OBSERVATIONS = """
SELECT GROUPING(date_trunc('month', o.observed_on), e.code) AS g, date_trunc('month', o.observed_on)::date,
       e.code, min(e.title), min(e.position), count(*), count(*) FILTER (WHERE o.is_late), avg(o.level),
       count(DISTINCT o.resident_id), count(DISTINCT o.epa_id)
FROM assessments_observation o JOIN assessments_epa e ON e.id = o.epa_id
WHERE o.mentor_id = %(mentor)s AND o.observed_on >= %(first)s AND o.observed_on <= %(last)s
GROUP BY GROUPING SETS ((), (date_trunc('month', o.observed_on)), (e.code))
"""

ANNUAL_LOAD = """
WITH days(i, day) AS (SELECT * FROM unnest(%(indexes)s::int[], %(days)s::date[])),
loads AS (
    SELECT d.i, m.id, count(a.id) AS n
    FROM days d CROSS JOIN mentoring_mentor m
    JOIN organization_specialty s ON s.id = m.specialty_id AND s.department_id = %(department)s
    LEFT JOIN mentoring_assignment a ON a.mentor_id = m.id AND a.kind = 'clinical' AND a.started_on <= d.day
         AND (a.ended_on IS NULL OR a.ended_on >= d.day)
    GROUP BY d.i, m.id)
SELECT i, count(*) FILTER (WHERE n > 0), count(*) FILTER (WHERE n >= greatest(%(low)s, 1) AND n <= %(high)s),
       count(*) FILTER (WHERE n > 0 AND n < %(low)s), count(*) FILTER (WHERE n > %(high)s), coalesce(sum(n), 0)
FROM loads GROUP BY i ORDER BY i
"""

ANNUAL_COMPLIANCE = """
WITH years(i, starts, day, practised_by, trained_since) AS (
    SELECT * FROM unnest(%(indexes)s::int[], %(starts)s::date[], %(days)s::date[], %(practised)s::date[],
                         %(trained)s::date[])),
judged AS (
    SELECT y.i, m.qualification_category = ANY(%(categories)s) AS category,
           (%(no_minimum)s OR m.practice_started_on <= y.practised_by) AS experience,
           (m.certificate_number <> '' AND m.certificate_expires_on >= y.day) AS certificate,
           (EXISTS (SELECT 1 FROM mentoring_mentortraining t WHERE t.mentor_id = m.id AND t.kind = 'primary'
                    AND t.completed_on <= y.day)
            AND EXISTS (SELECT 1 FROM mentoring_mentortraining t WHERE t.mentor_id = m.id
                        AND t.completed_on <= y.day AND t.completed_on >= y.trained_since)) AS training
    FROM years y CROSS JOIN mentoring_mentor m
    JOIN organization_specialty s ON s.id = m.specialty_id AND s.department_id = %(department)s
    WHERE EXISTS (SELECT 1 FROM mentoring_assignment a WHERE a.mentor_id = m.id AND a.kind = 'clinical'
                  AND a.started_on <= y.day AND (a.ended_on IS NULL OR a.ended_on >= y.starts)))
SELECT i, count(*), count(*) FILTER (WHERE category AND experience AND certificate AND training),
       count(*) FILTER (WHERE category), count(*) FILTER (WHERE experience), count(*) FILTER (WHERE certificate),
       count(*) FILTER (WHERE training)
FROM judged GROUP BY i ORDER BY i
"""

# The level granted on a year's end: the latest row of the decision's history before it, else the decision itself
# when taken before it, else the base level (reports.sections.annual_residents.granted_by).
ANNUAL_PROGRESS = """
WITH years(i, sy, starts, day, ends) AS (
    SELECT * FROM unnest(%(indexes)s::int[], %(start_years)s::int[], %(starts)s::date[], %(days)s::date[],
                         %(ends)s::timestamptz[])),
members AS (
    SELECT y.i, r.id, r.specialty_id, y.sy + 1 - iy.start_year AS year_of_study, y.starts, y.day, y.ends
    FROM years y CROSS JOIN residents_resident r
    JOIN organization_specialty s ON s.id = r.specialty_id AND s.department_id = %(department)s
    JOIN residents_cohort c ON c.id = r.cohort_id JOIN organization_academicyear iy ON iy.id = c.intake_year_id
    WHERE EXISTS (SELECT 1 FROM mentoring_assignment a WHERE a.resident_id = r.id AND a.kind = 'clinical'
                  AND a.started_on <= y.day AND (a.ended_on IS NULL OR a.ended_on >= y.starts))),
granted AS (
    SELECT DISTINCT ON (m.i, m.id, h.epa_id) m.i, m.id, h.epa_id, h.level
    FROM members m JOIN assessments_historicalentrustmentdecision h ON h.resident_id = m.id AND h.decided_at < m.ends
         AND h.history_type <> '-'
    ORDER BY m.i, m.id, h.epa_id, h.decided_at DESC, h.history_id DESC),
standing AS (
    SELECT m.i, m.id, count(x.id) AS expected,
           count(x.id) FILTER (WHERE coalesce(g.level, CASE WHEN d.decided_at < m.ends THEN d.level END, %(base)s)
                                     < x.level) AS behind
    FROM members m LEFT JOIN assessments_epa e ON e.specialty_id = m.specialty_id AND e.is_active
    LEFT JOIN assessments_epaexpectation x ON x.epa_id = e.id AND x.year_of_study = m.year_of_study
    LEFT JOIN granted g ON g.i = m.i AND g.id = m.id AND g.epa_id = e.id
    LEFT JOIN assessments_entrustmentdecision d ON d.resident_id = m.id AND d.epa_id = e.id
    GROUP BY m.i, m.id),
received AS (
    SELECT m.i, count(o.id) AS n FROM members m
    JOIN assessments_observation o ON o.resident_id = m.id AND o.observed_on BETWEEN m.starts AND m.day
    GROUP BY m.i)
SELECT s.i, count(*), sum(s.expected)::int, sum(s.behind)::int, count(*) FILTER (WHERE s.behind = 0),
       coalesce((SELECT r.n FROM received r WHERE r.i = s.i), 0)
FROM standing s GROUP BY s.i ORDER BY s.i
"""

ANNUAL_EXAMS = """
SELECT y.start_year, count(e.overall_score), avg(e.overall_score),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY e.overall_score), min(e.overall_score), max(e.overall_score),
       avg(e.test_score), avg(e.osce_score)
FROM assessments_examresult e JOIN organization_academicyear y ON y.id = e.academic_year_id
JOIN residents_resident r ON r.id = e.resident_id
JOIN organization_specialty s ON s.id = r.specialty_id AND s.department_id = %(department)s
WHERE y.start_year = ANY(%(start_years)s)
GROUP BY y.start_year ORDER BY y.start_year
"""


def _rows(section: dict, key: str) -> list:
    return next(t for t in section["tables"] if t["key"] == key)["rows"]


def _num(value):
    return None if value is None else round(float(value), 1)


# Each case: (kind, section name, SQL, parameters(), figures from the SQL rows, figures from the section).
def cases(context) -> list:
    from assessments.standing import BASE_LEVEL
    from mentoring.eligibility_db import practised_since_at_most, trained_on_or_after
    from organization.services import policy_for
    from reports.result import pct
    from reports.sections.annual_common import ratio, years_of
    from reports.sections.mentor import report_year

    policy = policy_for(context.department)
    low, high = policy.min_residents_per_mentor, policy.max_residents_per_mentor
    mentor_year = report_year(context) if context.mentor else None
    annual_years = years_of(context) if context.kind == "annual" else []
    this_intake = context.cohort.intake_year.start_year if context.cohort else None

    def of_years(**more):
        return {"department": context.department.pk, "indexes": list(range(len(annual_years))),
                "start_years": [y.start_year for y in annual_years], "starts": [y.starts_on for y in annual_years],
                "days": [y.day for y in annual_years], **more}

    return [
        ("cohort", "size", SIZE, lambda: {"cohort": context.cohort.pk},
         lambda rows: list(rows[0][1:]),
         lambda s: [r[1] for r in _rows(s, "by_status")] + [r[1] for r in _rows(s, "by_track")]),
        ("cohort", "mentor_load", MENTOR_LOAD, lambda: {"cohort": context.cohort.pk},
         lambda rows: [len(rows), sum(low <= r[4] <= high for r in rows), sum(r[4] < low for r in rows),
                       sum(r[4] > high for r in rows), rows[0][5] if rows else None, rows[0][6] if rows else None,
                       sorted((r[3], r[4]) for r in rows)],
         lambda s: [r[1] for r in _rows(s, "summary")] + [sorted((r[1], r[2]) for r in _rows(s, "mentors"))]),
        ("cohort", "exams", EXAMS, lambda: {"specialty": context.cohort.specialty_id},
         lambda rows: sorted((r[1], r[2], _num(r[12])) for r in rows if r[0] == this_intake),
         lambda s: sorted((_stage_value(r[0]), r[1], _num(r[11])) for r in _rows(s, "cohort"))),
        ("mentor", "observations", OBSERVATIONS,
         lambda: {"mentor": context.mentor.pk, "first": mentor_year.starts_on, "last": mentor_year.day},
         lambda rows: [[(r[5], r[6], r[8], r[9]) for r in rows if r[0] == 3][0],
                       sorted(r[5] for r in rows if r[0] == 1),
                       sorted((r[2], r[5], r[6]) for r in rows if r[0] == 2)],
         lambda s: [tuple(_rows(s, "observations_summary")[0][i] for i in (0, 1, 3, 4)),
                    sorted(r[1] for r in _rows(s, "observations_by_month") if r[1]),
                    sorted((r[0], r[2], r[3]) for r in _rows(s, "observations_by_epa"))]),
        ("annual", "load", ANNUAL_LOAD,
         lambda: of_years(low=low, high=high),
         lambda rows: [list(r[1:]) for r in rows],
         lambda s: [[r[1], r[2], r[4], r[5], r[6]] for r in _rows(s, "load")]),
        ("annual", "compliance", ANNUAL_COMPLIANCE,
         lambda: of_years(practised=[practised_since_at_most(y.day, policy.min_experience_years)
                                     for y in annual_years],
                          trained=[trained_on_or_after(y.day, policy.training_cycle_years) for y in annual_years],
                          categories=list(policy.accepted_categories), no_minimum=not policy.min_experience_years),
         lambda rows: [[r[1], r[2], *(pct(n, r[1]) for n in (r[2], *r[3:]))] for r in rows],
         lambda s: [r[1:] for r in _rows(s, "compliance") if r[1]]),
        ("annual", "progress", ANNUAL_PROGRESS, lambda: of_years(ends=[y.end for y in annual_years], base=BASE_LEVEL),
         lambda rows: [[r[1], r[2], pct(r[2] - r[3], r[2]), r[4], pct(r[4], r[1]), r[5], ratio(r[5], r[1])]
                       for r in rows],
         lambda s: [r[1:] for r in _rows(s, "progress") if r[1]]),
        ("annual", "exams", ANNUAL_EXAMS, of_years,
         lambda rows: [[r[1], *map(_num, r[2:])] for r in rows],
         lambda s: [[r[1], *map(_num, r[2:])] for r in _rows(s, "exams") if r[1]]),
    ]


def _stage_value(label: str) -> str:
    from assessments.models import ExamStage

    return next(s.value for s in ExamStage if str(s.label) == label)


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
                covered = {case[1]: case for case in cases(context) if case[0] == kind}
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
    _kind, name, sql, params, from_sql, from_orm = case
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
