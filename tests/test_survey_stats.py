"""Per-item figures (surveys.stats), checked against figures worked out by hand."""

import math
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import Answer
from surveys.stats import ItemCounts, item_counts, item_stats, mean_sd_median
from tests.factories_surveys import CampaignFactory, questionnaire_with_items
from tests.test_survey_results_data import by_code, release_and_close, submit

pytestmark = pytest.mark.django_db


def test_mean_sd_median_odd():
    # 1, 2, 4, 4, 5: mean 16 / 5; squared deviations 4.84 + 1.44 + 0.64 + 0.64 + 3.24 = 10.8; 10.8 / 4 = 2.7.
    mean, sd, median = mean_sd_median(Counter({1: 1, 2: 1, 4: 2, 5: 1}))
    assert mean == pytest.approx(3.2)
    assert sd == pytest.approx(math.sqrt(2.7))
    assert median == 4


def test_mean_sd_median_even_and_single():
    assert mean_sd_median(Counter({1: 1, 2: 1, 4: 1, 5: 1}))[2] == 3  # (2 + 4) / 2
    assert mean_sd_median(Counter({3: 1})) == (3, None, 3)  # no SD of one value
    assert mean_sd_median(Counter()) == (None, None, None)


def test_counts_merge_adds_up():
    a, b = ItemCounts(2, Counter({4: 1, 5: 1})), ItemCounts(3, Counter({4: 3}))
    merged = ItemCounts.merged([a, b])
    assert (merged.n, merged.values) == (5, Counter({4: 4, 5: 1}))


@pytest.fixture
def answered(department):
    """Five people; the figures below are worked out by hand from these answers."""
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    campaign = CampaignFactory(questionnaire=questionnaire)
    rows = [
        (5, "Daily", ["Bedside teaching", "Case review"], 1, 10, "Good"),
        (4, "Weekly", ["Bedside teaching"], 1, 2.5, ""),
        (4, "Weekly", ["Case review", "Simulation"], 0, None, "More rounds"),
        (2, "Monthly", ["Bedside teaching", "Case review", "Simulation"], 1, 4, ""),
        (1, "Weekly", ["Bedside teaching"], 0, 8, ""),
    ]
    for q1, q2, q3, q4, q5, q6 in rows:
        submit(campaign, {"q1": q1, "q2": q2, "q3": q3, "q4": q4, **({"q5": q5} if q5 is not None else {}),
                          **({"q6": q6} if q6 else {})})
    return release_and_close(campaign)


def figures(campaign):
    items = by_code(campaign.questionnaire)
    counts = item_counts(Answer.objects.filter(response__campaign=campaign), list(items.values()))[()]
    return {code: item_stats(item, counts.get(item.pk)) for code, item in items.items()}


def test_likert(answered):
    q1 = figures(answered)["q1"]
    assert q1.n == 5
    assert [(b.value, b.count) for b in q1.distribution] == [(1, 1), (2, 1), (3, 0), (4, 2), (5, 1)]
    assert [b.label for b in q1.distribution][0] == "Strongly disagree"
    assert q1.pct_agree == pytest.approx(60)
    assert (q1.mean, q1.median) == (pytest.approx(3.2), 4)
    assert q1.sd == pytest.approx(math.sqrt(2.7))  # 1.643


def test_single_and_multiple_choice(answered):
    f = figures(answered)
    assert [(b.label, b.count, round(b.pct)) for b in f["q2"].distribution] == [
        ("Daily", 1, 20), ("Weekly", 3, 60), ("Monthly", 1, 20)]
    # Multiple choice counts respondents per option (shares add up to more than 100 %).
    assert f["q3"].n == 5
    assert [(b.label, b.count, round(b.pct)) for b in f["q3"].distribution] == [
        ("Bedside teaching", 4, 80), ("Case review", 3, 60), ("Simulation", 2, 40)]


def test_yes_no(answered):
    q4 = figures(answered)["q4"]
    assert [(b.label, b.count) for b in q4.distribution] == [("Yes", 3), ("No", 2)]
    assert q4.pct_yes == pytest.approx(60)


def test_number_optional(answered):
    # 10, 2.5, 4, 8 (one person skipped it): mean 24.5 / 4 = 6.125; squared deviations
    # 15.015625 + 13.140625 + 4.515625 + 3.515625 = 36.1875; / 3 = 12.0625; median (4 + 8) / 2 = 6.
    q5 = figures(answered)["q5"]
    assert q5.n == 4
    assert q5.mean == pytest.approx(6.125)
    assert q5.sd == pytest.approx(math.sqrt(12.0625))
    assert q5.median == 6


def test_free_text_counts_only(answered):
    q6 = figures(answered)["q6"]
    assert (q6.n, q6.distribution, q6.mean) == (2, [], None)


def test_two_queries_whatever_the_grouping(answered):
    """One pass over the answers, and one more for the values of the number item (q5)."""
    items = list(by_code(answered.questionnaire).values())
    with CaptureQueriesContext(connection) as ctx:
        grouped = item_counts(Answer.objects.filter(response__campaign=answered), items,
                              group_by=("response__campaign_id", "response__subject_id"))
    assert len(ctx.captured_queries) == 2
    assert list(grouped) == [(answered.pk, None)]


def test_the_same_floats_whatever_order_the_values_were_counted_in():
    """Counts arrive in the database's order; the figures must not depend on it (down to the last digit)."""
    values = [(1, 1), (2, 1), (3, 1), (4, 2), (5, 1)]
    # Summed in the order counted, the last two orders gave standard deviations differing in the last digit.
    orders = (values, values[::-1], [values[0], values[1], values[3], values[4], values[2]])
    figures = {mean_sd_median(Counter(dict(order))) for order in orders}
    assert len(figures) == 1
    mean, sd, median = figures.pop()
    assert (mean, median) == (pytest.approx(19 / 6), 3.5) and sd == pytest.approx(math.sqrt(13 / 6))
