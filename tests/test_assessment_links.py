"""Issue 4 pages are reachable where each person works: navbar, home pages, the coordinator's resident page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from assessments.models import Observation
from mentoring.services import assignment_create
from tests.factories_assessments import EPAFactory, ExamResultFactory, ObservationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def pair(make_mentor, make_resident):
    mentor, resident = make_mentor(), make_resident()
    assignment_create(resident=resident, mentor=mentor)
    return mentor, resident


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_resident_home_shows_new_feedback_and_links(client, pair):
    mentor, resident = pair
    epa = EPAFactory(specialty=resident.specialty, code="EPA 7", title="Neonatal jaundice")
    ObservationFactory(resident=resident, mentor=mentor, epa=epa, level=3)
    ObservationFactory(resident=resident, mentor=mentor, epa=epa, level=2, acknowledged_at=timezone.now())
    html = page(client, resident.user, reverse("mentoring:resident_home"))
    assert "Feedback from my mentor" in html and "1 new" in html
    assert "EPA 7" in html and "level 3" in html
    for name in ("assessments:my_observations", "assessments:my_progress"):
        assert f'href="{reverse(name)}"' in html


def test_resident_home_without_observations(client, pair):
    _mentor, resident = pair
    html = page(client, resident.user, reverse("mentoring:resident_home"))
    assert "No EPA observations yet." in html and " new</span>" not in html


def test_mentor_home_links_each_resident_to_observe_and_progress(client, pair):
    mentor, resident = pair
    html = page(client, mentor.user, reverse("mentoring:mentor_home"))
    assert f'href="{reverse("assessments:observe")}?resident={resident.pk}"' in html
    assert f'href="{reverse("assessments:resident_progress", args=[resident.pk])}"' in html
    assert f'href="{reverse("assessments:mentor_observations")}"' in html


def test_coordinator_navbar_and_resident_page(client, coordinator, department, pair):
    _mentor, resident = pair
    html = page(client, coordinator, reverse("mentoring:resident_detail", args=[resident.pk]))
    assert f'href="{reverse("assessments:resident_progress", args=[resident.pk])}"' in html
    for name in ("assessments:cohort_grid", "assessments:proposals", "assessments:catalogue"):
        assert f'href="{reverse(name, kwargs={"department_id": department.pk})}"' in html


def test_mentor_and_resident_navbars(client, pair):
    mentor, resident = pair
    assert f'href="{reverse("assessments:observe")}"' in page(client, mentor.user, reverse("mentoring:mentor_home"))
    html = page(client, resident.user, reverse("residents:activity_log"))
    assert f'href="{reverse("assessments:my_observations")}"' in html
    assert f'href="{reverse("assessments:my_progress")}"' in html


def test_resident_home_queries_do_not_grow_with_observations(client, pair):
    mentor, resident = pair
    epa = EPAFactory(specialty=resident.specialty)
    client.force_login(resident.user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("mentoring:resident_home")).status_code == 200
        return len(ctx.captured_queries)

    def add(n):
        Observation.objects.bulk_create(
            Observation(resident=resident, mentor=mentor, epa=epa, level=1 + i % 5,
                        observed_on=timezone.localdate() - timedelta(days=i % 300)) for i in range(n))

    add(3)
    small = count()
    add(300)
    assert count() == small


def test_coordinator_links_to_exams_tracks_and_evaluation(client, coordinator, department, pair):
    mentor, resident = pair
    html = page(client, coordinator, reverse("mentoring:mentor_detail", args=[mentor.pk]))
    assert f'href="{reverse("assessments:mentor_evaluate", args=[mentor.pk])}"' in html
    for name in ("assessments:exam_results", "assessments:track_suggestions"):
        assert f'href="{reverse(name, kwargs={"department_id": department.pk})}"' in html
    html = page(client, coordinator, reverse("mentoring:resident_detail", args=[resident.pk]))
    assert reverse("assessments:exam_results", kwargs={"department_id": department.pk}) + "?q=" in html


def test_mentor_links_to_own_record(client, pair):
    mentor, _resident = pair
    html = page(client, mentor.user, reverse("mentoring:mentor_home"))
    assert f'href="{reverse("assessments:mentor_record")}"' in html


def test_dashboard_counts_proposals_and_track_suggestions(client, coordinator, department, pair):
    mentor, resident = pair
    epa = EPAFactory(specialty=resident.specialty)
    for days in (3, 2, 1):  # three observations at level 3: level 3 is proposed
        ObservationFactory(resident=resident, mentor=mentor, epa=epa, level=3,
                           observed_on=timezone.localdate() - timedelta(days=days))
    ExamResultFactory(resident=resident, test_score=60, osce_score=60, overall_score=60)  # below 70: support
    html = page(client, coordinator, reverse("mentoring:dashboard", kwargs={"department_id": department.pk}))
    assert '<span class="stat" id="stat-proposals">1</span>' in html
    assert '<span class="stat" id="stat-track-suggestions">1</span>' in html
    assert f'href="{reverse("assessments:proposals", kwargs={"department_id": department.pk})}"' in html


def test_dashboard_queries_do_not_grow_with_assessments(client, coordinator, department, make_mentor, make_resident):
    url = reverse("mentoring:dashboard", kwargs={"department_id": department.pk})
    client.force_login(coordinator)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add_pairs(n):
        for _ in range(n):
            mentor, resident = make_mentor(), make_resident()
            assignment_create(resident=resident, mentor=mentor)
            epa = EPAFactory(specialty=resident.specialty)
            Observation.objects.bulk_create(
                Observation(resident=resident, mentor=mentor, epa=epa, level=2 + i % 2,
                            observed_on=timezone.localdate() - timedelta(days=i)) for i in range(6))
            ExamResultFactory(resident=resident, test_score=95, osce_score=95, overall_score=95)

    add_pairs(1)
    small = count()
    add_pairs(6)
    assert count() == small
