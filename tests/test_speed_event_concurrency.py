"""Speed-mentoring writes at the same moment (PostgreSQL): the event row's lock keeps one confirmation and the
capacity of the coordinators' edits."""

import pytest
from django.db import connection

from mentoring.models import Assignment, SpeedMatch
from mentoring.services import assignment_create
from mentoring.speed_events import choices_submit, event_confirm, match_set, matching_propose
from tests.access_rows.speed import build_event
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ranking(department, coordinator, make_mentor, make_resident):
    experts = [make_mentor(), make_mentor()]
    residents = [make_resident() for _ in range(4)]
    event = build_event(department=department, coordinator=coordinator, experts=experts,
                        groups=[residents[:2], residents[2:]], open_ranking=True)
    return event, experts, residents


def test_two_confirmations_at_once_create_the_assignments_once(ranking, coordinator):
    assert connection.vendor == "postgresql"
    event, experts, residents = ranking
    for resident in residents:
        choices_submit(event=event, resident=resident, mentors_ranked=experts)
    matching_propose(event=event)

    results = run_concurrently([lambda: len(event_confirm(event=event, by=coordinator))] * 2)

    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    assert "already confirmed" in next(msg for kind, msg in results if kind == "refused")
    assert Assignment.objects.filter(ended_on__isnull=True).count() == 4


def test_two_edits_for_the_last_seat_of_a_mentor_keep_the_maximum(ranking, coordinator, make_resident):
    event, experts, residents = ranking
    for _ in range(3):  # the first expert mentors 3 of 4: one seat left
        assignment_create(resident=make_resident(), mentor=experts[0])

    results = run_concurrently([lambda r=r: match_set(event=event, resident=r, mentor=experts[0], by=coordinator).pk
                                for r in residents[:2]])

    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    assert "would exceed the maximum of 4" in next(msg for kind, msg in results if kind == "refused")
    assert SpeedMatch.objects.filter(event=event, mentor=experts[0]).count() == 1
