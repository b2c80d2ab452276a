"""Reads for the meetings pages, each scoped to the user who asks (issue 6, item 2).

Meetings, their notes and absences are visible to their participants / owner only: not to the coordinator
(outside the scope -> 404).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from .models import Absence, Assignment, Meeting, MeetingNote, MeetingParticipant
from .selectors import involving

Response = MeetingParticipant.Response
LIVE = (Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED)


def can_meet(user) -> bool:
    """Meetings, absences and the calendar feed are for people with a mentor or a resident profile."""
    return user.is_authenticated and (hasattr(user, "mentor_profile") or hasattr(user, "resident_profile"))


def require_meeting_user(user) -> None:
    if not can_meet(user):
        raise Http404


def active_pairs(user) -> QuerySet[Assignment]:
    """The user's active assignments, on either side (mentee, mentor or near-peer mentor)."""
    return (Assignment.objects.filter(ended_on__isnull=True)
            .filter(involving(user))
            .select_related("programme", "resident__user", "mentor__user", "peer__user")
            .order_by("programme__kind", "programme__name", "resident__user__last_name", "pk"))


def _participants_prefetch():
    return Prefetch("participants", queryset=MeetingParticipant.objects.select_related("user").order_by("role", "pk"))


def meetings_base() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("programme", "proposed_by").prefetch_related(_participants_prefetch())


def _my_response(user):
    return Subquery(MeetingParticipant.objects.filter(user=user, meeting=OuterRef("pk")).values("response")[:1])


def meetings_of(user) -> QuerySet[Meeting]:
    """Meetings the user takes part in, each with `my_response` (the user's answer)."""
    return meetings_base().filter(participants__user=user).annotate(my_response=_my_response(user))


def with_others(meetings, user):
    """Attach `others` (the participants other than `user`, from the prefetched rows) to each meeting."""
    for meeting in meetings:
        meeting.others = [p for p in meeting.participants.all() if p.user_id != user.pk]
    return meetings


def meeting_for_participant(user, pk) -> Meeting:
    """A meeting of which the user is a participant; 404 otherwise (the coordinator included)."""
    if not user.is_authenticated:
        raise Http404
    meeting = meetings_of(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def notes_of(meeting: Meeting) -> QuerySet[MeetingNote]:
    """The meeting's notes; the caller has checked that the user takes part."""
    return meeting.notes.select_related("author").order_by("created_at", "pk")


# The meeting list's tabs: each a filter over `meetings_of(user)`, given `now`.
TABS = ("awaiting", "upcoming", "past", "cancelled")


def _tab_filters(now: datetime) -> dict[str, Q]:
    awaiting = Q(my_response=Response.PENDING, status__in=LIVE, starts_at__gt=now)
    return {
        "awaiting": awaiting,
        "upcoming": Q(status__in=LIVE, ends_at__gte=now) & ~Q(my_response=Response.DECLINED) & ~awaiting,
        "past": Q(status__in=LIVE, ends_at__lt=now) & ~Q(my_response=Response.DECLINED),
        "cancelled": ~Q(status__in=LIVE) | Q(my_response=Response.DECLINED),
    }


def meeting_tab(user, tab: str, now: datetime | None = None) -> QuerySet[Meeting]:
    now = now or timezone.now()
    qs = meetings_of(user).filter(_tab_filters(now)[tab])
    if tab in ("awaiting", "upcoming"):
        return qs.order_by("starts_at", "pk")
    return qs.order_by("-starts_at", "-pk")


def meeting_tab_counts(user, now: datetime | None = None) -> dict[str, int]:
    """How many meetings each tab holds (one query)."""
    now = now or timezone.now()
    qs = Meeting.objects.filter(participants__user=user).annotate(my_response=_my_response(user))
    return qs.aggregate(**{tab: Count("pk", filter=q) for tab, q in _tab_filters(now).items()})


@dataclass(frozen=True)
class UpcomingCard:
    meetings: list[Meeting]
    awaiting: list[Meeting]


def upcoming_card(user, now: datetime | None = None, limit: int = 3) -> UpcomingCard:
    """The user's next accepted meetings and the invitations awaiting the user's answer (fixed queries)."""
    now = now or timezone.now()
    filters = _tab_filters(now)
    accepted = (meetings_of(user).filter(filters["upcoming"], status=Meeting.Status.ACCEPTED,
                                         my_response=Response.ACCEPTED).order_by("starts_at", "pk")[:limit])
    awaiting = meetings_of(user).filter(filters["awaiting"]).order_by("starts_at", "pk")[:10]
    return UpcomingCard(meetings=list(accepted), awaiting=list(awaiting))


def absences_of(user) -> QuerySet[Absence]:
    return Absence.objects.filter(user=user).order_by("-starts_on", "-pk")


def own_absence(user, pk) -> Absence:
    absence = Absence.objects.filter(user=user, pk=pk).first() if user.is_authenticated else None
    if absence is None:
        raise Http404
    return absence
