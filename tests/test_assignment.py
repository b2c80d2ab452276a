"""Assignment rules (DESIGN.md section 2, Assignment), enforced by the service."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from mentoring.models import Assignment
from mentoring.services import (
    AssignmentRefused,
    assignment_create,
    assignment_end,
    assignment_reassign,
    clinical_programme,
)
from tests.factories import DepartmentFactory, MentorFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_assign_creates_active_assignment(make_mentor, make_resident, coordinator):
    mentor, resident = make_mentor(), make_resident()
    a = assignment_create(resident=resident, mentor=mentor, by=coordinator)
    assert a.is_active and a.created_by == coordinator and a.started_on == timezone.localdate()


def test_fifth_resident_refused_with_reason(make_mentor, make_resident):
    mentor = make_mentor()
    for _ in range(4):
        assignment_create(resident=make_resident(), mentor=mentor)
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=make_resident(), mentor=mentor)
    assert f"{mentor} already has 4 residents, the maximum is 4." in exc.value.messages
    assert Assignment.objects.filter(mentor=mentor, ended_on__isnull=True).count() == 4


def test_capacity_comes_from_policy(make_mentor, make_resident, department):
    department.policy.min_residents_per_mentor = 1
    department.policy.max_residents_per_mentor = 2
    department.policy.save()
    mentor = make_mentor()
    assignment_create(resident=make_resident(), mentor=mentor)
    assignment_create(resident=make_resident(), mentor=mentor)
    with pytest.raises(AssignmentRefused, match="the maximum is 2"):
        assignment_create(resident=make_resident(), mentor=mentor)


def test_ineligible_mentor_refused_with_every_reason(make_mentor, make_resident):
    today = timezone.localdate()
    mentor = make_mentor(qualification_category="second", certificate_expires_on=today - timedelta(days=1))
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=make_resident(), mentor=mentor)
    message = exc.value.messages[0]
    assert "cannot receive residents" in message
    assert "Qualification category: second; highest or first required" in message
    assert "Certificate expired on" in message
    assert not Assignment.objects.exists()


def test_inexperienced_mentor_refused(make_mentor, make_resident):
    mentor = make_mentor(practice_started_on=timezone.localdate() - timedelta(days=365 * 4))
    with pytest.raises(AssignmentRefused, match="years required"):
        assignment_create(resident=make_resident(), mentor=mentor)


def test_one_active_mentor_per_resident(make_mentor, make_resident):
    resident = make_resident()
    first, second = make_mentor(), make_mentor()
    assignment_create(resident=resident, mentor=first)
    with pytest.raises(AssignmentRefused, match="already has a mentor"):
        assignment_create(resident=resident, mentor=second)
    with pytest.raises(AssignmentRefused, match="already assigned"):
        assignment_create(resident=resident, mentor=first)


def test_database_refuses_second_active_assignment(make_mentor, make_resident):
    resident = make_resident()
    programme = clinical_programme(resident.specialty.department)
    Assignment.objects.create(resident=resident, programme=programme, mentor=make_mentor(),
                              started_on=timezone.localdate())
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(resident=resident, programme=programme, mentor=make_mentor(),
                                  started_on=timezone.localdate())


def test_inactive_resident_refused(make_mentor, make_resident):
    with pytest.raises(AssignmentRefused, match="is not active"):
        assignment_create(resident=make_resident(status="on_leave"), mentor=make_mentor())


def test_mentor_of_other_department_refused(make_resident):
    other = SpecialtyFactory(department=DepartmentFactory())
    mentor = MentorFactory(specialty=other)
    with pytest.raises(AssignmentRefused, match="another department"):
        assignment_create(resident=make_resident(), mentor=mentor)


def test_end_keeps_history_and_frees_capacity(make_mentor, make_resident, coordinator):
    mentor = make_mentor()
    residents = [make_resident() for _ in range(5)]
    assignments = [assignment_create(resident=r, mentor=mentor, started_on=timezone.localdate() - timedelta(days=9))
                   for r in residents[:4]]
    ended = assignment_end(assignment=assignments[0], by=coordinator, reason="Moved to another site")
    assert ended.ended_on == timezone.localdate() and ended.ended_by == coordinator
    assert assignment_create(resident=residents[4], mentor=mentor).is_active
    assert Assignment.objects.filter(mentor=mentor).count() == 5


def test_end_needs_reason_and_only_once(make_mentor, make_resident):
    a = assignment_create(resident=make_resident(), mentor=make_mentor())
    with pytest.raises(Exception, match="Give a reason"):
        assignment_end(assignment=a, reason=" ")
    assignment_end(assignment=a, reason="Graduated")
    with pytest.raises(Exception, match="already ended"):
        assignment_end(assignment=a, reason="again")


def test_reassign_ends_current_and_keeps_history(make_mentor, make_resident, coordinator):
    resident = make_resident()
    old, new = make_mentor(), make_mentor()
    assignment_create(resident=resident, mentor=old)
    assignment_reassign(resident=resident, mentor=new, by=coordinator, reason="Rota change")
    history = list(resident.assignments.order_by("id"))
    assert [a.mentor for a in history] == [old, new]
    assert history[0].end_reason == "Rota change" and history[1].is_active


def test_reassign_to_full_mentor_changes_nothing(make_mentor, make_resident):
    resident = make_resident()
    old, full = make_mentor(), make_mentor()
    assignment_create(resident=resident, mentor=old)
    for _ in range(4):
        assignment_create(resident=make_resident(), mentor=full)
    with pytest.raises(AssignmentRefused, match="maximum"):
        assignment_reassign(resident=resident, mentor=full, reason="try")
    current = resident.assignments.get(ended_on__isnull=True)
    assert current.mentor == old  # the end of the old assignment was rolled back with the refusal
