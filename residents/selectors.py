from django.db.models import Q, QuerySet
from django.http import Http404

from organization.selectors import departments_for_user

from .models import Resident


def residents_base() -> QuerySet[Resident]:
    return Resident.objects.select_related("user", "specialty__department", "cohort__intake_year", "cohort__specialty",
                                           "clinical_site")


def residents_for_coordinator(user, department) -> QuerySet[Resident]:
    """Residents of `department`, which the caller has already checked `user` coordinates."""
    return residents_base().filter(specialty__department=department)


def resident_profile_of(user) -> Resident:
    """The signed-in user's resident profile; 404 for anyone who is not a resident."""
    resident = residents_base().filter(user=user).first() if user.is_authenticated else None
    if resident is None:
        raise Http404
    return resident


def active_mentee_of(user) -> Q:
    """On a Resident queryset: residents whose active clinical mentor is `user` (a join with the assignment; one
    per resident, a constraint, so no resident is repeated).

    The mentoring app depends on this one, so the active assignment is reached through the reverse relation.
    """
    return Q(assignments__mentor__user=user, assignments__ended_on__isnull=True, assignments__kind="clinical")


def mentee_ids(user):
    """Ids of the residents whose active mentor is `user` (a subquery)."""
    return Resident.objects.filter(active_mentee_of(user)).values("pk")


def resident_for_coordinator(user, pk) -> Resident:
    departments = departments_for_user(user)
    resident = residents_base().filter(pk=pk, specialty__department__in=departments).first()
    if resident is None:
        raise Http404
    return resident


def filter_residents(
    qs: QuerySet[Resident], *, q="", status="", track="", year="", site="", cohort=""
) -> QuerySet[Resident]:
    if q:
        for word in q.split():
            qs = qs.filter(Q(user__last_name__icontains=word) | Q(user__first_name__icontains=word)
                           | Q(user__email__icontains=word))
    if status:
        qs = qs.filter(status=status)
    if track:
        qs = qs.filter(track=track)
    if year:
        qs = qs.filter(year_of_study=year)
    if site:
        qs = qs.filter(clinical_site_id=site)
    if cohort:
        qs = qs.filter(cohort_id=cohort)
    return qs
