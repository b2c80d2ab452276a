"""Aggregate helpers shared by the report sections (cohort, mentor, annual monitoring).

Each answers in a fixed number of queries, whatever the number of rows behind it:

- `summaries(queryset, fields=[...], group_by=[...])`: count, mean, median, min and max of numeric fields per
  group, in ONE query. The database computes every figure with window functions (COUNT/AVG/MIN/MAX over the
  group, ROW_NUMBER over the group ordered by the field) and returns only the middle row(s) of each group and
  field, so Python receives at most two rows per group and field (works on SQLite and PostgreSQL).
- `campaign_figures(campaigns)`: the whole-campaign survey figures of several campaigns (response rate,
  respondents, and each item's n and figures), obeying the rules of surveys/results.py (DESIGN.md section 3), in
  at most five queries for all the campaigns together, the answers read once.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from surveys.models import Answer, Campaign, Item, Participation, PendingSubmission, Response
from surveys.results import hidden_reason, items_of_questionnaires
from surveys.stats import ItemCounts, ItemStats, item_counts, item_stats

from .annual_common import count_of

# Summary statistics -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Count (non-empty values), mean, median, minimum and maximum of one field in one group (None when n = 0)."""

    n: int = 0
    mean: float | None = None
    median: float | None = None
    min: float | None = None
    max: float | None = None


def summary_of(values: list) -> Summary:
    """The Summary of a short list already in memory (e.g. one mentor's listed results), by the rule of `summaries`:
    values that are not None, the median the mean of the two middle values for an even count."""
    values = sorted(v for v in values if v is not None)  # Decimals: their mean is exact before it is a float
    n = len(values)
    if not n:
        return Summary()
    return Summary(n=n, mean=float(sum(values) / n), median=(float(values[(n - 1) // 2]) + float(values[n // 2])) / 2,
                   min=float(values[0]), max=float(values[-1]))


def _number(value) -> float | None:
    return None if value is None else float(value)


def summaries(queryset: QuerySet, *, fields: Sequence[str], group_by: Sequence[str] = ()
              ) -> dict[tuple, dict[str, Summary]]:
    """{group key: {field: Summary}} of `queryset`, grouped by `group_by` (lookups such as "stage" or
    "resident__cohort__intake_year__start_year"), in ONE query. The group key is the tuple of the group's
    `group_by` values (the empty tuple without grouping); groups without rows are absent.

    The median is the middle value (the mean of the two middle values for an even count), NULLs left out, like
    the count and the mean.
    """
    fields, group_by = list(fields), list(group_by)
    partition = [F(g) for g in group_by] or None
    annotations, middle = {}, Q()
    for i, name in enumerate(fields):
        annotations.update({
            f"_n{i}": Window(Count(name), partition_by=partition),
            f"_mean{i}": Window(Avg(name), partition_by=partition),
            f"_min{i}": Window(Min(name), partition_by=partition),
            f"_max{i}": Window(Max(name), partition_by=partition),
            f"_rn{i}": Window(RowNumber(), partition_by=partition,
                              order_by=[F(name).asc(nulls_last=True), F("pk").asc()]),
        })
        # The middle row(s) of n ordered values: 2 * row number in (n, n + 1, n + 2).
        annotations[f"_mid{i}"] = 2 * F(f"_rn{i}") - F(f"_n{i}")
        middle |= Q(**{f"_n{i}__gt": 0, f"_mid{i}__gte": 0, f"_mid{i}__lte": 2})
    rows = (queryset.order_by().annotate(**annotations).filter(middle)
            .values(*group_by, *fields, *annotations))
    out: dict[tuple, dict[str, Summary]] = {}
    medians: dict[tuple, list] = defaultdict(list)
    for row in rows:
        key = tuple(row[g] for g in group_by)
        group = out.setdefault(key, {})
        for i, name in enumerate(fields):
            if name not in group:
                group[name] = Summary(n=row[f"_n{i}"], mean=_number(row[f"_mean{i}"]), min=_number(row[f"_min{i}"]),
                                      max=_number(row[f"_max{i}"]))
            if row[f"_n{i}"] and 0 <= row[f"_mid{i}"] <= 2:
                medians[key, name].append(float(row[name]))
    for (key, name), values in medians.items():
        summary = out[key][name]
        out[key][name] = Summary(n=summary.n, mean=summary.mean, median=sum(values) / len(values), min=summary.min,
                                 max=summary.max)
    return out


# Survey figures of whole campaigns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFigure:
    """One item of a campaign whose figures may be shown: its figures, or None when fewer than k answered it."""

    item: Item
    stats: ItemStats | None

    @property
    def hidden(self) -> bool:
        return self.stats is None

    @property
    def key_figure(self) -> float | None:
        """% agreeing (Likert) or % yes (yes / no), as in the per-mentor table of surveys/results.py."""
        if self.stats is None:
            return None
        return self.stats.pct_agree if self.stats.pct_agree is not None else self.stats.pct_yes


@dataclass(frozen=True)
class CampaignFigures:
    """A campaign with its response rate (always shown), and its items' figures when they may be shown."""

    campaign: Campaign
    invited: int
    answered: int
    responses: int
    visible: bool
    why_hidden: str  # "open", "draft", "releasing" (answers still being added) or "few" (fewer than k); "" if shown
    items: list[ItemFigure] = field(default_factory=list)

    @property
    def k(self) -> int:
        return self.campaign.threshold


def campaign_figures(campaigns: QuerySet[Campaign], *, kinds: Sequence[str] | None = None) -> list[CampaignFigures]:
    """Every campaign of `campaigns` (in their order) with its response rate and, when the campaign's figures may be
    shown, every item of its questionnaire in order (only those of `kinds` when given: a section passes the kinds
    it shows): its statistics (surveys.stats.item_stats, so % agreeing has one definition) when at least k answered
    it, else hidden. At most five queries, whatever the number of campaigns, items and answers: the campaigns with
    their counts, the items and options, the answers counted per campaign in one pass (surveys.stats.item_counts;
    a second query over the answers of number items only, when there are some)."""
    # Counts as correlated subqueries, not joins: joining the participations would repeat each campaign's response
    # count once per participation row.
    of_campaign = {"campaign": OuterRef("pk")}
    rows = list(campaigns.annotate(
        invited=count_of(Participation.objects.filter(**of_campaign), "campaign"),
        answered=count_of(Participation.objects.filter(completed=True, **of_campaign), "campaign"),
        respondents=count_of(Response.objects.filter(**of_campaign), "campaign"),
        pending=Exists(PendingSubmission.objects.filter(**of_campaign))))
    out = []
    for c in rows:
        reason = hidden_reason(c, responses=c.respondents, pending=c.pending)
        out.append(CampaignFigures(c, invited=c.invited, answered=c.answered, responses=c.respondents,
                                   visible=not reason, why_hidden=reason))
    shown = [f.campaign for f in out if f.visible]
    items = items_of_questionnaires(sorted({c.questionnaire_id for c in shown}))
    if kinds is not None:
        items = {q: [i for i in of_questionnaire if i.kind in kinds] for q, of_questionnaire in items.items()}
    counts = item_counts(Answer.objects.filter(response__campaign__in=[c.pk for c in shown]),
                         [i for of_questionnaire in items.values() for i in of_questionnaire],
                         group_by=["response__campaign_id"])
    for figures in out:
        if not figures.visible:
            continue
        campaign = figures.campaign
        of_campaign = counts.get((campaign.pk,), {})
        for item in items[campaign.questionnaire_id]:
            answers = of_campaign.get(item.pk, ItemCounts())
            figures.items.append(ItemFigure(item, item_stats(item, answers)
                                            if answers.n >= campaign.threshold else None))
    return out
