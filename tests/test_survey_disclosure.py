"""Complementary suppression (surveys.disclosure): worked examples. The general guarantee is property-tested in
tests/test_survey_disclosure_properties.py."""

from dataclasses import dataclass
from datetime import date, timedelta

from surveys.disclosure import BELOW_K, COMPONENT_CAP, MAX_COMPONENT, SUPPRESSED, disclose
from surveys.pooling import PoolCampaign, build_blocks


@dataclass(frozen=True)
class B:
    key: tuple
    cells: dict
    k: int = 5


def run(totals, blocks, k=5, **kwargs):
    order = list(totals)
    return disclose(order=order, totals=totals, thresholds={c: k for c in order}, blocks=blocks, **kwargs)


def test_a_block_whose_campaign_would_leave_fewer_than_k_over_is_hidden():
    # Campaign of 9: mentor 1 has 5, the other 4 are about someone else. 9 - 5 = 4 would show.
    result = run({"A": 9}, [B((1, "A"), {"A": 5})])
    assert result.shown == set() and result.hidden == {(1, "A"): SUPPRESSED}
    assert result.shown_totals == {"A"}


def test_a_block_equal_to_its_campaign_or_leaving_k_over_is_shown():
    assert run({"A": 5}, [B((1, "A"), {"A": 5})]).shown == {(1, "A")}  # 5 - 5 = 0: nobody singled out
    assert run({"A": 10}, [B((1, "A"), {"A": 5})]).shown == {(1, "A")}  # 10 - 5 = 5


def test_the_smallest_new_block_is_hidden_first():
    result = run({"A": 16}, [B((1, "A"), {"A": 6}), B((2, "A"), {"A": 5}), B((3, "A"), {"A": 3}, k=3)])
    # 16 - 6 - 5 - 3 = 2: hiding the 3 leaves 5.
    assert result.shown == {(1, "A"), (2, "A")} and result.hidden == {(3, "A"): SUPPRESSED}


def test_totals_below_k_are_not_shown_and_do_not_count():
    result = run({"A": 4, "B": 6}, [B((1, "A"), {"A": 3, "B": 3})])
    assert result.shown_totals == {"B"}
    # B's total minus the block would leave 3 of B... but the block also holds 3 of A, which is hidden:
    # no subtraction isolates anyone, so the block is shown.
    assert result.shown == {(1, "A")}


def test_blocks_covering_a_whole_campaign_give_away_the_rest_of_their_campaigns():
    """A: mentors 1 and 2 have 3 each (all of A). B: 2 each and 5 about nobody. Both blocks minus A's total
    would isolate the 4 answers of B about the two mentors."""
    totals = {"A": 6, "B": 9}
    blocks = [B((1, "A"), {"A": 3, "B": 2}), B((2, "A"), {"A": 3, "B": 2})]
    result = run(totals, blocks)
    assert result.shown == {(2, "A")} and result.hidden == {(1, "A"): SUPPRESSED}


def test_incomplete_blocks_are_reported_below_k():
    assert run({"A": 9}, [B((1, "A"), {"A": 4})]).hidden == {(1, "A"): BELOW_K}


def test_only_blocks_completed_by_the_newest_campaign_are_hidden():
    # Mentor 1's block ends in A and was shown when A closed; when B closes, B's total minus mentor 2's block
    # would leave 2: mentor 2's new block is hidden, never mentor 1's older one.
    totals = {"A": 5, "B": 7}
    result = run(totals, [B((1, "A"), {"A": 5}), B((2, "B"), {"B": 5})])
    assert result.shown == {(1, "A")} and result.hidden == {(2, "B"): SUPPRESSED}


def test_an_item_block_appears_when_its_block_was_completed():
    # For an item nobody in B answered, the block still only exists since B closed (appears="B").
    early = run({"A": 5, "B": 5}, [B((1, "A"), {"A": 5, "B": 0})])
    assert early.shown == {(1, "A")}

    @dataclass(frozen=True)
    class Late(B):
        appears: str = "B"

    late = run({"A": 5, "B": 5}, [Late((1, "A"), {"A": 5, "B": 0}), B((2, "B"), {"B": 5})])
    assert late.shown == {(1, "A"), (2, "B")}


def test_a_component_is_capped_and_the_bridging_block_is_hidden():
    """Two mentors whose blocks interlock chain every campaign together; past MAX_COMPONENT campaigns the new
    block that would join the chain is hidden, and the next ones start a new component."""
    n = MAX_COMPONENT + 4
    first = date(2020, 1, 31)
    camps = [PoolCampaign(key=i, closes_on=first + timedelta(days=60 * i), threshold=3) for i in range(n)]
    cells = {}
    for i in range(n):
        cells[("even", i)] = 2
        cells[("odd", i)] = 2
    # "even" pools campaigns (0,1), (2,3), ...; "odd" starts one later: (1,2), (3,4), ... so all are linked.
    cells[("odd", 0)] = 0
    pooling = build_blocks(camps, cells)
    totals = {c.key: 4 for c in camps}
    result = disclose(order=[c.key for c in camps], totals=totals, thresholds={c.key: 3 for c in camps},
                      blocks=pooling.blocks)
    capped = [key for key, why in result.hidden.items() if why == COMPONENT_CAP]
    assert capped
    # What is shown splits into components of at most MAX_COMPONENT campaigns.
    shown = [b for b in pooling.blocks if b.key in result.shown]
    linked = {}
    for block in shown:
        group = set(block.campaigns)
        for other in list(linked.values()):
            if other & group:
                group |= other
        for c in group:
            linked[c] = group
    assert max(len(g) for g in linked.values()) <= MAX_COMPONENT


def test_an_old_big_component_is_audited_quickly():
    """Twelve campaigns linked by twenty mentors' blocks: the audit enumerates 4096 subsets per check."""
    import time

    camps = [PoolCampaign(key=i, closes_on=date(2020, 1, 31) + timedelta(days=90 * i), threshold=5)
             for i in range(MAX_COMPONENT)]
    cells = {(m, c.key): 1 + (m + c.key) % 3 for m in range(20) for c in camps}
    for c in camps:
        cells[(None, c.key)] = 2
    pooling = build_blocks(camps, {cell: n for cell, n in cells.items() if cell[0] is not None})
    totals = {c.key: sum(n for (m, k), n in cells.items() if k == c.key) for c in camps}
    started = time.perf_counter()
    result = disclose(order=[c.key for c in camps], totals=totals, thresholds={c.key: 5 for c in camps},
                      blocks=pooling.blocks)
    elapsed = time.perf_counter() - started
    assert result.shown  # most blocks can be shown
    assert elapsed < 10, elapsed  # generous: a page must not hang (typically well under a second)
