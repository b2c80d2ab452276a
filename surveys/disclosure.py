"""Complementary suppression: no shown figure, nor any difference of shown figures, rests on fewer than k people.

Pure arithmetic over plain numbers (no ORM), so it can be property-tested (tests/test_survey_disclosure_*.py).

The figures. Cells are (campaign, mentor) groups of respondents, plus one cell per campaign for responses about
no mentor. A campaign *total* covers every cell of its campaign; it is shown when it reaches the campaign's k.
A *block* (`surveys.pooling`) covers one mentor's cells in a run of campaigns; blocks never share a cell. A
block is a candidate when its n reaches its k (the largest threshold of its campaigns).

What can be worked out. Add and subtract shown figures (coefficients -1, 0, 1): when the result is, cell by
cell, a plain selection of respondents, that selection must be empty or hold at least k people (k: the largest
threshold of the campaigns it touches). Working through which coefficient each block can take (a block may not
be counted twice nor below zero in any of its cells), every such selection is, plus whole blocks (each >= k),
the sum of two parts that can each be obtained alone:
- R(P) = sum of the totals of a set P of shown campaigns - the shown blocks lying wholly inside P
  (the respondents of P left over once the shown mentors are taken out);
- Q(N) = the shown blocks touching a set N of shown campaigns - the totals of N, where every respondent of N
  belongs to a shown block (what those blocks hold outside N).
Both are >= 0, and if each alone is 0 or >= its k, so is their sum. So the audit checks R(P) and Q(N) for every
set P and N of campaigns within a connected component (campaigns linked by shown blocks; components share no
cell, so they cannot be combined into anything new), and hides a block until no check fails.

Time. Campaigns are taken in order of closing. When campaign t closes, the blocks completed by it are the only
new figures; a violation that appears then is always fixed by hiding new blocks (hiding every new block leaves
R(P) = total(t) + an earlier residual, both 0 or >= k, and makes t unusable in N). So only new blocks are ever
hidden, the smallest first (ties: the block's key), and a block shown once stays shown when later campaigns
close: pages seen at different times show nested sets of figures and cannot be combined into anything the
audit has not checked.

The size cap. The audit enumerates subsets of a component, so a component is capped at `MAX_COMPONENT`
campaigns: a new block that would grow a component beyond it is not shown (its mentor's next block starts a new
component). Again only new blocks are hidden, for the same reason. After years of campaigns this hides the
blocks that bridge into a full component, and those respondents are shown in the mentor's next block only.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

MAX_COMPONENT = 12

BELOW_K = "below_k"
SUPPRESSED = "suppressed"
COMPONENT_CAP = "component_cap"


class BlockLike(Protocol):
    """What the audit needs of a block: a sortable key, its count per campaign and its k.

    Optionally `appears`: the campaign whose closing completed the block (default: its last campaign with a
    count). An item's audit passes it, because a block may have no answer to that item in its last campaign
    and still only exist since that campaign closed.
    """

    key: Hashable
    k: int

    @property
    def cells(self) -> Mapping[Hashable, int]: ...


@dataclass
class Disclosure:
    shown: set = field(default_factory=set)  # keys of shown blocks
    hidden: dict = field(default_factory=dict)  # key -> BELOW_K | SUPPRESSED | COMPONENT_CAP
    shown_totals: set = field(default_factory=set)  # campaigns whose total is shown


@dataclass(eq=False)  # a block is itself: compared by identity (field-by-field `in` checks cost minutes at scale)
class _Block:
    key: Hashable
    cells: dict  # campaign -> count > 0
    n: int
    k: int
    first: int  # position of its first campaign
    last: int  # position of its last campaign


def disclose(*, order: Sequence[Hashable], totals: Mapping[Hashable, int], thresholds: Mapping[Hashable, int],
             blocks: Iterable[BlockLike], max_component: int = MAX_COMPONENT) -> Disclosure:
    """Which blocks may be shown next to the shown campaign totals.

    `order`: the campaigns, oldest first (by closing). `totals`: respondents per campaign (every response,
    also those about no mentor). `thresholds`: k per campaign. `blocks`: objects with `key` (sortable, unique),
    `cells` ({campaign: respondents}), `k` and optionally `appears` (see `BlockLike`).
    """
    position = {c: i for i, c in enumerate(order)}
    result = Disclosure(shown_totals={c for c in order if totals.get(c, 0) and totals[c] >= thresholds[c]})
    by_step: dict[int, list[_Block]] = {}
    for block in blocks:
        cells = {c: n for c, n in block.cells.items() if n > 0}
        n = sum(cells.values())
        if not cells or n < block.k:
            result.hidden[block.key] = BELOW_K
            continue
        places = [position[c] for c in cells]
        appears = getattr(block, "appears", None)
        last = max(places) if appears is None else position[appears]
        if last < max(places):
            raise ValueError(f"block {block.key!r} appears before its last campaign")
        entry = _Block(block.key, cells, n, block.k, min(places), last)
        by_step.setdefault(entry.last, []).append(entry)

    shown: list[_Block] = []
    for step, campaign in enumerate(order):
        new = by_step.get(step, [])
        if not new:
            continue
        shown.extend(new)
        _apply_cap(campaign, new, shown, max_component, result)
        while True:
            component, inside = _component(campaign, shown)
            culprits = _violation(sorted(component, key=position.__getitem__), inside, totals, thresholds,
                                  result.shown_totals)
            if culprits is None:
                break
            fresh = [b for b in culprits if b.last == step] or culprits  # always fresh ones: see the docstring
            victim = min(fresh, key=lambda b: (b.n, b.key))
            shown.remove(victim)
            result.hidden[victim.key] = SUPPRESSED
    result.shown = {b.key for b in shown}
    return result


def _component(campaign, shown: list[_Block]) -> tuple[set, list[_Block]]:
    """The campaigns linked to `campaign` through shown blocks, and the shown blocks lying in them (those touching
    any of them: a block touching the component links all its campaigns into it), in the order of `shown`."""
    by_campaign: dict = {}
    for block in shown:
        for c in block.cells:
            by_campaign.setdefault(c, []).append(block)
    component, frontier, linked = {campaign}, [campaign], set()
    while frontier:
        for block in by_campaign.get(frontier.pop(), ()):
            if block not in linked:  # blocks are hashed by identity (eq=False)
                linked.add(block)
                for other in block.cells:
                    if other not in component:
                        component.add(other)
                        frontier.append(other)
    return component, [b for b in shown if b in linked]


def _apply_cap(campaign, new: list[_Block], shown: list[_Block], cap: int, result: Disclosure) -> None:
    """Hide new blocks, the one reaching furthest back first, until the new campaign's component fits the cap."""
    while len(_component(campaign, shown)[0]) > cap:
        victim = min((b for b in new if b in shown), key=lambda b: (b.first, b.n, b.key))
        shown.remove(victim)
        result.hidden[victim.key] = COMPONENT_CAP


def _submasks(mask: int):
    sub = mask
    while sub:
        yield sub
        sub = (sub - 1) & mask


def _violation(campaigns: list, blocks: list[_Block], totals, thresholds, shown_totals) -> list[_Block] | None:
    """The blocks behind some R(P) or Q(N) of 1 .. k - 1 in this component, or None when every check passes.

    Sums over all subsets come from one subset-sum (zeta) transform: f[S] = sum of n of the blocks inside S.
    """
    m = len(campaigns)
    bit = {c: 1 << i for i, c in enumerate(campaigns)}
    full = (1 << m) - 1
    total = [totals.get(c, 0) if c in shown_totals else 0 for c in campaigns]
    k_max = max(thresholds[c] for c in campaigns)
    masks = [sum(bit[c] for c in b.cells) for b in blocks]

    inside = [0] * (1 << m)
    for block, mask in zip(blocks, masks, strict=True):
        inside[mask] += block.n
    for i in range(m):
        step = 1 << i
        for subset in range(1 << m):
            if subset & step:
                inside[subset] += inside[subset ^ step]
    total_of = [0] * (1 << m)
    for subset in range(1, 1 << m):
        low = subset & -subset
        total_of[subset] = total_of[subset ^ low] + total[low.bit_length() - 1]

    shown_mask = sum(bit[c] for c in campaigns if c in shown_totals)
    # R(P): the respondents of the shown campaigns P outside the shown blocks lying wholly inside P.
    for subset in _submasks(shown_mask):
        residual = total_of[subset] - inside[subset]
        if 0 < residual < k_max:
            within = [b for b, mask in zip(blocks, masks, strict=True) if mask & ~subset == 0]
            left = {c: total[i] - sum(b.cells.get(c, 0) for b in within)
                    for i, c in enumerate(campaigns) if subset & bit[c]}
            if residual < max(thresholds[c] for c, n in left.items() if n > 0):
                return within

    # Q(N): what the shown blocks covering every respondent of the campaigns N hold outside N.
    covered = {c: sum(b.cells.get(c, 0) for b in blocks) for c in campaigns}
    eligible = sum(bit[c] for i, c in enumerate(campaigns) if c in shown_totals and covered[c] == total[i])
    for subset in _submasks(eligible):
        overhang = inside[full] - inside[full ^ subset] - total_of[subset]
        if 0 < overhang < k_max:
            touching = [b for b, mask in zip(blocks, masks, strict=True) if mask & subset]
            outside = {c for b in touching for c in b.cells if not subset & bit[c]}
            if overhang < max(thresholds[c] for c in outside):
                return touching
    return None
