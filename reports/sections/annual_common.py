"""What the annual monitoring's sections share: the academic years shown, the department's (or a clinical site's)
residents and mentors, the clinical assignments of a year, and small expressions.

A year's figures are taken on its last day, or on the report's day for the year in progress (`Year.day`).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, IntegerField, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.models import Assignment, Mentor, Programme
from organization.models import AcademicYear
from residents.models import Resident

from ..context import ReportContext
from ..result import section

YEARS_SHOWN = 5
EVERYONE = Q()  # no restriction: the default `where` of the sections' figures


@dataclass(frozen=True)
class Year:
    """An academic year of the report: its first day and the day its figures are taken (its last day, or the
    report's day for the year in progress)."""

    label: str
    start_year: int
    starts_on: date
    day: date

    @classmethod
    def of(cls, year: AcademicYear, as_of: date) -> "Year":
        return cls(str(year), year.start_year, year.starts_on, min(year.ends_on, as_of))

    @property
    def end(self) -> datetime:
        """The end of `day`, for timestamps."""
        return timezone.make_aware(datetime.combine(self.day + timedelta(days=1), time.min))


def years_of(context: ReportContext) -> list[Year]:
    """The report's academic year and up to four before it that have begun by the report's day (one query)."""
    last = context.academic_year.start_year
    return [Year.of(y, context.as_of)
            for y in AcademicYear.objects.filter(start_year__gt=last - YEARS_SHOWN, start_year__lte=last,
                                                 starts_on__lte=context.as_of).order_by("start_year")]


def residents_in_scope(context: ReportContext) -> QuerySet[Resident]:
    """The department's residents (of the clinical site only, when the report has one)."""
    residents = Resident.objects.filter(specialty__department=context.department)
    if context.clinical_site is not None:
        residents = residents.filter(clinical_site=context.clinical_site)
    return residents


def mentors_in_scope(context: ReportContext) -> QuerySet[Mentor]:
    """The department's mentors (of the clinical site only, when the report has one)."""
    mentors = Mentor.objects.filter(specialty__department=context.department)
    if context.clinical_site is not None:
        mentors = mentors.filter(clinical_site=context.clinical_site)
    return mentors


def clinical_during(year: Year, **filters) -> QuerySet[Assignment]:
    """Clinical assignments that overlap the year (up to its day)."""
    return (Assignment.objects.filter(kind=Programme.Kind.CLINICAL, started_on__lte=year.day, **filters)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=year.starts_on)))


def clinical_on(day: date, path: str = "") -> Q:
    """Clinical assignments active on `day`: a condition on Assignment rows, or through `path` (e.g.
    "assignments__" on Mentor rows)."""
    return (Q(**{f"{path}kind": Programme.Kind.CLINICAL, f"{path}started_on__lte": day})
            & (Q(**{f"{path}ended_on__isnull": True}) | Q(**{f"{path}ended_on__gte": day})))


def count_of(qs: QuerySet, group: str) -> Coalesce:
    """How many rows of `qs` (a subquery correlated on `group`'s outer row), 0 when none: an annotation."""
    counted = qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def once_each(rows: QuerySet) -> QuerySet:
    """`rows` (annotated, one per resident or mentor) as the rows a section's figures are aggregated over, each
    annotation computed once per row: DISTINCT, a no-op on rows that are unique already, keeps PostgreSQL from
    merging this query into the aggregate's, where each figure naming an annotation (`_in{i}` names the year's
    members in every figure of the year) would run its subquery again."""
    return rows.distinct()


def ratio(part, whole) -> float | None:
    return round(part / whole, 1) if whole else None


def no_years(key: str, title) -> dict:
    return section(key, title, notes=[_("No academic year of the report had begun by the report's day.")])


def site_note(context: ReportContext, whose) -> list[str]:
    if context.clinical_site is None:
        return []
    return [_("Only %(whose)s of %(site)s, by their clinical site as it is now.")
            % {"whose": whose, "site": context.clinical_site.name}]


def department_note(context: ReportContext) -> list[str]:
    if context.clinical_site is None:
        return []
    return [_("Questionnaires belong to the whole department: these are the department's figures.")]
