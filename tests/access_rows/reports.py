"""Access-matrix rows for the report pages (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)).
`world(base)` adds this part's objects (report runs) to the world fixture.

A coordinator sees every run of their department; a mentor only the mentor reports about themselves (so the
cohort run is 404 for the mentor, the mentor run 200); anyone else 404. The POST "Run again" and the other
denials (another mentor's report, another department's coordinator) are in tests/test_report_pages.py.
"""

LOGIN = 302


def _cohort_run(o):
    return {"pk": o["cohort_run"].pk}


def _mentor_run(o):
    return {"pk": o["mentor_run"].pk}


ROWS = {
    "reports:index": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
    "reports:mine": (lambda o: {}, (LOGIN, 404, 200, 404, 404)),
    # The mentor report about the base mentor: the mentor and the department's coordinator.
    "reports:run": (_mentor_run, (LOGIN, 404, 200, 200, 404)),
    "reports:run_chart": (lambda o: {**_mentor_run(o), "section": "load", "chart": "residents_bar"},
                          (LOGIN, 404, 200, 200, 404)),
    # The cohort report: the department's coordinator only.
    "reports:run_status": (_cohort_run, (LOGIN, 404, 404, 200, 404)),
    "reports:run_file": (lambda o: {**_cohort_run(o), "fmt": "xlsx"}, (LOGIN, 404, 404, 200, 404)),
    # POST-only: a GET is refused before anything is looked up.
    "reports:rerun": (_cohort_run, (LOGIN, 405, 405, 405, 405)),
}


def world(base):
    """A finished cohort report of the base resident's cohort and a finished mentor report about the base mentor
    (both asked for by the coordinator; their result is the sample result of tests/report_samples.py)."""
    from reports.services import report_request
    from tests.report_samples import finish

    department, coordinator = base["department"], base["coordinator"]
    cohort_run = report_request(by=coordinator, kind="cohort", department=department,
                                cohort=base["resident"].cohort)
    mentor_run = report_request(by=coordinator, kind="mentor", department=department, mentor=base["mentor"],
                                academic_year=base["academic_year"])
    return {"cohort_run": finish(cohort_run), "mentor_run": finish(mentor_run)}
