"""Per-mentor results pooled over consecutive campaigns of one questionnaire (DESIGN.md section 3).

A mentor has 3-4 residents, so one campaign rarely reaches k answers about them. Their answers are pooled into
*blocks*: walk the closed campaigns about the mentor in order of closing (closes_on, then id), adding the
answers about the mentor, until the block holds at least k (the largest threshold among its campaigns); that
block is complete and the next one starts after it. Blocks never overlap, and a complete block never changes
when later campaigns close, so two pages seen at different times cannot be subtracted from each other.

A block spans at most `POOL_YEARS` years (the closing dates of its first and last campaign): when a campaign
closes more than that after the oldest campaign of the running block, the oldest campaigns are dropped from it;
their answers about the mentor are never shown. The running (incomplete) block is never shown, only its count.

`build_blocks` is the pure part (plain data in, blocks out); `pool_questionnaires` fetches what it needs with
grouped queries and applies `surveys.disclosure` (complementary suppression), for the whole set of answers and
then for each item.
"""

import hashlib
import logging
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, QuerySet

from organization.dates import add_years

from . import disclosure as disclosure_rules
from .disclosure import Disclosure, disclose
from .models import Answer, Campaign, PendingSubmission, Response

POOL_YEARS = 3



@dataclass(frozen=True)
class PoolCampaign:
    key: Hashable
    closes_on: date
    threshold: int
    title: str = ""


@dataclass(frozen=True)
class Block:
    """One mentor's answers pooled over `campaigns` (oldest first; only campaigns with answers about them)."""

    mentor: Hashable
    campaigns: tuple
    counts: tuple
    k: int

    @property
    def key(self) -> tuple:
        return (self.mentor, self.campaigns[0])

    @property
    def n(self) -> int:
        return sum(self.counts)

    @property
    def cells(self) -> dict:
        return dict(zip(self.campaigns, self.counts, strict=True))

    @property
    def appears(self):
        """The campaign whose closing completed the block."""
        return self.campaigns[-1]


@dataclass(eq=False)
class Pooling:
    blocks: list[Block] = field(default_factory=list)  # complete blocks, in order of completion
    running: Mapping = field(default_factory=dict)  # mentor -> the incomplete Block (never shown)

    def blocks_of(self, mentor) -> list[Block]:
        return [b for b in self.blocks if b.mentor == mentor]

    def __eq__(self, other):
        if not isinstance(other, Pooling):
            return NotImplemented
        return list(self.blocks) == list(other.blocks) and dict(self.running) == dict(other.running)

    def __reduce__(self):
        """Pickled (for the cache) as plain tuples, read back as a `_StoredPooling`."""
        return _StoredPooling, (tuple((b.mentor, b.campaigns, b.counts, b.k) for b in self.blocks),
                                {m: (b.campaigns, b.counts, b.k) for m, b in self.running.items()})


class _StoredPooling(Pooling):
    """A Pooling read back from the cache, the same blocks made from plain tuples only when they are read.

    A department's pool holds thousands of blocks and a page of one mentor reads that mentor's only: unpickling
    thousands of Block objects took longer than everything else the mentor's page does with the pool.
    """

    def __init__(self, rows: tuple, running: dict):
        self._rows = rows
        self.running = _StoredRunning(running)

    def __getattr__(self, name):  # called only while `blocks` is not made yet
        if name == "blocks":
            self.blocks = [Block(*row) for row in self._rows]
            return self.blocks
        raise AttributeError(name)

    def blocks_of(self, mentor) -> list[Block]:
        return [Block(*row) for row in self._rows if row[0] == mentor]


class _StoredRunning(Mapping):
    """mentor -> the running Block, made when it is looked up."""

    def __init__(self, rows: dict):
        self._rows = rows

    def __getitem__(self, mentor) -> Block:
        return Block(mentor, *self._rows[mentor])

    def __iter__(self):
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def ordered(campaigns: Iterable[PoolCampaign]) -> list[PoolCampaign]:
    return sorted(campaigns, key=lambda c: (c.closes_on, c.key))


def build_blocks(campaigns: Iterable[PoolCampaign], cells: Mapping[tuple, int], *,
                 years: int = POOL_YEARS) -> Pooling:
    """Blocks from `cells` {(mentor, campaign key): answers about the mentor}. Pure: no database.

    Campaigns are taken in order of (closes_on, key) whatever order they come in.
    """
    campaigns = ordered(campaigns)
    mentors = sorted({m for m, _c in cells if m is not None})
    result = Pooling()
    running: dict = {m: [] for m in mentors}  # mentor -> [(PoolCampaign, count)]
    for campaign in campaigns:
        for mentor in mentors:
            run = running[mentor]
            while run and campaign.closes_on > add_years(run[0][0].closes_on, years):
                run.pop(0)  # older than the window: never shown
            count = cells.get((mentor, campaign.key), 0)
            if count <= 0:
                continue
            run.append((campaign, count))
            k = max(c.threshold for c, _n in run)
            if sum(n for _c, n in run) >= k:
                result.blocks.append(_block(mentor, run))
                running[mentor] = []
    for mentor, run in running.items():
        if run:
            result.running[mentor] = _block(mentor, run)
    return result


def _block(mentor, run) -> Block:
    return Block(mentor=mentor, campaigns=tuple(c.key for c, _n in run), counts=tuple(n for _c, n in run),
                 k=max(c.threshold for c, _n in run))


# --- from the database ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemBlock:
    """A block seen through one item: the item's respondents per campaign (for the item's audit)."""

    key: tuple
    cells: dict
    k: int
    appears: Hashable


@dataclass
class QuestionnairePool:
    """Everything the per-mentor pages need about one questionnaire, with what may be shown."""

    questionnaire_id: int
    campaigns: list[PoolCampaign]
    totals: dict  # campaign -> every response
    pooling: Pooling
    disclosure: Disclosure
    item_shown: dict  # item id -> keys of blocks whose figures for the item may be shown

    @property
    def titles(self) -> dict:
        return {c.key: c.title for c in self.campaigns}

    def shown_blocks(self, mentor=None) -> list[Block]:
        blocks = self.pooling.blocks if mentor is None else self.pooling.blocks_of(mentor)
        return [b for b in blocks if b.key in self.disclosure.shown]


def _released_campaigns(questionnaire_ids) -> QuerySet[Campaign]:
    """The closed campaigns about the mentor of the questionnaires whose pool is released.

    A campaign whose pool is not released yet (closed moments ago) waits: its figures would change.
    """
    return (Campaign.objects.filter(questionnaire_id__in=questionnaire_ids, about_mentor=True,
                                    status=Campaign.Status.CLOSED)
            .annotate(waiting=Exists(PendingSubmission.objects.filter(campaign=OuterRef("pk"))))
            .filter(waiting=False))


def pooled_campaigns(questionnaire_ids) -> dict[int, list[PoolCampaign]]:
    """The closed and released campaigns about the mentor of each questionnaire, oldest first (one query)."""
    rows = (_released_campaigns(questionnaire_ids).order_by("closes_on", "id")
            .values_list("id", "questionnaire_id", "closes_on", "threshold", "title"))
    out: dict[int, list[PoolCampaign]] = {q: [] for q in questionnaire_ids}
    for pk, questionnaire_id, closes_on, threshold, title in rows:
        out[questionnaire_id].append(PoolCampaign(pk, closes_on, threshold, title))
    return out


def pool_questionnaires(questionnaire_ids: Sequence[int]) -> dict[int, QuestionnairePool]:
    """Blocks and what may be shown of them, for each questionnaire (three queries in all)."""
    questionnaire_ids = list(questionnaire_ids)
    campaigns = pooled_campaigns(questionnaire_ids)
    campaign_ids = [c.key for cs in campaigns.values() for c in cs]
    cells: dict = {}  # (mentor or None, campaign) -> responses
    for row in (Response.objects.filter(campaign_id__in=campaign_ids).order_by()
                .values("subject_id", "campaign_id").annotate(n=Count("id"))):
        cells[(row["subject_id"], row["campaign_id"])] = row["n"]
    item_cells: dict = {}  # item -> {(mentor or None, campaign): respondents}
    for row in (Answer.objects.filter(response__campaign_id__in=campaign_ids).order_by()
                .values("response__subject_id", "response__campaign_id", "item_id")
                .annotate(n=Count("response_id", distinct=True))):
        item_cells.setdefault(row["item_id"], {})[(row["response__subject_id"], row["response__campaign_id"])] = \
            row["n"]
    owner = {c.key: q for q, cs in campaigns.items() for c in cs}
    out = {}
    for questionnaire_id in questionnaire_ids:
        mine = campaigns[questionnaire_id]
        keys = {c.key for c in mine}
        own_cells = {cell: n for cell, n in cells.items() if cell[1] in keys}
        own_items = {item: {cell: n for cell, n in counts.items() if owner.get(cell[1]) == questionnaire_id}
                     for item, counts in item_cells.items()}
        out[questionnaire_id] = pool_one(mine, own_cells, {i: c for i, c in own_items.items() if c},
                                         questionnaire_id=questionnaire_id)
    return out


def pool_one(campaigns: list[PoolCampaign], cells: Mapping[tuple, int],
             item_cells: Mapping[int, Mapping[tuple, int]], *, questionnaire_id=None) -> QuestionnairePool:
    """Blocks, the audit of the blocks, then the audit of each item among the shown blocks. Pure."""
    campaigns = ordered(campaigns)
    order = [c.key for c in campaigns]
    thresholds = {c.key: c.threshold for c in campaigns}
    totals = {c: 0 for c in order}
    for (_mentor, campaign), n in cells.items():
        totals[campaign] += n
    pooling = build_blocks(campaigns, {cell: n for cell, n in cells.items() if cell[0] is not None})
    disclosure = disclose(order=order, totals=totals, thresholds=thresholds, blocks=pooling.blocks)
    shown = [b for b in pooling.blocks if b.key in disclosure.shown]
    item_shown: dict[int, set] = {}
    memo: dict = {}  # required items usually share their counts with the whole: audit each pattern once
    for item, counts in item_cells.items():
        item_totals = {c: 0 for c in order}
        for (_mentor, campaign), n in counts.items():
            if campaign in disclosure.shown_totals:
                item_totals[campaign] += n
        blocks = [ItemBlock(key=b.key, cells={c: counts.get((b.mentor, c), 0) for c in b.campaigns}, k=b.k,
                            appears=b.appears) for b in shown]
        signature = (tuple(item_totals.items()), tuple((b.key, tuple(b.cells.items())) for b in blocks))
        if signature not in memo:
            memo[signature] = disclose(order=order, totals=item_totals, thresholds=thresholds, blocks=blocks).shown
        item_shown[item] = memo[signature]
    return QuestionnairePool(questionnaire_id=questionnaire_id, campaigns=campaigns, totals=totals, pooling=pooling,
                             disclosure=disclosure, item_shown=item_shown)


# --- cached ---------------------------------------------------------------------------------------------------------
# The pool of a questionnaire only changes when one of its campaigns about the mentor closes and its pool is
# released (responses are only ever added, by `surveys.release`), yet computing it (blocks and the department-wide
# complementary-suppression audit of every item) takes about a second for a department of 600 mentors. So it is
# kept in Django's cache under a key made of everything the computation reads of the campaigns: a state that
# changed has another key, so it is computed afresh, never shown stale; the source of this module and of
# `surveys.disclosure` is part of the key, so a changed rule never meets a pool computed by the old one. (A release
# committed between reading the key and computing stores the newer pool under the older key, which no later
# request reads: responses are only added, so a campaign's state never comes back.)

POOL_CACHE_SECONDS = 7 * 24 * 3600
_CODE = hashlib.sha256(Path(__file__).read_bytes() + Path(disclosure_rules.__file__).read_bytes()).hexdigest()[:16]
logger = logging.getLogger(__name__)


def pool_fingerprints(questionnaire_ids: Sequence[int]) -> dict[int, str]:
    """{questionnaire: digest of the state its pool is computed from} (one query).

    Per released campaign: its id and creation time (an id is never reused, but a test database's may be), closing
    day, threshold and title, its responses, and how many of them are about a mentor (a mentor deleted leaves their
    responses about nobody). Answers are written with their response and never change afterwards.
    """
    rows = (_released_campaigns(questionnaire_ids)
            .annotate(answered=Count("responses"), about_someone=Count("responses__subject"))
            .order_by("questionnaire_id", "id")
            .values_list("questionnaire_id", "id", "created_at", "closes_on", "threshold", "title", "answered",
                         "about_someone"))
    states: dict[int, list] = {q: [] for q in questionnaire_ids}
    for questionnaire_id, *state in rows:
        states[questionnaire_id].append(tuple(state))
    return {q: hashlib.sha256(repr(state).encode()).hexdigest() for q, state in states.items()}


def cached_pools(questionnaire_ids: Sequence[int]) -> dict[int, QuestionnairePool]:
    """`pool_questionnaires` through Django's cache (DESIGN.md section 3 unchanged: the very same pools).

    One query when every pool is cached, four when some are not (those computed together). The cache only saves
    time: when it is unreachable (Redis down) the pools are computed as without it.
    """
    questionnaire_ids = list(questionnaire_ids)
    keys = {q: f"surveys:pool:{_CODE}:{q}:{digest}" for q, digest in pool_fingerprints(questionnaire_ids).items()}
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:  # any failure of the cache's server: compute
        logger.warning("survey pools: the cache could not be read; computing", exc_info=True)
        found = {}
    pools = {q: found[key] for q, key in keys.items() if key in found}
    missing = [q for q in questionnaire_ids if q not in pools]
    if missing:
        computed = pool_questionnaires(missing)
        pools.update(computed)
        try:
            cache.set_many({keys[q]: pool for q, pool in computed.items()}, timeout=POOL_CACHE_SECONDS)
        except Exception:  # the next request computes them again
            logger.warning("survey pools: the cache could not be written", exc_info=True)
    return pools
