"""Each user's iCalendar feed of their mentoring meetings (issue 6, item 2), for Outlook and Google Calendar.

The feed's address carries a secret token (`CalendarFeed`); whoever has the address reads the feed, so it can
be revoked (the address answers 404 for good) or reset (a new address, the old one stops working).

Decision kept on purpose: the feed leaves the hospital's system (Google and Microsoft fetch and store it), so
it carries only the time, the place, who the meeting is with and its status. The agenda and the notes are NOT
in it; each event's description links back to the meeting page, behind the log-in.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from accounts.models import User

from .meetings import meeting_link
from .models import CalendarFeed, Meeting, MeetingParticipant
from .selectors_meetings import meetings_of

PRODID = "-//Residency mentoring//Mentoring meetings//EN"
FEED_HISTORY = timedelta(days=183)  # meetings from the last 6 months on
REFRESH = timedelta(hours=1)
UID_DOMAIN = "residency"
STATUSES = {
    Meeting.Status.ACCEPTED: "CONFIRMED",
    Meeting.Status.PROPOSED: "TENTATIVE",
    Meeting.Status.CANCELLED: "CANCELLED",
    Meeting.Status.DECLINED: "CANCELLED",  # every invitee declined: it will not take place
}


# The feed's address ----------------------------------------------------------------------------------------------

def live_feed(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_for(user) -> CalendarFeed:
    """The user's live feed, created on first use (at most one live feed per user: a DB rule)."""
    feed = live_feed(user)
    if feed is None:
        try:
            with transaction.atomic():
                feed = CalendarFeed.objects.create(user=user)
        except IntegrityError:  # created meanwhile by a concurrent request
            feed = CalendarFeed.objects.get(user=user, revoked_at__isnull=True)
    return feed


def _lock_user(user) -> None:
    User.objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def feed_revoke(*, user) -> int:
    """Revoke the user's live feed: its address answers 404 from now on. Returns how many were revoked (0 or 1)."""
    _lock_user(user)
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def feed_reset(*, user) -> CalendarFeed:
    """Give the user a new feed address; the old one (if any) is revoked in the same transaction."""
    _lock_user(user)
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return CalendarFeed.objects.create(user=user)


def feed_by_token(token: str) -> CalendarFeed:
    """The live feed with this token, with its (active) user; 404 for an unknown or revoked token."""
    feed = (CalendarFeed.objects.select_related("user")
            .filter(token=token, revoked_at__isnull=True, user__is_active=True).first())
    if feed is None:
        raise Http404
    return feed


def feed_address(feed: CalendarFeed) -> str:
    """The feed's address (https in production: settings.SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + reverse("mentoring:calendar_feed_ics", args=[feed.token])


def webcal_address(feed: CalendarFeed) -> str:
    """The same address with the webcal scheme, which opens the subscription in a calendar application."""
    address = feed_address(feed)
    return "webcal://" + address.split("://", 1)[1]


# The feed --------------------------------------------------------------------------------------------------------

def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _summary(meeting: Meeting, user) -> str:
    if meeting.format == Meeting.Format.GROUP:
        return _("Group mentoring meeting")
    others = [p.user.full_name for p in meeting.participants.all() if p.user_id != user.pk]
    return _("Mentoring meeting with %(person)s") % {"person": ", ".join(others)}


def _event(meeting: Meeting, user) -> Event:
    event = Event()
    event.add("uid", f"{meeting.uid}@{UID_DOMAIN}")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", _utc(meeting.updated_at))
    event.add("created", _utc(meeting.created_at))
    event.add("last-modified", _utc(meeting.updated_at))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("summary", _summary(meeting, user))
    if meeting.place:
        event.add("location", meeting.place)
    event.add("status", STATUSES[meeting.status])
    link = meeting_link(meeting.pk)
    event.add("url", link)
    event.add("description", _("The agenda and the notes are on the meeting page (log in first): %(link)s")
              % {"link": link})
    return event


def calendar_ics(user, now: datetime | None = None) -> bytes:
    """The user's feed: one event per meeting the user takes part in and has not declined, from the last 6
    months on (three queries whatever the number of meetings). Texts in the user's language."""
    now = now or timezone.now()
    meetings = (meetings_of(user).filter(starts_at__gte=now - FEED_HISTORY)
                .exclude(my_response=MeetingParticipant.Response.DECLINED).order_by("starts_at", "pk"))
    with translation.override(user.language or settings.LANGUAGE_CODE):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _("Mentoring meetings"))
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        for meeting in meetings:
            calendar.add_component(_event(meeting, user))
    return calendar.to_ical()
