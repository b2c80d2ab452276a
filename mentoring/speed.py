"""The two algorithms of a speed-mentoring event (DESIGN.md section 2, Mentoring models; issue 6).

Pure Python, no database: the callers pass plain values (ids or objects that can be dictionary keys) and store
what comes back.

1. `rotation` builds the timetable of the event: in every round each mentee group sits with at most one expert
   and each expert with at most one group, no group meets the same expert twice, and groups or experts sit out
   a round (a bye) when the counts differ. `byes` lists who sits out each round, for the printable schedule.
2. `propose_matching` proposes mentor assignments after the event from the mentees' rankings and the experts'
   preferences: mentee-proposing deferred acceptance (Gale-Shapley, hospitals/residents variant), within each
   expert's remaining capacity and the eligibility rules. `blocking_pairs` checks any matching, proposed or
   edited by the coordinator, for pairs that would both rather be together.
"""

from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Generic, NamedTuple, TypeVar

Group = TypeVar("Group", bound=Hashable)
Expert = TypeVar("Expert", bound=Hashable)
Mentee = TypeVar("Mentee", bound=Hashable)


# --- 1. rotation --------------------------------------------------------------------------------------------------


def _require_distinct(items: Sequence, what: str) -> None:
    if len(set(items)) != len(items):
        raise ValueError(f"each of the {what} must appear once")


def rounds_needed(groups: Sequence[Group], experts: Sequence[Expert]) -> int:
    """How many rounds it takes for every group to meet every expert once: the larger of the two counts.

    Each round a group meets at most one expert, so a group needs as many rounds as there are experts; likewise
    an expert needs as many rounds as there are groups. `rotation` reaches every pair in exactly this many rounds.
    """
    if not groups or not experts:
        return 0
    return max(len(groups), len(experts))


def rotation(groups: Sequence[Group], experts: Sequence[Expert], rounds: int) -> list[list[tuple[Group, Expert]]]:
    """The meetings of each round, one list per round (exactly `rounds` lists), as (group, expert) pairs.

    Rules enforced:
    - nobody is in two places at once: in a round a group meets at most one expert and an expert at most one
      group;
    - each group-expert pair meets at most once over the whole event;
    - every meeting lies inside the given rounds, and only the given groups and experts take part;
    - byes when the counts differ: a group or an expert with no partner in a round sits out (see `byes`).

    Construction (round-robin with byes): both sides are padded with empty seats up to n = max(groups, experts).
    Experts stay at their tables 0 .. n-1; in round r group i sits at table (i + r) mod n, i.e. the groups move
    one table on after each round (the circle method of a bipartite round-robin). Over n rounds each group visits
    every table exactly once, so with `rounds` >= n every group meets every expert exactly once and the rounds after
    the n-th are empty; with fewer rounds the schedule is the first `rounds` rounds of that one. Each round holds
    min(groups, experts) meetings, the most possible. A meeting at an empty table or of an empty group is a bye.
    Meetings within a round are listed in the order of `experts` (table by table); the same input in the same
    order always gives the same schedule.
    """
    if rounds < 0:
        raise ValueError("the number of rounds cannot be negative")
    _require_distinct(groups, "groups")
    _require_distinct(experts, "experts")
    n = rounds_needed(groups, experts)
    schedule: list[list[tuple[Group, Expert]]] = []
    for r in range(rounds):
        meetings: list[tuple[Group, Expert]] = []
        if r < n:
            for table, expert in enumerate(experts):
                i = (table - r) % n  # the group at this table in round r
                if i < len(groups):
                    meetings.append((groups[i], expert))
        schedule.append(meetings)
    return schedule


class RoundByes(NamedTuple, Generic[Group, Expert]):
    """Who sits out one round: groups and experts in the order they were given."""

    groups: list[Group]
    experts: list[Expert]


def byes(
    schedule: Sequence[Iterable[tuple[Group, Expert]]], groups: Sequence[Group], experts: Sequence[Expert]
) -> list[RoundByes[Group, Expert]]:
    """For each round of `schedule`, the groups and experts that meet nobody in it (the byes of the round).

    Works on any schedule (one list of (group, expert) meetings per round), so an edited timetable prints its
    byes correctly too.
    """
    result: list[RoundByes[Group, Expert]] = []
    for meetings in schedule:
        meetings = list(meetings)
        busy_groups = {group for group, _expert in meetings}
        busy_experts = {expert for _group, expert in meetings}
        result.append(
            RoundByes(
                groups=[g for g in groups if g not in busy_groups],
                experts=[e for e in experts if e not in busy_experts],
            )
        )
    return result


# --- 2. stable matching after the event ---------------------------------------------------------------------------


def _first_occurrences(items: Iterable) -> list:
    seen: set = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _expert_orders(
    mentee_prefs: Mapping[Mentee, Sequence[Expert]], expert_prefs: Mapping[Expert, Sequence[Mentee]]
) -> Callable[[Expert, Mentee], tuple[int, int]]:
    """The strict preference of each expert over the mentees, as a sort key (smaller is preferred).

    Mentees the expert ranked come first, in the expert's order (a repeated name counts at its first place);
    every other mentee comes after them, in the order of `mentee_prefs` (the caller fixes that order, e.g. by
    name or by time of submission), which breaks ties deterministically. Names in an expert's list that are not
    mentees of the event are ignored.
    """
    position = {mentee: i for i, mentee in enumerate(mentee_prefs)}
    ranked: dict = {}
    for expert, mentees in expert_prefs.items():
        ranked[expert] = {m: i for i, m in enumerate(_first_occurrences(m for m in mentees if m in position))}

    def key(expert: Expert, mentee: Mentee) -> tuple[int, int]:
        rank = ranked.get(expert, {}).get(mentee)
        return (0, rank) if rank is not None else (1, position[mentee])

    return key


def _acceptable(
    mentee_prefs: Mapping[Mentee, Sequence[Expert]], eligible: Callable[[Mentee, Expert], bool]
) -> dict[Mentee, list[Expert]]:
    """Each mentee's list of experts that may be proposed: those the mentee ranked (first occurrence counts)
    and for whom the pair passes the eligibility rules; an ineligible pair is as if the mentee had not ranked it."""
    return {
        mentee: [e for e in _first_occurrences(experts) if eligible(mentee, e)]
        for mentee, experts in mentee_prefs.items()
    }


def _check_capacity(capacity: Mapping[Expert, int]) -> None:
    for expert, seats in capacity.items():
        if seats < 0:
            raise ValueError(f"the capacity of {expert!r} cannot be negative")


def propose_matching(
    mentee_prefs: Mapping[Mentee, Sequence[Expert]],
    expert_prefs: Mapping[Expert, Sequence[Mentee]],
    capacity: Mapping[Expert, int],
    eligible: Callable[[Mentee, Expert], bool],
) -> dict[Mentee, Expert | None]:
    """The proposed assignment of every mentee of `mentee_prefs`: an expert, or None when none can take them.

    Mentee-proposing deferred acceptance (Gale-Shapley, hospitals/residents variant). Rules enforced:
    - each mentee gets at most one expert, and only one the mentee ranked;
    - only eligible pairs are considered (`eligible(mentee, expert)`): an ineligible pair is as if unranked;
    - no expert gets more mentees than `capacity` (the seats the expert still has under the 3-4 policy; an
      expert missing from `capacity` has none);
    - an expert prefers the mentees they ranked, in their order, to those they did not rank; among unranked
      mentees the order of `mentee_prefs` decides (deterministic ties);
    - the result is stable: no mentee and eligible expert would both rather be together than keep what they
      have (an expert with a free seat takes any eligible mentee who ranked them);
    - it is mentee-optimal: every mentee gets the best expert they can have in any stable matching.

    Each free mentee proposes to the next expert on their list; the expert keeps the best proposals up to
    capacity and sends back the worst. The result does not depend on the order in which proposals are made.
    """
    _check_capacity(capacity)
    prefers = _expert_orders(mentee_prefs, expert_prefs)
    lists = _acceptable(mentee_prefs, eligible)
    next_choice = {mentee: 0 for mentee in mentee_prefs}
    held: dict = {expert: [] for expert in capacity}
    free = deque(mentee_prefs)  # first in, first out: deterministic
    while free:
        mentee = free.popleft()
        choices = lists[mentee]
        while next_choice[mentee] < len(choices):
            expert = choices[next_choice[mentee]]
            next_choice[mentee] += 1
            seats = capacity.get(expert, 0)
            if seats <= 0:
                continue
            holding = held[expert]
            holding.append(mentee)
            if len(holding) <= seats:
                break
            worst = max(holding, key=lambda m, e=expert: prefers(e, m))
            holding.remove(worst)
            if worst != mentee:
                free.append(worst)
                break
            # the expert turned this mentee down: go on with the next choice
    matching: dict[Mentee, Expert | None] = {mentee: None for mentee in mentee_prefs}
    for expert, mentees in held.items():
        for mentee in mentees:
            matching[mentee] = expert
    return matching


def blocking_pairs(
    matching: Mapping[Mentee, Expert | None],
    mentee_prefs: Mapping[Mentee, Sequence[Expert]],
    expert_prefs: Mapping[Expert, Sequence[Mentee]],
    capacity: Mapping[Expert, int],
    eligible: Callable[[Mentee, Expert], bool],
) -> list[tuple[Mentee, Expert]]:
    """The pairs that block `matching` (empty when it is stable), in the order of `mentee_prefs` then of each
    mentee's ranking.

    Rule enforced (stability): a mentee and an eligible expert the mentee ranked form a blocking pair when they
    are not matched together, the mentee prefers the expert to their current situation (no expert, an expert
    ranked lower, or an expert the mentee did not rank), and the expert either has a free seat (fewer mentees
    than `capacity`) or prefers the mentee to the least preferred mentee they hold. Works on any matching, so the
    coordinator's edits can be checked; the preferences are those of `propose_matching`.
    """
    _check_capacity(capacity)
    prefers = _expert_orders(mentee_prefs, expert_prefs)
    lists = _acceptable(mentee_prefs, eligible)
    holding: dict = {}
    for mentee, expert in matching.items():
        if expert is not None and mentee in mentee_prefs:
            holding.setdefault(expert, []).append(mentee)
    pairs: list[tuple[Mentee, Expert]] = []
    for mentee, choices in lists.items():
        current = matching.get(mentee)
        rank = {e: i for i, e in enumerate(_first_occurrences(mentee_prefs[mentee]))}
        current_rank = rank.get(current, len(rank))
        for expert in choices:
            if rank[expert] >= current_rank:
                break  # ranked no better than what the mentee has
            held = holding.get(expert, [])
            if len(held) < capacity.get(expert, 0):
                pairs.append((mentee, expert))
            elif held and prefers(expert, mentee) < max(prefers(expert, m) for m in held):
                pairs.append((mentee, expert))
    return pairs
