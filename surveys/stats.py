"""Per-item figures of a set of anonymous responses: n, distribution, % agreeing, % yes, mean, SD, median.

The database does the counting: `item_counts` reads the answers once and gives, per group and item, how many
respondents answered and how many answers carry each value (answers counted per number when no item has options;
else COUNT DISTINCT response and a filtered COUNT per scale value and option, a number item's values in one more
grouped query). Everything else is small arithmetic on those
rows, so the number of queries never grows with responses, items or mentors. A group is whatever the caller groups
by (nothing for one campaign; campaign and mentor for pooled blocks); the counts of disjoint groups add up
(`ItemCounts.merged`), which is how a block of several campaigns is built.

Nothing here decides whether a figure may be shown: that is `surveys.results` with `surveys.disclosure`.
"""

import functools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language, override

from .answers import LIKERT_LABELS, YES_NO_LABELS
from .models import Answer, Item

AGREEING = (4, 5)
# The values item_stats reads of each scale: Likert 1-5, yes / no 1 / 0 (a number item's values are any).
_SCALE_VALUES = {Item.Kind.LIKERT: tuple(LIKERT_LABELS), Item.Kind.YES_NO: tuple(YES_NO_LABELS)}


@dataclass
class ItemCounts:
    """What the database counted for one item in one group: respondents, and answers per value.

    `values` maps a number (Likert 1-5, yes/no 1/0, a number item's value) or an option id to its count.
    """

    n: int = 0
    values: Counter = field(default_factory=Counter)

    def add(self, other: "ItemCounts") -> None:
        self.n += other.n
        self.values.update(other.values)

    @classmethod
    def merged(cls, parts: Iterable["ItemCounts"]) -> "ItemCounts":
        total = cls()
        for part in parts:
            total.add(part)
        return total


def item_counts(answers: QuerySet[Answer], items: Sequence[Item], group_by: Sequence[str] = ()
                ) -> dict[tuple, dict[int, ItemCounts]]:
    """{group key: {item id: ItemCounts}} of `items` (options prefetched) in `answers`, grouped by the fields
    `group_by` (the group key is the tuple of their values; the empty tuple without grouping): the respondents of
    each item, and the answers of each Likert value 1-5, of yes and of no, of each option of a choice item and of
    each value of a number item. Items not in `items` are not counted.

    One pass over the answers. An answer holds one value, and an item without options at most one answer per
    response (Answer's constraints), so:
    - without choice items, the answers are counted per group, item and number: an item's respondents are its
      answers, the counts of its numbers its values (one query);
    - with choice items, whose respondents may have several rows, the respondents are counted distinct, with the
      answers of the values known beforehand (the scales' values, the items' options) counted together, a filter
      per value; only the values of number items, unknown beforehand, take a second query, over those items'
      answers alone (through the item index), and only when there are number items.
    """
    group_by = tuple(group_by)
    if not items:
        return {}
    if not any(item.kind in Item.CHOICE_KINDS for item in items):
        return _counts_by_number(answers, items, group_by)
    out: dict[tuple, dict[int, ItemCounts]] = {}
    scale = sorted({v for item in items for v in _SCALE_VALUES.get(item.kind, ())})
    options = [o.pk for item in items if item.kind in Item.CHOICE_KINDS for o in item.options.all()]
    counted = {"n": Count("response_id", distinct=True)}
    counted.update({f"v{i}": Count("id", filter=Q(number=v)) for i, v in enumerate(scale)})
    counted.update({f"o{pk}": Count("id", filter=Q(option_id=pk)) for pk in options})
    kinds = {item.pk: item.kind for item in items}
    choices = {item.pk: [o.pk for o in item.options.all()] for item in items if item.kind in Item.CHOICE_KINDS}
    for row in (answers.filter(item_id__in=list(kinds)).order_by().values(*group_by, "item_id")
                .annotate(**counted)):
        counts = ItemCounts(row["n"])
        for i, v in enumerate(scale):
            if row[f"v{i}"] and v in _SCALE_VALUES.get(kinds[row["item_id"]], ()):
                counts.values[v] = row[f"v{i}"]
        for pk in choices.get(row["item_id"], ()):
            if row[f"o{pk}"]:
                counts.values[pk] = row[f"o{pk}"]
        out.setdefault(tuple(row[f] for f in group_by), {})[row["item_id"]] = counts
    numbers = [pk for pk, kind in kinds.items() if kind == Item.Kind.NUMBER]
    if numbers:
        for row in (answers.filter(item_id__in=numbers, number__isnull=False).order_by()
                    .values(*group_by, "item_id", "number").annotate(c=Count("id"))):
            out[tuple(row[f] for f in group_by)][row["item_id"]].values[_plain_number(row["number"])] += row["c"]
    return out


def _counts_by_number(answers: QuerySet[Answer], items: Sequence[Item], group_by: tuple
                      ) -> dict[tuple, dict[int, ItemCounts]]:
    """item_counts of items without options: the answers counted per group, item and number (one query). A value
    outside an item's scale counts as a respondent without a value, as in the filtered counts."""
    kinds = {item.pk: item.kind for item in items}
    out: dict[tuple, dict[int, ItemCounts]] = {}
    for *key, item_id, number, count in (answers.filter(item_id__in=list(kinds)).order_by()
                                         .values_list(*group_by, "item_id", "number").annotate(c=Count("id"))):
        counts = out.setdefault(tuple(key), {}).setdefault(item_id, ItemCounts())
        counts.n += count
        if number is None:
            continue
        value = _plain_number(number)
        if kinds[item_id] == Item.Kind.NUMBER or value in _SCALE_VALUES.get(kinds[item_id], ()):
            counts.values[value] += count
    return out


def _plain_number(value):
    """A stored decimal as an int when it is whole (Likert 4, yes/no 1), else a float."""
    number = float(value)
    return int(number) if number.is_integer() else number


@dataclass(frozen=True)
class Bar:
    """One value of an item's distribution: its label, count and share of the item's respondents (%)."""

    value: object
    label: str
    count: int
    pct: float


@dataclass(frozen=True)
class ItemStats:
    item: Item
    n: int
    distribution: list[Bar]
    pct_agree: float | None = None
    pct_yes: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None

    @property
    def kind(self) -> str:
        return self.item.kind


def _pct(count: int, n: int) -> float:
    return 100.0 * count / n if n else 0.0


def mean_sd_median(values: Counter) -> tuple[float | None, float | None, float | None]:
    """Mean, sample standard deviation (n - 1) and median of values given as {value: count}. Summed in the order
    of the values, so the same counts give the very same floats whatever order they were counted in (the database
    returns groups in any order)."""
    n = sum(values.values())
    if not n:
        return None, None, None
    ordered = sorted(values.items())
    mean = sum(v * c for v, c in ordered) / n
    sd = math.sqrt(sum(c * (v - mean) ** 2 for v, c in ordered) / (n - 1)) if n > 1 else None

    def at(position: int):
        seen = 0
        for value, count in ordered:
            seen += count
            if position < seen:
                return value
        raise IndexError(position)  # pragma: no cover - positions are below n

    median = (at((n - 1) // 2) + at(n // 2)) / 2
    return mean, sd, median


@functools.lru_cache(maxsize=32)
def _labels(kind: str, language: str | None) -> dict:
    """The words of a scale's values in a language, translated once (not once per item and value)."""
    words = LIKERT_LABELS if kind == Item.Kind.LIKERT else YES_NO_LABELS
    with override(language):
        return {v: str(label) for v, label in words.items()}


def item_stats(item: Item, counts: ItemCounts | None) -> ItemStats:
    """The figures of one item from its counts. Options come from `item.options.all()` (prefetch them)."""
    counts = counts or ItemCounts()
    n, values = counts.n, counts.values
    kind = item.kind
    if kind == Item.Kind.LIKERT:
        labels = _labels(kind, get_language())
        bars = [Bar(v, labels[v], values.get(v, 0), _pct(values.get(v, 0), n)) for v in LIKERT_LABELS]
        mean, sd, median = mean_sd_median(Counter({v: c for v, c in values.items() if v in LIKERT_LABELS}))
        agree = sum(values.get(v, 0) for v in AGREEING)
        return ItemStats(item, n, bars, pct_agree=_pct(agree, n) if n else None, mean=mean, sd=sd, median=median)
    if kind == Item.Kind.YES_NO:
        labels = _labels(kind, get_language())
        bars = [Bar(v, labels[v], values.get(v, 0), _pct(values.get(v, 0), n)) for v in YES_NO_LABELS]
        return ItemStats(item, n, bars, pct_yes=_pct(values.get(1, 0), n) if n else None)
    if kind == Item.Kind.NUMBER:
        mean, sd, median = mean_sd_median(values)
        return ItemStats(item, n, [], mean=mean, sd=sd, median=median)
    if kind in Item.CHOICE_KINDS:
        # Multiple choice: one answer row per chosen option, so each count is of respondents; shares may add
        # up to more than 100 %.
        bars = [Bar(o.value, o.label, values.get(o.pk, 0), _pct(values.get(o.pk, 0), n)) for o in item.options.all()]
        return ItemStats(item, n, bars)
    return ItemStats(item, n, [])
