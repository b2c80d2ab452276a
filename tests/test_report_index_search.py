"""The reports index's mentor form at scale (issue 7, page latency): its select lists at most MENTOR_CHOICES
mentors (the search's matches, every mentor when there are few), the mentor's page links to the form with the
mentor chosen, any mentor of the department can still be asked for, and the page's queries do not grow with the
number of mentors."""

import re

import pytest
from django.urls import reverse

from reports import forms as report_forms
from reports.models import ReportRun
from tests.factories import AcademicYearFactory, DepartmentFactory, MentorFactory, SpecialtyFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def few(monkeypatch):
    """A small limit, so that a handful of mentors is "too many" to list."""
    monkeypatch.setattr(report_forms, "MENTOR_CHOICES", 3)
    return 3


@pytest.fixture
def year():
    return AcademicYearFactory(start_year=2025)


def mentor_options(html: str) -> dict[str, str]:
    """{value: label} of the mentor select's options (the empty one left out); `selected` marks the chosen one."""
    select = re.search(r'<select name="mentor-mentor".*?</select>', html, re.S).group(0)
    return {value: ("selected " if selected else "") + label.strip() for value, selected, label in
            re.findall(r'<option value="(\d+)"( selected)?>(.*?)</option>', select, re.S)}


def named(make_mentor, *last_names):
    return [make_mentor(user__last_name=name, user__first_name="Aida") for name in last_names]


def index(client, department, **params):
    return client.get(reverse("reports:index", args=[department.pk]), params).content.decode()


def test_a_department_with_few_mentors_lists_them_all_and_the_search_narrows(client, coordinator, department,
                                                                            make_mentor, few):
    mentors = named(make_mentor, "Omarova", "Seitova", "Omarbekova")
    client.force_login(coordinator)
    html = index(client, department)
    assert mentor_options(html) == {str(m.pk): str(m) for m in sorted(mentors, key=lambda m: m.user.last_name)}
    assert 'id="mentor-search"' in html and "type a name" not in html
    assert list(mentor_options(index(client, department, mentor_q="omar"))) == [str(mentors[2].pk),
                                                                                 str(mentors[0].pk)]
    html = index(client, department, mentor_q="nobody")
    assert mentor_options(html) == {} and "No mentor matches this search." in html
    assert 'value="nobody"' in html  # the search box keeps what was typed


def test_more_mentors_than_the_limit_are_not_listed_until_a_name_is_typed(client, coordinator, department,
                                                                        make_mentor, few):
    mentors = named(make_mentor, "Omarova", "Seitova", "Omarbekova", "Zhumabayeva")
    client.force_login(coordinator)
    html = index(client, department)
    assert mentor_options(html) == {}
    assert "More than 3 mentors match: type a name (or a part of it) to find one." in html
    assert set(mentor_options(index(client, department, mentor_q="Seit"))) == {str(mentors[1].pk)}


def test_the_mentor_page_links_to_the_form_with_the_mentor_chosen(client, coordinator, department, make_mentor,
                                                                 few):
    mentors = named(make_mentor, "Omarova", "Seitova", "Omarbekova", "Zhumabayeva")
    chosen = mentors[3]
    client.force_login(coordinator)
    page = client.get(reverse("mentoring:mentor_detail", args=[chosen.pk])).content.decode()
    link = f'{reverse("reports:index", args=[department.pk])}?mentor={chosen.pk}#ask-mentor'
    assert f'href="{link}"' in page
    # Too many to list, yet the mentor of the link is offered and selected.
    assert mentor_options(index(client, department, mentor=chosen.pk)) == {str(chosen.pk): f"selected {chosen}"}
    # With a search: the chosen mentor first, then the matches.
    options = mentor_options(index(client, department, mentor=chosen.pk, mentor_q="omar"))
    assert list(options) == [str(chosen.pk), str(mentors[2].pk), str(mentors[0].pk)]
    # A mentor of another department, or not an id, is not offered.
    stranger = MentorFactory(specialty=SpecialtyFactory(department=DepartmentFactory()))
    for value in (stranger.pk, "x1", "99999999999999999999999"):
        assert mentor_options(index(client, department, mentor=value)) == {}


def test_any_mentor_of_the_department_can_be_asked_for_but_no_other(client, coordinator, department, make_mentor,
                                                                    year, few, django_capture_on_commit_callbacks):
    mentors = named(make_mentor, "Omarova", "Seitova", "Omarbekova", "Zhumabayeva")
    stranger = MentorFactory(specialty=SpecialtyFactory(department=DepartmentFactory()))
    client.force_login(coordinator)
    url = reverse("reports:index", args=[department.pk])
    # Refused: the form comes back with the posted mentor offered, not the whole department.
    response = client.post(url, {"kind": "mentor", "mentor-mentor": mentors[1].pk})
    assert response.context["forms"]["mentor"].errors == {"academic_year": ["This field is required."]}
    assert mentor_options(response.content.decode()) == {str(mentors[1].pk): f"selected {mentors[1]}"}
    response = client.post(url, {"kind": "mentor", "mentor-mentor": stranger.pk, "mentor-academic_year": year.pk})
    assert response.context["forms"]["mentor"].errors["mentor"]
    assert not ReportRun.objects.exists()
    # A mentor not listed (too many) is asked for.
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"kind": "mentor", "mentor-mentor": mentors[1].pk,
                                     "mentor-academic_year": year.pk})
    run = ReportRun.objects.get()
    assert response.url == reverse("reports:run", args=[run.pk])
    assert (run.kind, run.mentor, run.academic_year) == ("mentor", mentors[1], year)


def test_the_index_does_not_grow_its_queries_with_the_mentors(client, coordinator, department, make_mentor, few):
    first, _second = named(make_mentor, "Omarova", "Seitova")
    client.force_login(coordinator)
    urls = [reverse("reports:index", args=[department.pk]) + query
            for query in ("", "?mentor_q=omar", f"?mentor={first.pk}")]
    listed = [count_queries(client, url) for url in urls]
    named(make_mentor, "Omarbekova", "Zhumabayeva", "Abenova", "Seitkali")  # more than the limit
    assert [count_queries(client, url) for url in urls] == listed
