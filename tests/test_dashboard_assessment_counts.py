"""The coordinator's dashboard counts the entrustment proposals and the track suggestions in the database
(assessments.entrustment.proposal_count, assessments.tracks.track_suggestion_count): on varied fixed data, with the
edges of each rule, the counts are those of the rules applied in Python (proposals_for_residents, track_suggestions),
which the proposals and track suggestions pages keep using."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.entrustment import proposal_count, proposals_for_residents
from assessments.models import AssessmentPolicy, EntrustmentDecision, Observation, TrackDecision
from assessments.tracks import track_suggestion_count, track_suggestions
from organization.models import Department
from residents.models import Resident
from tests.factories import AcademicYearFactory, DepartmentFactory, SpecialtyFactory, today
from tests.factories_assessments import EPAFactory, ExamResultFactory

pytestmark = pytest.mark.django_db

STATUSES = [Resident.Status.ACTIVE] * 4 + [Resident.Status.ON_LEAVE, Resident.Status.GRADUATED]


def observations(resident, epa, mentor, levels, *, rng, start):
    """Observations with these levels (oldest first), some on the same day (then ordered by id)."""
    day, rows = start, []
    for level in levels:
        day += timedelta(days=rng.choice([0, 0, 1, 3]))
        rows.append(Observation(resident=resident, epa=epa, mentor=mentor, level=level, observed_on=day))
    Observation.objects.bulk_create(rows)


def decide(resident, epa, level, by):
    EntrustmentDecision.objects.create(resident=resident, epa=epa, level=level, rationale="Committee.", decided_by=by,
                                       decided_at=timezone.now())


@pytest.fixture
def varied_proposals(department, specialty, make_resident, mentor, coordinator):
    """Two specialties of the department and one of another, active and retired EPAs, residents of every status;
    per pair 0-7 observations with random levels and days (ties included), and for some a granted level."""
    rng = random.Random(20261123)
    other_specialty = SpecialtyFactory(department=department)
    elsewhere = SpecialtyFactory(department=DepartmentFactory())
    epas = {s.pk: [EPAFactory(specialty=s) for _ in range(3)] + [EPAFactory(specialty=s, is_active=False)]
            for s in (specialty, other_specialty, elsewhere)}
    start = today() - timedelta(days=120)
    for s in (specialty, other_specialty, elsewhere):
        for status in STATUSES * 2:
            resident = make_resident(specialty=s, status=status)
            for epa in epas[s.pk]:
                n = rng.choice([0, 1, 2, 3, 3, 4, 5, 7])
                observations(resident, epa, mentor, [rng.choice([1, 2, 2, 3, 4, 5]) for _ in range(n)], rng=rng,
                             start=start)
                if rng.random() < 0.35:
                    decide(resident, epa, rng.choice([1, 2, 3, 4, 5]), coordinator)
        # An EPA of another specialty observed for this one's residents counts for nobody.
        resident = make_resident(specialty=s)
        observations(resident, epas[other_specialty.pk if s != other_specialty else specialty.pk][0], mentor,
                     [4, 4, 4], rng=rng, start=start)
    return rng


@pytest.mark.parametrize("window", [1, 2, 3, 4, 5])
def test_proposal_count_is_the_number_of_proposals(department, varied_proposals, window):
    expected = len(proposals_for_residents(department, window=window))
    assert expected > 0
    assert proposal_count(department, window=window) == expected


def test_proposal_count_edges(department, specialty, make_resident, mentor, coordinator):
    epa = EPAFactory(specialty=specialty)
    start = today() - timedelta(days=30)

    def resident_with(levels, granted=None):
        resident = make_resident()
        Observation.objects.bulk_create(
            Observation(resident=resident, epa=epa, mentor=mentor, level=level, observed_on=start + timedelta(days=i))
            for i, level in enumerate(levels))
        if granted:
            decide(resident, epa, granted, coordinator)
        return resident

    resident_with([3, 3])  # fewer than N: nothing
    resident_with([3, 3, 3])  # exactly N at 3: proposed
    resident_with([1, 1, 2, 2, 2])  # only the latest N count
    resident_with([2, 2, 1])  # the latest is 1: nothing
    resident_with([1, 1, 1])  # the base level is not a proposal
    resident_with([3, 3, 3], granted=3)  # not above the granted level
    resident_with([4, 4, 4], granted=3)  # above it: proposed
    resident_with([2, 2, 2], granted=1)  # a granted 1 is the base level: proposed
    # Same day: the later id counts as the later observation.
    tied = make_resident()
    same_day = today() - timedelta(days=2)
    Observation.objects.bulk_create([Observation(resident=tied, epa=epa, mentor=mentor, level=level,
                                                 observed_on=same_day) for level in (1, 3, 3, 3)])
    assert len(proposals_for_residents(department, window=3)) == 5
    assert proposal_count(department, window=3) == 5
    assert proposal_count(department) == 5  # the department's policy: 3 by default
    AssessmentPolicy.objects.create(department=department, proposal_window=4)
    department = Department.objects.get(pk=department.pk)  # the policy is kept on the instance
    assert proposal_count(department) == len(proposals_for_residents(department)) == 0  # a 1 in every latest 4


@pytest.fixture
def varied_tracks(department, specialty, make_resident, coordinator):
    """Residents of every track and status with latest overall scores at and around the thresholds (70 and 90 by
    default), none or several results, 0-3 EPAs behind, and decisions before and after their latest result."""
    rng = random.Random(7)
    years = [AcademicYearFactory(start_year=2023 + i) for i in range(3)]
    for _ in range(3):
        EPAFactory(specialty=specialty, expected=[2, 3, 4])
    epas = list(specialty.epas.all())
    scores = ["0.00", "69.99", "70.00", "70.01", "89.99", "90.00", "99.00", None]
    for n in range(60):
        resident = make_resident(year_of_study=rng.choice([1, 2, 3]), track=rng.choice(list(Resident.Track.values)),
                                 status=rng.choice(STATUSES))
        for epa in rng.sample(epas, rng.choice([0, 1, 2, 3])):
            decide(resident, epa, rng.choice([1, 2, 3, 4, 5]), coordinator)
        score = scores[n % len(scores)]
        if score is not None:
            if rng.random() < 0.5:  # an older result, by year or by stage, that is not the latest
                ExamResultFactory(resident=resident, stage="year_2", academic_year=years[0],
                                  overall_score=Decimal(rng.choice(scores[:-1])))
            ExamResultFactory(resident=resident, stage="year_1", academic_year=years[1], overall_score=Decimal(score))
        if rng.random() < 0.5:
            suggested = rng.choice(["", *Resident.Track.values])
            decision = TrackDecision.objects.create(resident=resident, from_track=resident.track,
                                                    to_track=resident.track, suggested_track=suggested,
                                                    reason="Talked it over.", decided_by=coordinator)
            if rng.random() < 0.5:  # decided before the latest result: the suggestion is shown again
                TrackDecision.objects.filter(pk=decision.pk).update(decided_at=timezone.now() - timedelta(days=400))
    return rng


@pytest.mark.parametrize("policy", [{}, {"support_score_below": Decimal("89.99"), "support_epas_behind": 1},
                                    {"support_score_below": Decimal("69.99"), "research_score_from": Decimal("70.00"),
                                     "support_epas_behind": 3},
                                    {"support_score_below": Decimal("0.00"), "research_score_from": Decimal("100.00")}])
def test_track_suggestion_count_is_the_number_of_suggestions(department, varied_tracks, policy):
    if policy:
        AssessmentPolicy.objects.create(department=department, **policy)
    department = Department.objects.get(pk=department.pk)
    expected = track_suggestions(department)
    assert expected  # the data give suggestions
    assert track_suggestion_count(department) == len(expected)


def test_dashboard_card_shows_the_counts_in_a_fixed_number_of_queries(client, coordinator, department,
                                                                      varied_proposals, varied_tracks):
    client.force_login(coordinator)
    url = reverse("mentoring:dashboard", args=[department.pk])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    html = response.content.decode()
    proposals = len(proposals_for_residents(department, window=3))
    suggestions = len(track_suggestions(department))
    assert f'id="stat-proposals">{proposals}<' in html
    assert f'id="stat-track-suggestions">{suggestions}<' in html
    card = [q["sql"] for q in ctx.captured_queries if "assessments_observation" in q["sql"]
            or "assessments_trackdecision" in q["sql"]]
    assert len(card) == 2  # one count each


# The card's counts from the periodic refresh (reports.dashboard) ---------------------------------------------------

def card_of(html):
    return html.split('id="dashboard-assessments"')[1].split("</section>")[0]


def assessment_queries(ctx):
    return [q["sql"] for q in ctx.captured_queries
            if "assessments_observation" in q["sql"] or "assessments_trackdecision" in q["sql"]]


def test_the_card_shows_the_refreshed_counts_as_of_their_time(client, coordinator, department, varied_proposals,
                                                              varied_tracks, settings):
    from reports.dashboard import dashboard_figures_refresh

    client.force_login(coordinator)
    url = reverse("mentoring:dashboard", args=[department.pk])
    proposals = len(proposals_for_residents(department, window=3))
    suggestions = len(track_suggestions(department))
    at = timezone.localtime().replace(hour=9, minute=40, second=0, microsecond=0)
    dashboard_figures_refresh(department=department, now=at)
    # A new proposal after the refresh: the card keeps the refreshed count until the next refresh, the proposals
    # page (live) lists it at once.
    # A pair with no proposal and no level granted (the residents' names, hence their order by name, are random):
    # three observations at level 5 make it one.
    proposed = set(proposals_for_residents(department, window=3))
    resident, epa = next(
        (r, e) for r in Resident.objects.filter(specialty__department=department, status=Resident.Status.ACTIVE)
        .order_by("pk") for e in r.specialty.epas.filter(is_active=True).order_by("pk")
        if (r.pk, e.pk) not in proposed and not EntrustmentDecision.objects.filter(resident=r, epa=e).exists())
    Observation.objects.bulk_create(Observation(resident=resident, epa=epa, mentor=Observation.objects.first().mentor,
                                                level=5, observed_on=today()) for _ in range(3))
    assert len(proposals_for_residents(department, window=3)) == proposals + 1
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    card = card_of(html)
    assert f'id="stat-proposals">{proposals}<' in card
    assert f'id="stat-track-suggestions">{suggestions}<' in card
    assert "As of 9:40 a.m. (counted every 10 minutes); the lists behind these numbers are live." in card
    assert reverse("assessments:proposals", args=[department.pk]) in card
    assert reverse("assessments:track_suggestions", args=[department.pk]) in card
    assert assessment_queries(ctx) == []  # nothing counted on the request
    assert "except the assessment counts, the night-duty list and the headline figures" in html
    # Refreshed again (by beat, every 10 minutes): the new proposal is counted.
    dashboard_figures_refresh(department=department, now=at + timedelta(minutes=10))
    card = card_of(client.get(url).content.decode())
    assert f'id="stat-proposals">{proposals + 1}<' in card and "As of 9:50 a.m. " in card


def test_counts_of_an_earlier_day_say_the_day(client, coordinator, department, varied_tracks):
    from reports.dashboard import dashboard_figures_refresh

    client.force_login(coordinator)
    dashboard_figures_refresh(department=department, now=timezone.now() - timedelta(days=2))
    card = card_of(client.get(reverse("mentoring:dashboard", args=[department.pk])).content.decode())
    day = timezone.localdate() - timedelta(days=2)
    assert "As of " in card and str(day.year) in card
    assert f'id="stat-track-suggestions">{len(track_suggestions(department))}<' in card


def test_without_refreshed_counts_the_card_counts_them_live(client, coordinator, department, varied_proposals,
                                                           varied_tracks):
    from reports.models import DashboardFigures

    client.force_login(coordinator)
    url = reverse("mentoring:dashboard", args=[department.pk])
    proposals = len(proposals_for_residents(department, window=3))
    suggestions = len(track_suggestions(department))
    # Figures stored before the counts were part of them (an older refresh): counted live as with no figures.
    DashboardFigures.objects.create(department=department, figures={"active_residents": 1}, computed_at=timezone.now())
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            card = card_of(client.get(url).content.decode())
        assert f'id="stat-proposals">{proposals}<' in card
        assert f'id="stat-track-suggestions">{suggestions}<' in card
        assert "Counted now." in card and "As of" not in card
        assert len(assessment_queries(ctx)) == 2
        DashboardFigures.objects.all().delete()
