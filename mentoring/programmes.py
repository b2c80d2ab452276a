"""Mentoring programmes of a department (issue 6): writes and reads.

Services: `programme_create`, `programme_update` (near-peer and group programmes; the classic clinical
programme exists once per department and its capacity is the department's `MentoringPolicy`).
Assignments to any programme go through the one assignment service, `mentoring.services.assignment_create`.

Selectors: the programmes of a department with their counts, the pairs of a programme grouped by mentor side,
the candidates of the assignment page, "my programmes" of a mentor or resident and the coordinator's overview
(meetings held per pair, goal completion). Each runs a fixed number of queries, whatever the number of rows.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from organization.models import Department, MentoringPolicy
from organization.selectors import coordinates, departments_for_user
from residents.models import Resident
from residents.selectors import residents_base

from .eligibility import Load, load_of, programme_capacity, programme_eligibility
from .models import Assignment, Goal, Meeting, MeetingParticipant, Mentor, Programme
from .selectors import involving, mentors_annotated

OWN_KINDS = (Programme.Kind.NEAR_PEER, Programme.Kind.GROUP)


# --- services ---------------------------------------------------------------------------------------------------


def _check_coordinator(by, department: Department) -> None:
    if not coordinates(by, department.pk):
        raise ValidationError(_("Only a coordinator of %(department)s can manage its programmes.") % {
            "department": department})


def _clean_programme(*, department: Department, name: str, min_per_mentor, max_per_mentor,
                     exclude_pk: int | None = None) -> str:
    """The programme's name, stripped; raises a field-by-field ValidationError for a bad name or capacity."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the programme a name.")
    elif Programme.objects.filter(department=department, name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = _("The department already has a programme called %(name)s.") % {"name": name}
    if max_per_mentor is None or max_per_mentor < 1:
        errors["max_per_mentor"] = _("The maximum number of mentees per mentor must be at least 1.")
    if min_per_mentor is None or min_per_mentor < 0:
        errors["min_per_mentor"] = _("Give the minimum number of mentees per mentor (0 or more).")
    elif "max_per_mentor" not in errors and min_per_mentor > max_per_mentor:
        errors["min_per_mentor"] = _("The minimum (%(min)d) cannot be above the maximum (%(max)d).") % {
            "min": min_per_mentor, "max": max_per_mentor}
    if errors:
        raise ValidationError(errors)
    return name


@transaction.atomic
def programme_create(*, department: Department, by, kind: str, name: str, description: str = "",
                     min_per_mentor: int, max_per_mentor: int) -> Programme:
    """Create a near-peer or group programme in `department`.

    Rules (DESIGN.md section 2, Mentoring models): only a coordinator of the department creates programmes;
    the classic clinical programme is not created here (it exists once per department and uses the
    department's mentoring policy); the name is unique in the department; the capacity per mentor is
    0 <= minimum <= maximum, maximum >= 1 (in a group programme the maximum is the size of each mentor's group).
    """
    _check_coordinator(by, department)
    if kind == Programme.Kind.CLINICAL:
        raise ValidationError({"kind": _(
            "The classic clinical programme exists once per department and uses the department's mentoring "
            "policy; create a near-peer or a group programme.")})
    if kind not in OWN_KINDS:
        raise ValidationError({"kind": _("Unknown kind of programme: %(kind)s.") % {"kind": kind}})
    name = _clean_programme(department=department, name=name, min_per_mentor=min_per_mentor,
                            max_per_mentor=max_per_mentor)
    try:
        with transaction.atomic():
            return Programme.objects.create(department=department, kind=kind, name=name,
                                            description=(description or "").strip(),
                                            min_per_mentor=min_per_mentor, max_per_mentor=max_per_mentor)
    except IntegrityError:  # the same name created meanwhile by a concurrent request
        raise ValidationError({"name": _("The department already has a programme called %(name)s.") % {
            "name": name}}) from None


@transaction.atomic
def programme_update(*, programme: Programme, by, name: str, description: str = "", min_per_mentor: int,
                     max_per_mentor: int, is_active: bool = True) -> Programme:
    """Change a near-peer or group programme's name, description, capacity or whether it is open.

    Rules: only a coordinator of the department; the clinical programme is set by the department's mentoring
    policy and is not edited here; the same name and capacity rules as `programme_create`; the maximum cannot
    go below the number of mentees a mentor side already has in the programme (refused with their names);
    `is_active=False` closes the programme to new assignments and keeps the existing ones.
    The mentor sides' rows are locked (residents, then the programme, then mentors: the order
    `assignment_create` uses) so the loads are counted while no assignment to them can be added.
    """
    _check_coordinator(by, programme.department)
    if programme.kind == Programme.Kind.CLINICAL:
        raise ValidationError(_("The classic clinical programme uses the department's mentoring policy; change "
                                "the policy instead."))
    active = Assignment.objects.filter(programme_id=programme.pk, ended_on__isnull=True)
    peer_ids = sorted(set(active.filter(peer__isnull=False).values_list("peer_id", flat=True)))
    list(Resident.objects.select_for_update().filter(pk__in=peer_ids).order_by("pk").values_list("pk", flat=True))
    programme = Programme.objects.select_for_update(of=("self",)).select_related("department").get(pk=programme.pk)
    mentor_ids = sorted(set(active.filter(mentor__isnull=False).values_list("mentor_id", flat=True)))
    list(Mentor.objects.select_for_update().filter(pk__in=mentor_ids).order_by("pk").values_list("pk", flat=True))
    name = _clean_programme(department=programme.department, name=name, min_per_mentor=min_per_mentor,
                            max_per_mentor=max_per_mentor, exclude_pk=programme.pk)
    over = [load for load in programme_pairs(programme) if load.count > max_per_mentor]
    if over:
        raise ValidationError({"max_per_mentor": _(
            "%(names)s already have more than %(max)d mentees in this programme; end some of those assignments "
            "first or keep the maximum at %(needed)d or more.") % {
                "names": ", ".join(f"{load.side} ({load.count})" for load in over), "max": max_per_mentor,
                "needed": max(load.count for load in over)}})
    programme.name = name
    programme.description = (description or "").strip()
    programme.min_per_mentor = min_per_mentor
    programme.max_per_mentor = max_per_mentor
    programme.is_active = is_active
    try:
        with transaction.atomic():
            programme.save(update_fields=["name", "description", "min_per_mentor", "max_per_mentor", "is_active"])
    except IntegrityError:
        raise ValidationError({"name": _("The department already has a programme called %(name)s.") % {
            "name": name}}) from None
    return programme


# --- reads: programmes and their pairs ---------------------------------------------------------------------------


@dataclass
class SideLoad:
    """One mentor side of a programme (a `Mentor`, or a senior resident in a near-peer programme) and its pairs."""

    side: object
    is_peer: bool
    count: int
    minimum: int
    maximum: int
    assignments: list = field(default_factory=list)

    @property
    def load(self) -> str:
        return load_of(self.count, self.minimum, self.maximum)

    @property
    def room(self) -> int:
        return max(self.maximum - self.count, 0)


def _active_pairs(programme_ids) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(programme_id__in=programme_ids, ended_on__isnull=True)
            .select_related("resident__user", "mentor__user", "peer__user"))


def programme_pairs(programme: Programme, policy: MentoringPolicy | None = None) -> list[SideLoad]:
    """The active pairs of `programme`, grouped by mentor side, with each side's load, by name (one query).
    `policy` (the department's) is needed for the clinical programme only."""
    minimum, maximum = programme_capacity(programme, policy)
    sides: dict[tuple, SideLoad] = {}
    for a in _active_pairs([programme.pk]).order_by("resident__user__last_name", "resident__user__first_name"):
        key = (a.mentor_id, a.peer_id)
        if key not in sides:
            sides[key] = SideLoad(side=a.mentor_side, is_peer=a.peer_id is not None, count=0, minimum=minimum,
                                  maximum=maximum)
        sides[key].count += 1
        sides[key].assignments.append(a)
    return sorted(sides.values(), key=lambda s: (s.side.user.last_name, s.side.user.first_name, s.side.pk))


@dataclass
class ProgrammeRow:
    programme: Programme
    minimum: int
    maximum: int
    active_pairs: int = 0
    mentor_sides: int = 0
    under: int = 0
    full: int = 0
    over: int = 0


def programmes_of_department(department: Department, policy: MentoringPolicy) -> list[ProgrammeRow]:
    """Every programme of the department (clinical first) with its active pairs, mentor sides and how many
    sides are under-used, full or over capacity: two queries, whatever the number of programmes and pairs."""
    programmes = list(Programme.objects.filter(department=department).order_by("kind", "name"))
    rows = {}
    for p in programmes:
        minimum, maximum = programme_capacity(p, policy)
        rows[p.pk] = ProgrammeRow(programme=p, minimum=minimum, maximum=maximum)
    loads = (Assignment.objects.filter(programme__department=department, ended_on__isnull=True)
             .values("programme", "mentor", "peer").annotate(n=Count("pk")).order_by())
    for entry in loads:
        row = rows[entry["programme"]]
        row.active_pairs += entry["n"]
        row.mentor_sides += 1
        load = load_of(entry["n"], row.minimum, row.maximum)
        if load == Load.UNDER:
            row.under += 1
        elif load == Load.FULL:
            row.full += 1
        elif load == Load.OVER:
            row.over += 1
    order = {Programme.Kind.CLINICAL: 0, Programme.Kind.NEAR_PEER: 1, Programme.Kind.GROUP: 2}
    return sorted(rows.values(), key=lambda r: (order.get(r.programme.kind, 9), r.programme.name.lower()))


def programme_for_coordinator(user, pk) -> Programme:
    """The programme `pk` if the user coordinates its department; 404 otherwise."""
    programme = (Programme.objects.select_related("department__policy")
                 .filter(pk=pk, department__in=departments_for_user(user)).first())
    if programme is None:
        raise Http404
    return programme


def assignment_for_coordinator(user, pk) -> Assignment:
    """An assignment of any programme of a department the user coordinates; 404 otherwise."""
    assignment = (Assignment.objects.select_related("programme__department", "resident__user", "mentor__user",
                                                    "peer__user")
                  .filter(pk=pk, programme__department__in=departments_for_user(user)).first())
    if assignment is None:
        raise Http404
    return assignment


def residents_outside(programme: Programme) -> QuerySet[Resident]:
    """Active residents of the programme's department without an active assignment in it (possible mentees)."""
    in_programme = Assignment.objects.filter(resident=OuterRef("pk"), programme=programme, ended_on__isnull=True)
    return (residents_base().filter(specialty__department_id=programme.department_id,
                                    status=Resident.Status.ACTIVE)
            .exclude(Exists(in_programme)).order_by("year_of_study", "user__last_name", "user__first_name"))


# --- reads: candidates of the assignment page ------------------------------------------------------------------


@dataclass
class Candidate:
    """A possible mentor side on the assignment page: `key` is "m<pk>" for a Mentor, "r<pk>" for a resident."""

    key: str
    person: object
    is_peer: bool
    count: int
    minimum: int
    maximum: int
    reasons: list[str]

    @property
    def eligible(self) -> bool:
        return not self.reasons

    @property
    def has_room(self) -> bool:
        return self.count < self.maximum

    @property
    def load(self) -> str:
        """As `load_of`, except that nobody is "under-used" before their first mentee in the programme."""
        return "none" if self.count == 0 else load_of(self.count, self.minimum, self.maximum)


def assign_candidates(programme: Programme, policy: MentoringPolicy, *, mentee: Resident | None = None,
                      today: date | None = None) -> list[Candidate]:
    """Who may be the mentor side in `programme`, with the reasons they may not (empty: eligible) and their load
    in the programme; best first (eligible with room, then by load, then by name).

    Mentors of the department (active ones); in a near-peer programme also the active residents from year 2 on.
    A peer's reasons depend on the mentee's year of study: without `mentee` only the rules that do not depend on
    the mentee are checked. Three or four queries, whatever the number of candidates.
    """
    today = today or timezone.localdate()
    minimum, maximum = programme_capacity(programme, policy)
    loads = {(e["mentor"], e["peer"]): e["n"] for e in (
        Assignment.objects.filter(programme=programme, ended_on__isnull=True)
        .values("mentor", "peer").annotate(n=Count("pk")).order_by())}
    candidates = []
    mentors = mentors_annotated().filter(specialty__department_id=programme.department_id, is_active=True)
    for m in mentors:
        reasons = programme_eligibility(programme, mentee=mentee, mentor=m, policy=policy, today=today)
        candidates.append(Candidate(f"m{m.pk}", m, False, loads.get((m.pk, None), 0), minimum, maximum, reasons))
    if programme.kind == Programme.Kind.NEAR_PEER:
        peers = residents_base().filter(specialty__department_id=programme.department_id,
                                        status=Resident.Status.ACTIVE, year_of_study__gte=2)
        for r in peers:
            if mentee is not None and r.pk == mentee.pk:
                continue
            reasons = (programme_eligibility(programme, mentee=mentee, peer=r, policy=policy, today=today)
                       if mentee is not None else [])
            candidates.append(Candidate(f"r{r.pk}", r, True, loads.get((None, r.pk), 0), minimum, maximum, reasons))
    candidates.sort(key=lambda c: (not c.eligible, not c.has_room, c.count, c.person.user.last_name,
                                   c.person.user.first_name))
    return candidates


# --- reads: my programmes --------------------------------------------------------------------------------------


@dataclass
class MyProgramme:
    """What one user has in one programme: the mentees they mentor, and/or the mentor they have (with the other
    members of the group in a group programme)."""

    programme: Programme
    mentees: list = field(default_factory=list)  # Assignments where the user is the mentor side
    mine: Assignment | None = None  # the Assignment where the user is the mentee
    group: list = field(default_factory=list)  # in a group programme: every member of the user's group
    minimum: int = 0
    maximum: int = 0

    @property
    def load(self) -> str:
        return load_of(len(self.mentees), self.minimum, self.maximum)


def my_programmes(user) -> list[MyProgramme]:
    """Every active assignment `user` is in, on either side, per programme (clinical first).

    Two queries at most: the user's assignments, and the members of the groups the user belongs to as a mentee.
    """
    from organization.services import policy_for

    mine = list(
        Assignment.objects.filter(ended_on__isnull=True)
        .filter(involving(user))
        .select_related("programme__department__policy", "resident__user", "mentor__user", "peer__user")
        .order_by("resident__user__last_name", "resident__user__first_name"))
    by_programme: dict[int, MyProgramme] = {}
    for a in mine:
        entry = by_programme.get(a.programme_id)
        if entry is None:
            p = a.programme
            minimum, maximum = programme_capacity(p, policy_for(p.department))
            entry = by_programme[a.programme_id] = MyProgramme(programme=p, minimum=minimum, maximum=maximum)
        if a.resident.user_id == user.pk:
            entry.mine = a
        else:
            entry.mentees.append(a)
    groups = {(e.programme.pk, e.mine.mentor_id) for e in by_programme.values()
              if e.mine is not None and e.programme.kind == Programme.Kind.GROUP}
    if groups:
        members = (Assignment.objects.filter(ended_on__isnull=True, programme_id__in={p for p, _m in groups},
                                             mentor_id__in={m for _p, m in groups})
                   .select_related("resident__user")
                   .order_by("resident__user__last_name", "resident__user__first_name"))
        for a in members:
            if (a.programme_id, a.mentor_id) in groups:
                by_programme[a.programme_id].group.append(a.resident)
    order = {Programme.Kind.CLINICAL: 0, Programme.Kind.NEAR_PEER: 1, Programme.Kind.GROUP: 2}
    return sorted(by_programme.values(), key=lambda e: (order.get(e.programme.kind, 9), e.programme.name.lower()))


# --- reads: the coordinator's overview -------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """The same local wall-clock time `months` calendar months earlier (the day clamped to the month's end)."""
    local = timezone.localtime(moment)
    year, month = divmod(local.month - 1 - months, 12)
    year += local.year
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def held_meetings(now: datetime) -> QuerySet[Meeting]:
    """Meetings the pair of the outer assignment held (for a subquery over Assignment annotated `side_user`).

    Held: accepted, ended by `now`, in the pair's programme, led by the pair's mentor-side user, with the
    resident as a participant who accepted (a group meeting counts for each attending mentee), and started on
    or after the day the assignment started.
    """
    attended = MeetingParticipant.objects.filter(meeting=OuterRef("pk"), user=OuterRef(OuterRef("resident__user")),
                                                 response=MeetingParticipant.Response.ACCEPTED)
    return Meeting.objects.filter(
        programme=OuterRef("programme"), mentor_user=OuterRef("side_user"), status=Meeting.Status.ACCEPTED,
        ends_at__lte=now, starts_at__date__gte=OuterRef("started_on"),
    ).filter(Exists(attended))


def _count(qs: QuerySet) -> Coalesce:
    counted = qs.order_by().values("programme").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass
class PairFigures:
    assignment: Assignment
    held_3m: int
    held_6m: int
    held_total: int
    last_met: datetime | None
    goals_achieved: int = 0
    goals_counted: int = 0  # goals not dropped
    goals_overdue: int = 0

    @property
    def not_met_3m(self) -> bool:
        return self.held_3m == 0

    @property
    def never_met(self) -> bool:
        return self.held_total == 0


@dataclass
class ProgrammeFigures:
    programme: Programme
    pairs: list[PairFigures] = field(default_factory=list)

    @property
    def not_met_3m(self) -> int:
        return sum(p.not_met_3m for p in self.pairs)

    @property
    def never_met(self) -> int:
        return sum(p.never_met for p in self.pairs)

    @property
    def held_3m(self) -> int:
        return sum(p.held_3m for p in self.pairs)

    @property
    def held_6m(self) -> int:
        return sum(p.held_6m for p in self.pairs)

    @property
    def goals_achieved(self) -> int:
        return sum(p.goals_achieved for p in self.pairs)

    @property
    def goals_counted(self) -> int:
        return sum(p.goals_counted for p in self.pairs)

    @property
    def goals_overdue(self) -> int:
        return sum(p.goals_overdue for p in self.pairs)


def programme_overview(department: Department, *, programme: Programme | None = None,
                       now: datetime | None = None) -> list[ProgrammeFigures]:
    """Per programme of the department (or only `programme`): each active pair with the meetings held in the
    last 3 and 6 months (from the same wall-clock time 3 or 6 calendar months before `now`, inclusive), since the
    assignment started and the last one; and the resident's goals: achieved, not dropped, overdue (open and past
    due). Three queries, whatever the number of pairs, meetings and goals.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    programmes = Programme.objects.filter(department=department)
    if programme is not None:
        programmes = programmes.filter(pk=programme.pk)
    result = {p.pk: ProgrammeFigures(programme=p) for p in programmes.order_by("kind", "name")}
    held = held_meetings(now)
    pairs = (
        _active_pairs(list(result))
        .annotate(side_user=Coalesce("mentor__user", "peer__user"))
        .annotate(
            held_3m=_count(held.filter(starts_at__gte=months_before(now, 3))),
            held_6m=_count(held.filter(starts_at__gte=months_before(now, 6))),
            held_total=_count(held),
            last_met=Subquery(held.order_by("-starts_at").values("starts_at")[:1]),
        )
        .order_by("programme", "resident__user__last_name", "resident__user__first_name")
    )
    figures = [PairFigures(assignment=a, held_3m=a.held_3m, held_6m=a.held_6m, held_total=a.held_total,
                           last_met=a.last_met) for a in pairs]
    goals = {g["resident"]: g for g in (
        Goal.objects.filter(resident_id__in={f.assignment.resident_id for f in figures})
        .values("resident").order_by()
        .annotate(achieved=Count("pk", filter=Q(status=Goal.Status.ACHIEVED)),
                  counted=Count("pk", filter=~Q(status=Goal.Status.DROPPED)),
                  overdue=Count("pk", filter=Q(status__in=Goal.OPEN_STATUSES, due_on__lt=today))))} if figures else {}
    for f in figures:
        g = goals.get(f.assignment.resident_id)
        if g is not None:
            f.goals_achieved, f.goals_counted, f.goals_overdue = g["achieved"], g["counted"], g["overdue"]
        result[f.assignment.programme_id].pairs.append(f)
    order = {Programme.Kind.CLINICAL: 0, Programme.Kind.NEAR_PEER: 1, Programme.Kind.GROUP: 2}
    return sorted(result.values(), key=lambda r: (order.get(r.programme.kind, 9), r.programme.name.lower()))
