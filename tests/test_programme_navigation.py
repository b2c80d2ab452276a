"""Issue 6 pages are reachable from the navigation bar of the role that uses them."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _page(client, user, url):
    client.force_login(user)
    return client.get(url).content.decode()


def test_coordinator_menu_links_programmes_overview_and_speed_events(client, coordinator, department):
    page = _page(client, coordinator, reverse("mentoring:dashboard", args=[department.pk]))
    for name in ("programme_list", "programme_overview", "speed_event_list"):
        assert f'href="{reverse(f"mentoring:{name}", args=[department.pk])}"' in page, name


def test_mentor_menu_links_the_mentoring_pages(client, mentor):
    page = _page(client, mentor.user, reverse("mentoring:mentor_home"))
    for name in ("meeting_list", "mentee_goals", "my_programmes", "my_speed_events", "absence_list",
                 "calendar_feed"):
        assert f'href="{reverse(f"mentoring:{name}")}"' in page, name
    assert f'href="{reverse("mentoring:my_goals")}"' not in page


def test_resident_menu_links_the_mentoring_pages(client, resident):
    page = _page(client, resident.user, reverse("mentoring:resident_home"))
    for name in ("meeting_list", "my_goals", "my_programmes", "my_speed_events", "absence_list", "calendar_feed"):
        assert f'href="{reverse(f"mentoring:{name}")}"' in page, name
    assert f'href="{reverse("mentoring:mentee_goals")}"' not in page


def test_a_peer_mentor_reaches_meetings_and_goals_of_each_mentee_from_my_programmes(client, department,
                                                                                  make_resident):
    from mentoring.programmes import programme_create
    from mentoring.services import assignment_create
    from tests.factories import CoordinatorFactory

    coordinator = CoordinatorFactory(department=department).user
    programme = programme_create(department=department, by=coordinator, kind="near_peer",
                                 name="Senior residents for first-years", min_per_mentor=1, max_per_mentor=2)
    senior, junior = make_resident(year_of_study=3), make_resident(year_of_study=1)
    pair = assignment_create(resident=junior, peer=senior, programme=programme)
    client.force_login(senior.user)
    page = client.get(reverse("mentoring:my_programmes")).content.decode()
    assert f'href="{reverse("mentoring:meeting_new")}?with=a{pair.pk}"' in page
    assert f'href="{reverse("mentoring:resident_goals", args=[junior.pk])}"' in page
    assert client.get(f'{reverse("mentoring:meeting_new")}?with=a{pair.pk}').status_code == 200
    assert client.get(reverse("mentoring:resident_goals", args=[junior.pk])).status_code == 200
