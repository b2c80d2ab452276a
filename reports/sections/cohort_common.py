"""Who a cohort report counts, shared by its sections (reports/sections/cohort.py and the modules it gathers)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mentoring.models import Assignment
from organization.models import AcademicYear
from organization.selectors import current_academic_year
from residents.models import Resident

from ..context import ReportContext
from ..result import column, pct, table

IN_TRAINING = [Resident.Status.ACTIVE]


def cohort_residents(context: ReportContext) -> QuerySet[Resident]:
    return Resident.objects.filter(cohort=context.cohort)


def in_training(context: ReportContext) -> QuerySet[Resident]:
    return cohort_residents(context).filter(status__in=IN_TRAINING)


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def share_table(key: str, title, label, rows: list[tuple[str, int]], *, total: int) -> dict:
    """A breakdown: one row per category with its count and share of `total`."""
    return table(key, title, [column("category", label), column("residents", _("Residents"), "int"),
                              column("share", _("Share, %"), "pct")],
                 [(name, n, pct(n, total)) for name, n in rows])


def active_clinical(**filters) -> QuerySet[Assignment]:
    """Active assignments in the classic clinical programme (one per resident, mentoring.models.Assignment)."""
    return Assignment.objects.filter(ended_on__isnull=True, kind="clinical", **filters)


def current_year(context: ReportContext) -> AcademicYear | None:
    """The academic year containing the report's day (None between years)."""
    return current_academic_year(context.as_of)


def no_year_note(context: ReportContext) -> str:
    return _("No academic year contains %(day)s, so there is nothing to count for the current year.") % {
        "day": context.as_of.isoformat()}
