"""The group capacity holds under concurrent requests (PostgreSQL row lock on the group leader)."""

import pytest
from django.db import connection

from mentoring.models import Assignment
from mentoring.programmes import programme_create
from mentoring.services import assignment_create
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_assignments_to_a_group_with_one_seat_left_end_with_one(
        department, coordinator, make_mentor, make_resident):
    assert connection.vendor == "postgresql"
    group = programme_create(department=department, by=coordinator, kind="group", name="Resuscitation group",
                             min_per_mentor=4, max_per_mentor=8)
    leader = make_mentor()
    for _ in range(7):
        assignment_create(resident=make_resident(), mentor=leader, programme=group)
    residents = [make_resident() for _ in range(10)]

    results = run_concurrently([
        lambda r=r: assignment_create(resident=r, mentor=leader, programme=group).pk for r in residents])

    outcomes = [kind for kind, _ in results]
    assert outcomes.count("ok") == 1, results
    assert outcomes.count("refused") == 9, results
    assert all("the maximum is 8" in msg for kind, msg in results if kind == "refused")
    assert Assignment.objects.filter(programme=group, mentor=leader, ended_on__isnull=True).count() == 8
