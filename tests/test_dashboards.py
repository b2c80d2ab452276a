"""Issue 3 figures on the dashboards: resident home, mentor home, coordinator dashboard."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.services import assignment_create
from residents.activity import activity_log
from residents.models import ActivityEntry, Curriculum, NightDuty, ReviewStatus
from residents.requirements import month_start, previous_month
from tests.factories import AcademicYearFactory
from tests.factories_curricula import curriculum_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def current_year():
    today = timezone.localdate()
    start = today.year if today.month >= 9 else today.year - 1
    return AcademicYearFactory(start_year=start)


def text(response):
    assert response.status_code == 200
    return response.content.decode()


def bulk_entries(resident, n, status=ReviewStatus.PENDING):
    today = timezone.localdate()
    ActivityEntry.objects.bulk_create([
        ActivityEntry(resident=resident, date=today - timedelta(days=i % 20), kind="rounds", hours=1,
                      clinical_site=resident.clinical_site, status=status)
        for i in range(n)])


def bulk_duties(resident, month, n, status=ReviewStatus.CONFIRMED):
    tz = timezone.get_current_timezone()
    NightDuty.objects.bulk_create([
        NightDuty(resident=resident, starts_at=datetime.combine(month + timedelta(days=2 * i), time(17), tz),
                  ends_at=datetime.combine(month + timedelta(days=2 * i + 1), time(8), tz),
                  clinical_site=resident.clinical_site, status=status)
        for i in range(n)])


def test_resident_home_shows_curriculum_log_and_duties(client, make_mentor, make_resident, current_year):
    resident = make_resident()
    assignment_create(resident=resident, mentor=make_mentor())
    curriculum = curriculum_with_items(resident, academic_year=current_year)
    Curriculum.objects.filter(pk=curriculum.pk).update(status="submitted")
    activity_log(resident=resident, by=resident.user, kind="rounds", hours=2)
    client.force_login(resident.user)
    page = text(client.get(reverse("mentoring:resident_home")))
    assert 'data-status="submitted"' in page
    assert 'id="home-awaiting">1<' in page
    assert 'id="duty-figures"' in page and 'data-required="4"' in page
    assert reverse("residents:activity_log") in page


def test_mentor_home_shows_queue(client, make_mentor, make_resident):
    mentor = make_mentor()
    residents = [make_resident() for _ in range(2)]
    for r in residents:
        assignment_create(resident=r, mentor=mentor)
    bulk_entries(residents[0], 3)
    bulk_entries(residents[1], 2, status=ReviewStatus.CONFIRMED)
    client.force_login(mentor.user)
    page = text(client.get(reverse("mentoring:mentor_home")))
    assert 'id="queue-size">3<' in page
    assert "3 to confirm" in page
    assert reverse("residents:confirmation_queue") in page


def test_coordinator_dashboard_shows_curricula_and_duty_shortfall(client, coordinator, department, make_resident,
                                                                  current_year):
    short, fine = make_resident(), make_resident()
    last_month = previous_month(month_start(timezone.localdate()))
    bulk_duties(short, last_month, 2)
    bulk_duties(fine, last_month, 4)
    curriculum = curriculum_with_items(short, academic_year=current_year)
    Curriculum.objects.filter(pk=curriculum.pk).update(status="submitted")
    client.force_login(coordinator)
    page = text(client.get(reverse("mentoring:dashboard", kwargs={"department_id": department.pk})))
    curricula = page.split('id="alerts-curricula"')[1].split("</p>")[0]
    assert "1 curriculum to review" in curricula
    duties = page.split('id="alerts-duties"')[1].split("</ul>")[0]
    assert str(short) in duties and "2 of 4 confirmed" in duties
    assert str(fine) not in duties


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        text(client.get(url))
    return len(ctx.captured_queries)


def test_home_pages_queries_do_not_grow(client, coordinator, department, make_mentor, make_resident, current_year):
    mentor = make_mentor()
    residents = [make_resident() for _ in range(4)]
    for r in residents:
        assignment_create(resident=r, mentor=mentor)
    curriculum_with_items(residents[0], academic_year=current_year)
    month = month_start(timezone.localdate())
    urls = [(mentor.user, reverse("mentoring:mentor_home")), (residents[0].user, reverse("mentoring:resident_home")),
            (coordinator, reverse("mentoring:dashboard", kwargs={"department_id": department.pk}))]
    for r in residents:
        bulk_entries(r, 5)
        bulk_duties(r, previous_month(month), 1)
    small = []
    for user, url in urls:
        client.force_login(user)
        small.append(count(client, url))
    for r in residents:
        bulk_entries(r, 195)
        bulk_duties(r, month, 3)
    for r in (make_resident() for _ in range(20)):
        bulk_duties(r, previous_month(month), 1)
    large = []
    for user, url in urls:
        client.force_login(user)
        large.append(count(client, url))
    assert small == large
