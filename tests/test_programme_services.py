"""Programmes (issue 6): creating and changing near-peer and group programmes, and assignments to every kind of
programme through the one assignment service."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentoring.models import Assignment, Programme
from mentoring.programmes import programme_create, programme_update, programmes_of_department
from mentoring.services import AssignmentRefused, assignment_create, assignment_end, clinical_programme
from organization.services import policy_for
from tests.factories import CoordinatorFactory, DepartmentFactory, MentorFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def near_peer(department, coordinator):
    return programme_create(department=department, by=coordinator, kind="near_peer", name="Near-peer",
                            min_per_mentor=1, max_per_mentor=2)


@pytest.fixture
def group(department, coordinator):
    return programme_create(department=department, by=coordinator, kind="group", name="Resuscitation group",
                            min_per_mentor=4, max_per_mentor=8)


@pytest.fixture
def junior_doctor(make_mentor):
    """A doctor with one year of practice, no category and a valid certificate: not a clinical mentor."""
    return make_mentor(practice_started_on=timezone.localdate() - timedelta(days=370), qualification_category="none",
                       trained=False)


def messages_of(exc_info):
    return " ".join(exc_info.value.messages)


# --- programme_create / programme_update ------------------------------------------------------------------------


def test_create_near_peer_and_group_programmes(department, coordinator):
    p = programme_create(department=department, by=coordinator, kind="near_peer", name="  Seniors for first-years ",
                         description="Weekly", min_per_mentor=1, max_per_mentor=2)
    assert (p.kind, p.name, p.min_per_mentor, p.max_per_mentor, p.is_active) == (
        "near_peer", "Seniors for first-years", 1, 2, True)
    g = programme_create(department=department, by=coordinator, kind="group", name="Group", min_per_mentor=4,
                         max_per_mentor=8)
    assert g.kind == "group" and g.department == department


def test_the_clinical_programme_is_not_created_here(department, coordinator):
    with pytest.raises(ValidationError) as exc:
        programme_create(department=department, by=coordinator, kind="clinical", name="Another clinical",
                         min_per_mentor=3, max_per_mentor=4)
    assert "exists once per department" in messages_of(exc)
    with pytest.raises(ValidationError):
        programme_create(department=department, by=coordinator, kind="speed", name="X", min_per_mentor=1,
                         max_per_mentor=2)
    assert not Programme.objects.filter(department=department).exclude(kind="clinical").exists()


@pytest.mark.parametrize("low,high,field,words", [
    (3, 2, "min_per_mentor", "cannot be above the maximum"),
    (0, 0, "max_per_mentor", "at least 1"),
    (-1, 2, "min_per_mentor", "0 or more"),
])
def test_capacity_is_checked(department, coordinator, low, high, field, words):
    with pytest.raises(ValidationError) as exc:
        programme_create(department=department, by=coordinator, kind="group", name="G", min_per_mentor=low,
                         max_per_mentor=high)
    assert words in " ".join(exc.value.message_dict[field])


def test_name_is_required_and_unique_in_the_department(department, coordinator, near_peer):
    with pytest.raises(ValidationError) as exc:
        programme_create(department=department, by=coordinator, kind="group", name="NEAR-PEER", min_per_mentor=1,
                         max_per_mentor=2)
    assert "already has a programme called" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as exc:
        programme_create(department=department, by=coordinator, kind="group", name="  ", min_per_mentor=1,
                         max_per_mentor=2)
    assert "name" in exc.value.message_dict
    other = CoordinatorFactory(department=DepartmentFactory())
    same_name = programme_create(department=other.department, by=other.user, kind="near_peer", name="Near-peer",
                                 min_per_mentor=1, max_per_mentor=2)
    assert same_name.pk != near_peer.pk


def test_only_a_coordinator_of_the_department_manages_programmes(department, near_peer):
    outsider = CoordinatorFactory(department=DepartmentFactory()).user
    for by in (outsider, UserFactory()):
        with pytest.raises(ValidationError) as exc:
            programme_create(department=department, by=by, kind="group", name="G", min_per_mentor=1,
                             max_per_mentor=2)
        assert "Only a coordinator" in messages_of(exc)
        with pytest.raises(ValidationError):
            programme_update(programme=near_peer, by=by, name="Renamed", min_per_mentor=1, max_per_mentor=2)
    near_peer.refresh_from_db()
    assert near_peer.name == "Near-peer"


def test_lowering_the_maximum_below_a_load_is_refused_with_the_names(coordinator, group, make_mentor, make_resident):
    big, small = make_mentor(), make_mentor()
    for _ in range(5):
        assignment_create(resident=make_resident(), mentor=big, programme=group)
    for _ in range(3):
        assignment_create(resident=make_resident(), mentor=small, programme=group)
    with pytest.raises(ValidationError) as exc:
        programme_update(programme=group, by=coordinator, name=group.name, min_per_mentor=2, max_per_mentor=4)
    message = exc.value.message_dict["max_per_mentor"][0]
    assert f"{big} (5)" in message and str(small) not in message and "5 or more" in message
    group.refresh_from_db()
    assert group.max_per_mentor == 8
    programme_update(programme=group, by=coordinator, name="Smaller groups", description="New", min_per_mentor=2,
                     max_per_mentor=5)
    group.refresh_from_db()
    assert (group.name, group.description, group.min_per_mentor, group.max_per_mentor) == (
        "Smaller groups", "New", 2, 5)


def test_closing_keeps_the_pairs_and_refuses_new_ones(coordinator, near_peer, make_resident):
    senior = make_resident(year_of_study=3)
    kept = assignment_create(resident=make_resident(), peer=senior, programme=near_peer)
    programme_update(programme=near_peer, by=coordinator, name=near_peer.name, min_per_mentor=1, max_per_mentor=2,
                     is_active=False)
    kept.refresh_from_db()
    assert kept.is_active
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=make_resident(), peer=senior, programme=near_peer)
    assert "closed to new assignments" in messages_of(exc)
    programme_update(programme=near_peer, by=coordinator, name=near_peer.name, min_per_mentor=1, max_per_mentor=2,
                     is_active=True)
    assert assignment_create(resident=make_resident(), peer=senior, programme=near_peer).is_active


def test_the_clinical_programme_is_not_edited_here(department, coordinator):
    clinical = clinical_programme(department)
    with pytest.raises(ValidationError) as exc:
        programme_update(programme=clinical, by=coordinator, name="Mine", min_per_mentor=1, max_per_mentor=9)
    assert "mentoring policy" in messages_of(exc)


def test_programmes_of_department_counts(department, coordinator, group, near_peer, make_mentor, make_resident):
    leader, lonely = make_mentor(), make_mentor()
    for _ in range(8):
        assignment_create(resident=make_resident(), mentor=leader, programme=group)
    assignment_create(resident=make_resident(), mentor=lonely, programme=group)
    ended = assignment_create(resident=make_resident(), mentor=lonely, programme=group)
    assignment_end(assignment=ended, reason="Moved")
    senior = make_resident(year_of_study=2)
    assignment_create(resident=make_resident(), peer=senior, programme=near_peer)
    assignment_create(resident=make_resident(), mentor=make_mentor())  # clinical
    rows = {r.programme.kind: r for r in programmes_of_department(department, policy_for(department))}
    assert [r.programme.kind for r in programmes_of_department(department, policy_for(department))] == [
        "clinical", "near_peer", "group"]
    g = rows["group"]
    assert (g.active_pairs, g.mentor_sides, g.under, g.full, g.over, g.minimum, g.maximum) == (9, 2, 1, 1, 0, 4, 8)
    n = rows["near_peer"]
    assert (n.active_pairs, n.mentor_sides, n.under, n.full) == (1, 1, 0, 0)
    c = rows["clinical"]
    assert (c.active_pairs, c.mentor_sides, c.under, c.minimum, c.maximum) == (1, 1, 1, 3, 4)


# --- assignment_create for every kind ---------------------------------------------------------------------------


def test_near_peer_a_resident_one_year_more_senior_may_mentor(near_peer, make_resident):
    mentee, senior = make_resident(year_of_study=1), make_resident(year_of_study=2)
    a = assignment_create(resident=mentee, peer=senior, programme=near_peer)
    assert (a.kind, a.peer, a.mentor, a.mentor_side) == ("near_peer", senior, None, senior)


def test_near_peer_same_year_is_refused_with_the_reason(near_peer, make_resident):
    mentee, same = make_resident(year_of_study=2), make_resident(year_of_study=2)
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=mentee, peer=same, programme=near_peer)
    assert "in year 2, a near-peer mentor must be at least one year of study more senior than year 2" in (
        messages_of(exc))
    assert not Assignment.objects.filter(programme=near_peer).exists()


def test_near_peer_inactive_peer_is_refused(near_peer, make_resident):
    on_leave = make_resident(year_of_study=3, status="on_leave")
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=make_resident(), peer=on_leave, programme=near_peer)
    assert "is not an active resident" in messages_of(exc)


def test_a_resident_cannot_mentor_themselves(near_peer, make_resident):
    resident = make_resident(year_of_study=2)
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=resident, peer=resident, programme=near_peer)
    assert "cannot mentor themselves" in messages_of(exc)


def test_a_junior_doctor_mentors_in_near_peer_but_not_in_clinical(near_peer, junior_doctor, make_resident):
    mentee = make_resident()
    a = assignment_create(resident=mentee, mentor=junior_doctor, programme=near_peer)
    assert a.mentor == junior_doctor and a.kind == "near_peer"
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=mentee, mentor=junior_doctor)
    assert "1 year of experience, 5 years required" in messages_of(exc)


def test_a_doctor_without_a_valid_certificate_is_refused_in_near_peer(near_peer, make_mentor, make_resident):
    today = timezone.localdate()
    without = make_mentor(certificate_number="", certificate_expires_on=None)
    expired = make_mentor(certificate_expires_on=today - timedelta(days=1))
    for doctor in (without, expired):
        with pytest.raises(AssignmentRefused) as exc:
            assignment_create(resident=make_resident(), mentor=doctor, programme=near_peer)
        assert "No valid specialist certificate" in messages_of(exc)


def test_residents_are_mentors_only_in_near_peer(group, make_resident):
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=make_resident(), peer=make_resident(year_of_study=3), programme=group)
    assert "Only a near-peer programme" in messages_of(exc)


def test_the_group_leader_must_be_clinically_eligible(group, junior_doctor, make_resident):
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=make_resident(), mentor=junior_doctor, programme=group)
    assert "of experience" in messages_of(exc) and "Primary mentor training not completed" in messages_of(exc)


def test_the_group_capacity_is_enforced(group, make_mentor, make_resident):
    leader = make_mentor()
    for _ in range(8):
        assignment_create(resident=make_resident(), mentor=leader, programme=group)
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=make_resident(), mentor=leader, programme=group)
    assert "already has 8 residents, the maximum is 8" in messages_of(exc)
    # The group's capacity is the programme's, not the clinical policy's 4; the clinical load is separate.
    assert assignment_create(resident=make_resident(), mentor=leader).kind == "clinical"


def test_a_resident_in_clinical_near_peer_and_group_at_once_but_once_per_programme(
        resident, mentor, near_peer, group, make_mentor, make_resident):
    senior = make_resident(year_of_study=2)
    assignment_create(resident=resident, peer=senior, programme=near_peer)
    assignment_create(resident=resident, mentor=mentor, programme=group)
    assert sorted(resident.assignments.filter(ended_on__isnull=True).values_list("kind", flat=True)) == [
        "clinical", "group", "near_peer"]
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=resident, peer=make_resident(year_of_study=3), programme=near_peer)
    assert "already has a mentor in Near-peer" in messages_of(exc)
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=resident, mentor=make_mentor(), programme=group)
    assert "already has a mentor in Resuscitation group" in messages_of(exc)
    with pytest.raises(AssignmentRefused):
        assignment_create(resident=resident, mentor=mentor, programme=group)


def test_another_departments_programme_is_refused(near_peer, make_resident):
    other = CoordinatorFactory(department=DepartmentFactory())
    theirs = programme_create(department=other.department, by=other.user, kind="group", name="Theirs",
                              min_per_mentor=1, max_per_mentor=8)
    mentor_there = MentorFactory()
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=make_resident(), mentor=mentor_there, programme=theirs)
    assert "a programme of another department" in messages_of(exc)
    outsider = ResidentFactory(year_of_study=3)
    with pytest.raises(AssignmentRefused) as exc:
        assignment_create(resident=make_resident(), peer=outsider, programme=near_peer)
    assert "of another department" in messages_of(exc)
