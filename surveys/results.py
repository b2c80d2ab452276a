"""What the results pages may show (DESIGN.md section 3), with the figures and charts.

- A campaign's results: only once it is closed and its pool released, and only when at least k people answered;
  an item's figures only when at least k answered that item. While open: the response rate only.
- Per mentor (the coordinator's table and the mentor's own page): only the blocks of `surveys.pooling` that
  `surveys.disclosure` lets through, item by item; the same suppression for the coordinator and the mentor.
- Free text: pooled, listed in random order, never next to the other answers of the same response.

Every selector runs a fixed number of queries, whatever the number of responses, items, mentors or campaigns.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentoring.models import Mentor

from .campaigns import response_rate
from .charts import chart_for
from .models import Answer, Campaign, Item, PendingSubmission, Questionnaire, Response
from .models.campaign import DEFAULT_THRESHOLD
from .pooling import POOL_YEARS, Block, QuestionnairePool, cached_pools
from .stats import ItemCounts, ItemStats, item_counts, item_stats

_shuffle = random.SystemRandom().shuffle


def items_of_questionnaires(questionnaire_ids, kinds=None) -> dict[int, list[Item]]:
    """The items of each questionnaire in order, with sections and options (two queries; one when `kinds`, the item
    kinds wanted, has no kind with options)."""
    out: dict[int, list[Item]] = {q: [] for q in questionnaire_ids}
    items = Item.objects.filter(section__questionnaire_id__in=questionnaire_ids).select_related("section")
    if kinds is not None:
        items = items.filter(kind__in=kinds)
    if kinds is None or set(kinds) & set(Item.CHOICE_KINDS):
        items = items.prefetch_related("options")
    for item in items.order_by("section__questionnaire_id", "section__position", "section_id", "position", "id"):
        out[item.section.questionnaire_id].append(item)
    return out


@dataclass
class ItemResult:
    item: Item
    stats: ItemStats | None = None  # None: hidden
    hidden: str = ""
    comments: list[str] = field(default_factory=list)

    @property
    def chart(self):
        return chart_for(self.stats)

    @property
    def key_figure(self) -> float | None:
        """The figure of the per-mentor table: % agreeing (Likert) or % yes."""
        if self.stats is None:
            return None
        return self.stats.pct_agree if self.stats.pct_agree is not None else self.stats.pct_yes


@dataclass
class SectionResults:
    title: str
    items: list[ItemResult]


def _hidden_item(n: int, k: int) -> str:
    if not n:
        return _("Nobody answered this question.")
    return ngettext("Hidden: fewer than %(k)d people answered this question.",
                    "Hidden: fewer than %(k)d people answered this question.", k) % {"k": k}


def _sections(items: list[Item], results: dict[int, ItemResult]) -> list[SectionResults]:
    """The item results grouped by section, in the questionnaire's order."""
    sections: list[SectionResults] = []
    previous = None
    for item in items:
        if item.section_id != previous:
            sections.append(SectionResults(item.section.title, []))
            previous = item.section_id
        sections[-1].items.append(results[item.pk])
    return sections


# --- one campaign ------------------------------------------------------------------------------------------------


@dataclass
class CampaignResults:
    campaign: Campaign
    answered: int
    invited: int
    responses: int
    visible: bool
    reason: str
    sections: list[SectionResults] = field(default_factory=list)

    @property
    def k(self) -> int:
        return self.campaign.threshold

    @property
    def has_comments(self) -> bool:
        return any(r.item.kind == Item.Kind.TEXT and r.stats is not None for s in self.sections for r in s.items)


def hidden_reason(campaign: Campaign, *, responses: int, pending: bool) -> str:
    """The rule of when a campaign's figures may be shown: once it is closed, its pending pool released, and at least
    k people answered. Returns why not ("draft", "open", "releasing", "few"), "" when they may be shown. The results
    pages (`campaign_visibility`) and the reports (reports.sections.stats) both apply it."""
    if campaign.status != Campaign.Status.CLOSED:
        return campaign.status  # draft or open: only the response rate
    if pending:
        return "releasing"
    if responses < campaign.threshold:
        return "few"
    return ""


def campaign_visibility(campaign: Campaign) -> tuple[bool, str, int]:
    """(results visible, why not, responses) for a campaign (two queries)."""
    responses = Response.objects.filter(campaign=campaign).count()
    pending = (campaign.status == Campaign.Status.CLOSED
               and PendingSubmission.objects.filter(campaign=campaign).exists())
    reason = hidden_reason(campaign, responses=responses, pending=pending)
    if reason == Campaign.Status.DRAFT:
        return False, _("This campaign has not been launched yet."), responses
    if reason == Campaign.Status.OPEN:
        return False, _("Results appear when the campaign closes; until then only the response rate is shown, "
                        "so that figures seen at different times cannot be compared to single out anyone."), \
            responses
    if reason == "releasing":
        return False, _("The last answers are being added; the results appear in a moment."), responses
    if reason == "few":
        return False, ngettext(
            "Results are hidden: fewer than %(k)d people answered, and no figure is shown for fewer than %(k)d.",
            "Results are hidden: fewer than %(k)d people answered, and no figure is shown for fewer than %(k)d.",
            campaign.threshold) % {"k": campaign.threshold}, responses
    return True, "", responses


def campaign_results(campaign: Campaign) -> CampaignResults:
    """The response rate, and the figures of every item when they may be shown."""
    answered, invited = response_rate(campaign)
    visible, reason, responses = campaign_visibility(campaign)
    result = CampaignResults(campaign, answered, invited, responses, visible, reason)
    if not visible:
        return result
    items = items_of_questionnaires([campaign.questionnaire_id])[campaign.questionnaire_id]
    counts = item_counts(Answer.objects.filter(response__campaign=campaign), items).get((), {})
    results = {}
    for item in items:
        of_item = counts.get(item.pk, ItemCounts())
        if of_item.n >= campaign.threshold:
            results[item.pk] = ItemResult(item, item_stats(item, of_item))
        else:
            results[item.pk] = ItemResult(item, hidden=_hidden_item(of_item.n, campaign.threshold))
    result.sections = _sections(items, results)
    return result


def campaign_exportable(campaign: Campaign) -> bool:
    visible, _reason, _responses = campaign_visibility(campaign)
    return visible


# --- per mentor ----------------------------------------------------------------------------------------------------


@dataclass
class BlockResult:
    block: Block
    campaigns: list[str]
    sections: list[SectionResults]
    items: dict[int, ItemResult]
    columns: list[ItemResult] = field(default_factory=list)  # the key figures of the per-mentor table

    @property
    def n(self) -> int:
        return self.block.n

    @property
    def slug(self) -> str:
        """Unique on a page: for anchors and element ids."""
        return f"{self.block.mentor}-{self.block.campaigns[0]}"

    @property
    def pooled_from(self) -> str:
        return ", ".join(self.campaigns)

    def figure(self, item: Item) -> ItemResult:
        return self.items[item.pk]


@dataclass
class MentorRow:
    mentor: Mentor
    blocks: list[BlockResult]
    notes: list[str]


def _block_results(blocks: list[tuple[Block, list[Item]]], titles: dict, item_shown: dict, *,
                   comments: bool = True) -> list[BlockResult]:
    """Figures and comments of shown blocks, each with the given items of its questionnaire (the answers counted in
    one pass, surveys.stats.item_counts; one more query for the comments unless `comments` is false).

    `item_shown`: item id -> keys of the blocks whose figures for that item passed the item's audit.
    """
    if not blocks:
        return []
    campaign_ids = sorted({c for b, _items in blocks for c in b.campaigns})
    mentor_ids = sorted({b.mentor for b, _items in blocks})
    answers = Answer.objects.filter(response__campaign_id__in=campaign_ids, response__subject_id__in=mentor_ids)
    items_asked = list({item.pk: item for _block, items in blocks for item in items}.values())
    counts = item_counts(answers, items_asked, group_by=("response__campaign_id", "response__subject_id"))
    texts = defaultdict(list)  # (campaign, mentor, item) -> texts; nothing else of the response comes with them
    if comments and any(item.kind == Item.Kind.TEXT for item in items_asked):
        for campaign_id, mentor_id, item_id, text in (
                answers.filter(item__kind=Item.Kind.TEXT).exclude(text="").order_by()
                .values_list("response__campaign_id", "response__subject_id", "item_id", "text")):
            texts[(campaign_id, mentor_id, item_id)].append(text)
    out = []
    for block, items in blocks:
        results = {}
        for item in items:
            merged = ItemCounts.merged(counts.get((c, block.mentor), {}).get(item.pk, ItemCounts())
                                       for c in block.campaigns)
            if block.key in item_shown.get(item.pk, ()):
                result = ItemResult(item, item_stats(item, merged))
                if item.kind == Item.Kind.TEXT:
                    result.comments = [t for c in block.campaigns for t in texts.get((c, block.mentor, item.pk), [])]
                    _shuffle(result.comments)
            elif merged.n >= block.k:
                result = ItemResult(item, hidden=_("Hidden so that no smaller group can be worked out from the other "
                                                   "figures."))
            else:
                result = ItemResult(item, hidden=_hidden_item(merged.n, block.k))
            results[item.pk] = result
        out.append(BlockResult(block, [titles[c] for c in block.campaigns], _sections(items, results), results))
    return out


def _pending_note(block: Block | None, *, with_count: bool) -> str:
    if block is None:
        return ""
    if with_count:
        return ngettext("%(n)d answer so far; shown once %(k)d have answered.",
                        "%(n)d answers so far; shown once %(k)d have answered.", block.n) % {"n": block.n, "k": block.k}
    return not_enough_yet(block.k)


def not_enough_yet(k: int) -> str:
    return ngettext(
        "Not enough answers yet: results appear once %(k)d residents have answered, pooled over up to %(years)d "
        "years.",
        "Not enough answers yet: results appear once %(k)d residents have answered, pooled over up to %(years)d "
        "years.", k) % {"k": k, "years": POOL_YEARS}


def _suppressed_note(pool: QuestionnairePool, mentor_id) -> str:
    if any(pool.disclosure.hidden.get(b.key) for b in pool.pooling.blocks_of(mentor_id)
           if b.key not in pool.disclosure.shown):
        return _("Some answers are not shown, so that no smaller group can be worked out from the other figures.")
    return ""


@dataclass
class MentorResults:
    questionnaire: Questionnaire
    campaigns: list
    rows: list[MentorRow]
    columns: list[Item]
    items: list[Item]

    @property
    def has_blocks(self) -> bool:
        return any(row.blocks for row in self.rows)


def mentor_results_table(questionnaire: Questionnaire) -> MentorResults:
    """Every mentor of the questionnaire's department (and anyone the answers are about) with their shown blocks,
    or why nothing is shown. A fixed number of queries, whatever the number of mentors and campaigns."""
    pool = cached_pools([questionnaire.pk])[questionnaire.pk]
    items = items_of_questionnaires([questionnaire.pk])[questionnaire.pk]
    block_results = _block_results([(b, items) for b in pool.shown_blocks()], pool.titles, pool.item_shown)
    by_mentor = defaultdict(list)
    for result in block_results:
        by_mentor[result.block.mentor].append(result)
    subjects = {b.mentor for b in pool.pooling.blocks} | set(pool.pooling.running)
    mentors = (Mentor.objects.filter(Q(specialty__department_id=questionnaire.department_id) | Q(pk__in=subjects))
               .select_related("user").order_by("user__last_name", "user__first_name", "pk"))
    rows = []
    for mentor in mentors:
        notes = [n for n in (_suppressed_note(pool, mentor.pk),
                             _pending_note(pool.pooling.running.get(mentor.pk), with_count=True)) if n]
        if not by_mentor[mentor.pk] and not notes:
            notes = [_("No answers about this mentor yet.")]
        rows.append(MentorRow(mentor, by_mentor[mentor.pk], notes))
    columns = [i for i in items if i.kind in (Item.Kind.LIKERT, Item.Kind.YES_NO)]
    for result in block_results:
        result.columns = [result.items[i.pk] for i in columns]
    return MentorResults(questionnaire, pool.campaigns, rows, columns, items)


@dataclass
class OwnResults:
    questionnaire: Questionnaire
    blocks: list[BlockResult]
    notes: list[str]


def my_pooled_results(mentor: Mentor, *, kinds=None, comments: bool = True) -> list[OwnResults]:
    """The mentor's own shown blocks for each questionnaire with answers about them (same suppression as the
    coordinator's table), or that there are not enough answers yet. A fixed number of queries.

    `kinds`: only the items of these kinds (all when None); `comments`: false leaves the free-text comments out
    (the mentor report shows % agreeing only). Fewer items or no comments only leave figures out: the suppression
    is the pools' own, decided over every item."""
    questionnaires = {q.pk: q for q in Questionnaire.objects.filter(
        campaigns__about_mentor=True, campaigns__status=Campaign.Status.CLOSED, campaigns__responses__subject=mentor)
        .order_by().distinct()}
    if not questionnaires:
        return []
    questionnaire_ids = sorted(questionnaires)
    pools = cached_pools(questionnaire_ids)
    items = items_of_questionnaires(questionnaire_ids, kinds)
    titles = {key: title for pool in pools.values() for key, title in pool.titles.items()}
    item_shown = {item: keys for pool in pools.values() for item, keys in pool.item_shown.items()}
    shown = _block_results([(b, items[q]) for q in questionnaire_ids for b in pools[q].shown_blocks(mentor.pk)],
                           titles, item_shown, comments=comments)
    results = {q: [r for r in shown if r.block.campaigns[0] in pools[q].titles] for q in questionnaire_ids}
    out = []
    for q in sorted(questionnaire_ids, key=lambda q: (questionnaires[q].title, q)):
        pool = pools[q]
        notes = [n for n in (_suppressed_note(pool, mentor.pk),
                             _pending_note(pool.pooling.running.get(mentor.pk), with_count=False)) if n]
        if not results[q] and not notes:
            notes = [not_enough_yet(max((c.threshold for c in pool.campaigns), default=DEFAULT_THRESHOLD))]
        out.append(OwnResults(questionnaires[q], results[q], notes))
    return out

