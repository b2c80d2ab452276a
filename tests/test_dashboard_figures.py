"""The nightly dashboard figures (reports/dashboard.py): values computed by hand, an idempotent refresh, the beat
entry, and the card on the coordinator's dashboard (its query count does not grow with the data)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.entrustment import proposals_for_residents
from assessments.tracks import track_suggestions
from organization.models import Department
from reports.dashboard import dashboard_figures_refresh
from reports.models import DashboardFigures
from residents.models import Curriculum
from residents.requirements import residents_below_duty_requirement
from surveys.models import Participation
from tests.factories import AcademicYearFactory, AssignmentFactory, DepartmentFactory, ResidentFactory, UserFactory
from tests.factories_assessments import EPAFactory, ExamResultFactory, ObservationFactory
from tests.factories_surveys import CampaignFactory, questionnaire_with_items
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 20, 2, 30))
TODAY = NOW.date()


@pytest.fixture
def world(department, specialty, make_mentor, make_resident):
    """Policy 3-4 residents per mentor. M1 has r1-r3 (within), M2 has r4 (under-used), M4 has nobody and no
    training (under-used and not eligible), M3 is inactive. r5 never had a mentor, r7's assignment ended, r6 is on
    leave and r8 graduated."""
    year = AcademicYearFactory(start_year=2026)
    last_year = AcademicYearFactory(start_year=2025)
    m1, m2 = make_mentor(), make_mentor()
    make_mentor(is_active=False)
    make_mentor(trained=False)
    r = {i: make_resident() for i in (1, 2, 3, 4, 5, 7)}
    r[6] = make_resident(status="on_leave")
    r[8] = make_resident(status="graduated")
    for i in (1, 2, 3):
        AssignmentFactory(resident=r[i], mentor=m1)
    AssignmentFactory(resident=r[4], mentor=m2)
    AssignmentFactory(resident=r[7], mentor=m2, started_on=TODAY - timedelta(days=90),
                      ended_on=TODAY - timedelta(days=10))

    for i, status, academic_year in ((1, "approved", year), (2, "approved", year), (3, "submitted", year),
                                     (6, "approved", year), (4, "approved", last_year)):
        Curriculum.objects.create(resident=r[i], academic_year=academic_year, year_of_study=1, status=status)

    epa = EPAFactory(specialty=specialty)
    for i, days_ago in ((1, 1), (2, 29), (3, 30), (4, 45)):
        ObservationFactory(resident=r[i], epa=epa, mentor=m1, observed_on=TODAY - timedelta(days=days_ago))

    ExamResultFactory(resident=r[1], academic_year=year, overall_score=Decimal("80.00"))
    ExamResultFactory(resident=r[2], academic_year=year, overall_score=Decimal("91.00"))
    ExamResultFactory(resident=r[3], academic_year=last_year, overall_score=Decimal("50.00"))

    questionnaire = questionnaire_with_items(department)
    open_campaign = CampaignFactory(questionnaire=questionnaire)
    for i in (1, 2, 3, 4):
        Participation.objects.create(campaign=open_campaign, user=r[i].user, completed=i == 1)
    closed = CampaignFactory(questionnaire=questionnaire, status="closed")
    for i in (1, 2, 3):
        Participation.objects.create(campaign=closed, user=r[i].user, completed=True)

    # Another department's resident, observation and exam: never counted here.
    stranger = ResidentFactory()
    ObservationFactory(resident=stranger, observed_on=TODAY - timedelta(days=2))
    ExamResultFactory(resident=stranger, academic_year=year, overall_score=Decimal("10.00"))
    return r


def test_the_figures_computed_by_hand(department, world):
    r = world
    below = sorted((1, 2, 3, 4, 5, 7), key=lambda i: (r[i].user.last_name, r[i].user.first_name, r[i].pk))
    assert dashboard_figures_refresh(department=department, now=NOW) == 1
    stored = DashboardFigures.objects.get(department=department)
    assert stored.computed_at == NOW
    assert stored.figures == {
        "active_residents": 6,  # r1-r5 and r7; r6 is on leave, r8 graduated
        "without_mentor": 2,  # r5 (never had one) and r7 (ended)
        "active_mentors": 3,  # M1, M2, M4 (M3 inactive)
        "outside_load": 2,  # M2 has 1 and M4 none, below 3; M1 has 3
        "ineligible": 1,  # M4: no primary training
        "curricula_approved_pct": 33.3,  # r1, r2 approved for 2026-2027 of 6 active (r6 is on leave, r4's is old)
        "observations_recent": 2,  # 1 and 29 days ago; 30 and 45 days ago are older than the last 30 days
        "exam_mean": 85.5,  # (80 + 91) / 2 this year; r3's 50 was last year, the stranger is elsewhere
        "response_rate_pct": 25.0,  # 1 of 4 invited to the open campaign (the closed one does not count)
        "answered": 1,
        "invited": 4,
        "academic_year": "2026-2027",
        "proposals": 0,  # one observation per resident: fewer than the window of 3
        "track_suggestions": 1,  # r3 (latest score 50, below 70): support; r2's 91 has an EPA behind, no research
        "duty_month": "2026-10-01",  # the last completed month
        "below_duty": [[r[i].pk, 0, r[i].specialty.min_night_duties_per_month] for i in below],  # no duty logged
    }
    assert stored.figures["below_duty"] == [
        [row.resident.pk, row.figures.confirmed, row.figures.required] for row in residents_below_duty_requirement(
            department=department, month=date(2026, 10, 1))]
    assert stored.figures["proposals"] == len(proposals_for_residents(department))
    assert stored.figures["track_suggestions"] == len(track_suggestions(department)) == 1


def test_without_a_current_academic_year_the_year_figures_are_empty(department, make_resident):
    make_resident()
    dashboard_figures_refresh(department=department, now=NOW)
    figures = DashboardFigures.objects.get(department=department).figures
    assert (figures["active_residents"], figures["curricula_approved_pct"], figures["exam_mean"],
            figures["response_rate_pct"], figures["academic_year"]) == (1, None, None, None, "")


def test_the_refresh_is_idempotent_and_covers_every_department(department, world):
    other = DepartmentFactory()
    departments = Department.objects.count()  # with the stranger's
    assert dashboard_figures_refresh(now=NOW) == departments
    first = DashboardFigures.objects.get(department=department).figures
    later = NOW + timedelta(days=1)
    assert dashboard_figures_refresh(now=later) == departments
    assert DashboardFigures.objects.count() == departments
    again = DashboardFigures.objects.get(department=department)
    assert again.computed_at == later
    # A day later the 29-day-old observation is 30 days old: the only figure that moves.
    assert again.figures == {**first, "observations_recent": 1}
    assert DashboardFigures.objects.get(department=other).figures["active_residents"] == 0


def test_the_refresh_runs_a_fixed_number_of_queries(department, specialty, world, make_mentor, make_resident):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            dashboard_figures_refresh(department=department, now=NOW)
        return len(ctx.captured_queries)

    queries()  # the first refresh inserts the row, later ones update it
    small = queries()
    epa = EPAFactory(specialty=specialty)
    for _ in range(15):
        mentor = make_mentor(trained=False)
        resident = make_resident()
        AssignmentFactory(resident=resident, mentor=mentor)
        ObservationFactory(resident=resident, epa=epa, mentor=mentor, observed_on=TODAY - timedelta(days=3))
        ExamResultFactory(resident=resident, academic_year=AcademicYearFactory(start_year=2026))
    assert queries() == small
    assert DashboardFigures.objects.get(department=department).figures["active_residents"] == 6 + 15


def test_the_task_is_scheduled_every_10_minutes(settings, department):
    from reports.tasks import refresh_dashboard_figures

    entry = settings.CELERY_BEAT_SCHEDULE["reports-dashboard-figures"]
    assert entry["task"] == "reports.tasks.refresh_dashboard_figures" == refresh_dashboard_figures.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == (set(range(24)), set(range(0, 60, 10)))
    refresh_dashboard_figures.delay()  # eager in tests
    assert DashboardFigures.objects.filter(department=department).exists()


def test_the_dashboard_shows_the_card(client, coordinator, department, world):
    client.force_login(coordinator)
    url = reverse("mentoring:dashboard", kwargs={"department_id": department.pk})
    page = client.get(url).content.decode()
    assert 'id="dashboard-figures"' in page and "The headline figures are computed within 10 minutes." in page
    dashboard_figures_refresh(department=department, now=NOW)
    page = client.get(url).content.decode()
    card = page.split('id="dashboard-figures"')[1].split("</section>")[0]
    assert "As of " in card and "Academic year 2026-2027." in card
    assert 'data-figure="without_mentor">2</dd>' in card.replace(" text-danger", "")
    assert "33.3 %" in card and "85.5" in card and "(1 of 4)" in card
    assert reverse("reports:index", kwargs={"department_id": department.pk}) in card


def test_the_card_reads_one_row(department, django_assert_num_queries):
    from reports.templatetags.report_tags import dashboard_figures_card

    with django_assert_num_queries(1):
        assert dashboard_figures_card(department)["figures"] == []
    dashboard_figures_refresh(department=department, now=NOW)
    with django_assert_num_queries(1):
        figures = dashboard_figures_card(department)["figures"]
    assert [f["key"] for f in figures][:3] == ["active_residents", "without_mentor", "active_mentors"]


def test_the_dashboard_queries_do_not_grow_with_the_figures_data(client, coordinator, department, make_mentor,
                                                                  make_resident):
    client.force_login(coordinator)
    url = reverse("mentoring:dashboard", kwargs={"department_id": department.pk})
    mentor = make_mentor()
    AssignmentFactory(resident=make_resident(), mentor=mentor)
    dashboard_figures_refresh(department=department, now=NOW)
    small = count_queries(client, url)
    for _ in range(10):
        AssignmentFactory(resident=make_resident(), mentor=make_mentor(user=UserFactory()))
    dashboard_figures_refresh(department=department, now=NOW)
    assert count_queries(client, url) == small
