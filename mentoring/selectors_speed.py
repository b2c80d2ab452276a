"""Reads of the speed-mentoring pages (issue 6 item 4), each in a fixed number of queries; the writes and their
rules are in `mentoring.speed_events`."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from organization.models import Department, MentoringPolicy
from organization.selectors import departments_for_user
from residents.models import Resident

from . import speed
from .eligibility import Eligibility
from .models import (
    Assignment,
    Mentor,
    SpeedChoice,
    SpeedEvent,
    SpeedExpert,
    SpeedGroup,
    SpeedGroupMember,
    SpeedPreference,
    SpeedSlot,
)
from .speed_events import Status, matching_inputs


def events_of_department(department: Department) -> QuerySet[SpeedEvent]:
    """The department's events, newest first, with how many experts and mentees each has."""
    return (SpeedEvent.objects.filter(department=department)
            .annotate(expert_count=Count("experts", distinct=True), mentee_count=Count("members", distinct=True))
            .order_by("-held_on", "-pk"))


def event_for_coordinator(user, pk) -> SpeedEvent:
    """The event `pk` if the user coordinates its department; 404 otherwise."""
    event = (SpeedEvent.objects.select_related("department", "created_by", "confirmed_by")
             .filter(pk=pk, department__in=departments_for_user(user)).first())
    if event is None:
        raise Http404
    return event


def experts_of(event: SpeedEvent) -> list[SpeedExpert]:
    return list(event.experts.select_related("mentor__user", "mentor__clinical_site").order_by("table"))


def groups_of(event: SpeedEvent) -> list[SpeedGroup]:
    """The groups in number order, each with `.mentees` (its members' residents, by name)."""
    members = (SpeedGroupMember.objects.select_related("resident__user")
               .order_by("resident__user__last_name", "resident__user__first_name"))
    groups = list(event.groups.order_by("number").prefetch_related(Prefetch("members", queryset=members)))
    for group in groups:
        group.mentees = [m.resident for m in group.members.all()]
    return groups


@dataclass
class TimetableRound:
    number: int
    starts: datetime
    ends: datetime
    cells: list  # per expert table: the SpeedGroup sitting there, or None
    idle_groups: list
    idle_experts: list


@dataclass
class Timetable:
    experts: list[SpeedExpert]
    groups: list[SpeedGroup]
    rounds: list[TimetableRound]
    needed: int  # rounds for every group to meet every expert

    @property
    def complete(self) -> bool:
        """Every group meets every expert."""
        return bool(self.rounds) and len(self.rounds) >= self.needed

    @property
    def missed(self) -> int:
        """How many group-expert pairs never meet."""
        met = sum(1 for r in self.rounds for cell in r.cells if cell is not None)
        return len(self.experts) * len(self.groups) - met


def round_times(event: SpeedEvent, number: int) -> tuple[datetime, datetime]:
    """When round `number` (1-based) starts and ends: rounds follow each other from `starts_at`."""
    start = datetime.combine(event.held_on, event.starts_at) + timedelta(minutes=event.round_minutes * (number - 1))
    return start, start + timedelta(minutes=event.round_minutes)


def timetable(event: SpeedEvent) -> Timetable:
    """The stored timetable: one row per round (clock times, the group at each expert's table, the byes)."""
    experts = experts_of(event)
    groups = groups_of(event)
    expert_by_pk = {e.pk: e for e in experts}
    group_by_pk = {g.pk: g for g in groups}
    schedule: dict[int, list[tuple[int, int]]] = {}
    for number, group_id, expert_id in event.slots.values_list("round_number", "group_id", "expert_id"):
        schedule.setdefault(number, []).append((group_id, expert_id))
    rounds = []
    if schedule:
        per_round = [schedule.get(n, []) for n in range(1, event.rounds + 1)]
        idle = speed.byes(per_round, list(group_by_pk), list(expert_by_pk))
        for number, (meetings, sitting_out) in enumerate(zip(per_round, idle, strict=True), start=1):
            at_table = {expert_id: group_by_pk[group_id] for group_id, expert_id in meetings}
            starts, ends = round_times(event, number)
            rounds.append(TimetableRound(
                number=number, starts=starts, ends=ends, cells=[at_table.get(e.pk) for e in experts],
                idle_groups=[group_by_pk[pk] for pk in sitting_out.groups],
                idle_experts=[expert_by_pk[pk] for pk in sitting_out.experts]))
    return Timetable(experts=experts, groups=groups, rounds=rounds, needed=speed.rounds_needed(groups, experts))


@dataclass
class RankingRow:
    person: object  # a Resident or a Mentor
    ranked: list  # the people ranked, first choice first
    group: SpeedGroup | None = None
    table: int | None = None


def ranking_progress(event: SpeedEvent) -> tuple[list[RankingRow], list[RankingRow]]:
    """Who has ranked: (mentees, experts), each with the people they ranked in order."""
    members = list(event.members.select_related("resident__user", "group")
                   .order_by("group__number", "resident__user__last_name", "resident__user__first_name"))
    experts = experts_of(event)
    names_r = {m.resident_id: m.resident for m in members}
    names_m = {e.mentor_id: e.mentor for e in experts}
    chosen: dict[int, list] = {}
    for resident_id, mentor_id in (SpeedChoice.objects.filter(event=event).order_by("resident", "rank")
                                   .values_list("resident_id", "mentor_id")):
        chosen.setdefault(resident_id, []).append(names_m.get(mentor_id))
    preferred: dict[int, list] = {}
    for mentor_id, resident_id in (SpeedPreference.objects.filter(event=event).order_by("mentor", "rank")
                                   .values_list("mentor_id", "resident_id")):
        preferred.setdefault(mentor_id, []).append(names_r.get(resident_id))
    return ([RankingRow(person=m.resident, ranked=chosen.get(m.resident_id, []), group=m.group) for m in members],
            [RankingRow(person=e.mentor, ranked=preferred.get(e.mentor_id, []), table=e.table) for e in experts])


@dataclass
class ReviewPair:
    resident: Resident
    mentee_rank: int | None  # where the mentee ranked this mentor
    expert_rank: int | None  # where the mentor ranked this mentee
    edited: bool
    assignment_id: int | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class ReviewMentor:
    expert: SpeedExpert
    mentor: Mentor
    eligibility: Eligibility
    load: int
    capacity: int  # seats under the policy maximum before this event
    pairs: list[ReviewPair]

    @property
    def remaining(self) -> int:
        return self.capacity - len(self.pairs)


@dataclass
class Review:
    mentors: list[ReviewMentor]
    unmatched: list[tuple[Resident, list[Mentor]]]  # mentees to place, with their choices
    mentored: list[tuple[Resident, Assignment]]  # mentees who already have a clinical mentor
    inactive: list[Resident]
    blocking: list[tuple[Resident, Mentor]]
    policy: MentoringPolicy
    match_count: int

    @property
    def problems(self) -> int:
        return sum(len(p.problems) for m in self.mentors for p in m.pairs)


def matching_review(event: SpeedEvent, today: date | None = None) -> Review:
    """The review of the proposed matching: pairs by mentor with the remaining capacity and each side's rank,
    mentees left to place, mentees who already have a mentor, the pairs that block the matching (it is not stable
    if there are any), and what the confirmation would refuse."""
    data = matching_inputs(event, today)
    matches = list(event.matches.order_by("pk"))
    by_mentor: dict[int, list[ReviewPair]] = {pk: [] for pk in data.mentors}
    matched = {}
    maximum = data.policy.max_residents_per_mentor
    for match in matches:
        resident = data.residents.get(match.resident_id)
        if resident is None:
            continue
        matched[match.resident_id] = match.mentor_id
        choices = data.choices.get(match.resident_id, [])
        preferences = data.expert_prefs.get(match.mentor_id, [])
        pair = ReviewPair(resident=resident,
                          mentee_rank=choices.index(match.mentor_id) + 1 if match.mentor_id in choices else None,
                          expert_rank=preferences.index(resident.pk) + 1 if resident.pk in preferences else None,
                          edited=match.edited, assignment_id=match.assignment_id)
        if event.status != Status.CONFIRMED:
            if resident.pk in data.mentored:
                pair.problems.append(_("already has a mentor (%(mentor)s)") % {
                    "mentor": data.mentored[resident.pk].mentor})
            elif resident.status != Resident.Status.ACTIVE:
                pair.problems.append(_("not active (%(status)s)") % {"status": resident.get_status_display()})
            if match.mentor_id in data.eligibility and not data.eligibility[match.mentor_id].eligible:
                pair.problems.append(_("the mentor cannot receive residents: %(reasons)s") % {
                    "reasons": "; ".join(data.eligibility[match.mentor_id].reasons)})
        by_mentor.setdefault(match.mentor_id, []).append(pair)
    rows = []
    for expert in data.experts:
        pairs = by_mentor.get(expert.mentor_id, [])
        row = ReviewMentor(expert=expert, mentor=expert.mentor, eligibility=data.eligibility[expert.mentor_id],
                           load=data.load[expert.mentor_id], capacity=data.capacity[expert.mentor_id], pairs=pairs)
        if event.status != Status.CONFIRMED and row.load + len(pairs) > maximum:
            for pair in pairs:
                pair.problems.append(_("the mentor would have %(count)d residents, more than %(max)d") % {
                    "count": row.load + len(pairs), "max": maximum})
        rows.append(row)
    unmatched = [(data.residents[pk], [data.mentors[m] for m in data.mentee_prefs[pk]])
                 for pk in data.mentees if pk not in matched]
    blocking = []
    if event.status != Status.CONFIRMED:
        pairs = speed.blocking_pairs({pk: matched.get(pk) for pk in data.mentees}, data.mentee_prefs,
                                     data.expert_prefs, data.capacity, data.eligible)
        blocking = [(data.residents[r], data.mentors[m]) for r, m in pairs]
    return Review(
        mentors=rows, unmatched=unmatched,
        mentored=[(data.residents[pk], a) for pk, a in data.mentored.items() if pk not in matched],
        inactive=[m.resident for m in data.members if m.resident.status != Resident.Status.ACTIVE],
        blocking=blocking, policy=data.policy, match_count=len(matched))


# --- the participants' side ---------------------------------------------------------------------------------------


@dataclass
class MyRound:
    number: int
    starts: datetime
    ends: datetime
    partner: object | None  # the mentee's expert (SpeedExpert) or the expert's group (SpeedGroup); None: a bye


@dataclass
class SpeedParticipation:
    event: SpeedEvent
    role: str  # "mentee" or "expert"
    group: SpeedGroup | None
    expert: SpeedExpert | None
    rounds: list[MyRound]
    has_ranked: bool


def is_participant(user, event: SpeedEvent) -> bool:
    return (SpeedGroupMember.objects.filter(event=event, resident__user=user).exists()
            or SpeedExpert.objects.filter(event=event, mentor__user=user).exists())


def participations(user) -> list[SpeedParticipation]:
    """The events the user takes part in, as a mentee or an expert, newest first, each with the user's own
    timetable (whom they meet in each round) and whether they have ranked. A fixed number of queries."""
    memberships = list(SpeedGroupMember.objects.filter(resident__user=user).select_related("event", "group"))
    seats = list(SpeedExpert.objects.filter(mentor__user=user).select_related("event"))
    if not memberships and not seats:
        return []
    members = (SpeedGroupMember.objects.select_related("resident__user")
               .order_by("resident__user__last_name", "resident__user__first_name"))
    slots = list(SpeedSlot.objects.filter(Q(group__in=[m.group_id for m in memberships])
                                          | Q(expert__in=[s.pk for s in seats]))
                 .select_related("expert__mentor__user", "group")
                 .prefetch_related(Prefetch("group__members", queryset=members)))
    chose = set(SpeedChoice.objects.filter(resident__user=user).values_list("event_id", flat=True).distinct())
    preferred = set(SpeedPreference.objects.filter(mentor__user=user).values_list("event_id", flat=True).distinct())

    def own_rounds(event, partner_of):
        rounds = []
        for number in range(1, event.rounds + 1):
            starts, ends = round_times(event, number)
            rounds.append(MyRound(number=number, starts=starts, ends=ends, partner=partner_of.get(number)))
        return rounds

    result = []
    for m in memberships:
        partner_of = {s.round_number: s.expert for s in slots if s.group_id == m.group_id}
        result.append(SpeedParticipation(event=m.event, role="mentee", group=m.group, expert=None,
                                    rounds=own_rounds(m.event, partner_of) if partner_of else [],
                                    has_ranked=m.event_id in chose))
    for seat in seats:
        partner_of = {s.round_number: s.group for s in slots if s.expert_id == seat.pk}
        for group in partner_of.values():
            group.mentees = [member.resident for member in group.members.all()]
        result.append(SpeedParticipation(event=seat.event, role="expert", group=None, expert=seat,
                                    rounds=own_rounds(seat.event, partner_of) if partner_of else [],
                                    has_ranked=seat.event_id in preferred))
    result.sort(key=lambda p: (p.event.held_on, p.event.pk), reverse=True)
    return result


def speed_events_due(user, today: date | None = None) -> tuple[list[SpeedEvent], list[SpeedEvent]]:
    """For the home pages: (events collecting rankings in which the user takes part and has not ranked yet,
    upcoming events still being planned that the user takes part in, soonest first). Four queries, whatever the
    data."""
    today = today or timezone.localdate()
    as_mentee = Q(members__resident__user=user)
    as_expert = Q(experts__mentor__user=user)
    to_rank = list(SpeedEvent.objects.filter(as_mentee, status=Status.RANKING)
                   .exclude(choices__resident__user=user).distinct())
    to_rank += [e for e in SpeedEvent.objects.filter(as_expert, status=Status.RANKING)
                .exclude(preferences__mentor__user=user).distinct() if e not in to_rank]
    upcoming = list(SpeedEvent.objects.filter(as_mentee, held_on__gte=today, status=Status.PLANNING).distinct())
    upcoming += [e for e in SpeedEvent.objects.filter(as_expert, held_on__gte=today, status=Status.PLANNING)
                 .distinct() if e not in upcoming]
    return (sorted(to_rank, key=lambda e: (e.held_on, e.pk), reverse=True),
            sorted(upcoming, key=lambda e: (e.held_on, e.pk)))
