"""Hand-written SQL baselines of the questionnaire sections of the reports (reports/sections/cohort_surveys.py,
annual_surveys.py; the mentor report's pooled satisfaction is in sql_mentor.py): one query per section giving the
figures the section shows. Used by bench/report_vs_sql.py.

The anonymity rules of the results pages (surveys/results.py hidden_reason, DESIGN.md section 3) are plain
conditions here: a campaign's figures only when it is closed, its pending pool released and at least k responded;
an item's figures only when at least k answered it (HAVING). n is the number of responses that answered the item;
the values counted are those of the answers without text and option (a Likert item's mean over the values 1-5).
"""

from sql_common import num, rows_of

# The campaigns the cohort's residents were invited to, with each shown campaign's Likert, yes / no and number
# items (in the questionnaire's order) and their figures where k answered them: one row per campaign and item, one
# row with no item for a campaign whose figures are hidden.
COHORT_SATISFACTION = """
WITH invited AS (
    SELECT c.id, c.title, c.status, c.opens_on, c.closes_on, c.threshold, c.questionnaire_id,
           (SELECT count(*) FROM surveys_response r WHERE r.campaign_id = c.id) AS respondents
    FROM surveys_campaign c
    WHERE EXISTS (SELECT 1 FROM surveys_participation p JOIN residents_resident res ON res.user_id = p.user_id
                  WHERE p.campaign_id = c.id AND res.cohort_id = %(cohort)s)),
shown AS (
    SELECT v.id, v.threshold, v.questionnaire_id FROM invited v
    WHERE v.status = 'closed' AND v.respondents >= v.threshold
      AND NOT EXISTS (SELECT 1 FROM surveys_pendingsubmission p WHERE p.campaign_id = v.id)),
figures AS (
    SELECT s.id AS campaign_id, a.item_id, count(DISTINCT a.response_id) AS n,
           count(*) FILTER (WHERE a.text = '' AND a.option_id IS NULL AND a.number IN (4, 5)) AS agree,
           count(*) FILTER (WHERE a.text = '' AND a.option_id IS NULL AND a.number = 1) AS yes,
           avg(a.number) FILTER (WHERE a.text = '' AND a.option_id IS NULL
                                   AND (i.kind = 'number' OR a.number IN (1, 2, 3, 4, 5))) AS mean
    FROM shown s JOIN surveys_response r ON r.campaign_id = s.id JOIN surveys_answer a ON a.response_id = r.id
    JOIN surveys_item i ON i.id = a.item_id AND i.kind IN ('likert', 'yes_no', 'number')
    GROUP BY s.id, s.threshold, a.item_id
    HAVING count(DISTINCT a.response_id) >= s.threshold)
SELECT v.id, v.title, v.status, v.closes_on, v.threshold, v.respondents, s.id IS NOT NULL AS shown,
       i.code, i.kind, f.n,
       CASE WHEN i.kind = 'likert' THEN 100.0 * f.agree / f.n END,
       CASE WHEN i.kind = 'yes_no' THEN 100.0 * f.yes / f.n END,
       CASE WHEN i.kind <> 'yes_no' THEN f.mean END
FROM invited v LEFT JOIN shown s ON s.id = v.id
LEFT JOIN (surveys_section sec
           JOIN surveys_item i ON i.section_id = sec.id AND i.kind IN ('likert', 'yes_no', 'number'))
     ON sec.questionnaire_id = s.questionnaire_id
LEFT JOIN figures f ON f.campaign_id = v.id AND f.item_id = i.id
ORDER BY v.opens_on, v.id, sec.position, sec.id, i.position, i.id
"""

# Counted per campaign (LATERAL): only the invited campaigns' participations are read.
COHORT_RESPONSE_RATES = """
SELECT c.title, c.status, c.opens_on, c.closes_on, n.invited, n.answered,
       round(100.0 * n.answered / nullif(n.invited, 0), 1)
FROM surveys_campaign c
CROSS JOIN LATERAL (SELECT count(*) AS invited, count(*) FILTER (WHERE p.completed) AS answered
                    FROM surveys_participation p WHERE p.campaign_id = c.id) n
WHERE EXISTS (SELECT 1 FROM surveys_participation q JOIN residents_resident res ON res.user_id = q.user_id
              WHERE q.campaign_id = c.id AND res.cohort_id = %(cohort)s)
ORDER BY c.opens_on, c.id
"""

# The department's campaigns closed in each year: a 'summary' row per year (campaigns, shown, respondents of the
# shown, answers to the Likert items shown and % agreeing among them) and an 'item' row per shown campaign and
# Likert or yes / no item (n and % agreeing or % yes where k answered it; one row with no item for a hidden campaign).
ANNUAL_SATISFACTION = """
WITH years(i, starts, day) AS (SELECT * FROM unnest(%(indexes)s::int[], %(starts)s::date[], %(days)s::date[])),
closed AS (
    SELECT y.i, c.id, c.title, c.closes_on, c.threshold, c.questionnaire_id,
           (SELECT count(*) FROM surveys_response r WHERE r.campaign_id = c.id) AS respondents,
           EXISTS (SELECT 1 FROM surveys_pendingsubmission p WHERE p.campaign_id = c.id) AS pending
    FROM years y JOIN surveys_campaign c ON c.department_id = %(department)s AND c.status = 'closed'
         AND c.closes_on BETWEEN y.starts AND y.day),
shown AS (SELECT * FROM closed WHERE NOT pending AND respondents >= threshold),
figures AS (
    SELECT s.id AS campaign_id, a.item_id, i.kind, count(DISTINCT a.response_id) AS n,
           count(*) FILTER (WHERE a.text = '' AND a.option_id IS NULL AND a.number IN (4, 5)) AS agree,
           count(*) FILTER (WHERE a.text = '' AND a.option_id IS NULL AND a.number = 1) AS yes
    FROM shown s JOIN surveys_response r ON r.campaign_id = s.id JOIN surveys_answer a ON a.response_id = r.id
    JOIN surveys_item i ON i.id = a.item_id AND i.kind IN ('likert', 'yes_no')
    GROUP BY s.id, s.threshold, a.item_id, i.kind
    HAVING count(DISTINCT a.response_id) >= s.threshold),
likert AS (
    SELECT campaign_id, sum(n) AS answers, sum(agree) AS agree FROM figures WHERE kind = 'likert'
    GROUP BY campaign_id)
SELECT 'summary', y.i, NULL::bigint, NULL, NULL, NULL::bigint, NULL::numeric, NULL::bool, count(c.id), count(s.id),
       coalesce(sum(s.respondents), 0)::int, coalesce(sum(l.answers), 0)::int,
       round(100.0 * sum(l.agree) / nullif(sum(l.answers), 0), 1), NULL::date, NULL::int, NULL::bigint, NULL::int,
       NULL::bigint
FROM years y LEFT JOIN closed c ON c.i = y.i LEFT JOIN shown s ON s.id = c.id
LEFT JOIN likert l ON l.campaign_id = s.id
GROUP BY y.i
UNION ALL
SELECT 'item', c.i, c.id, c.title, i.text, f.n,
       CASE WHEN i.kind = 'likert' THEN 100.0 * f.agree / f.n ELSE 100.0 * f.yes / f.n END,
       s.id IS NOT NULL, NULL, NULL, NULL, NULL, NULL, c.closes_on, sec.position, sec.id, i.position, i.id
FROM closed c LEFT JOIN shown s ON s.id = c.id
LEFT JOIN (surveys_section sec JOIN surveys_item i ON i.section_id = sec.id AND i.kind IN ('likert', 'yes_no'))
     ON sec.questionnaire_id = s.questionnaire_id
LEFT JOIN figures f ON f.campaign_id = s.id AND f.item_id = i.id
ORDER BY 1 DESC, 2, 14, 3, 15, 16, 17, 18
"""

ANNUAL_RESPONSE_RATES = """
WITH years(i, starts, day) AS (SELECT * FROM unnest(%(indexes)s::int[], %(starts)s::date[], %(days)s::date[]))
SELECT y.i, count(c.id), coalesce(sum(n.invited), 0)::int, coalesce(sum(n.answered), 0)::int,
       round(100.0 * sum(n.answered) / nullif(sum(n.invited), 0), 1)
FROM years y LEFT JOIN surveys_campaign c ON c.department_id = %(department)s AND c.status = 'closed'
     AND c.closes_on BETWEEN y.starts AND y.day
LEFT JOIN LATERAL (SELECT count(*) AS invited, count(*) FILTER (WHERE p.completed) AS answered
                   FROM surveys_participation p WHERE p.campaign_id = c.id) n ON true
GROUP BY y.i ORDER BY y.i
"""

# Each case: (section name, SQL, parameters(), figures from the SQL rows, figures from the computed section). The
# two figure functions must give equal values (report_vs_sql.py checks before timing), so the SQL computes what the
# section shows.


def cases(context) -> list:
    if context.kind == "cohort":
        return _cohort_cases(context)
    if context.kind == "annual":
        return _annual_cases(context)
    return []


def _status(value: str) -> str:
    from surveys.models import Campaign

    return str(Campaign.Status(value).label)


def _cohort_cases(context) -> list:
    def satisfaction_from_sql(rows):
        campaigns, items, agreeing = [], [], {}
        for row in rows:
            if not campaigns or campaigns[-1][0] != row[1]:
                campaigns.append([row[1], _status(row[2]), row[3].isoformat(), row[4], row[5] if row[6] else None,
                                  row[6]])
            if row[6] and row[7] is not None:
                items.append([row[1], row[7], row[9], num(row[10]), num(row[11]), num(row[12])])
                if row[8] == "likert":
                    agreeing.setdefault(row[7], {})[row[0]] = num(row[10])
        shown = [row[0] for row in rows if row[6]]
        shown = sorted(set(shown), key=shown.index)
        return {"campaigns": campaigns, "items": items,
                "agreeing": {code: [of.get(c) for c in shown] for code, of in agreeing.items()}}

    def satisfaction_from_section(s):
        from django.utils.translation import gettext as _

        agreeing_rows = rows_of(s, "agreeing")
        return {"campaigns": [[r[0], r[1], r[2], r[3], r[4], r[5] == _("yes")] for r in rows_of(s, "campaigns")],
                "items": [[r[0], r[1], r[3], num(r[4]), num(r[5]), num(r[6])] for r in rows_of(s, "items")],
                "agreeing": {r[0]: [num(v) for v in r[2:]] for r in agreeing_rows}}

    return [
        ("satisfaction", COHORT_SATISFACTION, lambda: {"cohort": context.cohort.pk},
         satisfaction_from_sql, satisfaction_from_section),
        ("response_rates", COHORT_RESPONSE_RATES, lambda: {"cohort": context.cohort.pk},
         lambda rows: [[r[0], _status(r[1]), r[2].isoformat(), r[3].isoformat(), r[4], r[5], num(r[6])]
                       for r in rows],
         lambda s: [[*r[:6], num(r[6])] for r in rows_of(s, "rates")]),
    ]


def _annual_cases(context) -> list:
    from reports.sections.annual_common import years_of

    annual_years = years_of(context)
    labels = [y.label for y in annual_years]

    def of_years():
        return {"department": context.department.pk, "indexes": list(range(len(annual_years))),
                "starts": [y.starts_on for y in annual_years], "days": [y.day for y in annual_years]}

    def satisfaction_from_sql(rows):
        summary = [[labels[r[1]], r[8], r[9], r[10], r[11], num(r[12])] for r in rows if r[0] == "summary"]
        detail = [[labels[r[1]], r[3], r[4], r[5], num(r[6])] for r in rows
                  if r[0] == "item" and (not r[7] or r[17] is not None)]
        return {"summary": summary, "detail": detail}

    def satisfaction_from_section(s):
        return {"summary": [[*r[:5], num(r[5])] for r in rows_of(s, "satisfaction")],
                "detail": [[r[0], r[1], r[2], r[3], num(r[4])] for r in rows_of(s, "satisfaction_items")]}

    return [
        ("satisfaction", ANNUAL_SATISFACTION, of_years, satisfaction_from_sql, satisfaction_from_section),
        ("response_rates", ANNUAL_RESPONSE_RATES, of_years,
         lambda rows: [[labels[r[0]], r[1], r[2], r[3], num(r[4])] for r in rows],
         lambda s: [[r[0], r[1], r[2], r[3], num(r[4])] for r in rows_of(s, "response_rates")]),
    ]
