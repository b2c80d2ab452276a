"""Reads for the observation and catalogue pages, each scoped to the user who asks.

The resident sees their own observations; a mentor sees the ones they recorded for their current
residents; a coordinator sees the catalogue of the departments they coordinate. Anything else is a 404.
"""

from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from organization.models import Department, Specialty
from organization.selectors import departments_for_user
from residents.models import Resident
from residents.selectors import active_mentee_of, mentee_ids, residents_base

from .models import EPA, EPAExpectation, Observation


def _observations() -> QuerySet[Observation]:
    return Observation.objects.select_related("epa", "mentor__user", "resident__user").order_by("-observed_on", "-id")


# The resident ----------------------------------------------------------------------------------------------------

def observations_for_resident(resident: Resident) -> QuerySet[Observation]:
    """The resident's observations, newest encounter first (one query per page, whatever the number)."""
    return _observations().filter(resident=resident)


def unacknowledged_count(resident: Resident) -> int:
    """How many of the resident's observations they have not acknowledged yet (one query)."""
    return Observation.objects.filter(resident=resident, acknowledged_at__isnull=True).count()


def recent_observations_for_resident(resident: Resident, limit: int = 5) -> list[Observation]:
    """The resident's latest observations, for the home page (one query)."""
    return list(observations_for_resident(resident)[:limit])


def own_observation(user, pk) -> Observation:
    """Observation `pk` if it is of the signed-in resident; 404 otherwise (the mentor who wrote it too)."""
    observation = (_observations().filter(pk=pk, resident__user=user).first()
                   if user.is_authenticated else None)
    if observation is None:
        raise Http404
    return observation


# The mentor ------------------------------------------------------------------------------------------------------

def observations_by_mentor(mentor_user) -> QuerySet[Observation]:
    """Observations the user recorded for their current residents, latest recorded first.

    A resident who has moved to another mentor drops out: a mentor sees only their own current residents.
    """
    return (Observation.objects.select_related("epa", "resident__user")
            .filter(mentor__user=mentor_user, resident__in=mentee_ids(mentor_user))
            .order_by("-created_at", "-id"))


def mentees_to_observe(mentor_user) -> QuerySet[Resident]:
    """The mentor's current residents who can be observed (active ones), by name.

    Joined through the active clinical assignment (at most one per resident, a constraint) rather than
    `pk__in=mentee_ids(...)`: PostgreSQL then starts from the mentor's few assignments, where with the IN
    subquery it joined every active resident to their user, specialty and cohort first (35 ms at scale).
    """
    return (residents_base().filter(active_mentee_of(mentor_user), status=Resident.Status.ACTIVE)
            .order_by("user__last_name", "user__first_name", "pk"))


def epas_to_observe(mentor_user, specialty_ids) -> list[EPA]:
    """Active EPAs of the given specialties: those the mentor recorded most recently first, then the catalogue's
    order. Each EPA carries `last_used_at` (None when the mentor never used it). One query."""
    if not specialty_ids:
        return []
    last_used = (Observation.objects.filter(epa=OuterRef("pk"), mentor__user=mentor_user).order_by()
                 .values("epa").annotate(m=Max("created_at")).values("m")[:1])
    epas = list(EPA.objects.select_related("specialty").filter(specialty__in=specialty_ids, is_active=True)
                .annotate(last_used_at=Subquery(last_used))
                .order_by("specialty__code", "position", "code"))
    used = sorted((e for e in epas if e.last_used_at is not None), key=lambda e: e.last_used_at, reverse=True)
    return used + [e for e in epas if e.last_used_at is None]


# The coordinator -------------------------------------------------------------------------------------------------

def catalogue_of(department: Department) -> list[Specialty]:
    """The department's specialties, each with `epas` (active and retired, in catalogue order) carrying their
    `expectations` by year. Three queries whatever the size of the catalogue."""
    expectations = EPAExpectation.objects.order_by("year_of_study")
    epas = EPA.objects.order_by("position", "code").prefetch_related(Prefetch("expectations", queryset=expectations))
    return list(Specialty.objects.filter(department=department).order_by("code")
                .prefetch_related(Prefetch("epas", queryset=epas)))


def specialty_for_coordinator(department: Department, pk) -> Specialty:
    specialty = Specialty.objects.filter(department=department, pk=pk).first()
    if specialty is None:
        raise Http404
    return specialty


def epa_for_coordinator(user, pk) -> EPA:
    """EPA `pk` if the user coordinates its specialty's department; 404 otherwise."""
    epa = (EPA.objects.select_related("specialty__department")
           .filter(pk=pk, specialty__department__in=departments_for_user(user)).first()
           if user.is_authenticated else None)
    if epa is None:
        raise Http404
    return epa
