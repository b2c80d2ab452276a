"""Pooling a mentor's answers over consecutive campaigns (surveys.pooling): the pure block builder and the
database wrapper."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import PendingSubmission
from surveys.pooling import PoolCampaign, build_blocks, pool_questionnaires, pooled_campaigns
from tests.factories_surveys import CampaignFactory, answer, questionnaire_with_items
from tests.test_survey_results_data import by_code, closed_about_mentors, closed_general, roomy_mentors


def campaigns(*specs):
    """PoolCampaign keys 1, 2, ... from (closing date, k) pairs."""
    return [PoolCampaign(key=i, closes_on=day, threshold=k) for i, (day, k) in enumerate(specs, 1)]


SPRING_24, AUTUMN_24, SPRING_25, AUTUMN_25 = date(2024, 5, 31), date(2024, 12, 20), date(2025, 5, 31), \
    date(2025, 12, 20)


def test_two_two_one_at_k_5_make_one_block_of_three_campaigns():
    pooling = build_blocks(campaigns((SPRING_24, 5), (AUTUMN_24, 5), (SPRING_25, 5)),
                           {("m", 1): 2, ("m", 2): 2, ("m", 3): 1})
    [block] = pooling.blocks
    assert (block.campaigns, block.counts, block.n, block.k) == ((1, 2, 3), (2, 2, 1), 5, 5)
    assert pooling.running == {}


def test_the_next_block_starts_after_a_complete_one_and_the_rest_waits():
    pooling = build_blocks(campaigns((SPRING_24, 5), (AUTUMN_24, 5), (SPRING_25, 5), (AUTUMN_25, 5)),
                           {("m", 1): 4, ("m", 2): 3, ("m", 3): 2, ("m", 4): 1})
    assert [(b.campaigns, b.n) for b in pooling.blocks] == [((1, 2), 7)]
    assert (pooling.running["m"].campaigns, pooling.running["m"].n) == ((3, 4), 3)


def test_campaigns_without_answers_about_the_mentor_are_not_part_of_the_block():
    pooling = build_blocks(campaigns((SPRING_24, 5), (AUTUMN_24, 5), (SPRING_25, 5)), {("m", 1): 3, ("m", 3): 3})
    assert [b.campaigns for b in pooling.blocks] == [(1, 3)]


def test_k_of_a_block_is_the_largest_threshold_of_its_campaigns():
    pooling = build_blocks(campaigns((SPRING_24, 3), (AUTUMN_24, 6), (SPRING_25, 3)),
                           {("m", 1): 2, ("m", 2): 2, ("m", 3): 2})
    [block] = pooling.blocks
    assert (block.campaigns, block.n, block.k) == ((1, 2, 3), 6, 6)
    alone = build_blocks(campaigns((SPRING_24, 3)), {("m", 1): 3})
    assert [(b.n, b.k) for b in alone.blocks] == [(3, 3)]


def test_a_block_spans_at_most_three_years():
    # June 2021 + 3 years = June 2024: a campaign closing on 1 July 2024 drops the 2021 answers for good.
    pooling = build_blocks(campaigns((date(2021, 6, 30), 5), (date(2022, 6, 30), 5), (date(2024, 7, 1), 5),
                                     (date(2025, 1, 31), 5)),
                           {("m", 1): 2, ("m", 2): 2, ("m", 3): 2, ("m", 4): 1})
    [block] = pooling.blocks
    assert block.campaigns == (2, 3, 4)
    assert all(1 not in b.campaigns for b in pooling.blocks)
    # Exactly three years is still within.
    within = build_blocks(campaigns((date(2021, 6, 30), 5), (date(2024, 6, 30), 5)), {("m", 1): 2, ("m", 2): 3})
    assert [b.campaigns for b in within.blocks] == [(1, 2)]


def test_complete_blocks_do_not_change_when_later_campaigns_close():
    specs = [(SPRING_24, 5), (AUTUMN_24, 5), (SPRING_25, 5), (AUTUMN_25, 5)]
    cells = {("a", 1): 3, ("a", 2): 2, ("a", 3): 1, ("a", 4): 4, ("b", 1): 1, ("b", 2): 4, ("b", 3): 4, ("b", 4): 1}
    before = build_blocks(campaigns(*specs[:2]), {c: n for c, n in cells.items() if c[1] <= 2})
    after = build_blocks(campaigns(*specs), cells)
    assert set(before.blocks) <= set(after.blocks)
    assert [(b.mentor, b.campaigns) for b in after.blocks] == [("a", (1, 2)), ("b", (1, 2)), ("a", (3, 4)),
                                                              ("b", (3, 4))]


def test_campaign_order_is_by_closing_date_then_key_whatever_order_they_come_in():
    given = list(reversed(campaigns((SPRING_24, 5), (SPRING_24, 5), (AUTUMN_24, 5))))
    pooling = build_blocks(given, {("m", 1): 2, ("m", 2): 2, ("m", 3): 2})
    assert pooling.blocks[0].campaigns == (1, 2, 3)


# --- from the database ---------------------------------------------------------------------------------------------


@pytest.fixture
def questionnaire(department):
    roomy_mentors(department)
    return questionnaire_with_items(department)


@pytest.mark.django_db
def test_pooled_from_the_database(questionnaire, make_mentor, make_resident):
    a, b = make_mentor(), make_mentor()
    first = closed_about_mentors(questionnaire, {a: 3, b: 2}, make_resident, closes_on=SPRING_25)
    second = closed_about_mentors(questionnaire, {a: 2, b: 3}, make_resident, closes_on=AUTUMN_25)

    with CaptureQueriesContext(connection) as ctx:
        pool = pool_questionnaires([questionnaire.pk])[questionnaire.pk]

    assert len(ctx.captured_queries) == 3
    assert pool.totals == {first.pk: 5, second.pk: 5}
    assert sorted((blk.mentor, blk.campaigns, blk.n) for blk in pool.pooling.blocks) == [
        (a.pk, (first.pk, second.pk), 5), (b.pk, (first.pk, second.pk), 5)]
    assert pool.disclosure.shown == {(a.pk, first.pk), (b.pk, first.pk)}
    # q1-q5 were answered by everybody, so each item shows what the blocks show; nobody wrote free text (q6).
    items = by_code(questionnaire)
    assert {code: pool.item_shown.get(items[code].pk) for code in ("q1", "q2", "q3", "q4", "q5", "q6")} == {
        **{code: pool.disclosure.shown for code in ("q1", "q2", "q3", "q4", "q5")}, "q6": None}


@pytest.mark.django_db
def test_a_lone_answer_about_a_mentor_counts_for_nobody(questionnaire, make_mentor, make_resident):
    """The release keeps no mentor on the only answer about them (surveys.release), so it is in no block."""
    a, b = make_mentor(), make_mentor()
    campaign = closed_about_mentors(questionnaire, {a: 1, b: 4}, make_resident, closes_on=SPRING_25)
    pool = pool_questionnaires([questionnaire.pk])[questionnaire.pk]
    assert pool.totals == {campaign.pk: 5}
    assert a.pk not in pool.pooling.running and pool.pooling.running[b.pk].n == 4


@pytest.mark.django_db
def test_only_closed_released_campaigns_about_the_mentor_are_pooled(questionnaire, make_mentor, make_resident):
    mentor = make_mentor()
    closed = closed_about_mentors(questionnaire, {mentor: 2}, make_resident, closes_on=SPRING_25)
    closed_general(questionnaire, 5)  # not about the mentor
    still_open = CampaignFactory(questionnaire=questionnaire)
    resident = make_resident()
    from mentoring.services import assignment_create

    assignment_create(resident=resident, mentor=mentor)
    answer(still_open, resident.user)
    waiting = closed_about_mentors(questionnaire, {}, make_resident, closes_on=AUTUMN_25)
    PendingSubmission.objects.create(campaign=waiting, subject=mentor, answers={})

    assert [c.key for c in pooled_campaigns([questionnaire.pk])[questionnaire.pk]] == [closed.pk]
