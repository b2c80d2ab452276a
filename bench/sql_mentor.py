"""Hand-written SQL baselines of the mentor report's sections (reports/sections/mentor.py): one query per
section giving the figures the section shows. Used by bench/report_vs_sql.py."""

from sql_common import rows_of

OBSERVATIONS = """
SELECT GROUPING(date_trunc('month', o.observed_on), e.code) AS g, date_trunc('month', o.observed_on)::date,
       e.code, min(e.title), min(e.position), count(*), count(*) FILTER (WHERE o.is_late), avg(o.level),
       count(DISTINCT o.resident_id), count(DISTINCT o.epa_id)
FROM assessments_observation o JOIN assessments_epa e ON e.id = o.epa_id
WHERE o.mentor_id = %(mentor)s AND o.observed_on >= %(first)s AND o.observed_on <= %(last)s
GROUP BY GROUPING SETS ((), (date_trunc('month', o.observed_on)), (e.code))
"""

# Each case: (section name, SQL, parameters(), figures from the SQL rows, figures from the computed section). The
# two figure functions must give equal values (report_vs_sql.py checks before timing), so the SQL computes what the
# section shows.


def cases(context) -> list:
    from reports.sections.mentor import report_year

    year = report_year(context)
    return [
        ("observations", OBSERVATIONS,
         lambda: {"mentor": context.mentor.pk, "first": year.starts_on, "last": year.day},
         lambda rows: [[(r[5], r[6], r[8], r[9]) for r in rows if r[0] == 3][0],
                       sorted(r[5] for r in rows if r[0] == 1),
                       sorted((r[2], r[5], r[6]) for r in rows if r[0] == 2)],
         lambda s: [tuple(rows_of(s, "observations_summary")[0][i] for i in (0, 1, 3, 4)),
                    sorted(r[1] for r in rows_of(s, "observations_by_month") if r[1]),
                    sorted((r[0], r[2], r[3]) for r in rows_of(s, "observations_by_epa"))]),
    ]
