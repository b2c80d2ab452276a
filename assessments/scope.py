"""Who may see or act on a resident's assessments (DESIGN.md section 5, Access).

The resident sees their own; the active mentor sees and records for their mentees; a coordinator sees the
residents of the departments they coordinate. Anyone else gets a 404.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from organization.selectors import departments_for_user
from residents.models import Resident
from residents.selectors import mentee_ids, residents_base


@dataclass(frozen=True)
class Viewer:
    resident: Resident
    is_self: bool
    is_mentor: bool  # the resident's active mentor
    is_coordinator: bool  # coordinates the resident's department


def resident_for_viewer(user, pk) -> Viewer:
    """Resident `pk` with the ways `user` stands to them; 404 when `user` has no business with them."""
    if not user.is_authenticated:
        raise Http404
    departments = departments_for_user(user)
    resident = (residents_base()
                .filter(Q(user=user) | Q(specialty__department__in=departments) | Q(pk__in=mentee_ids(user)), pk=pk)
                .first())
    if resident is None:
        raise Http404
    is_mentor = Resident.objects.filter(pk=resident.pk, pk__in=mentee_ids(user)).exists()
    is_coordinator = any(d.pk == resident.specialty.department_id for d in departments)
    return Viewer(resident=resident, is_self=resident.user_id == user.pk, is_mentor=is_mentor,
                  is_coordinator=is_coordinator)


def mentee_for_mentor(user, pk) -> Resident:
    """Resident `pk` if `user` is their active mentor; 404 otherwise (also for the resident's coordinator)."""
    resident = residents_base().filter(pk=pk, pk__in=mentee_ids(user)).first() if user.is_authenticated else None
    if resident is None:
        raise Http404
    return resident

