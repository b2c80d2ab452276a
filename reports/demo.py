"""The demo's reports (`manage.py seed_demo`, after the rest of the demo data): a cohort report of the demo
resident's cohort, the demo mentor's own mentor report and the department's annual monitoring, computed through
the services like any request (in-process Celery on a laptop), and the dashboard's nightly figures. Running it
again adds no run."""

from django.contrib.auth import get_user_model
from django.db.models import Count

from organization.models import Department
from organization.selectors import current_academic_year

from .dashboard import dashboard_figures_refresh
from .models import ReportRun
from .services import report_request


def seed_reports(*, logins: dict[str, dict[str, str]], department_name: str) -> list[ReportRun]:
    User = get_user_model()
    department = Department.objects.get(name=department_name)
    coordinator = User.objects.get(email=logins["coordinator"]["email"])
    mentor = User.objects.select_related("mentor_profile").get(email=logins["mentor"]["email"]).mentor_profile
    resident = User.objects.select_related("resident_profile__cohort").get(
        email=logins["resident"]["email"]).resident_profile
    year = current_academic_year()
    wanted = [{"kind": "cohort", "cohort": resident.cohort}]
    if year is not None:  # between academic years only the cohort report has its parameters
        wanted += [{"kind": "mentor", "mentor": mentor, "academic_year": year},
                   {"kind": "annual", "academic_year": year}]
    runs = []
    for parameters in wanted:
        existing = ReportRun.objects.filter(department=department, status=ReportRun.Status.DONE,
                                            **parameters).first()
        runs.append(existing or report_request(by=coordinator, department=department, **parameters))
    dashboard_figures_refresh(department=department)  # the dashboard's card shows figures at once, not tonight
    return runs


def reports_summary(department_name: str) -> str:
    """One line for `seed_demo`'s output."""
    counts = dict(ReportRun.objects.filter(department__name=department_name).values_list("status")
                  .annotate(n=Count("pk")).values_list("status", "n"))
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + " report runs"
