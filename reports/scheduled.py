"""Reports the scheduler asks for (Celery beat)."""

from django.utils import timezone

from organization.models import AcademicYear, Department

from .models import ReportRun
from .services import report_request


def annual_monitoring_request(*, today=None) -> int:
    """The annual monitoring report of every department for the last academic year that has ended by `today`.
    Idempotent: a department that already has this year's scheduled run gets no second one."""
    today = today or timezone.localdate()
    year = AcademicYear.objects.filter(ends_on__lt=today).order_by("-ends_on").first()
    if year is None:
        return 0
    done = set(ReportRun.objects.filter(kind=ReportRun.Kind.ANNUAL, academic_year=year, requested_by=None,
                                        clinical_site=None).values_list("department_id", flat=True))
    asked = 0
    for department in Department.objects.exclude(pk__in=done).order_by("pk"):
        report_request(by=None, kind=ReportRun.Kind.ANNUAL, department=department, academic_year=year)
        asked += 1
    return asked
