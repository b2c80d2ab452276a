"""residents.requirements.residents_below_duty_requirement ranks the department's residents in a narrow query and
loads only those listed: on varied fixed data (two specialties with different minimums, every review status, duties
on the month's edges and in the months around it, residents of other statuses and departments, names that tie) the
rows, their order and their figures are those of the rule computed here in Python, with and without a limit."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from residents.models import NightDuty, Resident, ReviewStatus
from residents.requirements import COUNTED, month_bounds, residents_below_duty_requirement
from tests.factories import DepartmentFactory, SpecialtyFactory, UserFactory
from tests.test_requirements import add_duty

pytestmark = pytest.mark.django_db

MONTH = date(2026, 3, 1)


def rule(department, month):
    """(resident id, logged, confirmed, returned, required) of the active residents below their specialty's minimum,
    fewest confirmed first, then by last name, first name and id."""
    start, end = month_bounds(month)
    rows = []
    for r in Resident.objects.filter(specialty__department=department, status=Resident.Status.ACTIVE).select_related(
            "user", "specialty"):
        duties = [d.status for d in NightDuty.objects.filter(resident=r, starts_at__gte=start, starts_at__lt=end)]
        confirmed = duties.count(ReviewStatus.CONFIRMED)
        if confirmed < r.specialty.min_night_duties_per_month:
            rows.append(((confirmed, r.user.last_name, r.user.first_name, r.pk),
                         (r.pk, sum(1 for s in duties if s in COUNTED), confirmed,
                          duties.count(ReviewStatus.RETURNED), r.specialty.min_night_duties_per_month)))
    return [row for _, row in sorted(rows)]


@pytest.fixture
def varied(department, specialty, make_resident):
    rng = random.Random(3)
    specialty.min_night_duties_per_month = 4
    specialty.save()
    strict = SpecialtyFactory(department=department, min_night_duties_per_month=6)
    lenient = SpecialtyFactory(department=department, min_night_duties_per_month=0)  # nobody is below 0
    elsewhere = SpecialtyFactory(department=DepartmentFactory(), min_night_duties_per_month=4)
    start, end = month_bounds(MONTH)
    statuses = [ReviewStatus.CONFIRMED] * 3 + [ReviewStatus.PENDING, ReviewStatus.RETURNED]
    for n in range(40):
        s = rng.choice([specialty, specialty, strict, lenient, elsewhere])
        user = UserFactory(last_name=rng.choice(["Abenov", "Bekova", "Abenov"]), first_name=rng.choice(["A", "B"]))
        resident = make_resident(specialty=s, user=user, status=rng.choice(
            [Resident.Status.ACTIVE] * 4 + [Resident.Status.ON_LEAVE]))
        days = rng.sample(range(0, 31), rng.choice([0, 2, 4, 5, 7]))
        for day in days:
            add_duty(resident, start + timedelta(days=day, hours=20), rng.choice(statuses))
        if n % 3 == 0:  # on the edges: the last minute before the month and its first minute after
            add_duty(resident, start - timedelta(minutes=1), ReviewStatus.CONFIRMED)
            add_duty(resident, end, ReviewStatus.CONFIRMED)
        if n % 4 == 0:  # the month's first minute counts
            add_duty(resident, start, ReviewStatus.CONFIRMED)


def as_tuples(rows):
    return [(r.resident.pk, r.figures.logged, r.figures.confirmed, r.figures.returned, r.figures.required)
            for r in rows]


def test_below_the_duty_requirement_is_the_rule(department, varied):
    expected = rule(department, MONTH)
    assert 10 < len(expected) < Resident.objects.filter(specialty__department=department).count()
    assert len({row[2] for row in expected}) >= 3  # several counts of confirmed duties
    assert as_tuples(residents_below_duty_requirement(department=department, month=MONTH)) == expected
    for limit in (1, 7, len(expected), len(expected) + 5):
        assert as_tuples(residents_below_duty_requirement(department=department, month=MONTH + timedelta(days=9),
                                                          limit=limit)) == expected[:limit]
    rows = residents_below_duty_requirement(department=department, month=MONTH, limit=5)
    assert all(r.figures.month == MONTH and r.resident.specialty.department_id == department.pk for r in rows)


def test_the_default_month_is_the_current_one(department, specialty, make_resident):
    today = timezone.localdate()
    resident = make_resident()
    rows = residents_below_duty_requirement(department=department)
    assert [(r.resident, r.figures.month, r.figures.confirmed) for r in rows] == [(resident, today.replace(day=1), 0)]
    assert residents_below_duty_requirement(department=department, limit=0) == []
