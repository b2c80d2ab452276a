"""The speed-mentoring demo data (mentoring.demo_speed.seed_speed), on the conftest fixtures: a past event whose
proposal gives each waiting resident a mentor (left for the coordinator to confirm, or confirmed on request), an
upcoming planned one with the showcase resident; idempotent."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from mentoring.demo_speed import PAST_TITLE, UPCOMING_TITLE, seed_speed
from mentoring.models import (
    Assignment,
    SpeedChoice,
    SpeedEvent,
    SpeedGroupMember,
    SpeedMatch,
    SpeedPreference,
    SpeedSlot,
)
from mentoring.services import assignment_create
from residents.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(department, coordinator, make_mentor, make_resident):
    """Four eligible mentors (two with room), one whose certificate expired; three residents waiting for a mentor,
    five with one, the showcase resident among them."""
    today = timezone.localdate()
    mentors = {key: make_mentor() for key in ("bekova", "akhmetova", "volkov", "kim")}
    mentors["iskakov"] = make_mentor(certificate_expires_on=today - timedelta(days=40))
    for key, load in (("akhmetova", 4), ("volkov", 1)):
        for _ in range(load):
            assignment_create(resident=make_resident(), mentor=mentors[key])
    showcase = make_resident()
    assignment_create(resident=showcase, mentor=mentors["bekova"])
    waiting = [make_resident() for _ in range(3)]
    everyone = list(Resident.objects.filter(pk__in=Assignment.objects.values("resident"))) + waiting
    return {"department": department, "coordinator": coordinator, "mentors": mentors, "residents": everyone,
            "showcase": showcase, "today": today, "waiting": waiting}


def seed(demo, **kwargs):
    seed_speed(department=demo["department"], coordinator=demo["coordinator"], mentors=demo["mentors"],
               residents=demo["residents"], showcase=demo["showcase"], today=demo["today"], **kwargs)


def snapshot():
    return [model.objects.count() for model in (SpeedEvent, SpeedSlot, SpeedGroupMember, SpeedChoice,
                                                SpeedPreference, SpeedMatch, Assignment)]


def test_a_past_event_proposing_mentors_for_the_waiting_and_a_planned_upcoming_one_idempotent(demo):
    before = Assignment.objects.count()
    seed(demo)
    past = SpeedEvent.objects.get(title=PAST_TITLE)
    assert past.status == "ranking" and past.held_on < demo["today"]
    assert past.slots.exists() and past.choices.exists() and past.preferences.exists()
    # Every waiting resident is proposed an eligible mentor who has room; nothing is assigned yet.
    for resident in demo["waiting"]:
        match = SpeedMatch.objects.get(event=past, resident=resident)
        assert match.mentor not in (demo["mentors"]["akhmetova"], demo["mentors"]["iskakov"])
    assert not past.experts.filter(mentor=demo["mentors"]["iskakov"]).exists()
    assert Assignment.objects.count() == before

    upcoming = SpeedEvent.objects.get(title=UPCOMING_TITLE)
    assert upcoming.status == "planning" and upcoming.held_on > demo["today"]
    assert upcoming.slots.exists()
    assert upcoming.members.get(resident=demo["showcase"]).group.number == 1
    assert upcoming.experts.filter(mentor=demo["mentors"]["akhmetova"]).exists()  # the demo mentor
    assert mail.outbox == []  # the demo sends no e-mail

    before = snapshot()
    seed(demo)
    seed(demo, confirm_past=True)  # an existing event is left alone
    assert snapshot() == before


def test_confirm_past_gives_the_waiting_residents_their_mentors(demo):
    seed(demo, confirm_past=True)
    past = SpeedEvent.objects.get(title=PAST_TITLE)
    assert past.status == "confirmed"
    for resident in demo["waiting"]:
        match = SpeedMatch.objects.get(event=past, resident=resident)
        assert match.assignment.ended_on is None and match.assignment.mentor == match.mentor
    for mentor in demo["mentors"].values():
        assert Assignment.objects.filter(mentor=mentor, ended_on__isnull=True).count() <= 4
    before = snapshot()
    seed(demo, confirm_past=True)
    assert snapshot() == before


def test_without_residents_waiting_the_past_event_stays_collecting_rankings(demo):
    for resident in demo["waiting"]:
        assignment_create(resident=resident, mentor=demo["mentors"]["kim"])
    seed(demo, confirm_past=True)
    past = SpeedEvent.objects.get(title=PAST_TITLE)
    assert past.status == "ranking" and past.choices.exists()
    assert not SpeedMatch.objects.filter(event=past).exists()  # everybody has a mentor: nobody to match
