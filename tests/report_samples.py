"""A report result built with reports.result directly (whatever the sections compute), for the page, chart and
export tests: tables of every cell type with a None ("not shown"), a formula-looking label, a bar chart with a
reference, a line chart with two series and a gap, and notes."""

from unittest import mock

from reports import services
from reports.models import ReportRun
from reports.result import chart, column, pct, section, table

FORMULA = "=HYPERLINK(\"http://evil\",\"x\")"


def sample_result(*, rows: int = 3, title: str = "Cohort report: Paediatrics, intake 2024-2025") -> dict:
    """`rows` categories in the first table (the page and the exports must not grow their queries with it)."""
    load = table("load", "Residents per mentor",
                 [column("mentor", "Mentor"), column("residents", "Residents", "int"),
                  column("agree", "Agreeing", "pct"), column("expected", "Expected", "num")],
                 [[f"Mentor {i}", i % 5 + 1, pct(i % 4, 4) if i % 3 else None, 3.5] for i in range(rows)])
    years = table("years", "Exam results by intake year",
                  [column("year", "Intake year"), column("test", "Test, mean", "num"),
                   column("osce", "OSCE, mean", "num"), column("note", "Comment")],
                  [["2022-2023", 71.25, 68.0, FORMULA], ["2023-2024", None, 70.5, "-2 below"],
                   ["2024-2025", 75.0, 74.0, "@home"]],
                  note="Means of the residents with a result.")
    first = section("load", "Mentor load", tables=[load], notes=["Mentors outside 3-4 residents are listed."],
                    charts=[chart("residents_bar", "bar", "Residents per mentor", table="load", label="mentor",
                                  values=["residents"], reference="expected")])
    second = section("exams", "Exam results", tables=[years],
                     charts=[chart("trend", "line", "Exam means by intake year", table="years", label="year",
                                   values=["test", "osce"])])
    return {"kind": "cohort", "title": title, "subtitle": "Department of paediatrics. Figures as of 2026-01-15",
            "as_of": "2026-01-15", "sections": [first, second]}


def finish(run: ReportRun, result: dict | None = None) -> ReportRun:
    """`run` computed by the real worker path (claim, exports, done) with `result` (the sample by default) in place
    of what the sections would compute."""
    result = result or sample_result()
    ReportRun.objects.filter(pk=run.pk).update(status="pending", attempts=0, result=None)
    with mock.patch.object(services, "compute", lambda run, on_progress=None: result):
        assert services.report_execute(run_id=run.pk) == "done"
    run.refresh_from_db()
    return run
