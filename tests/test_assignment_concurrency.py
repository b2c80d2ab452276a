"""The assignment rules hold under concurrent requests (PostgreSQL row locks + constraints)."""


import pytest
from django.db import connection

from mentoring.models import Assignment
from mentoring.services import assignment_create
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_residents_to_one_mentor_end_with_four(make_mentor, make_resident):
    assert connection.vendor == "postgresql"
    mentor = make_mentor()
    residents = [make_resident() for _ in range(20)]

    results = run_concurrently([lambda r=r: assignment_create(resident=r, mentor=mentor).pk for r in residents])

    outcomes = [kind for kind, _ in results]
    assert outcomes.count("ok") == 4, results
    assert outcomes.count("refused") == 16, results
    assert all("the maximum is 4" in msg for kind, msg in results if kind == "refused")
    assert Assignment.objects.filter(mentor=mentor, ended_on__isnull=True).count() == 4


def test_one_resident_to_two_mentors_at_once_ends_with_one(make_mentor, make_resident):
    assert connection.vendor == "postgresql"
    resident = make_resident()
    mentors = [make_mentor(), make_mentor()]

    results = run_concurrently([lambda m=m: assignment_create(resident=resident, mentor=m).pk for m in mentors])

    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    assert "already has a mentor" in next(msg for kind, msg in results if kind == "refused")
    assert Assignment.objects.filter(resident=resident, ended_on__isnull=True).count() == 1
