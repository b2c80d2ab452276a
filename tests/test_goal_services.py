"""Goals / action plan services (mentoring.goals): who may act, agreement, progress notes, meetings, overdue."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentoring.goals import (
    goal_agree,
    goal_create,
    goal_note_add,
    goal_update,
    is_mentor_of,
    mentee_ids_of,
    mentors_of_resident,
    overdue,
)
from mentoring.models import Goal, GoalNote, Meeting, MeetingParticipant, Programme
from mentoring.services import assignment_create, assignment_end, clinical_programme
from tests.factories import CoordinatorFactory, DepartmentFactory

pytestmark = pytest.mark.django_db

IIN = "Patient 870412300123 improved."


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def near_peer(department):
    return Programme.objects.create(department=department, kind="near_peer", name="Near-peer",
                                    min_per_mentor=1, max_per_mentor=3)


@pytest.fixture
def group_programme(department):
    return Programme.objects.create(department=department, kind="group", name="Group", min_per_mentor=1,
                                    max_per_mentor=6)


def make_goal(resident, by, today, **kw):
    kw.setdefault("title", "Insert an umbilical venous catheter")
    kw.setdefault("description", "")
    kw.setdefault("due_on", today + timedelta(days=30))
    return goal_create(resident=resident, by=by, today=today, **kw)


def make_meeting(programme, mentor_user, people, *, starts_at=None, status="accepted", declined=()):
    """A meeting made with the ORM (the meetings services belong to another part); `people` are
    (user, role) pairs; `declined` users answered no."""
    starts_at = starts_at or timezone.now() - timedelta(days=2)
    meeting = Meeting.objects.create(programme=programme, mentor_user=mentor_user, starts_at=starts_at,
                                     ends_at=starts_at + timedelta(hours=1), agenda="Review the plan",
                                     status=status, proposed_by=mentor_user)
    for user, role in people:
        MeetingParticipant.objects.create(meeting=meeting, user=user, role=role,
                                          response="declined" if user in declined else "accepted")
    return meeting


# Who is the mentor side ------------------------------------------------------------------------------------------

def test_mentor_side_covers_every_programme_kind_and_only_active_assignments(
        department, mentor, resident, make_mentor, make_resident, near_peer, group_programme):
    senior = make_resident(year_of_study=3)
    group_mentor = make_mentor()
    assignment_create(resident=resident, peer=senior, programme=near_peer)
    group = assignment_create(resident=resident, mentor=group_mentor, programme=group_programme)
    stranger = make_mentor()

    assert set(mentors_of_resident(resident)) == {mentor.user, senior.user, group_mentor.user}
    assert is_mentor_of(mentor.user, resident) and is_mentor_of(senior.user, resident)
    assert is_mentor_of(group_mentor.user, resident)
    assert not is_mentor_of(stranger.user, resident)
    assert not is_mentor_of(resident.user, resident)
    assert list(mentee_ids_of(senior.user).values_list("resident_id", flat=True)) == [resident.pk]

    assignment_end(assignment=group, reason="Group finished")
    assert not is_mentor_of(group_mentor.user, resident)
    assert set(mentors_of_resident(resident)) == {mentor.user, senior.user}


# goal_create -----------------------------------------------------------------------------------------------------

def test_resident_proposes_a_goal_that_awaits_agreement(resident, today):
    goal = make_goal(resident, resident.user, today, title="  Present at the journal club  ")
    assert goal.title == "Present at the journal club"
    assert goal.created_by == resident.user
    assert goal.agreed_by is None and goal.agreed_on is None
    assert goal.status == Goal.Status.NOT_STARTED


@pytest.mark.parametrize("side", ["clinical", "near_peer", "group"])
def test_the_mentor_side_of_any_programme_adds_an_agreed_goal(side, resident, mentor, make_resident, make_mentor,
                                                              near_peer, group_programme, today):
    if side == "clinical":
        by = mentor.user
    elif side == "near_peer":
        by = make_resident(year_of_study=2).user
        assignment_create(resident=resident, peer=by.resident_profile, programme=near_peer)
    else:
        by = make_mentor().user
        assignment_create(resident=resident, mentor=by.mentor_profile, programme=group_programme)
    goal = make_goal(resident, by, today)
    assert (goal.agreed_by, goal.agreed_on) == (by, today)


def test_outsiders_cannot_add_goals(resident, make_mentor, make_resident, coordinator, today):
    other_resident = make_resident()
    for outsider in (make_mentor().user, other_resident.user, coordinator):
        with pytest.raises(ValidationError, match="their mentor can add goals"):
            make_goal(resident, outsider, today)
    assert not Goal.objects.exists()


def test_a_former_mentor_cannot_add_goals(resident, mentor, today):
    assignment_end(assignment=resident.assignments.get(), reason="Moved")
    with pytest.raises(ValidationError):
        make_goal(resident, mentor.user, today)


def test_due_date_today_is_accepted_but_not_in_the_past(resident, today):
    assert make_goal(resident, resident.user, today, due_on=today).due_on == today
    with pytest.raises(ValidationError) as exc:
        make_goal(resident, resident.user, today, due_on=today - timedelta(days=1))
    assert "due_on" in exc.value.message_dict


def test_title_is_required(resident, today):
    with pytest.raises(ValidationError) as exc:
        make_goal(resident, resident.user, today, title="   ")
    assert "title" in exc.value.message_dict


@pytest.mark.parametrize("field", ["title", "description"])
def test_patient_identifiers_are_refused_in_a_goal(field, resident, today):
    with pytest.raises(ValidationError) as exc:
        make_goal(resident, resident.user, today, **{field: IIN})
    assert field in exc.value.message_dict
    assert not Goal.objects.exists()


# goal_agree ------------------------------------------------------------------------------------------------------

def test_the_mentor_agrees_the_residents_goal(resident, mentor, today):
    goal = make_goal(resident, resident.user, today)
    goal_agree(goal=goal, by=mentor.user, today=today)
    goal.refresh_from_db()
    assert (goal.agreed_by, goal.agreed_on) == (mentor.user, today)
    with pytest.raises(ValidationError, match="already been agreed"):
        goal_agree(goal=goal, by=mentor.user)


def test_only_the_mentor_side_agrees(resident, make_mentor, coordinator, today):
    goal = make_goal(resident, resident.user, today)
    for user in (resident.user, make_mentor().user, coordinator):
        with pytest.raises(ValidationError, match="Only the mentor"):
            goal_agree(goal=goal, by=user)
    goal.refresh_from_db()
    assert goal.agreed_on is None


def test_a_dropped_goal_is_not_agreed(resident, mentor, today):
    goal = make_goal(resident, resident.user, today)
    goal_note_add(goal=goal, by=resident.user, text="No longer relevant after the rotation change.", status="dropped")
    with pytest.raises(ValidationError, match="dropped"):
        goal_agree(goal=goal, by=mentor.user)


# goal_update -----------------------------------------------------------------------------------------------------

def _update(goal, by, **kw):
    data = {"title": goal.title, "description": goal.description, "due_on": goal.due_on}
    data.update(kw)
    return goal_update(goal=goal, by=by, **data)


@pytest.mark.parametrize("change", [{"title": "Another goal"}, {"due_on": 45}])
def test_the_resident_changing_title_or_due_date_of_an_agreed_goal_needs_agreement_again(change, resident, mentor,
                                                                                         today):
    goal = make_goal(resident, mentor.user, today)
    if "due_on" in change:
        change = {"due_on": today + timedelta(days=change["due_on"])}
    goal = _update(goal, resident.user, **change)
    goal.refresh_from_db()
    assert goal.agreed_by is None and goal.agreed_on is None


def test_the_resident_changing_only_the_description_keeps_the_agreement(resident, mentor, today):
    goal = make_goal(resident, mentor.user, today)
    _update(goal, resident.user, description="Two supervised insertions first.")
    goal.refresh_from_db()
    assert goal.description == "Two supervised insertions first."
    assert goal.agreed_by == mentor.user


def test_the_mentor_changing_an_agreed_goal_keeps_the_agreement(resident, mentor, today):
    goal = make_goal(resident, mentor.user, today)
    _update(goal, mentor.user, title="Insert two UVCs", due_on=today + timedelta(days=60))
    goal.refresh_from_db()
    assert (goal.title, goal.agreed_by) == ("Insert two UVCs", mentor.user)


def test_a_new_due_date_cannot_be_in_the_past_but_an_unchanged_overdue_one_may_stay(resident, mentor, today):
    goal = make_goal(resident, mentor.user, today - timedelta(days=40), due_on=today - timedelta(days=5))
    _update(goal, resident.user, description="Still planned.")  # the overdue date is kept
    with pytest.raises(ValidationError) as exc:
        _update(goal, resident.user, due_on=today - timedelta(days=1))
    assert "due_on" in exc.value.message_dict


def test_outsiders_and_coordinators_cannot_change_a_goal(resident, make_mentor, coordinator, today):
    goal = make_goal(resident, resident.user, today)
    for user in (make_mentor().user, coordinator):
        with pytest.raises(ValidationError, match="can change this goal"):
            _update(goal, user, title="Hijacked")
    goal.refresh_from_db()
    assert goal.title != "Hijacked"


def test_a_closed_goal_is_not_changed(resident, today):
    goal = make_goal(resident, resident.user, today)
    goal_note_add(goal=goal, by=resident.user, text="Done twice under supervision.", status="achieved")
    with pytest.raises(ValidationError, match="reopen it"):
        _update(goal, resident.user, title="Something else")


def test_patient_identifiers_are_refused_on_update(resident, today):
    goal = make_goal(resident, resident.user, today)
    with pytest.raises(ValidationError) as exc:
        _update(goal, resident.user, description=IIN)
    assert "description" in exc.value.message_dict


# goal_note_add ---------------------------------------------------------------------------------------------------

def test_a_note_changes_the_status_and_achieved_sets_completed_on(resident, mentor, today):
    goal = make_goal(resident, mentor.user, today)
    first = goal_note_add(goal=goal, by=resident.user, text="Observed two insertions.", status="in_progress",
                          today=today)
    goal.refresh_from_db()
    assert (goal.status, goal.completed_on, first.status_after) == ("in_progress", None, "in_progress")

    done = goal_note_add(goal=goal, by=mentor.user, text="Inserted one independently.", status="achieved",
                         today=today)
    goal.refresh_from_db()
    assert (goal.status, goal.completed_on, done.status_after) == ("achieved", today, "achieved")


def test_leaving_achieved_clears_completed_on(resident, mentor, today):
    goal = make_goal(resident, mentor.user, today)
    goal_note_add(goal=goal, by=mentor.user, text="Done.", status="achieved")
    goal_note_add(goal=goal, by=mentor.user, text="Needs another supervised attempt.", status="in_progress")
    goal.refresh_from_db()
    assert (goal.status, goal.completed_on) == ("in_progress", None)


def test_a_note_without_a_status_or_with_the_same_status_records_no_change(resident, today):
    goal = make_goal(resident, resident.user, today)
    plain = goal_note_add(goal=goal, by=resident.user, text="Read the protocol.")
    same = goal_note_add(goal=goal, by=resident.user, text="Still reading.", status="not_started")
    goal.refresh_from_db()
    assert (plain.status_after, same.status_after, goal.status) == ("", "", "not_started")


def test_note_text_is_required_and_the_status_must_be_known(resident, today):
    goal = make_goal(resident, resident.user, today)
    with pytest.raises(ValidationError) as exc:
        goal_note_add(goal=goal, by=resident.user, text="  ", status="finished")
    assert set(exc.value.message_dict) == {"text", "status"}
    assert not GoalNote.objects.exists()


def test_patient_identifiers_are_refused_in_a_note(resident, today):
    goal = make_goal(resident, resident.user, today)
    with pytest.raises(ValidationError) as exc:
        goal_note_add(goal=goal, by=resident.user, text=IIN, status="achieved")
    assert "text" in exc.value.message_dict
    goal.refresh_from_db()
    assert goal.status == "not_started" and not GoalNote.objects.exists()


def test_outsiders_and_coordinators_cannot_note(resident, make_mentor, coordinator, today):
    goal = make_goal(resident, resident.user, today)
    for user in (make_mentor().user, coordinator, CoordinatorFactory(department=DepartmentFactory()).user):
        with pytest.raises(ValidationError, match="note progress"):
            goal_note_add(goal=goal, by=user, text="Looks fine.")
    assert not GoalNote.objects.exists()


# Notes linked to a meeting ---------------------------------------------------------------------------------------

def test_a_note_is_linked_to_a_meeting_both_attended(department, resident, mentor, today):
    goal = make_goal(resident, mentor.user, today)
    meeting = make_meeting(clinical_programme(department), mentor.user,
                           [(mentor.user, "mentor"), (resident.user, "mentee")])
    note = goal_note_add(goal=goal, by=mentor.user, text="Reviewed together.", status="in_progress", meeting=meeting)
    assert note.meeting == meeting
    assert list(meeting.goal_notes.all()) == [note]


def test_a_meeting_the_author_is_not_at_is_refused(department, resident, mentor, make_resident, today):
    goal = make_goal(resident, mentor.user, today)
    other = make_resident()
    assignment_create(resident=other, mentor=mentor)
    meeting = make_meeting(clinical_programme(department), mentor.user,
                           [(mentor.user, "mentor"), (other.user, "mentee")])
    # The goal's resident is not at this meeting: neither side may link it.
    for author in (mentor.user, resident.user):
        with pytest.raises(ValidationError) as exc:
            goal_note_add(goal=goal, by=author, text="Reviewed.", meeting=meeting)
        assert "meeting" in exc.value.message_dict
    assert not GoalNote.objects.exists()


def test_the_resident_cannot_link_a_meeting_they_share_with_someone_else(department, resident, mentor, make_mentor,
                                                                         today):
    goal = make_goal(resident, resident.user, today)
    stranger = make_mentor()
    meeting = make_meeting(clinical_programme(department), stranger.user,
                           [(stranger.user, "mentor"), (resident.user, "mentee")])
    goal_note_add(goal=goal, by=resident.user, text="Talked about it.", meeting=meeting)  # both attended
    with pytest.raises(ValidationError):
        goal_note_add(goal=goal, by=mentor.user, text="Reviewed.", meeting=meeting)  # the mentor was not there


@pytest.mark.parametrize("status", ["cancelled", "declined", "proposed"])
def test_a_meeting_that_did_not_take_place_is_refused(status, department, resident, mentor, today):
    goal = make_goal(resident, mentor.user, today)
    meeting = make_meeting(clinical_programme(department), mentor.user,
                           [(mentor.user, "mentor"), (resident.user, "mentee")], status=status)
    with pytest.raises(ValidationError) as exc:
        goal_note_add(goal=goal, by=mentor.user, text="Reviewed.", meeting=meeting)
    assert "meeting" in exc.value.message_dict


def test_a_future_meeting_is_refused_but_one_later_today_is_accepted(department, resident, mentor, today):
    goal = make_goal(resident, mentor.user, today)
    people = [(mentor.user, "mentor"), (resident.user, "mentee")]
    tomorrow = make_meeting(clinical_programme(department), mentor.user, people,
                            starts_at=timezone.make_aware(datetime.combine(today + timedelta(days=1), time(10))))
    with pytest.raises(ValidationError, match="not taken place"):
        goal_note_add(goal=goal, by=mentor.user, text="Reviewed.", meeting=tomorrow, today=today)
    later_today = make_meeting(clinical_programme(department), mentor.user, people,
                               starts_at=timezone.make_aware(datetime.combine(today, time(23, 0))))
    assert goal_note_add(goal=goal, by=mentor.user, text="Reviewed.", meeting=later_today, today=today).meeting


def test_a_participant_who_declined_was_not_there(department, resident, mentor, make_resident, today):
    goal = make_goal(resident, mentor.user, today)
    other = make_resident()
    meeting = make_meeting(clinical_programme(department), mentor.user,
                           [(mentor.user, "mentor"), (resident.user, "mentee"), (other.user, "mentee")],
                           declined=(resident.user,))
    with pytest.raises(ValidationError):
        goal_note_add(goal=goal, by=mentor.user, text="Reviewed.", meeting=meeting)


def test_a_group_meeting_links_the_notes_of_each_mentee(department, resident, mentor, make_resident, today):
    other = make_resident()
    assignment_create(resident=other, mentor=mentor)
    meeting = make_meeting(clinical_programme(department), mentor.user,
                           [(mentor.user, "mentor"), (resident.user, "mentee"), (other.user, "mentee")])
    for r in (resident, other):
        goal = make_goal(r, mentor.user, today)
        assert goal_note_add(goal=goal, by=mentor.user, text="Reviewed.", meeting=meeting).meeting == meeting
    # A mentee cannot note on a fellow mentee's goal, even at the same meeting.
    with pytest.raises(ValidationError, match="note progress"):
        goal_note_add(goal=goal, by=resident.user, text="Nice.", meeting=meeting)


# overdue ---------------------------------------------------------------------------------------------------------

def test_overdue_edges(resident, mentor, today):
    start = today - timedelta(days=90)
    due_today = make_goal(resident, mentor.user, start, title="Due today", due_on=today)
    late = make_goal(resident, mentor.user, start, title="Late", due_on=today - timedelta(days=1))
    started_late = make_goal(resident, mentor.user, start, title="Started, late", due_on=today - timedelta(days=3))
    goal_note_add(goal=started_late, by=mentor.user, text="Started.", status="in_progress")
    achieved = make_goal(resident, mentor.user, start, title="Achieved", due_on=today - timedelta(days=10))
    goal_note_add(goal=achieved, by=mentor.user, text="Done.", status="achieved")
    dropped = make_goal(resident, mentor.user, start, title="Dropped", due_on=today - timedelta(days=10))
    goal_note_add(goal=dropped, by=mentor.user, text="Not needed.", status="dropped")

    assert set(overdue(Goal.objects.all(), today)) == {late, started_late}
    assert due_today not in overdue(Goal.objects.all(), today)
    assert set(overdue(Goal.objects.all(), today + timedelta(days=1))) == {late, started_late, due_today}
