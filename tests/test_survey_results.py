"""Results pages: a campaign's results (visibility rules, figures, charts), per-mentor pooled results for the
coordinator and for the mentor, with their query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import Campaign
from tests.factories import CoordinatorFactory, DepartmentFactory, UserFactory
from tests.factories_surveys import CampaignFactory, answer, answer_and_release, invite, questionnaire_with_items
from tests.test_survey_results_data import (
    close,
    closed_about_mentors,
    closed_general,
    release_and_close,
    roomy_mentors,
    submit,
)

pytestmark = pytest.mark.django_db

SPRING, AUTUMN = date(2025, 5, 31), date(2025, 12, 20)


@pytest.fixture
def questionnaire(department):
    roomy_mentors(department)
    return questionnaire_with_items(department)


def page(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


# --- a campaign's results ------------------------------------------------------------------------------------------


def test_open_campaign_shows_only_the_response_rate(client, coordinator, questionnaire):
    campaign = CampaignFactory(questionnaire=questionnaire, about_mentor=False)
    answer_and_release(campaign, [UserFactory() for _ in range(6)])  # released, but the campaign is still open
    invite(campaign, [UserFactory()])

    html = page(client, coordinator, "surveys:campaign_results", campaign.pk)

    assert "6 of 7 answered; results appear when the questionnaire closes" in html
    assert "Results appear when the campaign closes" in html
    assert "% agree" not in html and "<svg" not in html
    assert reverse("surveys:campaign_export", args=[campaign.pk, "csv"]) not in html


def test_closed_with_4_at_k_5_is_hidden(client, coordinator, questionnaire):
    campaign = closed_general(questionnaire, 4)

    html = page(client, coordinator, "surveys:campaign_results", campaign.pk)

    assert "4 of 4 answered; results hidden until 5" in html
    assert "Results are hidden: fewer than 5 people answered" in html
    assert "% agree" not in html and "<svg" not in html
    assert reverse("surveys:campaign_export", args=[campaign.pk, "csv"]) not in html


def test_closed_but_not_released_yet_is_hidden(client, coordinator, questionnaire):
    campaign = CampaignFactory(questionnaire=questionnaire, about_mentor=False, threshold=3)
    for user in [UserFactory() for _ in range(5)]:
        answer(campaign, user)  # the release runs on commit; the test transaction never commits
    close(campaign, SPRING)

    html = page(client, coordinator, "surveys:campaign_results", campaign.pk)

    assert "The last answers are being added" in html and "<svg" not in html


def test_closed_with_5_shows_the_figures_and_hides_an_item_below_k(client, coordinator, questionnaire):
    campaign = CampaignFactory(questionnaire=questionnaire, about_mentor=False)
    for likert, hours in [(5, 10), (4, 2), (4, None), (2, None), (1, None)]:
        submit(campaign, {"q1": likert, "q2": "Weekly", "q3": ["Case review"], "q4": 1,
                          **({"q5": hours} if hours else {})})
    release_and_close(campaign)

    client.force_login(coordinator)
    response = client.get(reverse("surveys:campaign_results", args=[campaign.pk]))
    html = response.content.decode()
    results = response.context["results"]

    assert "5 of 5 answered" in html and "hidden until" not in html
    assert "60 % agree" in html and "100 % yes" in html
    assert html.count('data-chart="stacked"') == 2 and html.count('data-chart="bars"') == 2
    assert "Strongly disagree" in html  # the legend
    hours = [r for s in results.sections for r in s.items if r.item.code == "q5"][0]
    assert hours.stats is None and "fewer than 5 people answered this question" in hours.hidden
    assert 'id="campaign-q5"' in html and "mean" not in html.split('id="campaign-q5"')[1].split("</article>")[0]
    for fmt in ("csv", "xlsx", "codebook"):
        assert reverse("surveys:campaign_export", args=[campaign.pk, fmt]) in html


def test_about_mentor_campaign_links_to_the_results_per_mentor(client, coordinator, questionnaire, make_mentor,
                                                               make_resident):
    campaign = closed_about_mentors(questionnaire, {make_mentor(): 3, make_mentor(): 2}, make_resident,
                                    closes_on=SPRING, text="More bedside teaching.")
    html = page(client, coordinator, "surveys:campaign_results", campaign.pk)
    assert reverse("surveys:mentor_results", args=[questionnaire.pk]) in html
    assert reverse("surveys:campaign_comments", args=[campaign.pk]) in html
    assert "More bedside teaching." not in html  # comments are read on their own page


def test_another_departments_campaign_is_404(client, questionnaire):
    campaign = closed_general(questionnaire, 5)
    client.force_login(CoordinatorFactory(department=DepartmentFactory()).user)
    assert client.get(reverse("surveys:campaign_results", args=[campaign.pk])).status_code == 404


def _queries(client, user, name, *args):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(name, args=args)).status_code == 200
    return len(ctx.captured_queries)


def test_campaign_results_queries_do_not_grow_with_responses(client, coordinator, questionnaire):
    small = closed_general(questionnaire, 5, text="Fine.")
    large = closed_general(questionnaire, 60, text="Fine.")
    assert _queries(client, coordinator, "surveys:campaign_results", small.pk) == \
        _queries(client, coordinator, "surveys:campaign_results", large.pk)


# --- per mentor: the coordinator's table ---------------------------------------------------------------------------


@pytest.fixture
def pooled(questionnaire, make_mentor, make_resident):
    """Mentor a: 3 + 2 answers over two campaigns (one block of 5); b: 2 + 2 (never reaches 5); c: none."""
    a, b, c = make_mentor(), make_mentor(), make_mentor()
    first = closed_about_mentors(questionnaire, {a: 3, b: 2}, make_resident, closes_on=SPRING, title="Spring 2025",
                                 text="More time at the bedside, please.")
    second = closed_about_mentors(questionnaire, {a: 2, b: 2}, make_resident, closes_on=AUTUMN, title="Autumn 2025",
                                  text="More time at the bedside, please.")
    return {"a": a, "b": b, "c": c, "campaigns": (first, second)}


def test_mentor_table_shows_pooled_blocks_and_never_a_mentor_below_k(client, coordinator, questionnaire, pooled):
    client.force_login(coordinator)
    response = client.get(reverse("surveys:mentor_results", args=[questionnaire.pk]))
    html = response.content.decode()
    rows = {row.mentor.pk: row for row in response.context["results"].rows}
    a, b, c = pooled["a"], pooled["b"], pooled["c"]

    assert [blk.n for blk in rows[a.pk].blocks] == [5]
    assert "Pooled from: Spring 2025, Autumn 2025; 5 respondents" in html
    assert rows[b.pk].blocks == [] and rows[b.pk].notes == ["4 answers so far; shown once 5 have answered."]
    assert rows[c.pk].blocks == [] and rows[c.pk].notes == ["No answers about this mentor yet."]
    table = html.split('id="mentor-results"')[1].split("</table>")[0]
    assert table.count('class="mentor-block"') == 1 and f'data-mentor="{b.pk}"' not in table.split(
        'class="mentor-note"')[0]
    assert "100 %" in table  # q1 % agree of a's block (everyone answered 4)
    assert "More time at the bedside, please." in html  # comments of a shown block


def test_mentor_table_hides_a_block_that_subtraction_would_expose(client, coordinator, questionnaire, make_mentor,
                                                                  make_resident):
    # One campaign: a has 3, b has 3, c has 3 (k = 3): 9 in all. Blocks of 3 each; all three shown would be
    # fine (9 - 9 = 0), but with d's 2 in the campaign, showing a, b and c would expose d's 2.
    a, b, c, d = (make_mentor() for _ in range(4))
    closed_about_mentors(questionnaire, {a: 3, b: 3, c: 3, d: 2}, make_resident, closes_on=SPRING, threshold=3)
    client.force_login(coordinator)
    response = client.get(reverse("surveys:mentor_results", args=[questionnaire.pk]))
    rows = {row.mentor.pk: row for row in response.context["results"].rows}
    shown = [m for m in (a, b, c) if rows[m.pk].blocks]
    assert len(shown) == 2
    hidden = next(m for m in (a, b, c) if not rows[m.pk].blocks)
    assert rows[hidden.pk].notes == ["Some answers are not shown, so that no smaller group can be worked out from "
                                     "the other figures."]
    assert rows[d.pk].blocks == []


def _mentors_with_blocks(questionnaire, make_mentor, make_resident, n_mentors):
    mentors = [make_mentor() for _ in range(n_mentors)]
    for closes_on in (SPRING, AUTUMN):
        closed_about_mentors(questionnaire, {m: 3 for m in mentors}, make_resident, closes_on=closes_on, text="Kind.")
    return mentors


def test_mentor_results_queries_do_not_grow_with_mentors(client, coordinator, department, make_mentor,
                                                         make_resident):
    roomy_mentors(department)
    small = questionnaire_with_items(department)
    large = questionnaire_with_items(department)
    _mentors_with_blocks(small, make_mentor, make_resident, 2)
    _mentors_with_blocks(large, make_mentor, make_resident, 8)
    assert _queries(client, coordinator, "surveys:mentor_results", small.pk) == \
        _queries(client, coordinator, "surveys:mentor_results", large.pk)
    # Every mentor's block of 6 is shown in both, so the figures' queries ran in both.
    assert page(client, coordinator, "surveys:mentor_results", small.pk).count('class="mentor-block"') == 2
    assert page(client, coordinator, "surveys:mentor_results", large.pk).count('class="mentor-block"') == 8


def test_mentor_results_of_a_questionnaire_not_about_mentors(client, coordinator, department):
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    html = page(client, coordinator, "surveys:mentor_results", questionnaire.pk)
    assert "not about the respondents' mentors" in html


# --- per mentor: the mentor's own page -----------------------------------------------------------------------------


def test_a_mentor_sees_their_own_pooled_block_with_comments(client, pooled):
    html = page(client, pooled["a"].user, "surveys:my_results")
    assert "Pooled from: Spring 2025, Autumn 2025; 5 respondents" in html
    assert "100 % agree" in html
    assert html.count("More time at the bedside, please.") == 5


def test_a_mentor_below_k_sees_only_that_it_is_not_enough_yet(client, pooled):
    html = page(client, pooled["b"].user, "surveys:my_results")
    assert "Not enough answers yet: results appear once 5 residents have answered, pooled over up to 3 years." in html
    assert "Pooled from" not in html and "% agree" not in html and "bedside" not in html
    assert "4 answers" not in html  # a mentor is not told how many of their residents answered


def test_a_mentor_without_answers(client, pooled):
    assert "No questionnaire about your mentoring has closed with answers yet." in page(
        client, pooled["c"].user, "surveys:my_results")


def test_my_results_queries_do_not_grow(client, department, make_mentor, make_resident):
    roomy_mentors(department)
    first = questionnaire_with_items(department)
    [mentor, *others] = _mentors_with_blocks(first, make_mentor, make_resident, 2)
    small = _queries(client, mentor.user, "surveys:my_results")
    assert page(client, mentor.user, "surveys:my_results").count("Pooled from") == 1
    for _ in range(2):
        more = questionnaire_with_items(department)
        for closes_on in (SPRING, AUTUMN):
            closed_about_mentors(more, {mentor: 3, **{m: 3 for m in others}}, make_resident, closes_on=closes_on,
                                 text="Kind.")
    assert Campaign.objects.filter(status="closed").count() == 6
    assert _queries(client, mentor.user, "surveys:my_results") == small
    assert page(client, mentor.user, "surveys:my_results").count("Pooled from") == 3
