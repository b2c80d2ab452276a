"""The iCalendar feed (issue 6): parses with `icalendar`, holds the right events, statuses and UIDs; its secret
address can be reset and revoked (404 afterwards); no log-in, no cookies; a fixed number of queries."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from mentoring.calendar_feed import calendar_ics, feed_for, feed_reset, feed_revoke
from mentoring.meetings import meeting_cancel, meeting_note_add, meeting_propose, meeting_respond
from mentoring.models import CalendarFeed, Programme
from mentoring.services import assignment_create, clinical_programme

pytestmark = pytest.mark.django_db

AGENDA = "Confidential: feedback on the difficult resuscitation."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(days: int, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 0)))


def propose(proposer, invitees, programme, days, *, format="one_to_one", now=None, place="Room 4"):
    return meeting_propose(proposer=proposer, programme=programme, invitees=invitees, format=format,
                           starts_at=at(days, 14), ends_at=at(days, 15), place=place, agenda=AGENDA, now=now)


def events(ics: bytes) -> dict[str, object]:
    return {str(e["uid"]): e for e in Calendar.from_ical(ics).walk("VEVENT")}


@pytest.fixture
def programme(department):
    return clinical_programme(department)


def test_the_feed_holds_the_users_meetings_with_their_statuses(mentor, resident, programme, make_mentor,
                                                               make_resident):
    accepted = propose(mentor.user, [resident.user], programme, 3)
    meeting_respond(meeting=accepted, user=resident.user, accept=True)
    meeting_note_add(meeting=accepted, author=mentor.user, text="Secret note about the resident")
    tentative = propose(resident.user, [mentor.user], programme, 5)
    cancelled = propose(mentor.user, [resident.user], programme, 7)
    meeting_cancel(meeting=cancelled, user=mentor.user, reason="Ward round")
    declined_by_her = propose(mentor.user, [resident.user], programme, 9)
    meeting_respond(meeting=declined_by_her, user=resident.user, accept=False)
    then = timezone.now() - timedelta(days=200)
    too_old = meeting_propose(proposer=mentor.user, programme=programme, invitees=[resident.user],
                              format="one_to_one", starts_at=then + timedelta(days=1),
                              ends_at=then + timedelta(days=1, hours=1), agenda=AGENDA, now=then)
    other_mentor, other_resident = make_mentor(), make_resident()
    assignment_create(resident=other_resident, mentor=other_mentor)
    propose(other_mentor.user, [other_resident.user], programme, 3)

    ics = calendar_ics(resident.user)
    calendar = Calendar.from_ical(ics)
    assert str(calendar["version"]) == "2.0" and str(calendar["calscale"]) == "GREGORIAN"
    assert str(calendar["method"]) == "PUBLISH" and str(calendar["prodid"]).startswith("-//")
    assert str(calendar["x-wr-calname"]) == "Mentoring meetings"
    assert calendar["refresh-interval"].dt == timedelta(hours=1)
    assert str(calendar["x-published-ttl"]) == "PT1H"

    found = events(ics)
    assert set(found) == {f"{m.uid}@residency" for m in (accepted, tentative, cancelled)}
    assert f"{too_old.uid}@residency" not in found and f"{declined_by_her.uid}@residency" not in found
    for meeting, status in [(accepted, "CONFIRMED"), (tentative, "TENTATIVE"), (cancelled, "CANCELLED")]:
        meeting.refresh_from_db()
        event = found[f"{meeting.uid}@residency"]
        assert str(event["status"]) == status
        assert event["sequence"] == meeting.sequence
        assert event.decoded("dtstart") == meeting.starts_at and event.decoded("dtend") == meeting.ends_at
        assert event.decoded("dtstart").utcoffset() == timedelta(0)  # in UTC
        assert str(event["summary"]) == f"Mentoring meeting with {mentor.user.full_name}"
        assert str(event["location"]) == "Room 4"
        assert f"/meetings/{meeting.pk}/" in str(event["description"])
    assert found[f"{cancelled.uid}@residency"]["sequence"] == 1
    # The agenda and the notes never leave the product.
    assert b"Confidential" not in ics and b"Secret note" not in ics and b"Ward round" not in ics


def test_the_mentors_feed_names_the_resident_and_group_meetings_are_named_so(department, make_mentor,
                                                                              make_resident):
    group = Programme.objects.create(department=department, kind="group", name="Simulation group",
                                     min_per_mentor=2, max_per_mentor=6)
    mentor = make_mentor()
    mentees = [make_resident() for _ in range(2)]
    for r in mentees:
        assignment_create(resident=r, mentor=mentor, programme=group)
    one = propose(mentor.user, [mentees[0].user], group, 3)
    many = propose(mentor.user, [], group, 4, format="group")
    found = events(calendar_ics(mentor.user))
    assert str(found[f"{one.uid}@residency"]["summary"]) == f"Mentoring meeting with {mentees[0].user.full_name}"
    assert str(found[f"{many.uid}@residency"]["summary"]) == "Group mentoring meeting"
    assert str(events(calendar_ics(mentees[1].user))[f"{many.uid}@residency"]["summary"]) == "Group mentoring meeting"


def test_the_feed_view_needs_no_login_and_sets_no_cookie(client, mentor, resident, programme):
    meeting = propose(mentor.user, [resident.user], programme, 3)
    url = reverse("mentoring:calendar_feed_ics", args=[feed_for(resident.user).token])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert not response.cookies
    assert f"{meeting.uid}@residency" in events(response.content)
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_unknown_and_revoked_tokens_are_404(client, resident):
    feed = feed_for(resident.user)
    assert client.get(reverse("mentoring:calendar_feed_ics", args=["no-such-token"])).status_code == 404
    assert feed_revoke(user=resident.user) == 1
    assert client.get(reverse("mentoring:calendar_feed_ics", args=[feed.token])).status_code == 404
    assert feed_for(resident.user).token != feed.token  # a new address on demand; the old one stays dead
    assert client.get(reverse("mentoring:calendar_feed_ics", args=[feed.token])).status_code == 404


def test_an_inactive_users_feed_is_404(client, resident):
    feed = feed_for(resident.user)
    resident.user.is_active = False
    resident.user.save()
    assert client.get(reverse("mentoring:calendar_feed_ics", args=[feed.token])).status_code == 404


def test_reset_gives_a_new_address_and_the_old_one_is_404(client, resident):
    old = feed_for(resident.user)
    assert feed_for(resident.user) == old  # get, not create, while live
    new = feed_reset(user=resident.user)
    assert new.token != old.token
    assert client.get(reverse("mentoring:calendar_feed_ics", args=[old.token])).status_code == 404
    assert client.get(reverse("mentoring:calendar_feed_ics", args=[new.token])).status_code == 200
    assert CalendarFeed.objects.filter(user=resident.user, revoked_at__isnull=True).count() == 1


def test_the_calendar_page_shows_the_address_and_resets_and_revokes(client, resident, settings):
    settings.SITE_URL = "https://mentoring.example.kz/"
    client.force_login(resident.user)
    page = client.get(reverse("mentoring:calendar_feed"))
    assert page.status_code == 200 and page.context["feed"] is None
    assert "Create my calendar address" in page.content.decode()
    assert client.post(reverse("mentoring:calendar_feed_reset")).status_code == 302
    first = CalendarFeed.objects.get(user=resident.user, revoked_at__isnull=True)
    page = client.get(reverse("mentoring:calendar_feed")).content.decode()
    assert f"https://mentoring.example.kz/calendar/{first.token}.ics" in page
    assert f"webcal://mentoring.example.kz/calendar/{first.token}.ics" in page
    assert "Outlook" in page and "Google Calendar" in page
    client.post(reverse("mentoring:calendar_feed_reset"))
    second = CalendarFeed.objects.get(user=resident.user, revoked_at__isnull=True)
    assert second.token != first.token
    assert client.get(reverse("mentoring:calendar_feed_ics", args=[first.token])).status_code == 404
    client.post(reverse("mentoring:calendar_feed_revoke"))
    assert not CalendarFeed.objects.filter(user=resident.user, revoked_at__isnull=True).exists()
    assert client.get(reverse("mentoring:calendar_feed_ics", args=[second.token])).status_code == 404
    assert client.get(reverse("mentoring:calendar_feed")).context["feed"] is None


def test_the_calendar_page_is_for_mentors_and_residents_only(client, coordinator, user):
    for someone in (coordinator, user):
        client.force_login(someone)
        assert client.get(reverse("mentoring:calendar_feed")).status_code == 404
        assert client.post(reverse("mentoring:calendar_feed_reset")).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_the_feed_query_count_does_not_grow(client, mentor, programme, make_resident):
    url = reverse("mentoring:calendar_feed_ics", args=[feed_for(mentor.user).token])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    def add(n):
        for i in range(n):
            r = make_resident()
            assignment_create(resident=r, mentor=mentor)
            propose(mentor.user, [r.user], programme, 2 + i)

    add(1)
    small = count()
    add(3)
    assert count() == small
    assert len(events(client.get(url).content)) == 4
