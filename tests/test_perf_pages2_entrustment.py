"""Proposals for a list of residents (the cohort grid's page, one resident's EPAs) counted from the latest levels in
Python, with the EPA's specialty matched per specialty of the loaded residents (issue 7): the same proposals as the
former rule, a join on the resident's specialty and a grouped re-read of the latest observations by id."""

import random
from datetime import timedelta

import pytest
from django.db.models import Count, F, Min, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from assessments.entrustment import latest_observations, proposals_for_residents
from assessments.models import EntrustmentDecision, Observation
from assessments.standing import BASE_LEVEL
from residents.models import Resident
from tests.factories import ResidentFactory, SpecialtyFactory, today
from tests.factories_assessments import EPAFactory, ObservationFactory

pytestmark = pytest.mark.django_db


def former_proposals(resident_ids, window):
    """The former rule, as it was written: {(resident id, EPA id): (level, granted)}."""
    ranked = (Observation.objects.filter(resident__in=resident_ids, epa__is_active=True,
                                         epa__specialty=F("resident__specialty"))
              .annotate(recency=Window(RowNumber(), partition_by=[F("resident_id"), F("epa_id")],
                                       order_by=[F("observed_on").desc(), F("id").desc()])))
    latest = ranked.filter(recency__lte=window)
    pairs = (Observation.objects.filter(pk__in=latest.values("pk")).order_by()
             .values("resident_id", "epa_id").annotate(n=Count("pk"), lowest=Min("level"))
             .filter(n__gte=window, lowest__gt=BASE_LEVEL))
    granted = {(d.resident_id, d.epa_id): d.level for d in EntrustmentDecision.objects.all()}
    return {(p["resident_id"], p["epa_id"]): (p["lowest"], granted.get((p["resident_id"], p["epa_id"])))
            for p in pairs if p["lowest"] > (granted.get((p["resident_id"], p["epa_id"])) or BASE_LEVEL)}


@pytest.fixture
def residents(coordinator):
    """Residents of two specialties with random observations: on their own EPAs, a retired EPA and an EPA of the
    other specialty; the same day twice; some levels granted."""
    rng = random.Random(7)
    made = []
    specialties = [SpecialtyFactory(), SpecialtyFactory()]
    epas = {s.pk: [EPAFactory(specialty=s) for _ in range(3)] + [EPAFactory(specialty=s, is_active=False)]
            for s in specialties}
    for i in range(8):
        own, other = specialties[i % 2], specialties[1 - i % 2]
        resident = ResidentFactory(specialty=own)
        made.append(resident)
        for epa in [*epas[own.pk], epas[other.pk][0]]:
            for _ in range(rng.randint(0, 5)):
                ObservationFactory(resident=resident, epa=epa, mentor__specialty=own, level=rng.randint(1, 5),
                                   observed_on=today() - timedelta(days=rng.randint(1, 4)))
            if rng.random() < 0.3:
                EntrustmentDecision.objects.create(resident=resident, epa=epa, level=rng.randint(1, 4),
                                                   rationale="Committee.", decided_by=coordinator,
                                                   decided_at=timezone.now())
    return made


@pytest.mark.parametrize("window", [1, 2, 3, 4])
def test_the_same_proposals_as_the_former_rule(residents, window):
    expected = former_proposals([r.pk for r in residents], window)
    assert expected, "the data gives proposals to compare"
    for given in (residents, [r.pk for r in residents], Resident.objects.filter(pk__in=[r.pk for r in residents]),
                  list(Resident.objects.filter(pk__in=[r.pk for r in residents]).only("pk"))):
        proposals = proposals_for_residents(given, window=window)
        assert {key: (p.level, p.granted) for key, p in proposals.items()} == expected


def test_loaded_residents_are_matched_by_their_specialty_without_joining_residents(residents):
    sql = str(latest_observations(residents, window=3).query)
    assert '"residents_resident"' not in sql
    assert '"residents_resident"' in str(latest_observations([r.pk for r in residents], window=3).query)
    assert (sorted(latest_observations(residents, window=3).values_list("pk", flat=True))
            == sorted(latest_observations([r.pk for r in residents], window=3).values_list("pk", flat=True)))
