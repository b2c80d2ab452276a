"""The campaign list counts each campaign's participations in one pass (issue 7, the survey campaigns page at
scale): the same campaigns, order and figures as `response_rate` counts for each campaign, page by page."""

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.campaigns import response_rate, response_rates_of, with_response_rates
from surveys.models import Campaign, Participation
from surveys.selectors import campaigns_of_department
from tests.factories import UserFactory, today
from tests.factories_surveys import CampaignFactory, questionnaire_with_items

pytestmark = pytest.mark.django_db


def participations(campaign, *, answered, unanswered):
    Participation.objects.bulk_create(
        [Participation(campaign=campaign, user=UserFactory(), completed=True) for _ in range(answered)]
        + [Participation(campaign=campaign, user=UserFactory(), completed=False) for _ in range(unanswered)])


@pytest.fixture
def campaigns(department):
    """Campaigns nobody was invited to, nobody answered, some and everyone answered, two opening the same day
    (ordered by id), and one of another department."""
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    day = today()
    made = [CampaignFactory(questionnaire=questionnaire, status="draft", opens_on=day + timedelta(days=3))]
    for offset, (done, left) in enumerate([(0, 3), (2, 5), (4, 0), (1, 1)]):
        campaign = CampaignFactory(questionnaire=questionnaire, opens_on=day - timedelta(days=offset // 2))
        participations(campaign, answered=done, unanswered=left)
        made.append(campaign)
    participations(CampaignFactory(), answered=2, unanswered=2)  # another department's
    return made


def rows(campaigns):
    return [(c.pk, c.invited, c.answered) for c in campaigns]


def test_rates_are_those_of_response_rate_in_the_same_order(department, campaigns):
    expected = [(c.pk, *reversed(response_rate(c))) for c in
                Campaign.objects.filter(department=department).order_by("-opens_on", "-pk")]

    listed = response_rates_of(campaigns_of_department(department))

    assert rows(listed) == expected
    assert {pk for pk, *_ in expected} == {c.pk for c in campaigns}
    assert [(c.answered, c.invited) for c in listed] == [response_rate(c) for c in listed]
    nobody = next(c for c in listed if c.pk == campaigns[0].pk)
    assert (nobody.invited, nobody.answered) == (0, 0)
    assert rows(with_response_rates(Campaign.objects.filter(department=department)
                                    .order_by("-opens_on", "-pk"))) == expected


def test_participations_are_read_once_per_list_and_not_to_count_the_campaigns(department, campaigns):
    queryset = campaigns_of_department(department)
    with CaptureQueriesContext(connection) as ctx:
        assert Paginator(queryset, 2).count == len(campaigns)
        list(queryset[:2])
    count_sql, list_sql = (q["sql"] for q in ctx.captured_queries)
    assert "participation" not in count_sql
    assert list_sql.count('"surveys_participation"') == 1


def test_every_page_shows_the_figures_of_response_rate(client, coordinator, department, campaigns):
    for _ in range(23):  # 28 campaigns: two pages of 25
        participations(CampaignFactory(questionnaire=campaigns[1].questionnaire), answered=1, unanswered=2)
    client.force_login(coordinator)
    url = reverse("surveys:campaign_list", args=[department.pk])

    shown = []
    for number in (1, 2):
        page = client.get(url, {"page": number}).context["page"]
        shown += [(c.pk, c.invited, c.answered) for c in page]
    expected = [(c.pk, *reversed(response_rate(c))) for c in
                Campaign.objects.filter(department=department).order_by("-opens_on", "-pk")]
    assert len(expected) == 28
    assert shown == expected
