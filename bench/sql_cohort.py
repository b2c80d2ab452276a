"""Hand-written SQL baselines of the cohort report's sections (reports/sections/cohort*.py): one query per
section giving the figures the section shows. Used by bench/report_vs_sql.py."""

from sql_common import num, rows_of

from reports.result import pct

SIZE = """
SELECT count(*),
       count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'on_leave'),
       count(*) FILTER (WHERE status = 'graduated'), count(*) FILTER (WHERE status = 'withdrawn'),
       count(*) FILTER (WHERE track = 'standard'), count(*) FILTER (WHERE track = 'support'),
       count(*) FILTER (WHERE track = 'research')
FROM residents_resident WHERE cohort_id = %(cohort)s
"""

MENTOR_LOAD = """
WITH mine AS (
    SELECT a.mentor_id, count(*) AS cohort_n
    FROM residents_resident r JOIN mentoring_assignment a ON a.resident_id = r.id AND a.ended_on IS NULL
         AND a.kind = 'clinical'
    WHERE r.cohort_id = %(cohort)s GROUP BY a.mentor_id)
SELECT u.last_name, u.first_name, m.mentor_id, m.cohort_n,
       (SELECT count(*) FROM mentoring_assignment a WHERE a.mentor_id = m.mentor_id AND a.ended_on IS NULL
          AND a.kind = 'clinical'),
       (SELECT count(*) FROM residents_resident r WHERE r.cohort_id = %(cohort)s AND r.status = 'active'),
       (SELECT count(*) FROM residents_resident r WHERE r.cohort_id = %(cohort)s AND r.status = 'active'
          AND NOT EXISTS (SELECT 1 FROM mentoring_assignment a WHERE a.resident_id = r.id AND a.ended_on IS NULL
                          AND a.kind = 'clinical'))
FROM mine m JOIN mentoring_mentor mm ON mm.id = m.mentor_id JOIN accounts_user u ON u.id = mm.user_id
ORDER BY u.last_name, u.first_name, m.mentor_id
"""

ELIGIBILITY = """
WITH judged AS (
    SELECT m.is_active AS active, m.qualification_category = ANY(%(categories)s) AS category,
           (%(no_minimum)s OR m.practice_started_on <= %(practised_by)s) AS experience,
           (m.certificate_number <> '' AND m.certificate_expires_on >= %(day)s) AS certificate,
           (EXISTS (SELECT 1 FROM mentoring_mentortraining t WHERE t.mentor_id = m.id AND t.kind = 'primary')
            AND EXISTS (SELECT 1 FROM mentoring_mentortraining t WHERE t.mentor_id = m.id
                        AND t.completed_on >= %(trained_since)s)) AS training
    FROM mentoring_mentor m
    WHERE m.id IN (SELECT a.mentor_id FROM mentoring_assignment a JOIN residents_resident r ON r.id = a.resident_id
                   WHERE r.cohort_id = %(cohort)s AND a.ended_on IS NULL AND a.kind = 'clinical'))
SELECT count(*), count(*) FILTER (WHERE active), count(*) FILTER (WHERE category),
       count(*) FILTER (WHERE experience), count(*) FILTER (WHERE certificate), count(*) FILTER (WHERE training),
       count(*) FILTER (WHERE active AND category AND experience AND certificate AND training)
FROM judged
"""

# Hours have one decimal, so the split rule's comparisons in tenths (reports/sections/rules.py) are the same
# comparisons on the hours themselves.
CURRICULA = """
WITH residents AS (
    SELECT r.id, r.specialty_id FROM residents_resident r WHERE r.cohort_id = %(cohort)s AND r.status = 'active'),
plans AS (
    SELECT c.id, c.status, r.specialty_id FROM residents r
    LEFT JOIN residents_curriculum c ON c.resident_id = r.id AND c.academic_year_id = %(year)s),
items AS (
    SELECT i.curriculum_id,
           200 * i.classroom_hours >= (2 * s.classroom_min_pct - 1) * i.total_hours
           AND 200 * i.classroom_hours < (2 * s.classroom_max_pct + 1) * i.total_hours AS classroom,
           200 * i.clinical_hours >= (2 * s.clinical_min_pct - 1) * i.total_hours
           AND 200 * i.clinical_hours < (2 * s.clinical_max_pct + 1) * i.total_hours AS clinical,
           200 * i.independent_hours >= (2 * s.independent_min_pct - 1) * i.total_hours
           AND 200 * i.independent_hours < (2 * s.independent_max_pct + 1) * i.total_hours AS independent,
           i.total_hours > 0 AND i.classroom_hours + i.clinical_hours + i.independent_hours = i.total_hours AS adds_up
    FROM plans p JOIN residents_curriculumitem i ON i.curriculum_id = p.id
    JOIN organization_specialty s ON s.id = p.specialty_id)
SELECT (SELECT count(*) FROM plans), (SELECT count(*) FILTER (WHERE status = 'approved') FROM plans),
       (SELECT count(*) FILTER (WHERE status = 'submitted') FROM plans),
       (SELECT count(*) FILTER (WHERE status = 'draft') FROM plans),
       (SELECT count(*) FILTER (WHERE id IS NULL) FROM plans),
       count(*), count(*) FILTER (WHERE adds_up AND classroom AND clinical AND independent),
       count(DISTINCT curriculum_id),
       count(DISTINCT curriculum_id) FILTER (WHERE NOT (adds_up AND classroom AND clinical AND independent)),
       count(*) FILTER (WHERE NOT classroom), count(*) FILTER (WHERE NOT clinical),
       count(*) FILTER (WHERE NOT independent)
FROM items
"""

# One row per figure group: ('duty', month index, residents, met, mean), ('kind', kind, entries, confirmed hours,
# pending hours), ('plan', '', planned clinical hours, -, -). A duty's month is the bucket of its start among the
# months' bounds (width_bucket).
ACTIVITY = """
WITH residents AS (SELECT r.id FROM residents_resident r WHERE r.cohort_id = %(cohort)s AND r.status = 'active'),
months(i) AS (SELECT generate_series(0, %(months)s - 1)),
duties AS (
    SELECT width_bucket(d.starts_at, %(bounds)s::timestamptz[]) - 1 AS i, d.resident_id, count(*) AS n
    FROM residents r JOIN residents_nightduty d ON d.resident_id = r.id AND d.status = 'confirmed'
         AND d.starts_at >= %(first)s AND d.starts_at < %(last)s
    GROUP BY 1, 2)
SELECT 'duty', m.i::text, count(*)::numeric, count(*) FILTER (WHERE coalesce(d.n, 0) >= %(required)s)::numeric,
       avg(coalesce(d.n, 0))
FROM months m CROSS JOIN residents r LEFT JOIN duties d ON d.i = m.i AND d.resident_id = r.id
GROUP BY m.i
UNION ALL
SELECT 'kind', e.kind, count(*), sum(e.hours) FILTER (WHERE e.status = 'confirmed'),
       sum(e.hours) FILTER (WHERE e.status = 'pending')
FROM residents_activityentry e JOIN residents r ON r.id = e.resident_id
WHERE e.status IN ('pending', 'confirmed') AND e.date BETWEEN %(year_start)s AND %(day)s
GROUP BY e.kind
UNION ALL
SELECT 'plan', '', sum(i.clinical_hours), NULL, NULL
FROM residents_curriculumitem i JOIN residents_curriculum c ON c.id = i.curriculum_id
JOIN residents r ON r.id = c.resident_id
WHERE c.academic_year_id = %(year)s
"""

EPA = """
WITH residents AS (
    SELECT r.id, r.year_of_study FROM residents_resident r
    WHERE r.cohort_id = %(cohort)s AND r.status IN ('active', 'on_leave')),
epas AS (SELECT e.id, e.code, e.position FROM assessments_epa e WHERE e.specialty_id = %(specialty)s AND e.is_active),
standing AS (
    SELECT x.epa_id, x.level AS expected, coalesce(d.level, %(base)s) AS current
    FROM residents r JOIN assessments_epaexpectation x ON x.year_of_study = r.year_of_study
    JOIN epas e ON e.id = x.epa_id
    LEFT JOIN assessments_entrustmentdecision d ON d.resident_id = r.id AND d.epa_id = x.epa_id),
observed AS (
    SELECT o.epa_id, count(*) AS n FROM assessments_observation o JOIN residents r ON r.id = o.resident_id
    WHERE o.observed_on BETWEEN %(year_start)s AND %(day)s GROUP BY o.epa_id)
SELECT e.code, avg(s.expected), count(s.epa_id), count(*) FILTER (WHERE s.current >= s.expected), avg(s.current),
       coalesce(o.n, 0)
FROM epas e LEFT JOIN standing s ON s.epa_id = e.id LEFT JOIN observed o ON o.epa_id = e.id
GROUP BY e.id, e.code, e.position, o.n ORDER BY e.position, e.code
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
    from assessments.standing import BASE_LEVEL
    from organization.services import policy_for

    policy = policy_for(context.department)
    low, high = policy.min_residents_per_mentor, policy.max_residents_per_mentor
    this_intake = context.cohort.intake_year.start_year
    cohort, specialty = context.cohort.pk, context.cohort.specialty_id

    return [
        ("size", SIZE, lambda: {"cohort": cohort},
         lambda rows: list(rows[0][1:]),
         lambda s: [r[1] for r in rows_of(s, "by_status")] + [r[1] for r in rows_of(s, "by_track")]),
        ("mentor_load", MENTOR_LOAD, lambda: {"cohort": cohort},
         lambda rows: [len(rows), sum(low <= r[4] <= high for r in rows), sum(r[4] < low for r in rows),
                       sum(r[4] > high for r in rows), rows[0][5] if rows else None, rows[0][6] if rows else None,
                       sorted((r[3], r[4]) for r in rows)],
         lambda s: [r[1] for r in rows_of(s, "summary")] + [sorted((r[1], r[2]) for r in rows_of(s, "mentors"))]),
        ("eligibility", ELIGIBILITY, lambda: _eligibility_params(context, policy),
         lambda rows: [(n, pct(n, rows[0][0])) for n in rows[0][1:]],
         lambda s: [(r[1], r[2]) for r in rows_of(s, "criteria")]),
        ("curricula", CURRICULA, lambda: {"cohort": cohort, "year": _year(context).pk},
         _curricula_from_sql,
         lambda s: [[r[1:] for r in rows_of(s, "approval")], [r[1:] for r in rows_of(s, "split")]]),
        ("activity", ACTIVITY, lambda: _activity_params(context),
         _activity_from_sql,
         lambda s: [[[r[1], r[2], num(r[4])] for r in rows_of(s, "night_duties")],
                    sorted([_kind_value(r[0]), r[1], num(r[2]), num(r[3])] for r in rows_of(s, "by_kind")),
                    [num(v) for v in rows_of(s, "plan")[0]]]),
        ("epa", EPA, lambda: {"cohort": cohort, "specialty": specialty, "base": BASE_LEVEL,
                              "year_start": _year(context).starts_on, "day": context.as_of},
         lambda rows: [[code, num(expected), n, at, pct(at, n), num(level), observed]
                       for code, expected, n, at, level, observed in rows],
         lambda s: [[r[0], *r[2:]] for r in rows_of(s, "epas")]),
        ("exams", EXAMS, lambda: {"specialty": specialty},
         lambda rows: [[[r[2], *(num(v) for v in r[3:])] for r in rows if r[0] == this_intake],
                       sorted((r[0], r[1], r[2], *(num(v) for v in r[3:])) for r in rows)],
         lambda s: [[r[1:] for r in rows_of(s, "cohort")],
                    sorted((int(r[0][:4]), _stage_value(r[1]), *r[2:]) for r in rows_of(s, "trend"))]),
    ]


def _year(context):
    """The academic year of the report's day (the bench's reports always have one)."""
    from reports.sections.cohort_common import current_year

    return current_year(context)


def _eligibility_params(context, policy) -> dict:
    from mentoring.eligibility_db import practised_since_at_most, trained_on_or_after

    day = context.as_of
    return {"cohort": context.cohort.pk, "categories": list(policy.accepted_categories), "day": day,
            "no_minimum": not policy.min_experience_years,
            "practised_by": practised_since_at_most(day, policy.min_experience_years),
            "trained_since": trained_on_or_after(day, policy.training_cycle_years)}


def _curricula_from_sql(rows) -> list:
    total, approved, submitted, draft, none, items, within, curricula, curricula_out, *out = rows[0]
    compliant = curricula - curricula_out
    return [[[n, pct(n, total)] for n in (approved, submitted, draft, none)],
            [[compliant, curricula, pct(compliant, curricula)], [within, items, pct(within, items)],
             *([n, items, pct(n, items)] for n in out)]]


def _activity_params(context) -> dict:
    from reports.sections.cohort_progress import completed_months
    from residents.requirements import month_bounds

    months = completed_months(context)
    bounds = [month_bounds(month)[0] for month in months] + [month_bounds(month)[1] for month in months[-1:]]
    year = _year(context)
    return {"cohort": context.cohort.pk, "months": len(months), "bounds": bounds,
            "first": bounds[0] if bounds else None, "last": bounds[-1] if bounds else None,
            "required": context.cohort.specialty.min_night_duties_per_month, "year": year.pk,
            "year_start": year.starts_on, "day": context.as_of}


def _activity_from_sql(rows) -> list:
    duties = sorted((int(r[1]), r) for r in rows if r[0] == "duty")
    kinds = [r for r in rows if r[0] == "kind"]
    planned = next(r[2] for r in rows if r[0] == "plan") or 0
    done = sum(r[3] or 0 for r in kinds)
    return [[[int(r[2]), int(r[3]), num(r[4])] for _i, r in duties],
            sorted([r[1], r[2], num(r[3] or 0), num(r[4] or 0)] for r in kinds),
            [num(planned), num(done), num(pct(done, planned))]]


def _kind_value(label: str) -> str:
    from residents.models import ActivityKind

    return next(value for value, name in ActivityKind.choices if str(name) == label)


def _stage_value(label: str) -> str:
    from assessments.models import ExamStage

    return next(s.value for s in ExamStage if str(s.label) == label)
