"""The meetings demo data (issue 6): seed_meetings through the services, idempotent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentoring.demo_meetings import seed_meetings
from mentoring.models import Absence, Assignment, CalendarFeed, Meeting, MeetingNote, MeetingParticipant
from mentoring.services import assignment_create
from residents.models import NightDuty

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(department, coordinator, make_mentor, make_resident):
    today = timezone.localdate()
    started = today - timedelta(days=400)
    mentors = {key: make_mentor() for key in ("akhmetova", "volkov", "kim", "abenov")}
    showcase = make_resident()
    assignment_create(resident=showcase, mentor=mentors["akhmetova"], started_on=started)
    residents = [showcase]
    for key in ("volkov", "kim", "abenov", "abenov"):
        r = make_resident()
        assignment_create(resident=r, mentor=mentors[key], started_on=started)
        residents.append(r)
    kwargs = {"department": department, "coordinator": coordinator, "mentors": mentors, "residents": residents,
              "showcase": showcase, "today": today}
    return kwargs


def snapshot():
    return (sorted(Meeting.objects.values_list("programme_id", "mentor_user_id", "starts_at", "status", "sequence")),
            MeetingParticipant.objects.count(), MeetingNote.objects.count(), Absence.objects.count(),
            NightDuty.objects.count(), sorted(CalendarFeed.objects.values_list("token", flat=True)))


def test_the_showcase_pair_shows_every_kind_of_meeting(demo):
    seed_meetings(**demo)
    showcase, mentor_user = demo["showcase"], demo["mentors"]["akhmetova"].user
    now = timezone.now()
    hers = Meeting.objects.filter(participants__user=showcase.user)
    assert set(hers.values_list("mentor_user_id", flat=True)) == {mentor_user.pk}
    held = hers.filter(status="accepted", ends_at__lt=now)
    assert held.count() >= 5
    assert all(now - timedelta(days=183) <= m.starts_at for m in held)
    assert MeetingNote.objects.filter(meeting__in=held).count() >= 5
    assert {m.proposed_by_id for m in held} == {mentor_user.pk, showcase.user.pk}  # either side proposes
    clash = hers.get(clashes_acknowledged=True)
    assert NightDuty.objects.filter(resident=showcase, starts_at__lt=clash.ends_at, ends_at__gt=clash.starts_at)
    declined = hers.get(status="declined")
    assert declined.participants.get(user=showcase.user).decline_reason
    assert hers.filter(status="accepted", starts_at__gt=now).count() == 1
    awaiting = hers.get(status="proposed")
    assert awaiting.starts_at > now and awaiting.participants.get(user=showcase.user).response == "pending"
    assert Absence.objects.filter(user=mentor_user, starts_on__gt=timezone.localdate()).exists()
    assert CalendarFeed.objects.filter(user=showcase.user, revoked_at__isnull=True).exists()


def test_some_other_pairs_met_and_one_did_not(demo):
    seed_meetings(**demo)
    others = Assignment.objects.filter(resident__in=demo["residents"][1:], ended_on__isnull=True)
    met = [a for a in others if Meeting.objects.filter(participants__user=a.resident.user, status="accepted",
                                                       mentor_user=a.mentor.user).exists()]
    assert 1 <= len(met) < len(others)
    assert all(not m.clashes_acknowledged for m in Meeting.objects.exclude(participants__user=demo["showcase"].user))


def test_seeding_twice_changes_nothing(demo):
    seed_meetings(**demo)
    first = snapshot()
    seed_meetings(**demo)
    assert snapshot() == first
