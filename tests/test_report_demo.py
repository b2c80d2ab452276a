"""The demo's reports (reports/demo.py, run by `manage.py seed_demo`): each kind computed on the demo data,
each section with something in it, and running the seeding again adds no run."""

import pytest
from django.core.management import call_command

from mentoring.demo import DEPARTMENT_NAME
from reports.demo import seed_reports
from reports.models import ReportFile, ReportRun

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_finished_report_of_each_kind(seeded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        runs = seed_reports(logins=seeded, department_name=DEPARTMENT_NAME)
    assert sorted(r.kind for r in runs) == ["annual", "cohort", "mentor"]
    for run in runs:
        run.refresh_from_db()
        assert run.status == "done", (run.kind, run.error)
        assert run.result["sections"], run.kind
        for section in run.result["sections"]:
            assert section["tables"] or section["notes"], (run.kind, section["key"])
        assert ReportFile.objects.filter(run=run).count() == 2
    mentor_run = next(r for r in runs if r.kind == "mentor")
    assert mentor_run.mentor.user.email == seeded["mentor"]["email"]
    with django_capture_on_commit_callbacks(execute=True):
        again = seed_reports(logins=seeded, department_name=DEPARTMENT_NAME)
    assert [r.pk for r in again] == [r.pk for r in runs]
    assert ReportRun.objects.count() == 3
    from reports.models import DashboardFigures

    assert DashboardFigures.objects.filter(department__name=DEPARTMENT_NAME).exists()


def test_the_command_prints_the_reports_and_the_logins(seeded, django_capture_on_commit_callbacks):
    from io import StringIO

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    # Inside the test's transaction the runs are queued for the commit (outside a transaction, as with
    # `make run`, the in-process worker has computed them by the time the line is printed).
    assert "Reports: 3 pending report runs" in printed
    assert set(ReportRun.objects.values_list("status", flat=True)) == {"done"}
    assert seeded["coordinator"]["email"] in printed
