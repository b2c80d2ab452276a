"""Ending an assignment withdraws the pair's future meetings (issue 6, item 2): a one-to-one meeting is
cancelled and both are told; at a group meeting only the resident's invitation is declined; past meetings and
other pairs' meetings stay."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from mentoring.models import Meeting, MeetingParticipant
from mentoring.services import assignment_create, assignment_end, clinical_programme

pytestmark = pytest.mark.django_db


def _meeting(mentor, residents, *, starts_in, status="accepted", format="one_to_one"):
    starts_at = timezone.now() + starts_in
    meeting = Meeting.objects.create(
        programme=clinical_programme(residents[0].specialty.department), mentor_user=mentor.user, format=format,
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), agenda="Case review", status=status,
        proposed_by=mentor.user)
    MeetingParticipant.objects.create(meeting=meeting, user=mentor.user, role="mentor", response="accepted")
    for resident in residents:
        MeetingParticipant.objects.create(meeting=meeting, user=resident.user, role="mentee", response="accepted")
    return meeting


def test_future_one_to_one_meetings_of_the_pair_are_cancelled(mentor, resident, make_resident,
                                                              django_capture_on_commit_callbacks):
    other = make_resident()
    assignment_create(resident=other, mentor=mentor)
    upcoming = _meeting(mentor, [resident], starts_in=timedelta(days=3))
    proposed = _meeting(mentor, [resident], starts_in=timedelta(days=5), status="proposed")
    past = _meeting(mentor, [resident], starts_in=-timedelta(days=3))
    others = _meeting(mentor, [other], starts_in=timedelta(days=3))
    group = _meeting(mentor, [resident, other], starts_in=timedelta(days=4), format="group")
    assignment = resident.assignments.get(ended_on__isnull=True)

    with django_capture_on_commit_callbacks(execute=True):
        assignment_end(assignment=assignment, by=mentor.user, reason="Moved to another clinical site")

    statuses = dict(Meeting.objects.values_list("pk", "status"))
    assert statuses[upcoming.pk] == statuses[proposed.pk] == "cancelled"
    assert statuses[past.pk] == statuses[others.pk] == statuses[group.pk] == "accepted"
    assert Meeting.objects.get(pk=upcoming.pk).sequence == 1
    answers = dict(group.participants.values_list("user_id", "response"))
    assert answers[resident.user_id] == "declined" and answers[other.user_id] == "accepted"
    assert {tuple(m.to) for m in mail.outbox} == {(mentor.user.email,), (resident.user.email,)}
    assert len(mail.outbox) == 4  # two cancelled meetings, both people each
