"""The upcoming meetings card for the home pages (issue 6): my next 3 accepted meetings and the invitations that
await my answer, in a fixed number of queries."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from mentoring.meetings import meeting_cancel, meeting_propose, meeting_respond
from mentoring.services import assignment_create, clinical_programme

pytestmark = pytest.mark.django_db

CARD = Template("{% load meeting_tags %}{% upcoming_meetings_card user %}")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(days: int, hour: int = 14) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, 0)))


def propose(proposer, invitee, programme, days, place):
    return meeting_propose(proposer=proposer, programme=programme, invitees=[invitee], format="one_to_one",
                           starts_at=at(days), ends_at=at(days, 15), place=place, agenda="Monthly review")


def render(user):
    return CARD.render(Context({"user": user}))


def test_the_card_shows_my_next_accepted_meetings_and_invitations(mentor, resident, department):
    programme = clinical_programme(department)
    for days in (2, 4, 6, 8):
        m = propose(mentor.user, resident.user, programme, days, f"Accepted room {days}")
        meeting_respond(meeting=m, user=resident.user, accept=True)
    propose(mentor.user, resident.user, programme, 3, "Invitation room")
    cancelled = propose(mentor.user, resident.user, programme, 1, "Cancelled room")
    meeting_cancel(meeting=cancelled, user=mentor.user, reason="Ill")
    html = render(resident.user)
    assert "Awaiting your answer" in html and "Invitation room" in html
    assert all(f"Accepted room {d}" in html for d in (2, 4, 6)) and "Accepted room 8" not in html
    assert "Cancelled room" not in html
    assert mentor.user.full_name in html and "/meetings/" in html
    # The mentor proposed the invitation: it is not awaiting his answer.
    assert "Awaiting your answer" not in render(mentor.user)


def test_the_card_without_meetings_invites_to_propose_one(resident):
    html = render(resident.user)
    assert "No meetings planned." in html and "/meetings/new/" in html


def test_the_card_query_count_does_not_grow(mentor, department, make_resident):
    programme = clinical_programme(department)

    def add(n):
        for i in range(n):
            r = make_resident()
            assignment_create(resident=r, mentor=mentor)
            meeting_respond(meeting=propose(mentor.user, r.user, programme, 2 + i, "Room"), user=r.user, accept=True)
            propose(r.user, mentor.user, programme, 10 + i, "Room")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            render(mentor.user)
        return len(ctx)

    add(1)
    small = count()
    add(3)
    assert count() == small
