"""The admin shows questionnaires and campaigns read-only and nothing about who answered or what."""

import pytest
from django.contrib import admin
from django.urls import reverse

from surveys.models import Answer, Campaign, Participation, PendingSubmission, Questionnaire, Response
from tests.factories import UserFactory
from tests.factories_surveys import CampaignFactory, answer_and_release, questionnaire_with_items

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Participation, PendingSubmission, Response, Answer])
def test_who_answered_and_what_is_not_in_the_admin(model):
    assert not admin.site.is_registered(model)


@pytest.mark.parametrize("model", [Questionnaire, Campaign])
def test_questionnaires_and_campaigns_are_read_only(model, rf):
    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_campaign_page_of_the_admin_opens(client, department):
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=False))
    answer_and_release(campaign, [UserFactory() for _ in range(3)])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:surveys_campaign_change", args=[campaign.pk])).status_code == 200
    page = client.get(reverse("admin:surveys_questionnaire_change", args=[campaign.questionnaire.pk]))
    assert page.status_code == 200
    assert "My mentor" in page.content.decode()
