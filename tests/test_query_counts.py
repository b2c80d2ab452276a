"""The dashboard and the lists run a fixed number of queries, whatever the size of the department."""

import pytest
from django.urls import reverse

from mentoring.services import assignment_create
from tests.factories import MentorTrainingFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def populate(n, make_mentor, make_resident):
    """n mentors and n residents; most residents assigned, some without a mentor, a mix of training states."""
    mentors = [make_mentor() for _ in range(n)]
    for i, m in enumerate(mentors):
        if i % 3 == 0:
            MentorTrainingFactory(mentor=m)
    for i in range(n):
        r = make_resident()
        if i % 5:
            assignment_create(resident=r, mentor=mentors[i // 4])


@pytest.mark.parametrize("name,params", [
    ("mentoring:dashboard", ""),
    ("mentoring:mentor_list", ""),
    ("mentoring:mentor_list", "?q=a&category=highest"),
    ("mentoring:resident_list", ""),
    ("mentoring:resident_list", "?mentor=none&status=active"),
])
def test_queries_do_not_grow_with_rows(name, params, client, coordinator, department, make_mentor, make_resident):
    client.force_login(coordinator)
    url = reverse(name, kwargs={"department_id": department.pk}) + params
    populate(5, make_mentor, make_resident)
    small = count_queries(client, url)
    populate(195, make_mentor, make_resident)
    large = count_queries(client, url)
    assert small == large, f"{small} queries at 5 rows, {large} at 200"


def test_mentor_detail_and_home_fixed_queries(client, coordinator, make_mentor, make_resident):
    mentor = make_mentor()
    client.force_login(coordinator)
    url = reverse("mentoring:mentor_detail", kwargs={"pk": mentor.pk})
    assignment_create(resident=make_resident(), mentor=mentor)
    small = count_queries(client, url)
    for _ in range(3):
        assignment_create(resident=make_resident(), mentor=mentor)
        MentorTrainingFactory(mentor=mentor)
    assert count_queries(client, url) == small
    client.force_login(mentor.user)
    home = reverse("mentoring:mentor_home")
    first = count_queries(client, home)
    assert first == count_queries(client, home)


def test_resident_detail_and_assign_page_fixed_queries(client, coordinator, make_mentor, make_resident):
    from mentoring.services import assignment_reassign

    resident = make_resident()
    client.force_login(coordinator)
    detail = reverse("mentoring:resident_detail", kwargs={"pk": resident.pk})
    assign = reverse("mentoring:assign", kwargs={"pk": resident.pk})
    assignment_create(resident=resident, mentor=make_mentor())
    small = (count_queries(client, detail), count_queries(client, assign))
    for _ in range(6):  # a longer history and more mentors to choose from
        assignment_reassign(resident=resident, mentor=make_mentor(), reason="Rota change")
    for _ in range(20):
        make_mentor()
    assert (count_queries(client, detail), count_queries(client, assign)) == small
