"""Speed-mentoring events: planning, timetable, rankings, matching and confirmation (issue 6 item 4; DESIGN.md
section 2, Mentoring models).

The coordinator plans an event (`event_save`), seats the experts and puts the mentees in groups
(`event_set_people`), and generates the timetable (`schedule_generate`, with `speed.rotation`). After the event the
rankings open (`ranking_open`): mentees rank up to three experts their group met (`choices_submit`), experts rank
the mentees they met (`preferences_submit`). The product proposes a matching (`matching_propose`, with
`speed.propose_matching`) within each mentor's remaining capacity under the 3-4 policy and the eligibility rules;
the coordinator edits it (`match_set`) and confirms it (`event_confirm`), which creates the clinical assignments
through `services.assignment_create`, all or nothing.

The algorithms live in `mentoring.speed` (pure Python); this module stores what they return and enforces the
rules around them; the pages' reads are in `mentoring.selectors_speed`. Every write locks the event row first, so a
status change cannot race another write.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organization.dates import long_date
from organization.models import Department, MentoringPolicy
from organization.services import policy_for
from residents.models import Resident

from . import speed
from .eligibility import Eligibility, mentor_eligibility
from .models import (
    Assignment,
    Mentor,
    SpeedChoice,
    SpeedEvent,
    SpeedExpert,
    SpeedGroup,
    SpeedGroupMember,
    SpeedMatch,
    SpeedPreference,
    SpeedSlot,
)
from .selectors import mentors_annotated
from .services import assignment_create

# The model's check constraints, as values for the messages and the forms.
ROUND_MINUTES = (3, 60)
ROUNDS = (1, 30)
MENTEE_CHOICES = 3  # a mentee ranks up to this many experts

T = TypeVar("T")

Status = SpeedEvent.Status


# --- helpers ------------------------------------------------------------------------------------------------------


def _locked(event: SpeedEvent) -> SpeedEvent:
    """The event's row, locked for the rest of the transaction (status changes cannot race other writes)."""
    return SpeedEvent.objects.select_for_update().select_related("department").get(pk=event.pk)


def _require_planning(event: SpeedEvent) -> None:
    if event.status == Status.CONFIRMED:
        raise ValidationError(_("The assignments of this event are confirmed; the event can no longer be changed."))
    if event.status != Status.PLANNING:
        raise ValidationError(_("The rankings of this event are open: its experts, groups and timetable can no "
                                "longer be changed."))


def _require_ranking(event: SpeedEvent) -> None:
    if event.status == Status.PLANNING:
        raise ValidationError(_("The rankings of this event are not open yet."))
    if event.status == Status.CONFIRMED:
        raise ValidationError(_("The assignments of this event are confirmed; rankings and proposals are closed."))


def _check_ranked_once(ids: Sequence[int]) -> None:
    if len(set(ids)) != len(ids):
        raise ValidationError(_("Each person can be ranked once only."))


# --- planning -----------------------------------------------------------------------------------------------------


@transaction.atomic
def event_save(*, department: Department, by, event: SpeedEvent | None = None, title: str, held_on: date,
               starts_at: time, round_minutes: int, rounds: int, place: str = "") -> SpeedEvent:
    """Create a speed-mentoring event (`event` None) or change it while it is being planned.

    Rules: a title; rounds of 3 to 60 minutes; 1 to 30 rounds (database checks back both); an event can be changed
    only while planning; a new number of rounds clears the timetable made for the old one.
    """
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the event a title.")
    if not ROUND_MINUTES[0] <= round_minutes <= ROUND_MINUTES[1]:
        errors["round_minutes"] = _("A round lasts from %(min)d to %(max)d minutes.") % {
            "min": ROUND_MINUTES[0], "max": ROUND_MINUTES[1]}
    if not ROUNDS[0] <= rounds <= ROUNDS[1]:
        errors["rounds"] = _("An event has from %(min)d to %(max)d rounds.") % {"min": ROUNDS[0], "max": ROUNDS[1]}
    if errors:
        raise ValidationError(errors)
    values = {"title": title, "held_on": held_on, "starts_at": starts_at, "round_minutes": round_minutes,
              "rounds": rounds, "place": (place or "").strip()}
    if event is None:
        return SpeedEvent.objects.create(department=department, created_by=by, **values)
    event = _locked(event)
    if event.department_id != department.pk:
        raise ValidationError(_("This event belongs to another department."))
    _require_planning(event)
    if rounds != event.rounds:
        event.slots.all().delete()
    for name, value in values.items():
        setattr(event, name, value)
    event.save(update_fields=list(values))
    return event


@transaction.atomic
def event_set_experts(*, event: SpeedEvent, mentors: Sequence[Mentor]) -> bool:
    """Seat `mentors` as the event's experts, at tables 1, 2, ... in the order given.

    Rules: the experts are active clinical mentors of the event's department, each at one table; only while
    planning; a change clears the timetable. Returns whether an existing timetable was cleared.
    """
    event = _locked(event)
    _require_planning(event)
    ids = [m.pk for m in mentors]
    if len(set(ids)) != len(ids):
        raise ValidationError({"experts": _("Each expert sits at one table only.")})
    rows = Mentor.objects.select_related("user", "specialty").in_bulk(ids)
    errors = []
    for mentor in mentors:
        row = rows.get(mentor.pk)
        if row is None or row.specialty.department_id != event.department_id:
            errors.append(_("%(mentor)s is not a mentor of this department.") % {"mentor": mentor})
        elif not row.is_active:
            errors.append(_("%(mentor)s is marked inactive.") % {"mentor": row})
    if errors:
        raise ValidationError({"experts": errors})
    if list(event.experts.order_by("table").values_list("mentor_id", flat=True)) == ids:
        return False
    cleared = event.slots.exists()
    event.slots.all().delete()
    event.experts.all().delete()
    SpeedExpert.objects.bulk_create([SpeedExpert(event=event, mentor_id=pk, table=table)
                                     for table, pk in enumerate(ids, start=1)])
    return cleared


@transaction.atomic
def event_set_groups(*, event: SpeedEvent, groups: Sequence[Sequence[Resident]]) -> bool:
    """Put the mentees in groups 1, 2, ... in the order given.

    Rules: every group has a mentee; the mentees are active residents of the event's department; a resident is in
    one group only (a database constraint backs it); only while planning; a change clears the timetable. Returns
    whether an existing timetable was cleared.
    """
    event = _locked(event)
    _require_planning(event)
    ids = [[r.pk for r in group] for group in groups]
    flat = [pk for group in ids for pk in group]
    rows = Resident.objects.select_related("user", "specialty").in_bulk(flat)
    errors = []
    for number, group in enumerate(ids, start=1):
        if not group:
            errors.append(_("Group %(number)d has no mentees.") % {"number": number})
    seen: set[int] = set()
    for pk in flat:
        resident = rows.get(pk)
        if resident is None or resident.specialty.department_id != event.department_id:
            errors.append(_("%(resident)s is not a resident of this department.") % {"resident": resident or pk})
        elif resident.status != Resident.Status.ACTIVE:
            errors.append(_("%(resident)s is not active (%(status)s).") % {
                "resident": resident, "status": resident.get_status_display()})
        if pk in seen:
            errors.append(_("%(resident)s is in more than one group; a mentee moves with one group only.") % {
                "resident": resident or pk})
        seen.add(pk)
    if errors:
        raise ValidationError({"groups": errors})
    current: dict[int, set[int]] = {}
    for number, resident_id in event.members.values_list("group__number", "resident_id"):
        current.setdefault(number, set()).add(resident_id)
    if current == {number: set(group) for number, group in enumerate(ids, start=1)}:
        return False
    cleared = event.slots.exists()
    event.slots.all().delete()
    event.members.all().delete()
    event.groups.all().delete()
    made = SpeedGroup.objects.bulk_create([SpeedGroup(event=event, number=n) for n in range(1, len(ids) + 1)])
    SpeedGroupMember.objects.bulk_create([SpeedGroupMember(event=event, group=group, resident_id=pk)
                                          for group, members in zip(made, ids, strict=True) for pk in members])
    return cleared


@transaction.atomic
def event_set_people(*, event: SpeedEvent, mentors: Sequence[Mentor], groups: Sequence[Sequence[Resident]]) -> bool:
    """The experts and the mentee groups together, all or nothing (`event_set_experts`, `event_set_groups`): every
    refusal of either is reported. Returns whether an existing timetable was cleared."""
    _require_planning(_locked(event))
    errors: dict = {}
    cleared = False
    for write in (lambda: event_set_experts(event=event, mentors=mentors),
                  lambda: event_set_groups(event=event, groups=groups)):
        try:
            cleared = write() or cleared
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    return cleared


def split_evenly(residents: Sequence[T], count: int, placed: Sequence[Sequence[T]] = ()) -> list[list[T]]:
    """`count` groups: those in `placed` (groups 1, 2, ...) stay where they are, and each of `residents` in turn
    joins the smallest group (the lowest number among equals), so group sizes differ as little as possible.

    Refuses fewer than one group and more groups than mentees (a group would be empty).
    """
    if count < 1:
        raise ValidationError({"group_count": _("Make at least one group.")})
    if len(placed) > count:
        raise ValidationError({"group_count": _("Some mentees are put in group %(number)d, but there are only "
                                                "%(count)d groups.") % {"number": len(placed), "count": count}})
    total = len(residents) + sum(len(group) for group in placed)
    if total < count:
        raise ValidationError({"group_count": ngettext(
            "%(count)d groups need at least %(count)d mentees; %(total)d is chosen.",
            "%(count)d groups need at least %(count)d mentees; %(total)d are chosen.", total)
            % {"count": count, "total": total}})
    result = [list(group) for group in placed] + [[] for _ in range(count - len(placed))]
    for resident in residents:
        smallest = min(range(count), key=lambda i: (len(result[i]), i))
        result[smallest].append(resident)
    return result


@transaction.atomic
def schedule_generate(*, event: SpeedEvent) -> list[SpeedSlot]:
    """Store the rotation of the event (`speed.rotation` over the groups and the experts' tables), replacing an
    earlier timetable while planning.

    Rules: in each round a group sits at one table and an expert meets one group; a group meets an expert at most
    once (database constraints back both); a group or an expert without a partner in a round sits out (a bye).
    More rounds than it takes for every group to meet every expert are refused, and the message says how many
    that is; fewer are allowed (then not every group meets every expert, which the pages say).
    """
    event = _locked(event)
    _require_planning(event)
    experts = list(event.experts.order_by("table").values_list("pk", flat=True))
    groups = list(event.groups.order_by("number").values_list("pk", flat=True))
    errors = []
    if not experts:
        errors.append(_("Choose the experts first."))
    if not groups:
        errors.append(_("Put the mentees in groups first."))
    if errors:
        raise ValidationError(errors)
    needed = speed.rounds_needed(groups, experts)
    if event.rounds > needed:
        raise ValidationError({"rounds": ngettext(
            "%(needed)d round is enough for every group to meet every expert once, but the event has %(rounds)d. "
            "Set the number of rounds to %(needed)d.",
            "%(needed)d rounds are enough for every group to meet every expert once, but the event has "
            "%(rounds)d. Set the number of rounds to %(needed)d.", needed)
            % {"needed": needed, "rounds": event.rounds}})
    event.slots.all().delete()
    slots = [SpeedSlot(event=event, round_number=number, group_id=group, expert_id=expert)
             for number, meetings in enumerate(speed.rotation(groups, experts, event.rounds), start=1)
             for group, expert in meetings]
    return SpeedSlot.objects.bulk_create(slots)


# --- rankings -----------------------------------------------------------------------------------------------------


def rank_link(event_id: int) -> str:
    """The ranking page's address for e-mails (settings.SITE_URL, the address people open the product at)."""
    return settings.SITE_URL.rstrip("/") + reverse("mentoring:speed_rank", args=[event_id])


def _ranking_letters(event_id: int) -> None:
    """One e-mail to each mentee and expert of the event, in the person's language: the rankings are open."""
    from accounts.tasks import send_email

    event = SpeedEvent.objects.get(pk=event_id)
    users = [m.resident.user for m in event.members.select_related("resident__user")]
    users += [e.mentor.user for e in event.experts.select_related("mentor__user")]
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            figures = {"title": event.title, "date": long_date(event.held_on), "link": rank_link(event.pk)}
            subject = _("Speed mentoring: rank the people you met at “%(title)s”") % figures
            body = "\n\n".join([
                _("Hello,"),
                _("Thank you for taking part in “%(title)s” on %(date)s. Please tell us whom you would like to "
                  "work with: the proposed mentor assignments follow your choices.") % figures,
                _("Make your choices here after logging in: %(link)s") % figures,
            ])
        send_email.delay(subject=subject, body=body, to=[user.email])


@transaction.atomic
def ranking_open(*, event: SpeedEvent, today: date | None = None, notify: bool = True) -> SpeedEvent:
    """Move the event from planning to collecting rankings, and e-mail every mentee and expert a link to rank
    (`notify`; the demo data leaves it off).

    Rules: the event has a timetable; it has been held (today or before); the timetable can no longer change.
    """
    today = today or timezone.localdate()
    event = _locked(event)
    _require_planning(event)
    if not event.slots.exists():
        raise ValidationError(_("Generate the timetable first: the rankings are about the people each one met."))
    if event.held_on > today:
        raise ValidationError(_("The rankings open once the event has been held (on %(date)s).") % {
            "date": long_date(event.held_on)})
    event.status = Status.RANKING
    event.save(update_fields=["status"])
    if notify:
        transaction.on_commit(lambda: _ranking_letters(event.pk))
    return event


def experts_met(event: SpeedEvent, resident: Resident) -> QuerySet[Mentor]:
    """The experts whose tables the resident's group visited, by name."""
    return (Mentor.objects.filter(pk__in=SpeedSlot.objects.filter(
        event=event, group__members__resident=resident).values("expert__mentor"))
        .select_related("user").order_by("user__last_name", "user__first_name"))


def mentees_met(event: SpeedEvent, mentor: Mentor) -> QuerySet[Resident]:
    """The mentees of the groups that sat at the expert's table, by name."""
    groups = SpeedSlot.objects.filter(event=event, expert__mentor=mentor).values("group")
    return (Resident.objects.filter(pk__in=SpeedGroupMember.objects.filter(event=event, group__in=groups)
                                    .values("resident")).select_related("user")
            .order_by("user__last_name", "user__first_name"))


@transaction.atomic
def choices_submit(*, event: SpeedEvent, resident: Resident, mentors_ranked: Sequence[Mentor]) -> list[SpeedChoice]:
    """A mentee's ranking of the experts (first choice first), replacing an earlier one.

    Rules: the rankings are open; the resident is a mentee of the event; one to three experts, each once, and only
    experts whose table the resident's group visited.
    """
    event = _locked(event)
    _require_ranking(event)
    if not SpeedGroupMember.objects.filter(event=event, resident=resident).exists():
        raise ValidationError(_("%(resident)s is not a mentee of this event.") % {"resident": resident})
    ids = [m.pk for m in mentors_ranked]
    if not ids:
        raise ValidationError(_("Choose at least your first choice."))
    if len(ids) > MENTEE_CHOICES:
        raise ValidationError(_("Choose at most %(count)d experts.") % {"count": MENTEE_CHOICES})
    _check_ranked_once(ids)
    met = set(experts_met(event, resident).values_list("pk", flat=True))
    strangers = [m for m in mentors_ranked if m.pk not in met]
    if strangers:
        raise ValidationError([_("Your group did not meet %(mentor)s at this event.") % {"mentor": m}
                               for m in strangers])
    SpeedChoice.objects.filter(event=event, resident=resident).delete()
    return SpeedChoice.objects.bulk_create([SpeedChoice(event=event, resident=resident, mentor_id=pk, rank=rank)
                                            for rank, pk in enumerate(ids, start=1)])


@transaction.atomic
def preferences_submit(*, event: SpeedEvent, mentor: Mentor, residents_ranked: Sequence[Resident]
                       ) -> list[SpeedPreference]:
    """An expert's preferences among the mentees (most preferred first), replacing earlier ones.

    Rules: the rankings are open; the mentor is an expert of the event; at least one mentee, each once, and only
    mentees of the groups that sat at the expert's table.
    """
    event = _locked(event)
    _require_ranking(event)
    if not SpeedExpert.objects.filter(event=event, mentor=mentor).exists():
        raise ValidationError(_("%(mentor)s is not an expert of this event.") % {"mentor": mentor})
    ids = [r.pk for r in residents_ranked]
    if not ids:
        raise ValidationError(_("Choose at least your first choice."))
    _check_ranked_once(ids)
    met = set(mentees_met(event, mentor).values_list("pk", flat=True))
    strangers = [r for r in residents_ranked if r.pk not in met]
    if strangers:
        raise ValidationError([_("%(resident)s was not in a group at your table.") % {"resident": r}
                               for r in strangers])
    SpeedPreference.objects.filter(event=event, mentor=mentor).delete()
    return SpeedPreference.objects.bulk_create([
        SpeedPreference(event=event, mentor=mentor, resident_id=pk, rank=rank) for rank, pk in enumerate(ids, start=1)])


# --- matching -----------------------------------------------------------------------------------------------------


@dataclass
class MatchingInputs:
    """What the matching needs, read in a fixed number of queries.

    `mentees`: the mentees who can be matched (active, no active clinical mentor), in group then name order;
    `mentored`: mentees who already have an active clinical mentor (resident id -> the assignment);
    `capacity`: mentor id -> seats left under the policy maximum (maximum minus the current active clinical load).
    """

    event: SpeedEvent
    policy: MentoringPolicy
    members: list[SpeedGroupMember]
    experts: list[SpeedExpert]
    mentors: dict[int, Mentor]
    residents: dict[int, Resident]
    mentees: list[int]
    mentored: dict[int, Assignment]
    mentee_prefs: dict[int, list[int]]
    expert_prefs: dict[int, list[int]]
    eligibility: dict[int, Eligibility]
    load: dict[int, int]
    capacity: dict[int, int]
    choices: dict[int, list[int]] = field(default_factory=dict)

    def eligible(self, resident_id: int, mentor_id: int) -> bool:
        return resident_id in self._mentee_set and self.eligibility[mentor_id].eligible

    def __post_init__(self):
        self._mentee_set = set(self.mentees)


def matching_inputs(event: SpeedEvent, today: date | None = None) -> MatchingInputs:
    """The preferences, capacities and eligibility of the event's matching (see `MatchingInputs`)."""
    today = today or timezone.localdate()
    policy = policy_for(event.department)
    members = list(event.members.select_related("resident__user", "group")
                   .order_by("group__number", "resident__user__last_name", "resident__user__first_name", "pk"))
    experts = list(event.experts.order_by("table").prefetch_related(
        Prefetch("mentor", queryset=mentors_annotated())))
    mentors = {e.mentor_id: e.mentor for e in experts}
    residents = {m.resident_id: m.resident for m in members}
    mentored = {a.resident_id: a for a in Assignment.objects.filter(
        resident__in=list(residents), ended_on__isnull=True, kind="clinical").select_related("mentor__user")}
    mentees = [m.resident_id for m in members
               if m.resident.status == Resident.Status.ACTIVE and m.resident_id not in mentored]
    choices: dict[int, list[int]] = {}
    for resident_id, mentor_id in (SpeedChoice.objects.filter(event=event).order_by("resident", "rank")
                                   .values_list("resident_id", "mentor_id")):
        choices.setdefault(resident_id, []).append(mentor_id)
    expert_prefs: dict[int, list[int]] = {pk: [] for pk in mentors}
    for mentor_id, resident_id in (SpeedPreference.objects.filter(event=event).order_by("mentor", "rank")
                                   .values_list("mentor_id", "resident_id")):
        expert_prefs.setdefault(mentor_id, []).append(resident_id)
    eligibility = {pk: mentor_eligibility(m, policy=policy, today=today) for pk, m in mentors.items()}
    load = {pk: m.active_count for pk, m in mentors.items()}
    return MatchingInputs(
        event=event, policy=policy, members=members, experts=experts, mentors=mentors, residents=residents,
        mentees=mentees, mentored=mentored,
        mentee_prefs={pk: [m for m in choices.get(pk, []) if m in mentors] for pk in mentees},
        expert_prefs=expert_prefs, eligibility=eligibility, load=load,
        capacity={pk: max(0, policy.max_residents_per_mentor - n) for pk, n in load.items()},
        choices=choices,
    )


@dataclass
class Proposal:
    matched: int
    unmatched: list[Resident]


@transaction.atomic
def matching_propose(*, event: SpeedEvent, today: date | None = None) -> Proposal:
    """Propose the mentor of each mentee by stable matching (`speed.propose_matching`, mentee-proposing), replacing
    the earlier proposals the coordinator has not edited.

    Rules: only mentees who are active and have no active clinical mentor are matched, only to experts they
    ranked; only eligible mentors (`eligibility.mentor_eligibility`); a mentor gets at most the policy maximum
    minus the residents they already mentor (the 3-4 rule), less the seats the coordinator's edits already took;
    the coordinator's edits stay. Stable matching can leave a mentee unmatched: the result lists them for
    placement by hand.
    """
    event = _locked(event)
    _require_ranking(event)
    data = matching_inputs(event, today)
    event.matches.filter(edited=False).delete()
    kept = dict(event.matches.values_list("resident_id", "mentor_id"))
    capacity = dict(data.capacity)
    for mentor_id in kept.values():
        if mentor_id in capacity:
            capacity[mentor_id] = max(0, capacity[mentor_id] - 1)
    result = speed.propose_matching({pk: prefs for pk, prefs in data.mentee_prefs.items() if pk not in kept},
                                    data.expert_prefs, capacity, data.eligible)
    SpeedMatch.objects.bulk_create([SpeedMatch(event=event, resident_id=resident_id, mentor_id=mentor_id)
                                    for resident_id, mentor_id in result.items() if mentor_id is not None])
    unmatched = [data.residents[pk] for pk, mentor_id in result.items() if mentor_id is None]
    return Proposal(matched=sum(1 for m in result.values() if m is not None), unmatched=unmatched)


@transaction.atomic
def match_set(*, event: SpeedEvent, resident: Resident, mentor: Mentor | None, by=None,
              today: date | None = None) -> SpeedMatch | None:
    """The coordinator's change to the proposal: `resident` goes to `mentor`, or to nobody (None: placed by hand
    later). The change is marked as edited and survives a new proposal.

    Rules: before confirmation; the resident is a mentee of the event who is active and has no active clinical
    mentor; the mentor is an expert of the event, eligible, and stays within the policy maximum counting the
    residents they mentor now and the other mentees proposed to them. A change that makes the matching unstable
    is allowed: the review page lists the blocking pairs.
    """
    event = _locked(event)
    _require_ranking(event)
    if not SpeedGroupMember.objects.filter(event=event, resident=resident).exists():
        raise ValidationError(_("%(resident)s is not a mentee of this event.") % {"resident": resident})
    if mentor is None:
        SpeedMatch.objects.filter(event=event, resident=resident).delete()
        return None
    data = matching_inputs(event, today)
    resident = data.residents[resident.pk]
    if mentor.pk not in data.mentors:
        raise ValidationError({"mentor": _("%(mentor)s was not an expert at this event.") % {"mentor": mentor}})
    mentor = data.mentors[mentor.pk]
    errors = []
    if resident.status != Resident.Status.ACTIVE:
        errors.append(_("%(resident)s is not active (%(status)s).") % {
            "resident": resident, "status": resident.get_status_display()})
    elif resident.pk in data.mentored:
        errors.append(_("%(resident)s already has a mentor (%(mentor)s).") % {
            "resident": resident, "mentor": data.mentored[resident.pk].mentor})
    reasons = data.eligibility[mentor.pk].reasons
    if reasons:
        errors.append(_("%(mentor)s cannot receive residents: %(reasons)s.") % {
            "mentor": mentor, "reasons": "; ".join(reasons)})
    others = event.matches.filter(mentor=mentor).exclude(resident=resident).count()
    maximum = data.policy.max_residents_per_mentor
    if data.load[mentor.pk] + others + 1 > maximum:
        errors.append(_("%(mentor)s mentors %(load)d residents and %(others)d more are proposed; one more would "
                        "exceed the maximum of %(max)d.") % {
            "mentor": mentor, "load": data.load[mentor.pk], "others": others, "max": maximum})
    if errors:
        raise ValidationError({"mentor": errors})
    match, _created = SpeedMatch.objects.update_or_create(event=event, resident=resident,
                                                          defaults={"mentor": mentor, "edited": True})
    return match


@transaction.atomic
def event_confirm(*, event: SpeedEvent, by) -> list[Assignment]:
    """Turn every proposed pair into a clinical assignment (`services.assignment_create`, which checks every
    assignment rule again), all or nothing: if any pair is refused, nothing is saved and every refusal is reported.

    Rules: the event is collecting rankings and has proposals; an event is confirmed once.
    """
    event = _locked(event)
    if event.status == Status.CONFIRMED:
        raise ValidationError(_("This event is already confirmed: its assignments exist."))
    if event.status != Status.RANKING:
        raise ValidationError(_("Open the rankings and propose the matching first."))
    matches = list(event.matches.select_related("resident__user", "mentor__user")
                   .order_by("mentor__user__last_name", "resident__user__last_name", "pk"))
    if not matches:
        raise ValidationError(_("There is no proposed assignment to confirm."))
    errors = []
    for match in matches:
        try:
            with transaction.atomic():
                match.assignment = assignment_create(resident=match.resident, mentor=match.mentor, by=by)
        except ValidationError as exc:
            errors += [_("%(resident)s → %(mentor)s: %(reason)s") % {
                "resident": match.resident, "mentor": match.mentor, "reason": message} for message in exc.messages]
    if errors:
        raise ValidationError(errors)  # leaving the transaction undoes the assignments made so far
    SpeedMatch.objects.bulk_update(matches, ["assignment"])
    event.status = Status.CONFIRMED
    event.confirmed_by = by
    event.confirmed_at = timezone.now()
    event.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return [m.assignment for m in matches]
