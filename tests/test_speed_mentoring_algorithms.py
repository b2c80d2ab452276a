"""Speed-mentoring algorithms (DESIGN.md section 2, Mentoring models; issue 6): the rotation of an event and the
stable matching proposed after it.

The matching is checked against an independent brute force written here (`brute_blocking_pairs`,
`feasible_matchings`): it knows nothing of deferred acceptance, only the preferences, the capacities and the
eligibility rule, and it never calls `blocking_pairs` of the module under test.
"""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring.speed import RoundByes, blocking_pairs, byes, propose_matching, rotation, rounds_needed

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- rotation -----------------------------------------------------------------------------------------------------

group_lists = st.lists(st.integers(min_value=0, max_value=50), max_size=9, unique=True)
expert_lists = st.lists(st.sampled_from([f"expert-{i}" for i in range(20)]), max_size=9, unique=True)
round_counts = st.integers(min_value=0, max_value=12)


@FAST
@given(groups=group_lists, experts=expert_lists, rounds=round_counts)
def test_rotation_rules(groups, experts, rounds):
    schedule = rotation(groups, experts, rounds)

    assert len(schedule) == rounds  # one list of meetings per round, nothing outside the rounds
    seen_pairs = set()
    for meetings in schedule:
        round_groups = [g for g, _ in meetings]
        round_experts = [e for _, e in meetings]
        # nobody is in two places at once
        assert len(round_groups) == len(set(round_groups))
        assert len(round_experts) == len(set(round_experts))
        # only the given groups and experts
        assert set(round_groups) <= set(groups)
        assert set(round_experts) <= set(experts)
        # each pair at most once over the event
        for pair in meetings:
            assert pair not in seen_pairs
            seen_pairs.add(pair)

    needed = max(len(groups), len(experts)) if groups and experts else 0
    assert rounds_needed(groups, experts) == needed
    if rounds >= needed:
        assert seen_pairs == set(itertools.product(groups, experts))  # full coverage
    for meetings in schedule[:needed]:
        assert len(meetings) == min(len(groups), len(experts))  # every round as full as it can be


@FAST
@given(groups=group_lists, experts=expert_lists, rounds=round_counts, more=st.integers(min_value=0, max_value=5))
def test_rotation_is_deterministic_and_fewer_rounds_give_a_prefix(groups, experts, rounds, more):
    schedule = rotation(groups, experts, rounds)
    assert rotation(list(groups), list(experts), rounds) == schedule
    assert rotation(groups, experts, rounds + more)[:rounds] == schedule


@FAST
@given(groups=group_lists, experts=expert_lists, rounds=round_counts)
def test_byes_are_exactly_those_not_meeting(groups, experts, rounds):
    schedule = rotation(groups, experts, rounds)
    result = byes(schedule, groups, experts)

    assert len(result) == rounds
    for meetings, sitting_out in zip(schedule, result, strict=True):
        meeting_groups = {g for g, _ in meetings}
        meeting_experts = {e for _, e in meetings}
        assert sitting_out.groups == [g for g in groups if g not in meeting_groups]
        assert sitting_out.experts == [e for e in experts if e not in meeting_experts]
        assert set(sitting_out.groups) | meeting_groups == set(groups)
        assert set(sitting_out.experts) | meeting_experts == set(experts)
        if len(groups) == len(experts) and rounds <= len(groups):
            assert sitting_out == RoundByes(groups=[], experts=[])  # equal counts: no byes while pairs remain


def test_rotation_small_example():
    schedule = rotation(["g1", "g2", "g3"], ["A", "B"], 4)
    assert schedule == [
        [("g1", "A"), ("g2", "B")],
        [("g3", "A"), ("g1", "B")],
        [("g2", "A"), ("g3", "B")],
        [],  # everybody has met everybody after three rounds
    ]
    assert byes(schedule, ["g1", "g2", "g3"], ["A", "B"]) == [
        RoundByes(groups=["g3"], experts=[]),
        RoundByes(groups=["g2"], experts=[]),
        RoundByes(groups=["g1"], experts=[]),
        RoundByes(groups=["g1", "g2", "g3"], experts=["A", "B"]),
    ]


def test_rotation_refuses_bad_input():
    with pytest.raises(ValueError):
        rotation(["g1"], ["A"], -1)
    with pytest.raises(ValueError):
        rotation(["g1", "g1"], ["A"], 1)
    with pytest.raises(ValueError):
        rotation(["g1"], ["A", "A"], 1)
    assert rotation([], ["A", "B"], 2) == [[], []]


# --- matching: the independent check ------------------------------------------------------------------------------


def dedup(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def expert_order(expert, mentee_prefs, expert_prefs):
    """The expert's full order over the mentees: ranked mentees first in the expert's order, then the others in
    the order the mentees were given."""
    mentees = list(mentee_prefs)
    ranked = dedup(m for m in expert_prefs.get(expert, []) if m in mentees)
    return ranked + [m for m in mentees if m not in ranked]


def acceptable(mentee, expert, mentee_prefs, eligible):
    return expert in mentee_prefs[mentee] and eligible(mentee, expert)


def brute_blocking_pairs(matching, mentee_prefs, expert_prefs, capacity, eligible):
    """Every (mentee, expert) that would both rather be together, tried pair by pair."""
    experts = set(capacity) | {e for prefs in mentee_prefs.values() for e in prefs}
    found = set()
    for mentee, expert in itertools.product(mentee_prefs, experts):
        if not acceptable(mentee, expert, mentee_prefs, eligible) or matching.get(mentee) == expert:
            continue
        ranking = dedup(mentee_prefs[mentee])
        current = matching.get(mentee)
        current_rank = ranking.index(current) if current in ranking else len(ranking)
        if ranking.index(expert) >= current_rank:
            continue  # the mentee is not better off
        held = [m for m, e in matching.items() if e == expert]
        order = expert_order(expert, mentee_prefs, expert_prefs)
        free_seat = len(held) < capacity.get(expert, 0)
        rather_this_one = any(order.index(mentee) < order.index(m) for m in held)
        if free_seat or rather_this_one:
            found.add((mentee, expert))
    return found


def feasible_matchings(mentee_prefs, capacity, eligible):
    """Every matching of mentees to acceptable experts (or none) within the capacities."""
    mentees = list(mentee_prefs)
    options = [[None] + [e for e in dedup(mentee_prefs[m]) if eligible(m, e)] for m in mentees]
    for choice in itertools.product(*options):
        load = {}
        for expert in choice:
            if expert is not None:
                load[expert] = load.get(expert, 0) + 1
        if all(n <= capacity.get(e, 0) for e, n in load.items()):
            yield dict(zip(mentees, choice, strict=True))


# --- matching: instances ------------------------------------------------------------------------------------------


@st.composite
def instances(draw, max_mentees=6, max_experts=4, complete=False, all_eligible=False):
    mentees = [f"m{i}" for i in range(draw(st.integers(min_value=0, max_value=max_mentees)))]
    experts = [f"E{i}" for i in range(draw(st.integers(min_value=0, max_value=max_experts)))]
    mentee_prefs = {}
    for m in mentees:
        if complete:
            mentee_prefs[m] = draw(st.permutations(experts))
        else:  # top choices, possibly repeated or naming an expert who is not at the event
            mentee_prefs[m] = draw(st.lists(st.sampled_from(experts + ["ghost"]), max_size=len(experts) + 1))
    # an expert's preferences may name a mentee twice or someone who is not a mentee of the event
    named = st.sampled_from(mentees + ["stranger"])
    expert_prefs = {e: draw(st.lists(named, max_size=len(mentees) + 1)) for e in experts}
    capacity = {e: draw(st.integers(min_value=0, max_value=3)) for e in experts}
    ineligible = set()
    if mentees and experts and not all_eligible:
        ineligible = draw(st.sets(st.tuples(st.sampled_from(mentees), st.sampled_from(experts))))

    def eligible(mentee, expert):
        return (mentee, expert) not in ineligible

    return mentee_prefs, expert_prefs, capacity, eligible


def check_feasible(matching, mentee_prefs, capacity, eligible):
    assert set(matching) == set(mentee_prefs)  # every mentee has an answer, possibly None
    load = {}
    for mentee, expert in matching.items():
        if expert is None:
            continue
        assert expert in mentee_prefs[mentee]  # only an expert the mentee ranked
        assert eligible(mentee, expert)  # eligible pairs only
        load[expert] = load.get(expert, 0) + 1
    for expert, n in load.items():
        assert n <= capacity.get(expert, 0)  # within capacity


# --- matching: properties -----------------------------------------------------------------------------------------


@FAST
@given(instance=instances())
def test_matching_is_feasible_and_stable(instance):
    mentee_prefs, expert_prefs, capacity, eligible = instance
    matching = propose_matching(mentee_prefs, expert_prefs, capacity, eligible)

    check_feasible(matching, mentee_prefs, capacity, eligible)
    assert brute_blocking_pairs(matching, mentee_prefs, expert_prefs, capacity, eligible) == set()
    assert propose_matching(mentee_prefs, expert_prefs, capacity, eligible) == matching  # deterministic


@FAST
@given(instance=instances(max_mentees=5, max_experts=3))
def test_matching_is_mentee_optimal(instance):
    mentee_prefs, expert_prefs, capacity, eligible = instance
    matching = propose_matching(mentee_prefs, expert_prefs, capacity, eligible)

    def rank(mentee, expert):
        ranking = dedup(mentee_prefs[mentee])
        return ranking.index(expert) if expert is not None else len(ranking)

    stable = [
        other
        for other in feasible_matchings(mentee_prefs, capacity, eligible)
        if not brute_blocking_pairs(other, mentee_prefs, expert_prefs, capacity, eligible)
    ]
    assert matching in stable
    for other in stable:
        for mentee in mentee_prefs:
            assert rank(mentee, matching[mentee]) <= rank(mentee, other[mentee])


@FAST
@given(instance=instances(complete=True))
def test_complete_preferences_leave_a_mentee_out_only_when_their_experts_are_full(instance):
    mentee_prefs, expert_prefs, capacity, eligible = instance
    matching = propose_matching(mentee_prefs, expert_prefs, capacity, eligible)
    load = {e: sum(1 for x in matching.values() if x == e) for e in capacity}
    for mentee, expert in matching.items():
        if expert is None:
            assert all(load[e] >= capacity[e] for e in capacity if eligible(mentee, e))


@FAST
@given(instance=instances(complete=True, all_eligible=True))
def test_every_mentee_matched_when_seats_allow(instance):
    mentee_prefs, expert_prefs, capacity, eligible = instance
    matching = propose_matching(mentee_prefs, expert_prefs, capacity, eligible)
    matched = sum(1 for expert in matching.values() if expert is not None)
    assert matched == min(len(mentee_prefs), sum(capacity.values()))
    if sum(capacity.values()) >= len(mentee_prefs):
        assert None not in matching.values()


@FAST
@given(instance=instances(max_mentees=4, max_experts=3), data=st.data())
def test_blocking_pairs_agrees_with_the_brute_force_on_any_matching(instance, data):
    """Any matching, as a coordinator's edits could leave it: over capacity, ineligible or unranked pairs."""
    mentee_prefs, expert_prefs, capacity, eligible = instance
    experts = list(capacity)
    matching = {m: data.draw(st.sampled_from([None] + experts)) for m in mentee_prefs}
    found = blocking_pairs(matching, mentee_prefs, expert_prefs, capacity, eligible)
    assert len(found) == len(set(found))
    assert set(found) == brute_blocking_pairs(matching, mentee_prefs, expert_prefs, capacity, eligible)


# --- matching: examples with known answers ------------------------------------------------------------------------


def test_hand_made_example():
    """Worked by hand. A has one seat and ranks cat then bob; B has two seats and ranks only ann. Cat may not be
    mentored by A.

    ann proposes to A (held); bob to A, who ranks bob and not ann: ann is sent on to B (held). cat cannot go to A
    (ineligible) and goes to B (held: ann, cat). dan proposes to B, now over capacity: ann is ranked, cat and dan
    are not and cat comes first in the input, so dan is sent on; A keeps bob, whom it ranked. dan stays unmatched.
    """
    mentee_prefs = {"ann": ["A", "B"], "bob": ["A", "B"], "cat": ["A", "B"], "dan": ["B", "A"]}
    expert_prefs = {"A": ["cat", "bob"], "B": ["ann"]}
    capacity = {"A": 1, "B": 2}

    def eligible(mentee, expert):
        return (mentee, expert) != ("cat", "A")

    matching = propose_matching(mentee_prefs, expert_prefs, capacity, eligible)
    assert matching == {"ann": "B", "bob": "A", "cat": "B", "dan": None}
    assert blocking_pairs(matching, mentee_prefs, expert_prefs, capacity, eligible) == []

    # the coordinator moves dan onto B in place of cat: cat and B now block (B has cat ahead of dan)
    edited = {"ann": "B", "bob": "A", "cat": None, "dan": "B"}
    assert blocking_pairs(edited, mentee_prefs, expert_prefs, capacity, eligible) == [("cat", "B")]


def test_opposed_preferences_give_the_mentees_their_first_choices():
    mentee_prefs = {"m1": ["A", "B"], "m2": ["B", "A"]}
    expert_prefs = {"A": ["m2", "m1"], "B": ["m1", "m2"]}
    capacity = {"A": 1, "B": 1}
    matching = propose_matching(mentee_prefs, expert_prefs, capacity, lambda m, e: True)
    assert matching == {"m1": "A", "m2": "B"}  # mentee-optimal; the experts' favourite pairing is stable too


def test_stability_can_leave_a_mentee_out_although_everyone_could_be_placed():
    """A known limit of stable matching under eligibility rules, for the coordinator's review: m2 may only go to A,
    A ranks m1 first and m1 ranks A first, so the stable answer leaves m2 unmatched although m1 -> B, m2 -> A would
    place both; the coordinator decides by editing."""
    mentee_prefs = {"m1": ["A", "B"], "m2": ["A", "B"]}
    expert_prefs = {"A": ["m1", "m2"], "B": []}
    capacity = {"A": 1, "B": 1}

    def eligible(mentee, expert):
        return (mentee, expert) != ("m2", "B")

    matching = propose_matching(mentee_prefs, expert_prefs, capacity, eligible)
    assert matching == {"m1": "A", "m2": None}
    placed_both = {"m1": "B", "m2": "A"}
    assert blocking_pairs(placed_both, mentee_prefs, expert_prefs, capacity, eligible) == [("m1", "A")]


def test_matching_refuses_a_negative_capacity():
    with pytest.raises(ValueError):
        propose_matching({"m1": ["A"]}, {}, {"A": -1}, lambda m, e: True)
