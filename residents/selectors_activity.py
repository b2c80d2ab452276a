"""Reads for the activity log pages and dashboards, each scoped to the user who asks.

The resident sees their own entries; the resident's current mentor and the department's coordinators see a
resident's log; the current mentor reviews. Anything else is a 404.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from organization.selectors import departments_for_user

from .models import ActivityEntry, NightDuty, Resident, ReviewStatus
from .requirements import DutyFigures, duty_counts_for_residents, duty_figures, month_bounds, month_start, next_month
from .selectors import mentee_ids, residents_base

# The confirmation queue shows the oldest pending items up to these bounds; confirming them brings the next.
QUEUE_ENTRY_LIMIT = 150
QUEUE_DUTY_LIMIT = 60
# Returned items wait for the resident; they are shown above the month, up to this many of each.
RETURNED_LIMIT = 50


def is_mentor(user) -> bool:
    return user.is_authenticated and hasattr(user, "mentor_profile")


def mentees_of(user) -> QuerySet[Resident]:
    """Residents whose active mentor is `user`."""
    return residents_base().filter(pk__in=mentee_ids(user)).order_by("user__last_name", "user__first_name", "pk")


def resident_for_activity_viewer(user, pk) -> Resident:
    """Resident `pk` for a coordinator of their department or their current mentor; 404 otherwise."""
    if not user.is_authenticated:
        raise Http404
    resident = (residents_base()
                .filter(Q(specialty__department__in=departments_for_user(user)) | Q(pk__in=mentee_ids(user)), pk=pk)
                .first())
    if resident is None:
        raise Http404
    return resident


def _entries():
    return ActivityEntry.objects.select_related("clinical_site", "reviewed_by")


def _duties():
    return NightDuty.objects.select_related("clinical_site", "reviewed_by")


def _get_or_404(qs, pk):
    item = qs.filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def own_entry(user, pk) -> ActivityEntry:
    return _get_or_404(_entries().select_related("resident__user", "resident__specialty").filter(resident__user=user),
                       pk)


def own_duty(user, pk) -> NightDuty:
    return _get_or_404(_duties().select_related("resident__user", "resident__specialty").filter(resident__user=user),
                       pk)


def entry_for_mentor(user, pk) -> ActivityEntry:
    """An entry of one of the user's current residents; 404 otherwise."""
    return _get_or_404(_entries().select_related("resident__user").filter(resident__in=mentee_ids(user)), pk)


def duty_for_mentor(user, pk) -> NightDuty:
    return _get_or_404(_duties().select_related("resident__user").filter(resident__in=mentee_ids(user)), pk)


def entries_in_month(resident: Resident, month: date) -> QuerySet[ActivityEntry]:
    return _entries().filter(resident=resident, date__gte=month_start(month), date__lt=next_month(month)).order_by(
        "-date", "-id")


def duties_in_month(resident: Resident, month: date) -> QuerySet[NightDuty]:
    """A month's duties: a natural bound, as duties of one resident cannot overlap."""
    start, end = month_bounds(month)
    return _duties().filter(resident=resident, starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "id")


def returned_entries(resident: Resident) -> list[ActivityEntry]:
    return list(_entries().filter(resident=resident, status=ReviewStatus.RETURNED)
                .order_by("date", "id")[:RETURNED_LIMIT])


def returned_duties(resident: Resident) -> list[NightDuty]:
    return list(_duties().filter(resident=resident, status=ReviewStatus.RETURNED)
                .order_by("starts_at", "id")[:RETURNED_LIMIT])


def last_logged_kind(resident: Resident) -> tuple[str, str] | None:
    """(kind, manipulation role) of the resident's latest entry: the quick-log form starts from it."""
    return (ActivityEntry.objects.filter(resident=resident).order_by("-created_at", "-id")
            .values_list("kind", "manipulation_role").first())


def last_duty(resident: Resident) -> NightDuty | None:
    return NightDuty.objects.filter(resident=resident).order_by("-starts_at").first()


# The mentor's confirmation queue ---------------------------------------------------------------------------------

@dataclass
class QueueDay:
    day: date
    entries: list = field(default_factory=list)
    duties: list = field(default_factory=list)


@dataclass
class QueueGroup:
    resident: Resident
    duties_this_month: DutyFigures | None
    days: list[QueueDay] = field(default_factory=list)

    @property
    def entry_ids(self) -> list[int]:
        return [e.pk for d in self.days for e in d.entries]

    @property
    def duty_ids(self) -> list[int]:
        return [n.pk for d in self.days for n in d.duties]

    @property
    def size(self) -> int:
        return len(self.entry_ids) + len(self.duty_ids)


@dataclass
class ConfirmationQueue:
    groups: list[QueueGroup]  # residents with something to confirm, by name; their days oldest first
    mentees: list[Resident]
    figures: dict[int, DutyFigures]  # this month's duties of every mentee
    pending_entries: int  # totals, including what is beyond the bounds
    pending_duties: int
    shown_entries: int
    shown_duties: int

    @property
    def total(self) -> int:
        return self.pending_entries + self.pending_duties

    @property
    def truncated(self) -> bool:
        return self.shown_entries < self.pending_entries or self.shown_duties < self.pending_duties


def confirmation_queue(user, *, today: date | None = None) -> ConfirmationQueue:
    """Pending activities and duties of the user's current residents, grouped by resident and date.

    A fixed number of queries whatever the size of the queue; the oldest items are shown first, up to
    QUEUE_ENTRY_LIMIT activities and QUEUE_DUTY_LIMIT duties.
    """
    month = month_start(today or timezone.localdate())
    mentees = list(mentees_of(user))
    by_id = {r.pk: r for r in mentees}
    ids = list(by_id)
    pending = {"resident_id__in": ids, "status": ReviewStatus.PENDING}
    entries = list(ActivityEntry.objects.select_related("clinical_site").filter(**pending)
                   .order_by("date", "id")[:QUEUE_ENTRY_LIMIT]) if ids else []
    duties = list(NightDuty.objects.select_related("clinical_site").filter(**pending)
                  .order_by("starts_at", "id")[:QUEUE_DUTY_LIMIT]) if ids else []
    pending_entries = ActivityEntry.objects.filter(**pending).count() if ids else 0
    pending_duties = NightDuty.objects.filter(**pending).count() if ids else 0
    figures = duty_counts_for_residents(ids, month) if ids else {}

    days: dict[tuple[int, date], QueueDay] = {}
    for e in entries:
        days.setdefault((e.resident_id, e.date), QueueDay(e.date)).entries.append(e)
    for d in duties:
        day = timezone.localtime(d.starts_at).date()
        days.setdefault((d.resident_id, day), QueueDay(day)).duties.append(d)
    groups: dict[int, QueueGroup] = {}
    for (resident_id, _day), queue_day in sorted(days.items(), key=lambda kv: kv[0][1]):
        resident = by_id[resident_id]
        group = groups.setdefault(resident_id, QueueGroup(resident, figures.get(resident_id)))
        group.days.append(queue_day)
    ordered = [groups[r.pk] for r in mentees if r.pk in groups]
    return ConfirmationQueue(groups=ordered, mentees=mentees, figures=figures, pending_entries=pending_entries,
                             pending_duties=pending_duties, shown_entries=len(entries), shown_duties=len(duties))


# Dashboard figures -----------------------------------------------------------------------------------------------

def confirmation_queue_size(user) -> int:
    """How many activities and night duties await the user's confirmation as a mentor (two count queries)."""
    if not user.is_authenticated:
        return 0
    scope = {"resident__in": mentee_ids(user), "status": ReviewStatus.PENDING}
    return ActivityEntry.objects.filter(**scope).count() + NightDuty.objects.filter(**scope).count()


def _count_subquery(model, status):
    return Coalesce(
        Subquery(model.objects.filter(resident=OuterRef("pk"), status=status).order_by().values("resident")
                 .annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField()),
        Value(0),
    )


def pending_counts_for_residents(resident_ids) -> dict[int, int]:
    """{resident id: activities + night duties awaiting confirmation}, in one query."""
    if isinstance(resident_ids, QuerySet):
        resident_ids = resident_ids.values("pk")
    rows = (Resident.objects.filter(pk__in=resident_ids).order_by()
            .annotate(e=_count_subquery(ActivityEntry, ReviewStatus.PENDING),
                      d=_count_subquery(NightDuty, ReviewStatus.PENDING))
            .values_list("pk", "e", "d"))
    return {pk: e + d for pk, e, d in rows}


@dataclass(frozen=True)
class ActivitySummary:
    """What the resident's home page shows about the log."""

    duties: DutyFigures  # this month's night duties
    pending_entries: int  # awaiting the mentor's confirmation
    pending_duties: int
    returned_entries: int  # returned by the mentor, to fix
    returned_duties: int

    @property
    def awaiting(self) -> int:
        return self.pending_entries + self.pending_duties

    @property
    def returned(self) -> int:
        return self.returned_entries + self.returned_duties


def resident_activity_summary(resident: Resident, *, today: date | None = None) -> ActivitySummary:
    """This month's night duties and the items awaiting confirmation or returned (two queries)."""
    month = month_start(today or timezone.localdate())
    row = (Resident.objects.filter(pk=resident.pk).order_by()
           .annotate(pe=_count_subquery(ActivityEntry, ReviewStatus.PENDING),
                     pd=_count_subquery(NightDuty, ReviewStatus.PENDING),
                     re=_count_subquery(ActivityEntry, ReviewStatus.RETURNED),
                     rd=_count_subquery(NightDuty, ReviewStatus.RETURNED))
           .values("pe", "pd", "re", "rd").get())
    return ActivitySummary(duties=duty_figures(resident, month), pending_entries=row["pe"],
                           pending_duties=row["pd"], returned_entries=row["re"], returned_duties=row["rd"])
