"""The campaign list writes its two snippets per row with the survey tags `response_rate` and `campaign_status`
(issue 7: the includes were most of the page's rendering at 25 rows); they must render exactly what the includes
render for the other pages, in every language and number format."""

import itertools

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from surveys.models import Campaign
from tests.factories_surveys import CampaignFactory, QuestionnaireFactory, invite

# The two includes as they were written in the template language before the tags (the tags must write the very
# same text; the includes now call the tags, checked below).
FORMER_RATE = (
    '{% load i18n %}<span class="response-rate">{% if status == "draft" %}{% translate "Not launched yet" %}'
    '{% elif answered < k %}{% blocktranslate count counter=answered with invited=invited k=k %}{{ counter }} of '
    '{{ invited }} answered; results hidden until {{ k }}{% plural %}{{ counter }} of {{ invited }} answered; results '
    'hidden until {{ k }}{% endblocktranslate %}{% elif status == "open" %}{% blocktranslate count counter=answered '
    'with invited=invited %}{{ counter }} of {{ invited }} answered; results appear when the questionnaire closes'
    '{% plural %}{{ counter }} of {{ invited }} answered; results appear when the questionnaire closes'
    '{% endblocktranslate %}{% else %}{% blocktranslate count counter=answered with invited=invited %}{{ counter }} '
    'of {{ invited }} answered{% plural %}{{ counter }} of {{ invited }} answered{% endblocktranslate %}{% endif %}'
    '</span>\n')
FORMER_STATUS = (
    '{% load i18n %}<span class="badge {% if status == \'open\' %}text-bg-success{% elif status == \'closed\' %}'
    'text-bg-secondary{% else %}text-bg-light border{% endif %}">{{ label }}</span>\n')
INCLUDES = Template(FORMER_RATE + "|" + FORMER_STATUS.replace("{% load i18n %}", ""))
THE_INCLUDES_NOW = Template(
    '{% include "surveys/includes/response_rate.html" with answered=answered invited=invited k=k status=status %}|'
    '{% include "surveys/campaigns/_status.html" with status=status label=label %}')
TAGS = Template(
    '{% load survey_tags %}{% response_rate answered=answered invited=invited k=k status=status %}|'
    '{% campaign_status status=status label=label %}')


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
@pytest.mark.parametrize("thousands", [False, True])
def test_the_tags_render_what_the_includes_render(language, thousands):
    cases = itertools.product([0, 1, 2, 5, 21, 1234], [0, 3, 5, 1234, 25000], [1, 3, 5, 2000],
                              ["draft", "open", "closed", "other"], ["open", "<b>O'Brien & co</b>"])
    with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=thousands):
        for answered, invited, k, status, label in cases:
            values = {"answered": answered, "invited": invited, "k": k, "status": status, "label": label}
            for autoescape in (True, False):
                expected = INCLUDES.render(Context(values, autoescape=autoescape))
                assert TAGS.render(Context(values, autoescape=autoescape)) == expected, values
                assert THE_INCLUDES_NOW.render(Context(values, autoescape=autoescape)) == expected, values
                assert ("&lt;b&gt;O&#x27;Brien &amp; co" in expected) == (autoescape and label != "open")
            if language == "en" and answered >= 1000 and status != "draft":
                assert (f"{answered:,}" in expected) == thousands  # the number format reaches the text


@pytest.mark.django_db
def test_the_list_shows_each_campaigns_snippets(client, coordinator, department, make_resident):
    questionnaire = QuestionnaireFactory(department=department)
    campaigns = [CampaignFactory(questionnaire=questionnaire, status=status) for status in Campaign.Status.values]
    participations = invite(campaigns[1], [make_resident().user for _ in range(3)])
    participations[0].completed = True
    participations[0].save()
    client.force_login(coordinator)
    page = client.get(reverse("surveys:campaign_list", args=[department.pk])).content.decode()
    for campaign in campaigns:
        invited = 3 if campaign == campaigns[1] else 0
        values = {"answered": int(bool(invited)), "invited": invited, "k": campaign.threshold,
                  "status": campaign.status, "label": campaign.get_status_display()}
        rate, status = INCLUDES.render(Context(values)).split("|")
        row = page.split(f'data-campaign="{campaign.pk}"')[1].split("</tr>")[0]
        assert f"<td>{status}</td>" in row and f'<td class="small">{rate}</td>' in row
