"""The dashboard's residents below the night-duty requirement (reports.templatetags.report_tags.dashboard_duty_alerts):
from the figures refreshed every 10 minutes for the last completed month, shown "as of" their time, the same rows as
the rule (residents.requirements.residents_below_duty_requirement) had then; computed live before the department's
first refresh, or when the stored list is of another month."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from reports.dashboard import DUTY_LIST_LIMIT, dashboard_figures_refresh, duty_month_of
from reports.models import DashboardFigures
from residents.models import NightDuty, Resident, ReviewStatus
from residents.requirements import month_bounds, residents_below_duty_requirement
from tests.factories import DepartmentFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def duties(department, specialty, make_resident):
    """Residents of two specialties (minimums 4 and 2) with 0-5 duties of every status in the last completed
    month, others on leave or elsewhere."""
    specialty.min_night_duties_per_month = 4
    specialty.save()
    other = SpecialtyFactory(department=department, min_night_duties_per_month=2)
    start, _ = month_bounds(duty_month_of(timezone.localdate()))
    statuses = [ReviewStatus.CONFIRMED, ReviewStatus.CONFIRMED, ReviewStatus.PENDING, ReviewStatus.RETURNED]
    residents = []
    for n in range(14):
        status = Resident.Status.ON_LEAVE if n == 13 else Resident.Status.ACTIVE
        resident = make_resident(specialty=other if n % 3 == 0 else specialty, status=status)
        residents.append(resident)
        for i in range(n % 6):
            at = start + timedelta(days=2 * i, hours=20)
            NightDuty.objects.create(resident=resident, starts_at=at, ends_at=at + timedelta(hours=12),
                                     clinical_site=resident.clinical_site, status=statuses[(n + i) % 4])
    make_resident(specialty=SpecialtyFactory(department=DepartmentFactory()))
    return residents


def listed(html):
    section = html.split('id="alerts-duties"')[1].split("</ul>")[0]
    return section


def expected_items(department):
    month = duty_month_of(timezone.localdate())
    return [(row.resident, row.figures.confirmed, row.figures.required)
            for row in residents_below_duty_requirement(department=department, month=month, limit=DUTY_LIST_LIMIT)]


def assert_shows(html, items):
    section = listed(html)
    month = duty_month_of(timezone.localdate()).strftime("%Y-%m")
    positions = []
    for resident, confirmed, required in items:
        url = reverse("residents:resident_activity", args=[resident.pk])
        item = f'<a href="{url}?month={month}">{resident}</a>: {confirmed} of {required} confirmed</li>'
        assert item in section
        positions.append(section.index(item))
    assert positions == sorted(positions) and section.count("<li>") == len(items)


def test_the_list_is_the_refreshed_one_as_of_its_time(client, coordinator, department, duties):
    client.force_login(coordinator)
    url = reverse("mentoring:dashboard", args=[department.pk])
    items = expected_items(department)
    assert 5 < len(items) < 13
    at = timezone.localtime().replace(hour=7, minute=10, second=0, microsecond=0)
    dashboard_figures_refresh(department=department, now=at)
    # A duty confirmed after the refresh: the list keeps the refreshed figures until the next refresh.
    pending = next(r for r, _, _ in items if r.night_duties.exclude(status=ReviewStatus.CONFIRMED).exists())
    NightDuty.objects.filter(resident=pending).update(status=ReviewStatus.CONFIRMED)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    assert_shows(html, items)
    assert "As of 7:10 a.m. (listed every 10 minutes)." in html
    assert not [q for q in ctx.captured_queries if "residents_nightduty" in q["sql"]]  # nothing counted now
    dashboard_figures_refresh(department=department, now=at + timedelta(minutes=10))
    html = client.get(url).content.decode()
    assert_shows(html, expected_items(department))
    assert expected_items(department) != items and "As of 7:20 a.m." in html


def test_without_a_refresh_of_this_month_the_list_is_computed_now(client, coordinator, department, duties):
    client.force_login(coordinator)
    url = reverse("mentoring:dashboard", args=[department.pk])
    items = expected_items(department)
    html = client.get(url).content.decode()  # no figures yet
    assert_shows(html, items)
    assert 'id="duties-as-of"' not in html
    dashboard_figures_refresh(department=department)
    stored = DashboardFigures.objects.get(department=department)
    stored.figures = {**stored.figures, "duty_month": "2001-01-01", "below_duty": [[items[0][0].pk, 9, 9]]}
    stored.save()  # an older month's list (the month turned before the refresh): not shown
    html = client.get(url).content.decode()
    assert_shows(html, items)
    assert 'id="duties-as-of"' not in html


def test_a_resident_removed_since_the_refresh_is_left_out(client, coordinator, department, duties):
    client.force_login(coordinator)
    dashboard_figures_refresh(department=department)
    stored = DashboardFigures.objects.get(department=department)
    items = expected_items(department)
    stored.figures["below_duty"].insert(1, [999999, 0, 4])
    stored.save()
    assert_shows(client.get(reverse("mentoring:dashboard", args=[department.pk])).content.decode(), items)


def test_each_row_says_its_figures_in_the_readers_language(department, duties):
    dashboard_figures_refresh(department=department)
    template = engines["django"].from_string("{% load report_tags %}{% dashboard_duty_alerts department %}")
    resident, confirmed, required = expected_items(department)[0]
    for language, words in (("en", f"{confirmed} of {required} confirmed"),
                            ("ru", f"подтверждено {confirmed} из {required}"),
                            ("kk", f"{required} ішінен {confirmed} расталды")):
        with translation.override(language):
            html = template.render({"department": department})
        assert f"{resident}</a>: {words}</li>" in html, language
