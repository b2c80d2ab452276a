"""reports/sections/stats.py `summaries`: count, mean, median, min and max per group, in one query, by hand."""

import random
import statistics
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import ExamResult
from reports.sections.stats import Summary, campaign_figures, summaries
from surveys.campaigns import campaign_close
from surveys.models import Answer, Campaign, Item
from surveys.results import campaign_results, campaign_visibility
from tests.factories import AcademicYearFactory
from tests.factories_assessments import ExamResultFactory
from tests.factories_surveys import CampaignFactory, invite, questionnaire_with_items
from tests.test_report_cohort_data import close, respond

pytestmark = pytest.mark.django_db


def results(make_resident, stage, scores, osce=None):
    for i, score in enumerate(scores):
        ExamResultFactory(resident=make_resident(), stage=stage, test_score=Decimal(score),
                          osce_score=Decimal(osce[i] if osce else 50), overall_score=Decimal(score))


def one_query(**kwargs):
    with CaptureQueriesContext(connection) as ctx:
        out = summaries(ExamResult.objects.all(), **kwargs)
    assert len(ctx.captured_queries) == 1
    return out


def test_odd_and_even_groups_by_hand(make_resident):
    results(make_resident, "year_1", [30, 10, 50, 20, 40], osce=[70, 70, 80, 90, 60])  # odd count
    results(make_resident, "final", [100, 5, 9, 7], osce=[61, 62, 63, 64])  # even count

    out = one_query(fields=["test_score", "osce_score"], group_by=["stage"])

    assert set(out) == {("year_1",), ("final",)}
    # year 1, test: sorted 10 20 30 40 50 -> median 30, mean 150 / 5 = 30
    assert out[("year_1",)]["test_score"] == Summary(n=5, mean=30.0, median=30.0, min=10.0, max=50.0)
    # year 1, OSCE: sorted 60 70 70 80 90 -> median 70, mean 370 / 5 = 74
    assert out[("year_1",)]["osce_score"] == Summary(n=5, mean=74.0, median=70.0, min=60.0, max=90.0)
    # final, test: sorted 5 7 9 100 -> median (7 + 9) / 2 = 8, mean 121 / 4 = 30.25
    assert out[("final",)]["test_score"] == Summary(n=4, mean=30.25, median=8.0, min=5.0, max=100.0)
    # final, OSCE: 61 62 63 64 -> median 62.5, mean 62.5
    assert out[("final",)]["osce_score"] == Summary(n=4, mean=62.5, median=62.5, min=61.0, max=64.0)


def test_without_grouping_one_key_and_nothing_for_no_rows(make_resident):
    assert one_query(fields=["test_score"]) == {}
    results(make_resident, "year_1", [1, 2])
    results(make_resident, "year_2", [3])
    # 1 2 3 -> median 2, mean 2
    assert one_query(fields=["test_score"]) == {(): {"test_score": Summary(3, 2.0, 2.0, 1.0, 3.0)}}


def test_grouping_through_relations(make_resident):
    y2024, y2025 = AcademicYearFactory(start_year=2024), AcademicYearFactory(start_year=2025)
    for year, scores in ((y2024, [60, 70]), (y2025, [80, 81, 82])):
        for score in scores:
            ExamResultFactory(resident=make_resident(), academic_year=year, test_score=Decimal(score))
    out = one_query(fields=["test_score"], group_by=["academic_year__start_year"])
    assert out[(2024,)]["test_score"] == Summary(2, 65.0, 65.0, 60.0, 70.0)  # (60 + 70) / 2
    assert out[(2025,)]["test_score"] == Summary(3, 81.0, 81.0, 80.0, 82.0)


def test_agrees_with_python_statistics_on_random_data(make_resident):
    rng = random.Random(7)
    expected = {}
    for stage, size in (("year_1", 1), ("year_2", 2), ("year_3", 9), ("final", 14)):
        scores = [Decimal(rng.randrange(0, 10000)) / 100 for _ in range(size)]
        results(make_resident, stage, scores)
        expected[(stage,)] = scores
    out = one_query(fields=["test_score"], group_by=["stage"])
    for key, scores in expected.items():
        got = out[key]["test_score"]
        assert got.n == len(scores)
        assert got.median == pytest.approx(float(statistics.median(scores)))
        assert got.mean == pytest.approx(float(statistics.mean(scores)))
        assert (got.min, got.max) == (float(min(scores)), float(max(scores)))


# campaign_figures ----------------------------------------------------------------------------------------------------


def survey(department, coordinator, make_resident, *, answering: int, status: str, number_by: int = 0,
           release: bool = True):
    """A campaign with `answering` respondents (the optional number item answered by the first `number_by`), left
    in `status`: draft, open, or closed (released unless `release` is False)."""
    if status == "draft":
        return CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=False),
                               about_mentor=False, status=Campaign.Status.DRAFT)
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=False),
                               about_mentor=False)
    residents = [make_resident() for _ in range(answering + 1)]
    invite(campaign, [r.user for r in residents])
    for i, resident in enumerate(residents[:answering]):
        respond(campaign, resident, likert=1 + i % 5, number=i if i < number_by else None)
    if status == "closed":
        if release:
            close(campaign, coordinator)
        else:
            campaign_close(campaign=campaign, by=coordinator)  # the release has not run yet
    return campaign


def test_campaign_figures_follow_the_rules_of_the_results_pages(department, coordinator, make_resident):
    made = {
        "draft": survey(department, coordinator, make_resident, answering=0, status="draft"),
        "open": survey(department, coordinator, make_resident, answering=5, status="open"),
        "releasing": survey(department, coordinator, make_resident, answering=5, status="closed", release=False),
        "few": survey(department, coordinator, make_resident, answering=4, status="closed"),
        "shown": survey(department, coordinator, make_resident, answering=7, status="closed", number_by=4),
    }
    figures = {f.campaign.pk: f for f in campaign_figures(Campaign.objects.order_by("pk"))}
    for name, campaign in made.items():
        f = figures[campaign.pk]
        visible, _reason, responses = campaign_visibility(Campaign.objects.get(pk=campaign.pk))
        assert (f.visible, f.why_hidden) == (visible, "" if name == "shown" else name)
        assert f.responses == responses
        assert (f.items == []) == (not visible)
    # The shown campaign: every item as the results page has it; q5 (number) answered by 4 of 7 < 5 is hidden, and
    # so is q6 (free text, optional) that nobody answered.
    page = campaign_results(Campaign.objects.get(pk=made["shown"].pk))
    expected = {r.item.pk: r.stats for s in page.sections for r in s.items}
    shown = figures[made["shown"].pk]
    assert {i.item.pk: i.stats for i in shown.items} == expected
    assert [i.item.code for i in shown.items if i.hidden] == ["q5", "q6"]
    likert = next(i for i in shown.items if i.item.code == "q1")
    # Likert answers 1 2 3 4 5 1 2: 4 and 5 agree = 2 of 7 = 28.6 %.
    assert likert.stats.n == 7 and round(likert.key_figure, 1) == 28.6
    assert (shown.invited, shown.answered) == (8, 7)


def test_campaign_figures_take_the_same_queries_for_more_campaigns_and_answers(department, coordinator,
                                                                               make_resident):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            campaign_figures(Campaign.objects.order_by("pk"))
        return len(ctx.captured_queries)

    survey(department, coordinator, make_resident, answering=5, status="closed")
    few = queries()
    for _ in range(2):
        survey(department, coordinator, make_resident, answering=9, status="closed", number_by=6)
    survey(department, coordinator, make_resident, answering=2, status="open")
    # Campaigns, items, options, the answers counted in one pass, the number item's values (surveys.item_counts).
    assert queries() == few == 5


def test_campaign_figures_of_some_kinds_are_those_of_every_kind(department, coordinator, make_resident):
    """A section asks only for the kinds it shows: the same figures for those items, the others left out."""
    survey(department, coordinator, make_resident, answering=7, status="closed", number_by=6)
    survey(department, coordinator, make_resident, answering=4, status="closed")
    every = campaign_figures(Campaign.objects.order_by("pk"))
    kinds = (Item.Kind.LIKERT, Item.Kind.YES_NO)
    some = campaign_figures(Campaign.objects.order_by("pk"), kinds=kinds)
    assert [(f.campaign.pk, f.visible, f.responses) for f in some] == [(f.campaign.pk, f.visible, f.responses)
                                                                       for f in every]
    for all_items, few_items in zip(every, some, strict=True):
        assert few_items.items == [i for i in all_items.items if i.item.kind in kinds]
    assert [i.item.code for i in some[0].items] == ["q1", "q4"] and not some[1].items


def test_summaries_leave_empty_values_out(department, coordinator, make_resident):

    # q5 (number, optional) answered 0, 1, 2 by three of five respondents; the other two left it empty.
    campaign = survey(department, coordinator, make_resident, answering=5, status="closed", number_by=3)
    out = summaries(Answer.objects.filter(response__campaign=campaign, item__code__in=["q1", "q5"]),
                    fields=["number"], group_by=["item__code"])
    assert out[("q5",)]["number"] == Summary(n=3, mean=1.0, median=1.0, min=0.0, max=2.0)
    # q1 (Likert) 1 2 3 4 5: median 3.
    assert out[("q1",)]["number"] == Summary(n=5, mean=3.0, median=3.0, min=1.0, max=5.0)
