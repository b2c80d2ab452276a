"""The goals demo (mentoring.demo_goals.seed_goals): what it shows, through the services, idempotent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentoring.demo_goals import seed_goals
from mentoring.goals import overdue
from mentoring.models import Goal, GoalNote, Meeting, MeetingParticipant
from mentoring.services import assignment_create, clinical_programme
from residents.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(department, coordinator, mentor, resident, make_mentor, make_resident):
    """The showcase resident (`resident`, under `mentor`), four other residents with mentors, one without."""
    second = make_mentor()
    others = [make_resident() for _ in range(4)]
    for i, other in enumerate(others):
        assignment_create(resident=other, mentor=mentor if i < 2 else second)
    unassigned = make_resident()
    return {"department": department, "coordinator": coordinator, "mentors": {"a": mentor, "b": second},
            "residents": [resident, *others, unassigned], "showcase": resident, "today": timezone.localdate()}


def past_meeting(department, mentor, resident, days_ago=5):
    starts = timezone.now() - timedelta(days=days_ago)
    meeting = Meeting.objects.create(programme=clinical_programme(department), mentor_user=mentor.user,
                                     starts_at=starts, ends_at=starts + timedelta(hours=1), agenda="Plan",
                                     status="accepted", proposed_by=mentor.user)
    for user, role in ((mentor.user, "mentor"), (resident.user, "mentee")):
        MeetingParticipant.objects.create(meeting=meeting, user=user, role=role, response="accepted")
    return meeting


def snapshot():
    return (sorted(Goal.objects.values_list("resident_id", "title", "status", "due_on", "agreed_on", "completed_on")),
            sorted(GoalNote.objects.values_list("goal__title", "text", "status_after", "meeting_id")))


def test_the_showcase_resident_gets_each_kind_of_goal(demo, department, mentor, resident):
    last = past_meeting(department, mentor, resident, days_ago=5)
    past_meeting(department, mentor, resident, days_ago=40)
    seed_goals(**demo)
    today = demo["today"]
    goals = list(Goal.objects.filter(resident=resident))
    assert 4 <= len(goals) <= 5

    achieved = [g for g in goals if g.status == "achieved"]
    assert len(achieved) == 1 and achieved[0].completed_on is not None and achieved[0].notes.count() >= 2
    assert any(g.status == "in_progress" and g.due_on >= today for g in goals)
    assert overdue(Goal.objects.filter(resident=resident), today).exists()
    proposed = [g for g in goals if g.agreed_on is None]
    assert len(proposed) == 1 and proposed[0].created_by == resident.user
    assert all(g.agreed_by == mentor.user for g in goals if g.agreed_on is not None)
    # The latest progress note of the goal in progress was written at their last meeting.
    linked = GoalNote.objects.get(meeting__isnull=False)
    assert linked.meeting == last and linked.goal.resident == resident


def test_without_a_meeting_nothing_is_linked(demo, resident):
    seed_goals(**demo)
    assert Goal.objects.filter(resident=resident).count() == 5
    assert not GoalNote.objects.filter(meeting__isnull=False).exists()


def test_other_residents_get_goals_some_overdue_and_the_unassigned_none(demo):
    seed_goals(**demo)
    showcase, *others, unassigned = demo["residents"]
    with_goals = Resident.objects.filter(goals__isnull=False).exclude(pk=showcase.pk).distinct()
    assert set(with_goals) == set(others)
    assert overdue(Goal.objects.exclude(resident=showcase), demo["today"]).count() >= 3
    assert not Goal.objects.filter(resident=unassigned).exists()


def test_seed_goals_is_idempotent(demo, department, mentor, resident):
    past_meeting(department, mentor, resident)
    seed_goals(**demo)
    before = snapshot()
    seed_goals(**demo)
    assert snapshot() == before
