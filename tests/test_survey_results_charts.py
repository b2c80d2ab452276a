"""Results charts (surveys.charts): geometry, accessible text, and SVG that survives a language with decimal
commas."""

from collections import Counter
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse

from surveys.charts import LIKERT_COLOURS, WIDTH, chart_for
from surveys.models import Item
from surveys.stats import ItemCounts, item_stats
from tests.factories_surveys import CampaignFactory, questionnaire_with_items
from tests.test_survey_results_data import release_and_close, submit


def likert_item():
    return Item(pk=1, kind=Item.Kind.LIKERT, text="My mentor is interested in my success.", code="q1")


def test_likert_stacked_bar_fills_the_width_in_proportion():
    stats = item_stats(likert_item(), ItemCounts(8, Counter({1: 1, 2: 1, 4: 4, 5: 2})))
    chart = chart_for(stats)
    assert chart.kind == "stacked"
    assert [(s.label, s.count, s.width) for s in chart.segments] == [
        ("Strongly disagree", 1, 75.0), ("Disagree", 1, 75.0), ("Agree", 4, 300.0), ("Strongly agree", 2, 150.0)]
    assert [s.x for s in chart.segments] == [0.0, 75.0, 150.0, 450.0]
    assert sum(s.width for s in chart.segments) == WIDTH
    # The legend names all five, also the value nobody chose; colours run from disagreement to agreement.
    assert [label for _colour, label in chart.legend] == ["Strongly disagree", "Disagree", "Neither agree nor disagree",
                                                           "Agree", "Strongly agree"]
    assert [colour for colour, _label in chart.legend] == list(LIKERT_COLOURS)
    assert chart.title == "My mentor is interested in my success. (8 answers)"
    assert "Agree: 4 (50 %)" in chart.desc and "Neither agree nor disagree: 0 (0 %)" in chart.desc


def test_choice_bars_are_shares_of_respondents():
    options = [SimpleNamespace(pk=10, value=1, label="Bedside teaching"), SimpleNamespace(pk=11, value=2,
                                                                                          label="Simulation")]
    # No database: an item with its options as if prefetched.
    item = SimpleNamespace(pk=2, kind=Item.Kind.MULTIPLE, text="Which forms?", code="q3",
                           options=SimpleNamespace(all=lambda: options))
    chart = chart_for(item_stats(item, ItemCounts(4, Counter({10: 4, 11: 1}))))
    assert chart.kind == "bars"
    assert [(r.label, r.count, round(r.pct)) for r in chart.rows] == [("Bedside teaching", 4, 100),
                                                                      ("Simulation", 1, 25)]
    assert chart.rows[0].bar_width == 4 * chart.rows[1].bar_width
    assert "Several answers could be chosen" in chart.desc


def test_no_chart_for_numbers_free_text_or_nobody():
    assert chart_for(item_stats(Item(kind=Item.Kind.NUMBER, text="Hours"), ItemCounts(5, Counter({3: 5})))) is None
    assert chart_for(item_stats(Item(kind=Item.Kind.TEXT, text="Say"), ItemCounts(5))) is None
    assert chart_for(item_stats(likert_item(), ItemCounts())) is None
    assert chart_for(None) is None


@pytest.mark.django_db
def test_svg_coordinates_keep_decimal_points_in_russian(client, coordinator, department):
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    campaign = CampaignFactory(questionnaire=questionnaire)
    for likert in (1, 2, 4, 4, 5, 5, 3):  # sevenths: widths with decimals
        submit(campaign, {"q1": likert, "q2": "Daily", "q3": ["Simulation"], "q4": 1})
    release_and_close(campaign)
    client.force_login(coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    html = client.get(reverse("surveys:campaign_results", args=[campaign.pk])).content.decode()

    assert 'lang="ru"' in html
    assert 'width="85.7"' in html  # 600 / 7, not "85,7"
    assert 'x="85.7"' in html
