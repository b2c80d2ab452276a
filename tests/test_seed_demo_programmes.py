"""The demo's mentoring programmes (issue 6, item 6): seed_demo shows every feature, idempotently, and the pages
of each role open on it."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentoring.demo import seed_demo
from mentoring.models import Assignment, Goal, Meeting, MeetingParticipant, Programme, SpeedEvent, SpeedSlot
from organization.models import Department

pytestmark = pytest.mark.django_db

ISSUE_6_MODELS = ("Programme", "Assignment", "Absence", "Meeting", "MeetingParticipant", "MeetingNote", "Goal",
                  "GoalNote", "SpeedEvent", "SpeedExpert", "SpeedGroup", "SpeedGroupMember", "SpeedSlot",
                  "SpeedChoice", "SpeedPreference", "SpeedMatch")


def _showcase(seeded):
    return User.objects.get(email=seeded["resident"]["email"]).resident_profile


def test_near_peer_and_group_programmes_have_pairs(seeded):
    near_peer = Programme.objects.get(kind="near_peer")
    assert Assignment.objects.filter(programme=near_peer, ended_on__isnull=True, peer__isnull=False).exists()
    group = Programme.objects.get(kind="group")
    members = Assignment.objects.filter(programme=group, ended_on__isnull=True)
    assert members.filter(resident=_showcase(seeded)).exists()
    assert members.values("mentor").distinct().count() == 1


def test_the_demo_resident_has_meetings_in_every_state(seeded):
    mine = MeetingParticipant.objects.filter(user=_showcase(seeded).user)
    now = timezone.now()
    assert mine.filter(meeting__status="accepted", meeting__ends_at__lt=now).count() >= 2
    assert mine.filter(meeting__status="accepted", meeting__starts_at__gt=now).exists()
    assert mine.filter(response="pending", meeting__status="proposed").exists()
    assert Meeting.objects.filter(status="declined").exists()
    assert Meeting.objects.filter(clashes_acknowledged=True).exists()


def test_some_pair_has_not_met(seeded):
    met = set(MeetingParticipant.objects.filter(role="mentee").values_list("user_id", flat=True))
    pairs = Assignment.objects.filter(ended_on__isnull=True, resident__status="active")
    assert pairs.exclude(resident__user_id__in=met).exists()


def test_the_demo_resident_has_an_action_plan_with_an_overdue_goal(seeded):
    goals = Goal.objects.filter(resident=_showcase(seeded))
    today = timezone.localdate()
    assert goals.filter(status="achieved").exists()
    assert goals.filter(status__in=Goal.OPEN_STATUSES, due_on__lt=today).exists()
    assert goals.filter(agreed_by__isnull=True).exists()
    assert goals.filter(notes__meeting__isnull=False).exists()


def test_a_past_and_an_upcoming_speed_mentoring_event(seeded):
    events = SpeedEvent.objects.order_by("held_on")
    assert events.count() == 2
    past, upcoming = events
    assert past.held_on < timezone.localdate() <= upcoming.held_on
    assert past.status in ("confirmed", "ranking") and past.matches.exists()
    assert upcoming.status == "planning" and SpeedSlot.objects.filter(event=upcoming).exists()
    assert upcoming.members.filter(resident=_showcase(seeded)).exists()


def test_seeding_again_changes_nothing(seeded):
    def counts():
        return {name: apps.get_model("mentoring", name).objects.count() for name in ISSUE_6_MODELS}

    before = counts()
    seed_demo()
    assert counts() == before


@pytest.mark.parametrize("role,names", [
    ("resident", ["resident_home", "meeting_list", "my_goals", "my_programmes", "my_speed_events", "absence_list",
                  "calendar_feed"]),
    ("mentor", ["mentor_home", "meeting_list", "mentee_goals", "my_programmes", "my_speed_events"]),
])
def test_each_role_opens_its_pages_on_the_demo(seeded, client, role, names):
    client.force_login(User.objects.get(email=seeded[role]["email"]))
    for name in names:
        assert client.get(reverse(f"mentoring:{name}")).status_code == 200, name


def test_the_coordinator_opens_the_programme_pages_on_the_demo(seeded, client):
    client.force_login(User.objects.get(email=seeded["coordinator"]["email"]))
    department = Department.objects.get()
    for name in ("programme_list", "programme_overview", "speed_event_list"):
        assert client.get(reverse(f"mentoring:{name}", args=[department.pk])).status_code == 200, name
    for programme in Programme.objects.all():
        assert client.get(reverse("mentoring:programme_detail", args=[programme.pk])).status_code == 200
    for event in SpeedEvent.objects.all():
        for name in ("speed_event_detail", "speed_schedule", "speed_rankings", "speed_matching"):
            assert client.get(reverse(f"mentoring:{name}", args=[event.pk])).status_code == 200, name
