"""The dashboard's lists show DASHBOARD_LIST_LIMIT rows each (an overview, a product decision: 20) and say what is
beyond them: the alerts count the rest ("and N more"), the residents without a mentor link their whole list."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.selectors import DASHBOARD_LIST_LIMIT

pytestmark = pytest.mark.django_db


def _page(client, coordinator, department):
    client.force_login(coordinator)
    with translation.override("en"):
        return client.get(reverse("mentoring:dashboard", args=[department.pk])).content.decode()


def test_the_lists_show_twenty_and_say_how_many_more(client, coordinator, department, make_mentor, make_resident):
    assert DASHBOARD_LIST_LIMIT == 20
    for _ in range(DASHBOARD_LIST_LIMIT + 3):
        make_mentor(trained=False)  # a training alert each
        make_resident()  # no mentor
    page = _page(client, coordinator, department)
    trainings = page.split('id="alerts-trainings"')[1].split("</ul>")[0]
    assert trainings.count("primary training missing") == 20 and "and 3 more" in trainings
    without = page.split('id="alerts-without-mentor"')[1].split("</ul>")[0]
    assert 'id="stat-without-mentor">23<' in page
    assert without.count(">assign</a>") == 20
    assert f'href="{reverse("mentoring:resident_list", args=[department.pk])}?mentor=none">See all</a>' in without


def test_twenty_are_shown_without_more(client, coordinator, department, make_mentor, make_resident):
    for _ in range(DASHBOARD_LIST_LIMIT):
        make_mentor(certificate_expires_on=timezone.localdate() + timedelta(days=3))
        make_resident()
    page = _page(client, coordinator, department)
    certificates = page.split('id="alerts-certificates"')[1].split("</ul>")[0]
    # "and N more" exactly: a random name may contain "more" (Gilmore).
    assert certificates.count("<li>") == 20 and not re.search(r"and \d+ more", certificates)
    assert page.split('id="mentor-load"')[1].split("</table>")[0].count("data-mentor=") == 20
    assert "See all" not in page.split('id="mentor-load"')[1].split("</table>")[0]
    without = page.split('id="alerts-without-mentor"')[1].split("</ul>")[0]
    assert without.count(">assign</a>") == 20 and "See all" not in without
