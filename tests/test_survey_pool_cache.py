"""The per-mentor pools kept in Django's cache (surveys.pooling.cached_pools): the figures shown are the very same
as computed afresh, a released response changes the key (so nothing stale is ever shown), both results pages
(the mentor's own and the coordinator's per mentor) take the same cached pool, and a cache that is down only
costs time."""

import pickle
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from mentoring.services import assignment_create
from surveys import pooling
from surveys.models import PendingSubmission
from surveys.release import release_pending
from tests.factories_surveys import CampaignFactory, answer, questionnaire_with_items
from tests.test_survey_results_data import close, closed_about_mentors, roomy_mentors

pytestmark = pytest.mark.django_db

SPRING, AUTUMN = date(2025, 5, 31), date(2025, 12, 20)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(department, make_mentor, make_resident):
    """Mentor a: 3 + 2 answers over two campaigns (one block of 5, with comments); b: 3 + 3 (a block of 6);
    c and d: 2 + 2 (never reach 5; their 8 make showing a's and b's blocks safe)."""
    roomy_mentors(department)
    questionnaire = questionnaire_with_items(department)
    a, b, c, d = make_mentor(), make_mentor(), make_mentor(), make_mentor()
    closed_about_mentors(questionnaire, {a: 3, b: 3, c: 2, d: 2}, make_resident, closes_on=SPRING,
                         title="Spring 2025", text="More time at the bedside, please.")
    closed_about_mentors(questionnaire, {a: 2, b: 3, c: 2, d: 2}, make_resident, closes_on=AUTUMN, title="Autumn 2025",
                         likert=2, text="Fine.")
    return {"questionnaire": questionnaire, "a": a, "b": b, "c": c}


@pytest.fixture
def computations(monkeypatch):
    """How many times the pools were really computed (not taken from the cache)."""
    calls = []
    compute = pooling.pool_questionnaires

    def counted(questionnaire_ids):
        calls.append(list(questionnaire_ids))
        return compute(questionnaire_ids)

    monkeypatch.setattr(pooling, "pool_questionnaires", counted)
    return calls


def figures(own_results) -> list:
    """What the mentor's page shows, comments as a sorted list (they are listed in random order)."""
    return [(own.questionnaire.pk, own.notes,
             [(r.block, r.campaigns, [(i.item.pk, i.stats, i.hidden, sorted(i.comments)) for i in r.items.values()])
              for r in own.blocks])
            for own in own_results]


def my_page(client, mentor):
    client.force_login(mentor.user)
    response = client.get(reverse("surveys:my_results"))
    assert response.status_code == 200
    return response


def test_the_cached_pool_equals_the_one_computed_afresh_and_a_hit_runs_one_query(world, computations):
    q = world["questionnaire"].pk
    fresh = pooling.pool_questionnaires([q])[q]
    assert [b.n for b in fresh.shown_blocks()] == [5, 6]  # something to compare: a's and b's blocks are shown

    first = pooling.cached_pools([q])[q]
    with CaptureQueriesContext(connection) as ctx:
        again = pooling.cached_pools([q])[q]
    assert len(ctx.captured_queries) == 1  # the fingerprint only
    assert computations == [[q], [q]]  # `fresh`, then the first `cached_pools`; not the second
    assert first == again == fresh
    assert again is not first  # it really went through the cache (pickled)


def test_the_pool_read_back_makes_the_same_blocks_all_of_them_a_mentors_and_the_running_ones(world):
    """The cache keeps the blocks as plain tuples and makes Block objects when they are read (a mentor's alone
    when only theirs are asked for): the same blocks, in the same order, as the pool computed afresh."""
    q = world["questionnaire"].pk
    fresh = pooling.pool_questionnaires([q])[q]
    stored = pickle.loads(pickle.dumps(fresh))
    mentors = [world[name].pk for name in ("a", "b", "c")]
    assert [stored.pooling.blocks_of(m) for m in mentors] == [fresh.pooling.blocks_of(m) for m in mentors]
    assert [stored.shown_blocks(m) for m in mentors] == [fresh.shown_blocks(m) for m in mentors]
    assert [stored.pooling.running.get(m) for m in mentors] == [fresh.pooling.running.get(m) for m in mentors]
    assert stored.pooling.running.get(world["c"].pk).n == 4 and world["a"].pk not in stored.pooling.running
    assert stored.pooling.blocks == fresh.pooling.blocks and stored.shown_blocks() == fresh.shown_blocks()
    assert dict(stored.pooling.running) == dict(fresh.pooling.running) and stored == fresh
    assert pickle.loads(pickle.dumps(stored)) == fresh  # read back twice: still the same


def test_the_mentors_page_shows_the_same_figures_from_the_cache(client, world, computations):
    for mentor in (world["a"], world["b"], world["c"]):
        cache.clear()
        uncached = figures(my_page(client, mentor).context["questionnaires"])
        cached_response = my_page(client, mentor)
        assert figures(cached_response.context["questionnaires"]) == uncached
    assert len(computations) == 3  # once per cleared cache
    a_html = my_page(client, world["a"]).content.decode()
    assert "Pooled from: Spring 2025, Autumn 2025; 5 respondents" in a_html
    assert a_html.count("More time at the bedside, please.") == 3 and a_html.count("Fine.") == 2
    assert "Not enough answers yet" in my_page(client, world["c"]).content.decode()


def test_the_coordinators_table_takes_the_same_cached_pool(client, coordinator, world, computations):
    my_page(client, world["a"])  # fills the cache
    client.force_login(coordinator)
    response = client.get(reverse("surveys:mentor_results", args=[world["questionnaire"].pk]))
    assert response.status_code == 200
    assert len(computations) == 1  # the mentor's request computed it; the coordinator's took it from the cache
    rows = {row.mentor.pk: row for row in response.context["results"].rows}
    assert [b.n for b in rows[world["a"].pk].blocks] == [5] and [b.n for b in rows[world["b"].pk].blocks] == [6]
    assert rows[world["c"].pk].notes == ["4 answers so far; shown once 5 have answered."]


def test_a_released_response_changes_the_key_and_the_figures(client, department, make_mentor, make_resident):
    roomy_mentors(department)
    questionnaire = questionnaire_with_items(department)
    q = questionnaire.pk
    a, b = make_mentor(), make_mentor()
    closed_about_mentors(questionnaire, {a: 3, b: 3}, make_resident, closes_on=SPRING, title="Spring 2025")
    assert "Not enough answers yet" in my_page(client, a).content.decode()
    before = pooling.pool_fingerprints([q])[q]

    # Two of a's residents answer the autumn campaign; it closes before the pool is released.
    autumn = CampaignFactory(questionnaire=questionnaire, about_mentor=True, title="Autumn 2025")
    for _ in range(2):
        resident = make_resident()
        assignment_create(resident=resident, mentor=a)
        answer(autumn, resident.user)
    close(autumn, AUTUMN)
    assert PendingSubmission.objects.filter(campaign=autumn).count() == 2
    # Waiting for its release, the campaign is not pooled yet: the same state, the same key, the same page.
    assert pooling.pool_fingerprints([q])[q] == before
    assert "Not enough answers yet" in my_page(client, a).content.decode()

    assert release_pending(campaign_id=autumn.pk, final=True) == 2
    after = pooling.pool_fingerprints([q])[q]
    assert after != before
    html = my_page(client, a).content.decode()
    assert "Pooled from: Spring 2025, Autumn 2025; 5 respondents" in html and "Not enough answers yet" not in html


def test_a_cache_that_is_down_only_costs_time(client, world, computations, caplog):
    expected = figures(my_page(client, world["a"]).context["questionnaires"])
    down_redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                              "LOCATION": "redis://127.0.0.1:1/0"}}  # nothing listens there
    with override_settings(CACHES=down_redis):
        down = my_page(client, world["a"])
    assert figures(down.context["questionnaires"]) == expected
    assert len(computations) == 2
    assert "the cache could not be read" in caplog.text and "the cache could not be written" in caplog.text
