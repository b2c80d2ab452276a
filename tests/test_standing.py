"""assessments.standing.with_epas_behind counts each resident's EPAs behind the expected level with one join and a
count per resident: on varied fixed data (several specialties, retired EPAs, EPAs without an expectation for a year,
granted levels below, at and above the expected one, every year of study) it gives the rule's numbers, computed here
in Python from the rows, whatever else the queryset carries."""

import random

import pytest
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import EPA, EntrustmentDecision, EPAExpectation
from assessments.standing import BASE_LEVEL, with_epas_behind
from residents.models import Resident
from residents.selectors import residents_base
from tests.factories import DepartmentFactory, SpecialtyFactory
from tests.factories_assessments import EPAFactory

pytestmark = pytest.mark.django_db


def behind_by_rule() -> dict[int, int]:
    """The rule in plain Python: active EPAs of the resident's specialty whose expected level at the resident's year
    of study is above the granted level (BASE_LEVEL when nothing is granted)."""
    expected = {(e.epa_id, e.year_of_study): e.level for e in EPAExpectation.objects.all()}
    granted = {(d.resident_id, d.epa_id): d.level for d in EntrustmentDecision.objects.all()}
    epas = list(EPA.objects.filter(is_active=True))
    result = {}
    for r in Resident.objects.all():
        result[r.pk] = sum(
            1 for epa in epas if epa.specialty_id == r.specialty_id and (epa.pk, r.year_of_study) in expected
            and expected[(epa.pk, r.year_of_study)] > granted.get((r.pk, epa.pk), BASE_LEVEL))
    return result


@pytest.fixture
def varied(department, specialty, make_resident, coordinator):
    rng = random.Random(20261124)
    other = SpecialtyFactory(department=department)
    elsewhere = SpecialtyFactory(department=DepartmentFactory())
    epas = []
    for s in (specialty, other, elsewhere):
        for expected in ([2, 3, 4], [1, 2, 5, 5], [3], [], [2, 2, 2, 3, 4]):
            epas.append(EPAFactory(specialty=s, expected=expected))
        epas.append(EPAFactory(specialty=s, expected=[5, 5, 5], is_active=False))  # retired: never behind
    for s in (specialty, other, elsewhere):
        own = [e for e in epas if e.specialty_id == s.pk]
        for year in (1, 2, 3, 4, 5):
            for status in (Resident.Status.ACTIVE, Resident.Status.ACTIVE, Resident.Status.ON_LEAVE):
                resident = make_resident(specialty=s, year_of_study=year, status=status)
                for epa in rng.sample(own, rng.choice([0, 1, 3, len(own)])):
                    EntrustmentDecision.objects.create(resident=resident, epa=epa, level=rng.choice([1, 2, 3, 4, 5]),
                                                       rationale="Committee.", decided_by=coordinator,
                                                       decided_at=timezone.now())
        # A decision on another specialty's EPA counts for nobody.
        foreign = next(e for e in epas if e.specialty_id != s.pk and e.is_active)
        EntrustmentDecision.objects.create(resident=make_resident(specialty=s, year_of_study=1), epa=foreign,
                                           level=1, rationale="Committee.", decided_by=coordinator,
                                           decided_at=timezone.now())


def test_epas_behind_is_the_rule(varied):
    expected = behind_by_rule()
    assert len(set(expected.values())) >= 4  # varied enough to tell counts apart
    assert dict(with_epas_behind(Resident.objects.all()).values_list("pk", "epas_behind")) == expected


def test_epas_behind_with_a_wide_queryset_filters_and_other_annotations(department, varied):
    """As the track suggestions and the mentor's record use it: residents_base (joined profiles), a filter, and
    subquery annotations next to it; the rows are neither multiplied nor lost."""
    expected = behind_by_rule()
    decisions = Subquery(EntrustmentDecision.objects.filter(resident=OuterRef("pk")).order_by()
                         .values("resident").annotate(n=Count("pk")).values("n")[:1])
    rows = list(with_epas_behind(residents_base().filter(specialty__department=department,
                                                         status=Resident.Status.ACTIVE))
                .annotate(decisions=decisions).order_by("user__last_name", "pk"))
    active_here = Resident.objects.filter(specialty__department=department, status=Resident.Status.ACTIVE)
    assert sorted(r.pk for r in rows) == sorted(active_here.values_list("pk", flat=True))
    assert {r.pk: r.epas_behind for r in rows} == {pk: expected[pk] for pk in active_here.values_list("pk", flat=True)}
    assert {r.pk: r.decisions or 0 for r in rows} == {
        r.pk: EntrustmentDecision.objects.filter(resident=r).count() for r in active_here}
    assert with_epas_behind(active_here).filter(epas_behind__gte=2).count() == sum(
        1 for pk in active_here.values_list("pk", flat=True) if expected[pk] >= 2)


def test_epas_behind_in_one_query(department, varied):
    with CaptureQueriesContext(connection) as ctx:
        rows = list(with_epas_behind(residents_base().filter(specialty__department=department)))
        [(str(r), r.epas_behind) for r in rows]
    assert len(ctx.captured_queries) == 1
    assert "assessments_epaexpectation" in ctx.captured_queries[0]["sql"]
