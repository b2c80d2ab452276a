"""Property tests: pooling + complementary suppression never let a figure for fewer than k people be shown or
worked out by adding and subtracting shown figures (DESIGN.md section 3; issue 5).

The check is an independent brute force (`derivable_small_groups`): it knows nothing of blocks, residuals or
components, only cells, shown figures and their counts.
"""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.disclosure import disclose
from surveys.pooling import PoolCampaign, build_blocks, pool_one

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NO_MENTOR = None


# --- the independent check --------------------------------------------------------------------------------------


def derivable_small_groups(figures, counts, threshold_of) -> list[tuple]:
    """Every selection of respondents derivable from `figures` with 1 .. k - 1 people, as (size, k, cells).

    `figures`: frozensets of cells; `counts`: {cell: respondents}; `threshold_of(cell)`: the k of the cell's
    campaign. Every vector of coefficients in {-1, 0, 1} over the figures is tried (depth first, cutting a branch
    only when some cell can no longer end at 0 or 1); a result that is 0 or 1 on every cell with respondents is a
    selection, and it must be empty or hold at least k people, k the largest threshold among its cells.
    """
    cells = sorted({c for f in figures for c in f if counts.get(c, 0) > 0}, key=repr)
    index = {c: i for i, c in enumerate(cells)}
    vectors = [[index[c] for c in f if c in index] for f in figures]
    remaining = [[0] * len(cells) for _ in range(len(figures) + 1)]
    for depth in range(len(figures) - 1, -1, -1):
        remaining[depth] = list(remaining[depth + 1])
        for i in vectors[depth]:
            remaining[depth][i] += 1
    coefficient = [0] * len(cells)
    bad = []

    def visit(depth):
        if depth == len(figures):
            chosen = [c for c, i in index.items() if coefficient[i] == 1]
            if chosen:
                size, k = sum(counts[c] for c in chosen), max(threshold_of(c) for c in chosen)
                if size < k:
                    bad.append((size, k, tuple(chosen)))
            return
        for sign in (0, 1, -1):
            for i in vectors[depth]:
                coefficient[i] += sign
            rest = remaining[depth + 1]
            if all(-rest[i] <= coefficient[i] <= 1 + rest[i] for i in vectors[depth]):
                visit(depth + 1)
            for i in vectors[depth]:
                coefficient[i] -= sign

    visit(0)
    return bad


def test_the_check_finds_a_difference_of_shown_figures():
    """A campaign of 9 and one mentor's 5 in it give away the other 4 (k = 5); the check must say so."""
    counts = {("A", "m1"): 5, ("A", "m2"): 4}
    figures = [frozenset(counts), frozenset({("A", "m1")})]
    assert derivable_small_groups(figures, counts, lambda c: 5) == [(4, 5, (("A", "m2"),))]
    assert derivable_small_groups(figures[:1], counts, lambda c: 5) == []


def test_the_check_finds_blocks_covering_a_campaign():
    """Two mentors' blocks over campaigns A and B cover A entirely: blocks minus A's total isolate B's 4."""
    counts = {("A", "m1"): 3, ("A", "m2"): 3, ("B", "m1"): 2, ("B", "m2"): 2, ("B", None): 5}
    figures = [frozenset({("A", "m1"), ("A", "m2")}), frozenset({("B", "m1"), ("B", "m2"), ("B", None)}),
               frozenset({("A", "m1"), ("B", "m1")}), frozenset({("A", "m2"), ("B", "m2")})]
    assert (4, 5, (("B", "m1"), ("B", "m2"))) in derivable_small_groups(figures, counts, lambda c: 5)


# --- generated departments --------------------------------------------------------------------------------------


@st.composite
def departments(draw):
    """1-3 campaigns (k 3..6 each, closing dates up to ~2 years apart, so the 3-year window matters) x 1-4 mentors,
    plus respondents about no mentor; counts 0..7 per cell, zero often."""
    n_campaigns = draw(st.integers(1, 3))
    n_mentors = draw(st.integers(1, 4))
    day = date(2024, 6, 30)
    campaigns = []
    for key in range(1, n_campaigns + 1):
        day += timedelta(days=draw(st.sampled_from([0, 90, 180, 365, 800])))
        campaigns.append(PoolCampaign(key=key, closes_on=day, threshold=draw(st.integers(3, 6))))
    count = st.one_of(st.just(0), st.integers(0, 7))
    cells = {}
    for c in campaigns:
        for mentor in [*range(1, n_mentors + 1), NO_MENTOR]:
            cells[(mentor, c.key)] = draw(count)
    return campaigns, cells


def shown_figures(campaigns, cells, totals_shown, blocks):
    """The shown figures as sets of cells: campaign totals, then blocks."""
    figures = [frozenset(cell for cell in cells if cell[1] == c.key) for c in campaigns if c.key in totals_shown]
    figures += [frozenset((b.mentor, c) for c in b.campaigns) for b in blocks]
    return figures


def audit(campaigns, cells):
    pooling = build_blocks(campaigns, {cell: n for cell, n in cells.items() if cell[0] is not NO_MENTOR})
    totals = {c.key: sum(n for (_m, key), n in cells.items() if key == c.key) for c in campaigns}
    result = disclose(order=[c.key for c in campaigns], totals=totals,
                      thresholds={c.key: c.threshold for c in campaigns}, blocks=pooling.blocks)
    return pooling, result


@FAST
@given(departments())
def test_no_shown_figure_nor_difference_rests_on_fewer_than_k(department):
    campaigns, cells = department
    pooling, result = audit(campaigns, cells)
    k_of = {c.key: c.threshold for c in campaigns}
    shown = [b for b in pooling.blocks if b.key in result.shown]

    for block in shown:
        assert block.n >= max(k_of[c] for c in block.campaigns)
    for key in result.shown_totals:
        assert sum(n for (_m, c), n in cells.items() if c == key) >= k_of[key]
    figures = shown_figures(campaigns, cells, result.shown_totals, shown)
    assert derivable_small_groups(figures, cells, lambda cell: k_of[cell[1]]) == []


@FAST
@given(departments(), st.data())
def test_each_item_is_audited_among_the_shown_blocks(department, data):
    """Item by item (an optional item answered by some respondents of each cell), nothing below k either."""
    campaigns, cells = department
    item_cells = {cell: data.draw(st.integers(0, n)) for cell, n in cells.items()}
    result = pool_one(campaigns, cells, {7: item_cells})
    k_of = {c.key: c.threshold for c in campaigns}
    shown_totals = {c for c in result.disclosure.shown_totals
                    if sum(n for (_m, key), n in item_cells.items() if key == c) >= k_of[c]}
    blocks = [b for b in result.pooling.blocks if b.key in result.item_shown.get(7, set())]

    assert {b.key for b in blocks} <= result.disclosure.shown
    for block in blocks:
        assert sum(item_cells.get((block.mentor, c), 0) for c in block.campaigns) >= block.k
    figures = shown_figures(campaigns, item_cells, shown_totals, blocks)
    assert derivable_small_groups(figures, item_cells, lambda cell: k_of[cell[1]]) == []


@FAST
@given(departments())
def test_a_block_once_shown_stays_shown_as_later_campaigns_close(department):
    """Pages seen at different times show nested sets of figures, so together they give nothing new."""
    campaigns, cells = department
    _pooling, final = audit(campaigns, cells)
    for size in range(1, len(campaigns)):
        earlier = campaigns[:size]
        keys = {c.key for c in earlier}
        pooling, result = audit(earlier, {cell: n for cell, n in cells.items() if cell[1] in keys})
        assert {b for b in pooling.blocks} <= set(_pooling.blocks)  # complete blocks never change
        assert result.shown <= final.shown


def test_a_group_of_four_at_k_5_never_shows():
    campaign = PoolCampaign(key=1, closes_on=date(2025, 6, 30), threshold=5)
    # Alone: neither the mentor's 4 nor the campaign's 4 is shown.
    pooling, result = audit([campaign], {(1, 1): 4, (NO_MENTOR, 1): 0})
    assert pooling.blocks == [] and result.shown == set() and result.shown_totals == set()
    assert pooling.running[1].n == 4
    # Next to a mentor with 5 in a campaign of 9: showing the 5 would give away the other mentor's 4.
    pooling, result = audit([campaign], {(1, 1): 5, (2, 1): 4, (NO_MENTOR, 1): 0})
    assert [b.n for b in pooling.blocks] == [5]
    assert result.shown_totals == {1} and result.shown == set()
    # With 5 more about a third mentor, one of the two blocks of 5 is shown (both would leave the 4 over).
    cells = {(1, 1): 5, (2, 1): 4, (3, 1): 5, (NO_MENTOR, 1): 0}
    pooling, result = audit([campaign], cells)
    assert result.shown == {(3, 1)} and result.hidden[(1, 1)] == "suppressed"
    figures = shown_figures([campaign], cells, result.shown_totals,
                            [b for b in pooling.blocks if b.key in result.shown])
    assert derivable_small_groups(figures, cells, lambda cell: 5) == []
