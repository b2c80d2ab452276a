"""Every survey page a person uses is reachable from the navigation bar of their role."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_coordinator_reaches_campaigns_questionnaires_and_themes(client, coordinator, department):
    client.force_login(coordinator)
    page = client.get(reverse("mentoring:dashboard", args=[department.pk])).content.decode()
    for name in ("surveys:campaign_list", "surveys:questionnaire_list", "surveys:themes"):
        assert f'href="{reverse(name, args=[department.pk])}"' in page, name


def test_the_mentor_reaches_questionnaires_and_their_residents_feedback(client, make_mentor):
    mentor = make_mentor()
    client.force_login(mentor.user)
    page = client.get(reverse("mentoring:mentor_home")).content.decode()
    assert f'href="{reverse("surveys:my_questionnaires")}"' in page
    assert f'href="{reverse("surveys:my_results")}"' in page


def test_the_resident_reaches_questionnaires_and_not_the_mentor_results(client, make_resident):
    resident = make_resident()
    client.force_login(resident.user)
    page = client.get(reverse("mentoring:resident_home")).content.decode()
    assert f'href="{reverse("surveys:my_questionnaires")}"' in page
    assert reverse("surveys:my_results") not in page
