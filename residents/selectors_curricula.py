"""Reads for the curriculum pages, each scoped to the user who asks.

Scope: the resident sees their own curricula; a coordinator those of their departments' residents; the
resident's active mentor may read them. Everyone else gets a 404.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from organization.models import Coordinator, Department
from organization.selectors import specialty_ids

from .curricula import SplitCheck, item_check
from .models import Curriculum, CurriculumEvent, CurriculumItem, Resident


@dataclass
class CurriculumAccess:
    """A curriculum in the user's scope and the roles the user holds towards it."""

    curriculum: Curriculum
    is_owner: bool
    is_coordinator: bool
    is_mentor: bool

    @property
    def can_edit(self) -> bool:
        return self.is_owner or self.is_coordinator

    @property
    def can_submit(self) -> bool:
        return self.is_owner

    @property
    def can_review(self) -> bool:
        return self.is_coordinator


def curricula_base() -> QuerySet[Curriculum]:
    return Curriculum.objects.select_related(
        "resident__user", "resident__specialty__department", "resident__cohort__intake_year",
        "resident__clinical_site", "academic_year", "approved_by",
    )


def curriculum_for_user(user, pk) -> CurriculumAccess:
    """The curriculum `pk` with the user's roles towards it, in one query; 404 outside the user's scope."""
    if not user.is_authenticated:
        raise Http404
    coordinates = Exists(Coordinator.objects.filter(user=user, department=OuterRef("resident__specialty__department")))
    # The mentoring app depends on this one, so the active assignment is reached through the reverse relation.
    mentors = Exists(Resident.objects.filter(pk=OuterRef("resident_id"), assignments__mentor__user=user,
                                             assignments__ended_on__isnull=True, assignments__kind="clinical"))
    curriculum = (curricula_base().annotate(user_coordinates=coordinates, user_mentors=mentors)
                  .filter(Q(pk=pk) & (Q(resident__user=user) | Q(user_coordinates=True) | Q(user_mentors=True)))
                  .first())
    if curriculum is None:
        raise Http404
    return CurriculumAccess(curriculum=curriculum, is_owner=curriculum.resident.user_id == user.pk,
                            is_coordinator=curriculum.user_coordinates, is_mentor=curriculum.user_mentors)


def with_item_totals(curricula: QuerySet[Curriculum]) -> QuerySet[Curriculum]:
    """Each curriculum annotated with `item_count` and `hours` (None without items).

    Correlated subqueries rather than a join: a page of a long list sums the items of its own curricula only
    (PostgreSQL runs them after the LIMIT), and counting the curricula (the paginator) needs no item at all.
    """
    items = CurriculumItem.objects.filter(curriculum=OuterRef("pk")).order_by().values("curriculum")
    return curricula.annotate(
        item_count=Coalesce(Subquery(items.annotate(n=Count("*")).values("n")), 0),
        hours=Subquery(items.annotate(hours=Sum("total_hours")).values("hours")))


def curricula_of_resident(resident: Resident) -> QuerySet[Curriculum]:
    return with_item_totals(curricula_base().filter(resident=resident)).order_by("-academic_year__start_year")


def curricula_of_department(department: Department, *, status: str = "", academic_year: str = "",
                            q: str = "") -> QuerySet[Curriculum]:
    """The department's curricula (the caller has checked that the user coordinates it), filtered.

    Only what a row of the review list shows is joined (the resident's name and clinical site, the academic year),
    not the nine tables of `curricula_base`: at scale planning that join took longer than running the query. The
    residents are those of the department's specialties given as ids (organization.selectors.specialty_ids; at
    scale, EXPLAIN ANALYZE of the list's count 3.3 -> 1.6 ms, of the page of rows 6.4 -> 5.2 ms).
    """
    qs = with_item_totals(Curriculum.objects.select_related("resident__user", "resident__clinical_site",
                                                            "academic_year")
                          .filter(resident__specialty_id__in=specialty_ids(department)))
    if status:
        qs = qs.filter(status=status)
    if academic_year:
        qs = qs.filter(academic_year_id=academic_year)
    if q:
        for word in q.split():
            qs = qs.filter(Q(resident__user__last_name__icontains=word)
                           | Q(resident__user__first_name__icontains=word)
                           | Q(resident__user__email__icontains=word))
    return qs.order_by("submitted_at", "resident__user__last_name", "resident__user__first_name", "pk")


@dataclass
class ItemRow:
    item: CurriculumItem
    check: SplitCheck


@dataclass
class Totals:
    total: object
    classroom: object
    clinical: object
    independent: object


def curriculum_items(curriculum: Curriculum) -> tuple[list[ItemRow], Totals]:
    """The curriculum's disciplines with their percentages and problems, and the column totals (one query)."""
    specialty = curriculum.resident.specialty
    items = list(curriculum.items.select_related("discipline"))
    rows = [ItemRow(item=i, check=item_check(i, specialty)) for i in items]
    totals = Totals(
        total=sum((i.total_hours for i in items), 0), classroom=sum((i.classroom_hours for i in items), 0),
        clinical=sum((i.clinical_hours for i in items), 0), independent=sum((i.independent_hours for i in items), 0),
    )
    return rows, totals


def curriculum_events(curriculum: Curriculum) -> QuerySet[CurriculumEvent]:
    return curriculum.events.select_related("by").order_by("at", "id")
