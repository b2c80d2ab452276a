"""Hand-written SQL baselines of the cohort report's sections (reports/sections/cohort*.py): one query per
section giving the figures the section shows. Used by bench/report_vs_sql.py."""

from sql_common import num, rows_of

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

# Each case: (section name, SQL, parameters(), figures from the SQL rows, figures from the computed section). The
# two figure functions must give equal values (report_vs_sql.py checks before timing), so the SQL computes what the
# section shows.


def cases(context) -> list:
    from organization.services import policy_for

    policy = policy_for(context.department)
    low, high = policy.min_residents_per_mentor, policy.max_residents_per_mentor
    this_intake = context.cohort.intake_year.start_year

    return [
        ("size", SIZE, lambda: {"cohort": context.cohort.pk},
         lambda rows: list(rows[0][1:]),
         lambda s: [r[1] for r in rows_of(s, "by_status")] + [r[1] for r in rows_of(s, "by_track")]),
        ("mentor_load", MENTOR_LOAD, lambda: {"cohort": context.cohort.pk},
         lambda rows: [len(rows), sum(low <= r[4] <= high for r in rows), sum(r[4] < low for r in rows),
                       sum(r[4] > high for r in rows), rows[0][5] if rows else None, rows[0][6] if rows else None,
                       sorted((r[3], r[4]) for r in rows)],
         lambda s: [r[1] for r in rows_of(s, "summary")] + [sorted((r[1], r[2]) for r in rows_of(s, "mentors"))]),
        ("exams", EXAMS, lambda: {"specialty": context.cohort.specialty_id},
         lambda rows: sorted((r[1], r[2], num(r[12])) for r in rows if r[0] == this_intake),
         lambda s: sorted((_stage_value(r[0]), r[1], num(r[11])) for r in rows_of(s, "cohort"))),
    ]


def _stage_value(label: str) -> str:
    from assessments.models import ExamStage

    return next(s.value for s in ExamStage if str(s.label) == label)
