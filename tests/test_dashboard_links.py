"""The coordinator's dashboard reverses each list's URL once and puts every row's id in it (mentoring.views
.dashboard): the links are those reverse() gives, row by row, and the lists and their counts are those of the rules."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.selectors import without_mentor
from residents.models import Resident
from residents.requirements import month_start, previous_month
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def test_every_link_is_the_reversed_url(client, coordinator, department, make_mentor, make_resident):
    mentors = [make_mentor(certificate_expires_on=timezone.localdate() + timedelta(days=10)) for _ in range(3)]
    mentors.append(make_mentor(trained=False))
    AssignmentFactory(resident=make_resident(), mentor=mentors[0])
    alone = [make_resident() for _ in range(4)]
    make_resident(status=Resident.Status.ON_LEAVE)  # not active: not listed
    client.force_login(coordinator)
    page = client.get(reverse("mentoring:dashboard", args=[department.pk])).content.decode()
    month = previous_month(month_start(timezone.localdate())).strftime("%Y-%m")
    for mentor in mentors:
        url = reverse("mentoring:mentor_detail", args=[mentor.pk])
        assert page.count(f'href="{url}"') >= 2  # the load table and an alert
    for resident in alone:
        assert f'href="{reverse("mentoring:resident_detail", args=[resident.pk])}"' in page
        assert f'href="{reverse("mentoring:assign", args=[resident.pk])}"' in page
        assert f'href="{reverse("residents:resident_activity", args=[resident.pk])}?month={month}"' in page
    assert 'id="stat-without-mentor">4<' in page


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_residents_without_a_mentor_are_counted_beyond_the_list(department, make_mentor, make_resident, limit):
    from mentoring.selectors import department_dashboard

    mentor = make_mentor()
    for i in range(7):
        resident = make_resident()
        if i % 3 == 0:
            AssignmentFactory(resident=resident, mentor=mentor)
    make_resident(status=Resident.Status.GRADUATED)
    dashboard = department_dashboard(department, alert_limit=limit)
    expected = list(without_mentor(Resident.objects.filter(specialty__department=department,
                                                           status=Resident.Status.ACTIVE))
                    .order_by("user__last_name", "user__first_name", "pk"))
    assert dashboard.residents_without_mentor_count == len(expected) == 4
    assert dashboard.residents_without_mentor == expected[:limit]
