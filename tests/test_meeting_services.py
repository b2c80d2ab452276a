"""Meeting services (issue 6): proposing (either side, one-to-one or group, clashes), answering, cancelling,
notes, and the e-mails they send."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from mentoring.meetings import (
    MeetingClashes,
    meeting_cancel,
    meeting_note_add,
    meeting_propose,
    meeting_respond,
)
from mentoring.models import Absence, Meeting, MeetingNote, Programme
from mentoring.services import assignment_create, assignment_end, clinical_programme
from residents.models import NightDuty

pytestmark = pytest.mark.django_db

AGENDA = "Progress on the resuscitation EPA; plan for the next month."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(days: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, minute)))


@pytest.fixture
def programme(department):
    return clinical_programme(department)


def propose(proposer, invitees, programme, *, days=3, hour=14, hours=1, format="one_to_one", **kwargs):
    kwargs.setdefault("agenda", AGENDA)
    return meeting_propose(proposer=proposer, programme=programme, invitees=invitees, format=format,
                           starts_at=at(days, hour), ends_at=at(days, hour) + timedelta(hours=hours), **kwargs)


def answers(meeting):
    return {p.user_id: p.response for p in meeting.participants.all()}


@pytest.fixture
def group(department, make_mentor, make_resident):
    """A group programme with one mentor and three mentees."""
    programme = Programme.objects.create(department=department, kind="group", name="Simulation group",
                                         min_per_mentor=2, max_per_mentor=6)
    mentor = make_mentor()
    mentees = [make_resident() for _ in range(3)]
    for r in mentees:
        assignment_create(resident=r, mentor=mentor, programme=programme)
    return programme, mentor, mentees


# Proposing -------------------------------------------------------------------------------------------------------

def test_the_mentor_proposes_and_the_resident_is_invited(mentor, resident, programme,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = propose(mentor.user, [resident.user], programme, place="Seminar room 2")
    assert meeting.status == Meeting.Status.PROPOSED and meeting.mentor_user == mentor.user
    assert meeting.proposed_by == mentor.user and not meeting.clashes_acknowledged
    assert answers(meeting) == {mentor.user.pk: "accepted", resident.user.pk: "pending"}
    assert {p.user_id: p.role for p in meeting.participants.all()} == {mentor.user.pk: "mentor",
                                                                        resident.user.pk: "mentee"}
    assert [m.to for m in mail.outbox] == [[resident.user.email]]
    letter = mail.outbox[0]
    assert mentor.user.full_name in letter.body and "Seminar room 2" in letter.body
    assert f"/meetings/{meeting.pk}/" in letter.body
    assert AGENDA not in letter.body  # the agenda stays in the product


def test_the_resident_proposes_to_their_mentor(mentor, resident, programme):
    meeting = propose(resident.user, [mentor.user], programme)
    assert meeting.mentor_user == mentor.user and meeting.proposed_by == resident.user
    assert answers(meeting) == {resident.user.pk: "accepted", mentor.user.pk: "pending"}


def test_only_the_two_sides_of_an_active_pair_meet(mentor, resident, programme, make_mentor, make_resident):
    stranger = make_resident()
    with pytest.raises(ValidationError) as exc:
        propose(mentor.user, [stranger.user], programme)
    assert "is not your mentor or mentee" in exc.value.message_dict["invitees"][0]
    with pytest.raises(ValidationError):
        propose(make_mentor().user, [resident.user], programme)
    assignment = resident.assignments.get(ended_on__isnull=True)
    assignment_end(assignment=assignment, reason="Moved to another site")
    with pytest.raises(ValidationError):
        propose(mentor.user, [resident.user], programme)
    assert not Meeting.objects.exists()


def test_one_to_one_needs_exactly_one_invitee(mentor, resident, programme):
    with pytest.raises(ValidationError) as exc:
        propose(mentor.user, [], programme)
    assert "exactly one" in exc.value.message_dict["invitees"][0]
    with pytest.raises(ValidationError):
        propose(mentor.user, [mentor.user], programme)


@pytest.mark.parametrize("days,hour,hours,field,text", [
    (0, -1, 1, "starts_at", "must start in the future"),
    (400, 10, 1, "starts_at", "at most a year ahead"),
    (3, 10, 9, "ends_at", "at most 8 hours"),
    (3, 10, 0, "ends_at", "must end after it starts"),
])
def test_times_are_checked(days, hour, hours, field, text, mentor, resident, programme):
    starts_at = timezone.now() - timedelta(hours=1) if hour < 0 else at(days, hour)
    with pytest.raises(ValidationError) as exc:
        meeting_propose(proposer=mentor.user, programme=programme, invitees=[resident.user], format="one_to_one",
                        starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), agenda=AGENDA)
    assert text in exc.value.message_dict[field][0]


def test_the_agenda_is_required_and_has_no_patient_identifiers(mentor, resident, programme):
    with pytest.raises(ValidationError) as exc:
        propose(mentor.user, [resident.user], programme, agenda="  ")
    assert "agenda" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        propose(mentor.user, [resident.user], programme, agenda="Discuss baby 030512601234 from ward 3")
    assert "12-digit" in exc.value.message_dict["agenda"][0]


def test_a_clash_is_refused_without_acknowledgement_and_saved_with_it(mentor, resident, programme):
    NightDuty.objects.create(resident=resident, starts_at=at(3, 8), ends_at=at(3, 20),
                             clinical_site=resident.clinical_site)
    with pytest.raises(MeetingClashes) as exc:
        propose(mentor.user, [resident.user], programme, days=3, hour=14)
    assert [c.person for c in exc.value.clashes] == [resident.user]
    assert "has a night duty" in exc.value.message_dict["acknowledge_clashes"][0]
    assert not Meeting.objects.exists()
    meeting = propose(mentor.user, [resident.user], programme, days=3, hour=14, acknowledge_clashes=True)
    assert meeting.clashes_acknowledged


def test_the_proposers_own_absence_counts_too(mentor, resident, programme):
    today = timezone.localdate()
    Absence.objects.create(user=resident.user, kind="leave", starts_on=today + timedelta(days=3),
                           ends_on=today + timedelta(days=4))
    with pytest.raises(MeetingClashes):
        propose(resident.user, [mentor.user], programme, days=4)


def test_acknowledging_without_a_clash_is_not_recorded(mentor, resident, programme):
    meeting = propose(mentor.user, [resident.user], programme, acknowledge_clashes=True)
    assert not meeting.clashes_acknowledged


def test_now_lets_the_demo_create_past_meetings(mentor, resident, programme):
    then = timezone.now() - timedelta(days=40)
    meeting = meeting_propose(proposer=mentor.user, programme=programme, invitees=[resident.user],
                              format="one_to_one", starts_at=then + timedelta(days=2),
                              ends_at=then + timedelta(days=2, hours=1), agenda=AGENDA, now=then)
    meeting_respond(meeting=meeting, user=resident.user, accept=True, now=then + timedelta(days=1))
    meeting.refresh_from_db()
    assert meeting.status == "accepted" and meeting.ends_at < timezone.now()


# Group meetings --------------------------------------------------------------------------------------------------

def test_a_group_meeting_invites_all_mentees_by_default(group, django_capture_on_commit_callbacks):
    programme, mentor, mentees = group
    with django_capture_on_commit_callbacks(execute=True):
        meeting = propose(mentor.user, [], programme, format="group")
    assert meeting.format == "group" and meeting.mentor_user == mentor.user
    assert answers(meeting) == {mentor.user.pk: "accepted", **{r.user.pk: "pending" for r in mentees}}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in mentees)  # one e-mail each


def test_a_group_meeting_may_invite_some_mentees_only_of_that_programme(group, resident):
    programme, mentor, mentees = group
    meeting = propose(mentor.user, [r.user for r in mentees[:2]], programme, format="group")
    assert set(answers(meeting)) == {mentor.user.pk, mentees[0].user.pk, mentees[1].user.pk}
    with pytest.raises(ValidationError) as exc:
        propose(mentor.user, [mentees[0].user, resident.user], programme, format="group", days=5)
    assert resident.user.full_name in exc.value.message_dict["invitees"][0]


def test_a_mentee_cannot_propose_a_group_meeting(group):
    programme, mentor, mentees = group
    with pytest.raises(ValidationError) as exc:
        propose(mentees[0].user, [], programme, format="group")
    assert "Only a mentor proposes a group meeting" in exc.value.messages[0]


def test_group_meeting_status_follows_the_answers(group, django_capture_on_commit_callbacks):
    programme, mentor, (a, b, c) = group
    meeting = propose(mentor.user, [], programme, format="group")
    meeting_respond(meeting=meeting, user=a.user, accept=False)
    meeting.refresh_from_db()
    assert meeting.status == "proposed" and meeting.sequence == 1
    meeting_respond(meeting=meeting, user=b.user, accept=True)
    meeting.refresh_from_db()
    assert meeting.status == "accepted" and meeting.sequence == 2
    meeting_respond(meeting=meeting, user=c.user, accept=False, reason="On a course that week")
    meeting.refresh_from_db()
    assert meeting.status == "accepted"  # one acceptance is enough
    assert meeting.participants.get(user=c.user).decline_reason == "On a course that week"


def test_a_group_meeting_declined_by_everyone_is_declined(group):
    programme, mentor, mentees = group
    meeting = propose(mentor.user, [], programme, format="group")
    for r in mentees:
        meeting_respond(meeting=meeting, user=r.user, accept=False)
    meeting.refresh_from_db()
    assert meeting.status == "declined"


# Answering -------------------------------------------------------------------------------------------------------

def test_the_invitee_accepts_and_the_proposer_is_told(mentor, resident, programme, django_capture_on_commit_callbacks):
    meeting = propose(mentor.user, [resident.user], programme)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_respond(meeting=meeting, user=resident.user, accept=True)
    assert meeting.status == "accepted" and meeting.sequence == 1
    row = meeting.participants.get(user=resident.user)
    assert row.response == "accepted" and row.responded_at is not None
    assert [m.to for m in mail.outbox] == [[mentor.user.email]]
    assert "accepted" in mail.outbox[0].subject.lower() and resident.user.full_name in mail.outbox[0].body


def test_a_one_to_one_decline_declines_the_meeting_without_a_reason(mentor, resident, programme):
    meeting = propose(mentor.user, [resident.user], programme)
    meeting = meeting_respond(meeting=meeting, user=resident.user, accept=False)
    assert meeting.status == "declined"
    assert meeting.participants.get(user=resident.user).decline_reason == ""


def test_only_a_pending_invitee_answers(mentor, resident, programme, make_mentor):
    meeting = propose(mentor.user, [resident.user], programme)
    for user in (mentor.user, make_mentor().user):  # the proposer (already accepted) and an outsider
        with pytest.raises(ValidationError):
            meeting_respond(meeting=meeting, user=user, accept=True)
    meeting_respond(meeting=meeting, user=resident.user, accept=True)
    with pytest.raises(ValidationError):  # no second answer
        meeting_respond(meeting=meeting, user=resident.user, accept=False)
    meeting.refresh_from_db()
    assert meeting.status == "accepted" and meeting.sequence == 1


def test_no_answer_once_started_or_cancelled(mentor, resident, programme):
    meeting = propose(mentor.user, [resident.user], programme)
    with pytest.raises(ValidationError) as exc:
        meeting_respond(meeting=meeting, user=resident.user, accept=True, now=meeting.starts_at)
    assert "already started" in exc.value.messages[0]
    meeting_cancel(meeting=meeting, user=mentor.user, reason="Called to theatre")
    with pytest.raises(ValidationError) as exc:
        meeting_respond(meeting=meeting, user=resident.user, accept=True)
    assert "cancelled" in exc.value.messages[0]


# Cancelling ------------------------------------------------------------------------------------------------------

def test_either_side_cancels_with_a_reason_and_the_other_is_told(mentor, resident, programme,
                                                                 django_capture_on_commit_callbacks):
    meeting = propose(mentor.user, [resident.user], programme)
    meeting_respond(meeting=meeting, user=resident.user, accept=True)
    with pytest.raises(ValidationError) as exc:
        meeting_cancel(meeting=meeting, user=resident.user, reason=" ")
    assert "reason" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_cancel(meeting=meeting, user=resident.user, reason="Exam that day")
    assert meeting.status == "cancelled" and meeting.sequence == 2
    assert MeetingNote.objects.get(meeting=meeting).text == "Cancelled: Exam that day"
    assert [m.to for m in mail.outbox] == [[mentor.user.email]]
    assert "Exam that day" not in mail.outbox[0].body
    with pytest.raises(ValidationError):  # not twice
        meeting_cancel(meeting=meeting, user=mentor.user, reason="again")


def test_only_participants_cancel_and_only_future_meetings(mentor, resident, programme, make_mentor):
    meeting = propose(mentor.user, [resident.user], programme)
    with pytest.raises(ValidationError):
        meeting_cancel(meeting=meeting, user=make_mentor().user, reason="x")
    with pytest.raises(ValidationError) as exc:
        meeting_cancel(meeting=meeting, user=mentor.user, reason="x", now=meeting.starts_at + timedelta(minutes=1))
    assert "not started yet" in exc.value.messages[0]
    meeting.refresh_from_db()
    assert meeting.status == "proposed" and meeting.sequence == 0


def test_in_a_group_meeting_a_mentee_declines_instead_of_cancelling(group):
    programme, mentor, mentees = group
    meeting = propose(mentor.user, [], programme, format="group")
    meeting_respond(meeting=meeting, user=mentees[0].user, accept=True)
    with pytest.raises(ValidationError) as exc:
        meeting_cancel(meeting=meeting, user=mentees[0].user, reason="Cannot come")
    assert "Only the mentor cancels a group meeting" in exc.value.messages[0]
    assert meeting_cancel(meeting=meeting, user=mentor.user, reason="Room unavailable").status == "cancelled"


# Notes -----------------------------------------------------------------------------------------------------------

def test_participants_add_notes_outsiders_do_not(mentor, resident, programme, coordinator, make_mentor):
    meeting = propose(mentor.user, [resident.user], programme)
    note = meeting_note_add(meeting=meeting, author=resident.user, text="  Bring the logbook.  ")
    assert note.text == "Bring the logbook."
    for outsider in (coordinator, make_mentor().user):
        with pytest.raises(ValidationError):
            meeting_note_add(meeting=meeting, author=outsider, text="A note")
    with pytest.raises(ValidationError) as exc:
        meeting_note_add(meeting=meeting, author=mentor.user, text="Patient IIN 030512601234")
    assert "text" in exc.value.message_dict
    assert list(MeetingNote.objects.values_list("text", flat=True)) == ["Bring the logbook."]
