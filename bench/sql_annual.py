"""Hand-written SQL baselines of the annual monitoring report's sections (reports/sections/annual*.py): one
query per section giving the figures the section shows. Used by bench/report_vs_sql.py."""

from sql_common import num, rows_of

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
    SELECT m.i, count(*) AS n FROM members m
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

# The report's year only, per clinical site of the department (GROUPING SETS: each site, and the whole department,
# `whole` = 1), the sites listed by name with the whole department last: progress as in ANNUAL_PROGRESS, compliance
# as in ANNUAL_COMPLIANCE and load as in ANNUAL_LOAD (mentors by their site), exam results as in ANNUAL_EXAMS.
ANNUAL_SITES = """
WITH places AS (
    SELECT cs.id, cs.name, 0 AS whole FROM organization_clinicalsite cs
    JOIN organization_clinicalsite_departments cd ON cd.clinicalsite_id = cs.id AND cd.department_id = %(department)s
    UNION ALL SELECT NULL, NULL, 1),
members AS (
    SELECT r.id, r.clinical_site_id AS site, r.specialty_id, %(start_year)s + 1 - iy.start_year AS year_of_study
    FROM residents_resident r
    JOIN organization_specialty s ON s.id = r.specialty_id AND s.department_id = %(department)s
    JOIN residents_cohort c ON c.id = r.cohort_id JOIN organization_academicyear iy ON iy.id = c.intake_year_id
    WHERE EXISTS (SELECT 1 FROM mentoring_assignment a WHERE a.resident_id = r.id AND a.kind = 'clinical'
                  AND a.started_on <= %(day)s AND (a.ended_on IS NULL OR a.ended_on >= %(starts)s))),
granted AS (
    SELECT DISTINCT ON (h.resident_id, h.epa_id) h.resident_id, h.epa_id, h.level
    FROM members m JOIN assessments_historicalentrustmentdecision h ON h.resident_id = m.id AND h.decided_at < %(end)s
         AND h.history_type <> '-'
    ORDER BY h.resident_id, h.epa_id, h.decided_at DESC, h.history_id DESC),
standing AS (
    SELECT m.id, m.site, count(x.id) AS expected,
           count(x.id) FILTER (WHERE coalesce(g.level, CASE WHEN d.decided_at < %(end)s THEN d.level END, %(base)s)
                                     < x.level) AS behind
    FROM members m LEFT JOIN assessments_epa e ON e.specialty_id = m.specialty_id AND e.is_active
    LEFT JOIN assessments_epaexpectation x ON x.epa_id = e.id AND x.year_of_study = m.year_of_study
    LEFT JOIN granted g ON g.resident_id = m.id AND g.epa_id = e.id
    LEFT JOIN assessments_entrustmentdecision d ON d.resident_id = m.id AND d.epa_id = e.id
    GROUP BY m.id, m.site),
received AS (
    SELECT o.resident_id, count(*) AS n FROM members m
    JOIN assessments_observation o ON o.resident_id = m.id AND o.observed_on BETWEEN %(starts)s AND %(day)s
    GROUP BY o.resident_id),
residents AS (
    SELECT s.site, GROUPING(s.site) AS whole, count(*) AS n, sum(s.expected) AS pairs, sum(s.behind) AS behind,
           count(*) FILTER (WHERE s.behind = 0) AS on_track, coalesce(sum(r.n), 0) AS observations
    FROM standing s LEFT JOIN received r ON r.resident_id = s.id
    GROUP BY GROUPING SETS ((s.site), ())),
judged AS (
    SELECT m.clinical_site_id AS site,
           EXISTS (SELECT 1 FROM mentoring_assignment a WHERE a.mentor_id = m.id AND a.kind = 'clinical'
                   AND a.started_on <= %(day)s AND (a.ended_on IS NULL OR a.ended_on >= %(starts)s)) AS in_year,
           (m.qualification_category = ANY(%(categories)s)
            AND (%(no_minimum)s OR m.practice_started_on <= %(practised)s)
            AND m.certificate_number <> '' AND m.certificate_expires_on >= %(day)s
            AND EXISTS (SELECT 1 FROM mentoring_mentortraining t WHERE t.mentor_id = m.id AND t.kind = 'primary'
                        AND t.completed_on <= %(day)s)
            AND EXISTS (SELECT 1 FROM mentoring_mentortraining t WHERE t.mentor_id = m.id
                        AND t.completed_on <= %(day)s AND t.completed_on >= %(trained)s)) AS eligible,
           (SELECT count(*) FROM mentoring_assignment a WHERE a.mentor_id = m.id AND a.kind = 'clinical'
            AND a.started_on <= %(day)s AND (a.ended_on IS NULL OR a.ended_on >= %(day)s)) AS n
    FROM mentoring_mentor m
    JOIN organization_specialty s ON s.id = m.specialty_id AND s.department_id = %(department)s),
mentors AS (
    SELECT site, GROUPING(site) AS whole, count(*) FILTER (WHERE in_year) AS in_year,
           count(*) FILTER (WHERE in_year AND eligible) AS eligible, count(*) FILTER (WHERE n > 0) AS loaded,
           count(*) FILTER (WHERE n >= greatest(%(low)s, 1) AND n <= %(high)s) AS within, sum(n) AS residents
    FROM judged GROUP BY GROUPING SETS ((site), ())),
exams AS (
    SELECT r.clinical_site_id AS site, GROUPING(r.clinical_site_id) AS whole, count(e.overall_score) AS n,
           avg(e.overall_score) AS mean, percentile_cont(0.5) WITHIN GROUP (ORDER BY e.overall_score) AS median
    FROM assessments_examresult e
    JOIN organization_academicyear y ON y.id = e.academic_year_id AND y.start_year = %(start_year)s
    JOIN residents_resident r ON r.id = e.resident_id
    JOIN organization_specialty s ON s.id = r.specialty_id AND s.department_id = %(department)s
    GROUP BY GROUPING SETS ((r.clinical_site_id), ()))
SELECT p.name, coalesce(rs.n, 0), coalesce(rs.pairs, 0)::int, coalesce(rs.behind, 0)::int, coalesce(rs.on_track, 0),
       coalesce(rs.observations, 0)::int, coalesce(ms.in_year, 0), coalesce(ms.eligible, 0), coalesce(ms.loaded, 0),
       coalesce(ms.within, 0), coalesce(ms.residents, 0)::int, coalesce(ex.n, 0), ex.mean, ex.median
FROM places p
LEFT JOIN residents rs ON rs.whole = p.whole AND rs.site IS NOT DISTINCT FROM p.id
LEFT JOIN mentors ms ON ms.whole = p.whole AND ms.site IS NOT DISTINCT FROM p.id
LEFT JOIN exams ex ON ex.whole = p.whole AND ex.site IS NOT DISTINCT FROM p.id
ORDER BY p.whole, p.name, p.id
"""

# Each case: (section name, SQL, parameters(), figures from the SQL rows, figures from the computed section). The
# two figure functions must give equal values (report_vs_sql.py checks before timing), so the SQL computes what the
# section shows.


def cases(context) -> list:
    from assessments.standing import BASE_LEVEL
    from mentoring.eligibility_db import practised_since_at_most, trained_on_or_after
    from organization.services import policy_for
    from reports.result import pct
    from reports.sections.annual_common import ratio, years_of

    policy = policy_for(context.department)
    low, high = policy.min_residents_per_mentor, policy.max_residents_per_mentor
    annual_years = years_of(context)
    year = annual_years[-1]  # the sites section's: the report's year

    def of_years(**more):
        return {"department": context.department.pk, "indexes": list(range(len(annual_years))),
                "start_years": [y.start_year for y in annual_years], "starts": [y.starts_on for y in annual_years],
                "days": [y.day for y in annual_years], **more}

    return [
        ("load", ANNUAL_LOAD,
         lambda: of_years(low=low, high=high),
         lambda rows: [list(r[1:]) for r in rows],
         lambda s: [[r[1], r[2], r[4], r[5], r[6]] for r in rows_of(s, "load")]),
        ("compliance", ANNUAL_COMPLIANCE,
         lambda: of_years(practised=[practised_since_at_most(y.day, policy.min_experience_years)
                                     for y in annual_years],
                          trained=[trained_on_or_after(y.day, policy.training_cycle_years) for y in annual_years],
                          categories=list(policy.accepted_categories), no_minimum=not policy.min_experience_years),
         lambda rows: [[r[1], r[2], *(pct(n, r[1]) for n in (r[2], *r[3:]))] for r in rows],
         lambda s: [r[1:] for r in rows_of(s, "compliance") if r[1]]),
        ("progress", ANNUAL_PROGRESS, lambda: of_years(ends=[y.end for y in annual_years], base=BASE_LEVEL),
         lambda rows: [[r[1], r[2], pct(r[2] - r[3], r[2]), r[4], pct(r[4], r[1]), r[5], ratio(r[5], r[1])]
                       for r in rows],
         lambda s: [r[1:] for r in rows_of(s, "progress") if r[1]]),
        ("exams", ANNUAL_EXAMS, of_years,
         lambda rows: [[r[1], *map(num, r[2:])] for r in rows],
         lambda s: [[r[1], *map(num, r[2:])] for r in rows_of(s, "exams") if r[1]]),
        ("sites", ANNUAL_SITES,
         lambda: {"department": context.department.pk, "start_year": year.start_year, "starts": year.starts_on,
                  "day": year.day, "end": year.end, "base": BASE_LEVEL, "low": low, "high": high,
                  "practised": practised_since_at_most(year.day, policy.min_experience_years),
                  "trained": trained_on_or_after(year.day, policy.training_cycle_years),
                  "categories": list(policy.accepted_categories), "no_minimum": not policy.min_experience_years},
         lambda rows: [[name, n, pct(pairs - behind, pairs), pct(on_track, n), ratio(observations, n), loaded,
                        pct(eligible, in_year), pct(within, loaded), ratio(residents, loaded), results, num(mean),
                        num(median)]
                       for (name, n, pairs, behind, on_track, observations, in_year, eligible, loaded, within,
                            residents, results, mean, median) in rows],
         _site_figures),
    ]


def _site_figures(section: dict) -> list:
    """The sites table's rows, the whole department's (the last) without its name: a label, not a figure."""
    rows = rows_of(section, "sites")
    return [[None if i == len(rows) - 1 else r[0], *r[1:10], *map(num, r[10:])] for i, r in enumerate(rows)]
