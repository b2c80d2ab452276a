"""After release, nothing the database keeps says in which order people answered (DESIGN.md section 3).

200 people answer one after another, each in their own committed transaction, with the pool released in
batches as in production (on commit, once k wait) and at close. The submission order is carried inside the
answers (a number item) so the test can compare it with everything a dump shows: the order of the rows, the
keys, and the bookkeeping (PostgreSQL: xmin and ctid; SQLite: rowid).
"""

import math
import uuid

import pytest
from django.db import connection

from surveys.models import Answer, Item, Participation, PendingSubmission, Response
from surveys.release import release_pending
from surveys.submission import response_submit
from tests.concurrency import run_concurrently
from tests.factories import UserFactory
from tests.factories_surveys import CampaignFactory, answers_for, invite, questionnaire_with_items

pytestmark = pytest.mark.django_db(transaction=True)

N = 200
# With 200 independent positions, |Spearman rho| has a standard deviation of about 0.07; 0.3 is > 4 of them,
# while any batch-wise order left behind (40 batches of 5) would give rho close to 1.
LIMIT = 0.3


def _ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    for rank, i in enumerate(order):
        ranks[i] = float(rank)
    return ranks


def spearman(xs, ys):
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sx = math.sqrt(sum((a - mx) ** 2 for a in rx))
    sy = math.sqrt(sum((b - my) ** 2 for b in ry))
    return 0.0 if sx == 0 or sy == 0 else cov / (sx * sy)


def _bookkeeping(table, where_column, where_value):
    """Rows of `table` as (id, submission-independent bookkeeping...) in physical order."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT id, xmin::text::bigint, (ctid::text::point)[0], (ctid::text::point)[1] "
                           f"FROM {table} t WHERE {where_column} = %s ORDER BY t.ctid", [where_value])
        else:
            cursor.execute(f"SELECT id, rowid, rowid, rowid FROM {table} WHERE {where_column} = %s ORDER BY rowid",
                           [where_value])
        rows = cursor.fetchall()
    return [(_key(r[0]), *r[1:]) for r in rows]


def _key(raw):
    return raw if isinstance(raw, int | uuid.UUID) else uuid.UUID(str(raw))


@pytest.fixture
def answered_campaign(department):
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    marker = Item.objects.get(section__questionnaire=questionnaire, code="q5")
    Item.objects.filter(pk=marker.pk).update(number_max=10_000)
    campaign = CampaignFactory(questionnaire=questionnaire, threshold=5)
    users = [UserFactory() for _ in range(N)]
    invite(campaign, users)
    base = answers_for(questionnaire)
    for index, user in enumerate(users):  # one committed transaction each; releases happen on commit
        response_submit(campaign=campaign, user=user, answers={**base, marker.pk: index})
    release_pending(campaign_id=campaign.pk, final=True)
    return campaign, marker


def test_after_release_nothing_follows_the_order_of_submissions(answered_campaign):
    """One run of 200 submissions (they take a while), three tables checked."""
    campaign, marker = answered_campaign
    _check_responses(campaign, marker)
    _check_answers(campaign, marker)
    _check_participations(campaign)


def _check_responses(campaign, marker):
    assert Response.objects.filter(campaign=campaign).count() == N
    assert not PendingSubmission.objects.filter(campaign=campaign).exists()
    submitted = dict(Answer.objects.filter(item=marker).values_list("response_id", "number"))
    rows = _bookkeeping(Response._meta.db_table, "campaign_id", campaign.pk)
    order = [int(submitted[pk]) for pk, *_ in rows]
    assert sorted(order) == list(range(N))

    physical = spearman(order, list(range(N)))
    keys = spearman(order, [str(pk) for pk, *_ in rows])
    keys_int = spearman(order, [int(str(pk).replace("-", ""), 16) for pk, *_ in rows])
    xmin = spearman(order, [r[1] for r in rows])
    block = spearman(order, [(r[2], r[3]) for r in rows])
    for name, rho in {"row order": physical, "keys": keys, "keys as numbers": keys_int, "xmin": xmin,
                      "ctid": block}.items():
        assert abs(rho) < LIMIT, f"{name} correlates with the submission order (rho = {rho:.2f})"
    if connection.vendor == "postgresql":
        assert len({r[1] for r in rows}) == 1, "every response was rewritten in the last release transaction"


def _check_answers(campaign, marker):
    submitted = dict(Answer.objects.filter(item=marker).values_list("id", "number"))
    rows = _bookkeeping(Answer._meta.db_table, "item_id", marker.pk)
    order = [int(submitted[pk]) for pk, *_ in rows]
    assert abs(spearman(order, list(range(N)))) < LIMIT
    assert abs(spearman(order, [str(pk) for pk, *_ in rows])) < LIMIT


def _check_participations(campaign):
    rows = _bookkeeping(Participation._meta.db_table, "campaign_id", campaign.pk)
    assert Participation.objects.filter(campaign=campaign, completed=True).count() == N
    if connection.vendor == "postgresql":
        assert len({r[1] for r in rows}) == 1  # all rewritten together by the last release
        responses = _bookkeeping(Response._meta.db_table, "campaign_id", campaign.pk)
        assert {r[1] for r in rows} == {responses[0][1]}


@pytest.mark.postgres
def test_fifty_concurrent_submissions_by_one_resident_give_one_response(department, make_resident):
    assert connection.vendor == "postgresql"
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=False), threshold=3)
    user = make_resident().user
    invite(campaign, [user])
    answers = answers_for(campaign.questionnaire)

    results = run_concurrently([lambda: response_submit(campaign=campaign, user=user, answers=answers)] * 50)

    outcomes = [kind for kind, _ in results]
    assert outcomes.count("ok") == 1, results
    assert outcomes.count("refused") == 49, results
    assert all("already answered" in message for kind, message in results if kind == "refused")
    release_pending(campaign_id=campaign.pk, final=True)
    assert Response.objects.filter(campaign=campaign).count() == 1


@pytest.mark.postgres
def test_a_release_vacuums_the_pool_so_dead_rows_do_not_linger(department):
    from django.test.utils import CaptureQueriesContext

    from surveys.tasks import release_campaign_pool

    assert connection.vendor == "postgresql"
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=False), threshold=3)
    users = [UserFactory() for _ in range(3)]
    invite(campaign, users)
    with CaptureQueriesContext(connection) as queries:
        for user in users:  # the third submission's commit releases the pool (eager task) and vacuums
            response_submit(campaign=campaign, user=user, answers=answers_for(campaign.questionnaire))
    vacuums = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("VACUUM")]
    assert len(vacuums) == 1 and PendingSubmission._meta.db_table in vacuums[0]
    assert Response.objects.filter(campaign=campaign).count() == 3
    assert release_campaign_pool(campaign.pk) == 0  # nothing left: no release, no vacuum
