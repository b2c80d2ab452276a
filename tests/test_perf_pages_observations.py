"""The observation form's residents are reached through the mentor's active clinical assignments (issue 7, the
observation form at scale): the same residents, in the same order, as the mentee-id subquery gave."""

import pytest
from django.urls import reverse

from assessments.selectors_observations import mentees_to_observe
from mentoring.services import assignment_create, assignment_end
from residents.models import Resident
from residents.selectors import mentee_ids, residents_base
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def by_mentee_ids(user):
    """The rule as it was written: active residents among `mentee_ids`, by name."""
    return list(residents_base().filter(pk__in=mentee_ids(user), status=Resident.Status.ACTIVE)
                .order_by("user__last_name", "user__first_name", "pk"))


@pytest.fixture
def mentors(make_mentor, make_resident):
    """Two mentors: current residents (two with the same name), one on leave, one whose assignment has
    ended, one moved to the other mentor, and the other mentor's own."""
    mentor, other = make_mentor(), make_mentor()
    same = [make_resident(user=UserFactory(last_name="Abenova", first_name="Aruzhan")) for _ in range(2)]
    ended = assignment_create(resident=make_resident(), mentor=mentor)
    assignment_end(assignment=ended, reason="Graduated")
    moved = make_resident()
    assignment_end(assignment=assignment_create(resident=moved, mentor=mentor), reason="Moved")
    assignment_create(resident=moved, mentor=other)
    on_leave = make_resident()
    for resident in [*same, make_resident(), on_leave]:  # the policy's maximum of 4
        assignment_create(resident=resident, mentor=mentor)
    Resident.objects.filter(pk=on_leave.pk).update(status=Resident.Status.ON_LEAVE)
    for _ in range(2):
        assignment_create(resident=make_resident(), mentor=other)
    return mentor, other


def test_the_same_residents_in_the_same_order_as_the_mentee_ids(mentors):
    for mentor in mentors:
        listed = list(mentees_to_observe(mentor.user))
        assert listed == by_mentee_ids(mentor.user)
    mine, theirs = (list(mentees_to_observe(m.user)) for m in mentors)
    assert len(mine) == 3 and len(theirs) == 3 and not set(mine) & set(theirs)
    assert all(r.status == Resident.Status.ACTIVE for r in mine)


def test_the_form_offers_those_residents(client, mentors):
    mentor = mentors[0]
    client.force_login(mentor.user)

    response = client.get(reverse("assessments:observe"))

    assert [r.pk for r in response.context["residents"]] == [r.pk for r in by_mentee_ids(mentor.user)]
