"""Hand-written SQL baselines of the mentor report's sections (reports/sections/mentor.py): one query per
section giving the figures the section shows. Used by bench/report_vs_sql.py.

residents: the residents of the mentor's clinical assignments overlapping the year, with their year of study then,
status, first start and last end with the mentor, their active EPAs with a level expected for that year of study
and those granted at or above it by the year's day (the latest decision in the decisions' history before the end
of that day, else the decision itself when taken before it, else the base level), and the observations they
received in the year on days they were under this mentor.

exams: every exam result of the year of the residents mentored in the year, each row carrying the count, mean,
median (percentile_cont), minimum and maximum of the overall, test and OSCE scores of all of them.

observations: totals, per month and per EPA in one GROUPING SETS query.

meetings: per format and in all (ROLLUP), the mentor's meetings of the year held, accepted still to come, awaiting
an answer and called off; then per assignment of the mentor overlapping the year, the meetings held with the mentee
(accepted, ended by the report's day, in the pair's programme, started on or after the pair started, the mentee
attended) by format and the last one.

evaluations: the mentor's evaluations up to the report's year.

satisfaction: what the mentor's results page shows (surveys.results.my_pooled_results). The query pools the
mentor's answers itself: for each questionnaire with answers about the mentor in a closed campaign, it walks the
released campaigns (closed, no pending submission) holding answers about the mentor in order of closing (closes_on,
id) with a recursive CTE, dropping from the running block the campaigns closed more than POOL_YEARS years before
the current one, and completes a block when its answers reach its k (the largest threshold of its campaigns); then,
per completed block and agreement item (Likert, yes/no), the item's respondents (n) and the % agreeing (4 or 5) or
% yes, shown only when n reaches the block's k. Campaigns without answers about the mentor are skipped by the walk:
a drop they would cause is also caused by the next campaign with answers, which closes later.
What one query cannot do is the complementary suppression of surveys.disclosure: an audit over every subset of
campaigns linked by the shown blocks of all the department's mentors, block by block and then item by item, hiding
blocks until no difference of shown figures rests on fewer than k people. So its verdicts are an INPUT of the
query, taken from the pools the section itself reads (surveys.pooling.cached_pools): the first campaigns of the
mentor's blocks the block audit hid by suppression or by the component cap, and the (block, item) pairs the item
audits hid although at least k answered the item (below k the query hides them itself). The timed query does the
rest: the pooling, the counting and the k rules. Reading the verdicts is timed with it (`_verdict_lookup`: the
mentor's questionnaires by one more query, then cached_pools, as the section reads them): a SQL report, like the
section, has to read them before its query, and reading them is the same work on both sides. Turning them into the
query's parameters (block and item lists) is not timed.
"""

from sql_common import num, rows_of

RESIDENTS = """
WITH mine AS (
    SELECT a.resident_id, min(a.started_on) AS since,
           CASE WHEN bool_or(a.ended_on IS NULL) THEN NULL ELSE max(a.ended_on) END AS until
    FROM mentoring_assignment a
    WHERE a.mentor_id = %(mentor)s AND a.kind = 'clinical' AND a.started_on <= %(day)s
      AND (a.ended_on IS NULL OR a.ended_on >= %(first)s)
    GROUP BY a.resident_id),
members AS (
    SELECT m.*, r.specialty_id, r.status, u.last_name, u.first_name, u.middle_name,
           %(start_year)s + 1 - iy.start_year AS year_of_study
    FROM mine m JOIN residents_resident r ON r.id = m.resident_id JOIN accounts_user u ON u.id = r.user_id
    JOIN residents_cohort c ON c.id = r.cohort_id JOIN organization_academicyear iy ON iy.id = c.intake_year_id),
standing AS (
    SELECT m.resident_id, count(x.id) AS expected,
           count(x.id) FILTER (WHERE coalesce(h.level, CASE WHEN d.decided_at < %(end)s THEN d.level END, %(base)s)
                                     < x.level) AS behind
    FROM members m JOIN assessments_epa e ON e.specialty_id = m.specialty_id AND e.is_active
    JOIN assessments_epaexpectation x ON x.epa_id = e.id AND x.year_of_study = m.year_of_study
    LEFT JOIN assessments_entrustmentdecision d ON d.resident_id = m.resident_id AND d.epa_id = e.id
    LEFT JOIN LATERAL (
        SELECT hd.level FROM assessments_historicalentrustmentdecision hd
        WHERE hd.resident_id = m.resident_id AND hd.epa_id = e.id AND hd.decided_at < %(end)s
          AND hd.history_type <> '-'
        ORDER BY hd.decided_at DESC, hd.history_id DESC LIMIT 1) h ON true
    GROUP BY m.resident_id),
received AS (
    SELECT o.resident_id, count(*) AS n FROM assessments_observation o
    WHERE o.resident_id IN (SELECT resident_id FROM mine) AND o.observed_on BETWEEN %(first)s AND %(day)s
      AND EXISTS (SELECT 1 FROM mentoring_assignment a
                  WHERE a.mentor_id = %(mentor)s AND a.kind = 'clinical' AND a.resident_id = o.resident_id
                    AND a.started_on <= o.observed_on AND (a.ended_on IS NULL OR a.ended_on >= o.observed_on))
    GROUP BY o.resident_id)
SELECT m.last_name, m.first_name, m.middle_name, m.year_of_study, m.status, m.since, m.until,
       coalesce(s.expected, 0), coalesce(s.expected - s.behind, 0), coalesce(v.n, 0)
FROM members m LEFT JOIN standing s ON s.resident_id = m.resident_id
LEFT JOIN received v ON v.resident_id = m.resident_id
ORDER BY m.last_name, m.first_name, m.resident_id
"""

EXAMS = """
WITH results AS (
    SELECT e.id, e.stage, e.held_on, e.test_score, e.osce_score, e.overall_score, u.last_name, u.first_name,
           u.middle_name
    FROM assessments_examresult e JOIN residents_resident r ON r.id = e.resident_id
    JOIN accounts_user u ON u.id = r.user_id
    WHERE e.academic_year_id = %(year)s
      AND EXISTS (SELECT 1 FROM mentoring_assignment a
                  WHERE a.mentor_id = %(mentor)s AND a.kind = 'clinical' AND a.resident_id = e.resident_id
                    AND a.started_on <= %(day)s AND (a.ended_on IS NULL OR a.ended_on >= %(first)s))),
scores AS (
    SELECT count(overall_score), avg(overall_score), percentile_cont(0.5) WITHIN GROUP (ORDER BY overall_score),
           min(overall_score), max(overall_score),
           count(test_score), avg(test_score), percentile_cont(0.5) WITHIN GROUP (ORDER BY test_score),
           min(test_score), max(test_score),
           count(osce_score), avg(osce_score), percentile_cont(0.5) WITHIN GROUP (ORDER BY osce_score),
           min(osce_score), max(osce_score)
    FROM results)
SELECT s.*, r.last_name, r.first_name, r.middle_name, r.stage, r.held_on, r.test_score, r.osce_score,
       r.overall_score
FROM scores s LEFT JOIN results r ON true
ORDER BY r.last_name, r.first_name, r.stage, r.id
"""

OBSERVATIONS = """
SELECT GROUPING(date_trunc('month', o.observed_on), e.code) AS g, date_trunc('month', o.observed_on)::date,
       e.code, min(e.title), min(e.position), count(*), count(*) FILTER (WHERE o.is_late), avg(o.level),
       count(DISTINCT o.resident_id), count(DISTINCT o.epa_id)
FROM assessments_observation o JOIN assessments_epa e ON e.id = o.epa_id
WHERE o.mentor_id = %(mentor)s AND o.observed_on >= %(first)s AND o.observed_on <= %(last)s
GROUP BY GROUPING SETS ((), (date_trunc('month', o.observed_on)), (e.code))
"""

MEETINGS = """
WITH summary AS (
    SELECT GROUPING(m.format) AS g, m.format,
           count(*) FILTER (WHERE m.status = 'accepted' AND m.ends_at <= %(cutoff)s) AS held,
           count(*) FILTER (WHERE m.status = 'accepted' AND m.ends_at > %(cutoff)s) AS upcoming,
           count(*) FILTER (WHERE m.status = 'proposed') AS proposed,
           count(*) FILTER (WHERE m.status IN ('declined', 'cancelled')) AS called_off
    FROM mentoring_meeting m
    WHERE m.mentor_user_id = %(user)s AND m.starts_at >= %(start)s AND m.starts_at < %(end)s
    GROUP BY ROLLUP (m.format)),
pairs AS (
    SELECT a.id, u.last_name, u.first_name, u.middle_name, p.kind, p.name,
           count(h.id) FILTER (WHERE h.format = 'one_to_one') AS one_to_one,
           count(h.id) FILTER (WHERE h.format = 'group') AS "group", max(h.starts_at) AS last_met
    FROM mentoring_assignment a JOIN mentoring_mentor mm ON mm.id = a.mentor_id
    JOIN residents_resident r ON r.id = a.resident_id JOIN accounts_user u ON u.id = r.user_id
    JOIN mentoring_programme p ON p.id = a.programme_id
    LEFT JOIN mentoring_meeting h ON h.programme_id = a.programme_id AND h.mentor_user_id = mm.user_id
         AND h.status = 'accepted' AND h.ends_at <= %(cutoff)s AND h.starts_at >= %(start)s AND h.starts_at < %(end)s
         AND (h.starts_at AT TIME ZONE %(tz)s)::date >= a.started_on
         AND EXISTS (SELECT 1 FROM mentoring_meetingparticipant mp
                     WHERE mp.meeting_id = h.id AND mp.user_id = r.user_id AND mp.response = 'accepted')
    WHERE a.mentor_id = %(mentor)s AND a.started_on <= %(day)s AND (a.ended_on IS NULL OR a.ended_on >= %(first)s)
    GROUP BY a.id, u.id, p.id)
SELECT 'summary', g, format, held, upcoming, proposed, called_off, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM summary
UNION ALL
SELECT 'pair', NULL, NULL, NULL, NULL, NULL, NULL, last_name, first_name, middle_name, kind, name, one_to_one, "group",
       (last_met AT TIME ZONE %(tz)s)::date
FROM pairs
"""

EVALUATIONS = """
SELECT y.start_year, e.score, e.supervision, e.feedback, e.availability, e.professionalism, e.development
FROM assessments_mentorevaluation e JOIN organization_academicyear y ON y.id = e.academic_year_id
WHERE e.mentor_id = %(mentor)s AND y.start_year <= %(start_year)s
ORDER BY y.start_year
"""

SATISFACTION = """
WITH RECURSIVE
mine AS (  -- released campaigns about mentors holding answers about this mentor, numbered in order of closing
    SELECT c.id, c.questionnaire_id, c.closes_on, c.threshold, c.title, count(*) AS n,
           row_number() OVER (PARTITION BY c.questionnaire_id ORDER BY c.closes_on, c.id) AS i
    FROM surveys_response r JOIN surveys_campaign c ON c.id = r.campaign_id
    WHERE r.subject_id = %(mentor)s AND c.about_mentor AND c.status = 'closed'
      AND NOT EXISTS (SELECT 1 FROM surveys_pendingsubmission p WHERE p.campaign_id = c.id)
    GROUP BY c.id),
walk (questionnaire_id, i, start, complete) AS (  -- the running block after campaign i starts at campaign start
    SELECT m.questionnaire_id, m.i, m.i, m.n >= m.threshold FROM mine m WHERE m.i = 1
    UNION ALL
    SELECT c.questionnaire_id, c.i, s.start, s.n >= s.k
    FROM walk w JOIN mine c ON c.questionnaire_id = w.questionnaire_id AND c.i = w.i + 1
    CROSS JOIN LATERAL (
        SELECT min(k.i) AS start, sum(k.n) AS n, max(k.threshold) AS k FROM mine k
        WHERE k.questionnaire_id = c.questionnaire_id AND k.i <= c.i
          AND k.i >= CASE WHEN w.complete THEN c.i ELSE w.start END
          AND k.closes_on + make_interval(years => %(years)s) >= c.closes_on) s),
blocks AS (
    SELECT w.questionnaire_id, w.start, w.i AS last, f.id AS first_campaign, max(k.threshold) AS k,
           string_agg(k.title, ', ' ORDER BY k.i) AS pooled_from, array_agg(k.id) AS campaigns
    FROM walk w JOIN mine f ON f.questionnaire_id = w.questionnaire_id AND f.i = w.start
    JOIN mine k ON k.questionnaire_id = w.questionnaire_id AND k.i BETWEEN w.start AND w.i
    WHERE w.complete AND NOT f.id = ANY(%(suppressed_blocks)s::bigint[])
    GROUP BY w.questionnaire_id, w.start, w.i, f.id),
figures AS (
    SELECT b.questionnaire_id, b.start, b.pooled_from, b.k, b.first_campaign, a.item_id,
           count(DISTINCT a.response_id) AS n,
           count(*) FILTER (WHERE a.text = '' AND a.option_id IS NULL
                                  AND (it.kind = 'likert' AND a.number IN (4, 5)
                                       OR it.kind = 'yes_no' AND a.number = 1)) AS agreeing
    FROM blocks b JOIN surveys_response r ON r.subject_id = %(mentor)s AND r.campaign_id = ANY(b.campaigns)
    JOIN surveys_answer a ON a.response_id = r.id
    JOIN surveys_item it ON it.id = a.item_id AND it.kind IN ('likert', 'yes_no')
    GROUP BY b.questionnaire_id, b.start, b.pooled_from, b.k, b.first_campaign, a.item_id)
SELECT q.title, b.start, b.pooled_from, it.text,
       CASE WHEN shown THEN 100.0 * f.agreeing / f.n END, CASE WHEN shown THEN f.n END
FROM blocks b JOIN surveys_questionnaire q ON q.id = b.questionnaire_id
JOIN surveys_section sc ON sc.questionnaire_id = q.id
JOIN surveys_item it ON it.section_id = sc.id AND it.kind IN ('likert', 'yes_no')
LEFT JOIN figures f ON f.questionnaire_id = b.questionnaire_id AND f.start = b.start AND f.item_id = it.id
CROSS JOIN LATERAL (
    SELECT f.n >= b.k AND (b.first_campaign, it.id) NOT IN (
        SELECT * FROM unnest(%(suppressed_item_blocks)s::bigint[], %(suppressed_items)s::bigint[])) AS shown) v
ORDER BY q.title, q.id, b.start, sc.position, sc.id, it.position, it.id
"""

# Each case: (section name, SQL, parameters(), figures from the SQL rows, figures from the computed section). The
# two figure functions must give equal values (report_vs_sql.py checks before timing), so the SQL computes what the
# section shows.


def cases(context) -> list:
    from datetime import timedelta

    from django.conf import settings

    from accounts.models import full_name as _name
    from assessments.models import ExamStage
    from assessments.standing import BASE_LEVEL
    from reports.result import pct
    from reports.sections.mentor import _midnight, report_year
    from residents.models import Resident

    year = report_year(context)
    statuses = {str(label): value for value, label in Resident.Status.choices}
    stages = {str(label): value for value, label in ExamStage.choices}
    academic = context.academic_year
    return [
        ("residents", RESIDENTS,
         lambda: {"mentor": context.mentor.pk, "first": year.starts_on, "day": year.day, "end": year.end,
                  "start_year": year.start_year, "base": BASE_LEVEL},
         lambda rows: [[_name(*r[0:3]), r[3], r[4], r[5].isoformat(),
                        r[6].isoformat() if r[6] is not None and r[6] <= context.as_of else "yes",
                        r[7], r[8], pct(r[8], r[7]), r[9]] for r in rows],
         lambda s: [[r[0], r[1], statuses[r[2]], *r[3:]]
                    for r in rows_of(s, "residents")]),
        ("exams", EXAMS,
         lambda: {"mentor": context.mentor.pk, "year": academic.pk, "first": year.starts_on, "day": year.day},
         lambda rows: [[[rows[0][5 * i], *map(num, rows[0][5 * i + 1:5 * i + 5])] for i in range(3)],
                       [[_name(*r[15:18]), r[18], r[19].isoformat() if r[19] else None, *map(num, r[20:23])]
                        for r in rows if r[15] is not None]],
         lambda s: [[[r[1], *map(num, r[2:6])] for r in rows_of(s, "exam_summary")],
                    [[r[0], stages[r[1]], r[2], *map(num, r[3:6])] for r in rows_of(s, "exam_results")]]),
        ("observations", OBSERVATIONS,
         lambda: {"mentor": context.mentor.pk, "first": year.starts_on, "last": year.day},
         lambda rows: [[(r[5], r[6], r[8], r[9]) for r in rows if r[0] == 3][0],
                       sorted(r[5] for r in rows if r[0] == 1),
                       sorted((r[2], r[5], r[6]) for r in rows if r[0] == 2)],
         lambda s: [tuple(rows_of(s, "observations_summary")[0][i] for i in (0, 1, 3, 4)),
                    sorted(r[1] for r in rows_of(s, "observations_by_month") if r[1]),
                    sorted((r[0], r[2], r[3]) for r in rows_of(s, "observations_by_epa"))]),
        ("meetings", MEETINGS,
         lambda: {"mentor": context.mentor.pk, "user": context.mentor.user_id, "first": year.starts_on,
                  "day": year.day, "start": _midnight(academic.starts_on),
                  "end": _midnight(academic.ends_on + timedelta(days=1)), "cutoff": _midnight(context.as_of),
                  "tz": settings.TIME_ZONE},
         lambda rows: [_meeting_summary(rows),
                       sorted([_name(*r[7:10]), _programme(r[10], r[11]), r[12], r[13], r[12] + r[13],
                               r[14].isoformat() if r[14] else ""] for r in rows if r[0] == "pair")],
         lambda s: [[r[1:] for r in rows_of(s, "meetings_summary")],
                    sorted([*r[:5], r[5] or ""] for r in rows_of(s, "meetings_by_mentee"))]),
        ("evaluations", EVALUATIONS, lambda: {"mentor": context.mentor.pk, "start_year": academic.start_year},
         lambda rows: [[r[0], num(r[1]), *r[2:]] for r in rows],
         lambda s: [[int(r[0][:4]), num(r[1]), *r[2:]] for r in rows_of(s, "evaluations")]),
        ("satisfaction", SATISFACTION, lambda: _satisfaction_parameters(context),
         lambda rows: [[r[0], r[2], r[3], num(r[4]), r[5]] for r in rows],
         lambda s: [[t["title"], r[0], r[1], num(r[2]), r[3]] for t in s["tables"] for r in t["rows"]],
         lambda: _verdict_lookup(context)),
    ]


def _programme(kind: str, name: str) -> str:
    from mentoring.models import Programme

    return str(Programme.Kind(kind).label) if kind == Programme.Kind.CLINICAL else name


def _meeting_summary(rows) -> list:
    from mentoring.models import Meeting

    by_format = {r[2]: r[3:7] for r in rows if r[0] == "summary" and r[1] == 0}
    total = next((r[3:7] for r in rows if r[0] == "summary" and r[1] == 1), (0, 0, 0, 0))
    return [*([*by_format.get(fmt, (0, 0, 0, 0))] for fmt in Meeting.Format.values), [*total]]


QUESTIONNAIRES = """
SELECT DISTINCT c.questionnaire_id FROM surveys_response r JOIN surveys_campaign c ON c.id = r.campaign_id
WHERE r.subject_id = %(mentor)s AND c.about_mentor AND c.status = 'closed'
"""


def _verdict_lookup(context) -> None:
    """What a hand-written SQL report has to do before its satisfaction query, as the section does: find the
    questionnaires with answers about the mentor (one query) and read their pools, with the disclosure audit's
    verdicts, through surveys.pooling.cached_pools (its freshness query and the cache). Timed with the query
    (bench/report_vs_sql.py): the verdicts are an input of the query, but not a free one."""
    from django.db import connection

    from surveys.pooling import cached_pools

    with connection.cursor() as cursor:
        cursor.execute(QUESTIONNAIRES, {"mentor": context.mentor.pk})
        questionnaire_ids = sorted(row[0] for row in cursor.fetchall())
    if questionnaire_ids:
        cached_pools(questionnaire_ids)


def _satisfaction_parameters(context) -> dict:
    """The mentor, the pooling window, and the verdicts of the department-wide disclosure audit that one query does
    not reproduce (see the module's docstring): computed here, outside the timing, from the pools the section
    itself reads."""
    from django.db.models import Count

    from surveys.disclosure import COMPONENT_CAP, SUPPRESSED
    from surveys.models import Answer, Campaign, Response
    from surveys.pooling import POOL_YEARS, cached_pools

    mentor = context.mentor.pk
    questionnaire_ids = sorted(set(
        Response.objects.filter(subject_id=mentor, campaign__about_mentor=True, campaign__status=Campaign.Status.CLOSED)
        .values_list("campaign__questionnaire_id", flat=True)))
    pools = cached_pools(questionnaire_ids) if questionnaire_ids else {}
    respondents = {(row["response__campaign_id"], row["item_id"]): row["n"] for row in (
        Answer.objects.filter(response__subject_id=mentor).order_by().values("response__campaign_id", "item_id")
        .annotate(n=Count("response_id", distinct=True)))}
    blocks, item_blocks, items = [], [], []
    for pool in pools.values():
        for block in pool.pooling.blocks_of(mentor):
            if pool.disclosure.hidden.get(block.key) in (SUPPRESSED, COMPONENT_CAP):
                blocks.append(block.campaigns[0])
            if block.key not in pool.disclosure.shown:
                continue
            for item, shown in pool.item_shown.items():
                n = sum(respondents.get((c, item), 0) for c in block.campaigns)
                if block.key not in shown and n >= block.k:
                    item_blocks.append(block.campaigns[0])
                    items.append(item)
    return {"mentor": mentor, "years": POOL_YEARS, "suppressed_blocks": blocks, "suppressed_item_blocks": item_blocks,
            "suppressed_items": items}
