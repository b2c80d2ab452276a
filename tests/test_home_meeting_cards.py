"""Meetings and speed-mentoring rankings reach the home pages; goals are reviewed on the meeting page (issue 6)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Goal, Meeting, MeetingParticipant
from mentoring.services import clinical_programme

pytestmark = pytest.mark.django_db


def _meeting(mentor, resident, *, starts_at, status, resident_answer):
    meeting = Meeting.objects.create(
        programme=clinical_programme(resident.specialty.department), mentor_user=mentor.user, format="one_to_one",
        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=30), agenda="Night duty debrief", status=status,
        proposed_by=mentor.user)
    MeetingParticipant.objects.create(meeting=meeting, user=mentor.user, role="mentor", response="accepted")
    MeetingParticipant.objects.create(meeting=meeting, user=resident.user, role="mentee", response=resident_answer)
    return meeting


def test_resident_home_shows_an_invitation_awaiting_an_answer(client, mentor, resident):
    meeting = _meeting(mentor, resident, starts_at=timezone.now() + timedelta(days=2), status="proposed",
                       resident_answer="pending")
    client.force_login(resident.user)
    page = client.get(reverse("mentoring:resident_home")).content.decode()
    assert 'id="upcoming-awaiting"' in page
    assert reverse("mentoring:meeting_detail", args=[meeting.pk]) in page


def test_mentor_home_shows_the_next_accepted_meeting(client, mentor, resident):
    meeting = _meeting(mentor, resident, starts_at=timezone.now() + timedelta(days=1), status="accepted",
                       resident_answer="accepted")
    client.force_login(mentor.user)
    page = client.get(reverse("mentoring:mentor_home")).content.decode()
    assert 'id="upcoming-meetings"' in page
    assert reverse("mentoring:meeting_detail", args=[meeting.pk]) in page


def test_meeting_page_lists_the_mentees_open_goals_for_review(client, mentor, resident):
    meeting = _meeting(mentor, resident, starts_at=timezone.now() - timedelta(hours=2), status="accepted",
                       resident_answer="accepted")
    goal = Goal.objects.create(resident=resident, title="Lead the morning handover", created_by=mentor.user,
                               due_on=timezone.localdate() + timedelta(days=20))
    client.force_login(mentor.user)
    page = client.get(reverse("mentoring:meeting_detail", args=[meeting.pk])).content.decode()
    assert 'id="meeting-goals-panel"' in page and goal.title in page
    assert reverse("mentoring:goal_note_add", args=[goal.pk]) in page


def test_home_pages_ask_the_event_participants_to_rank(client, coordinator, department, mentor, make_resident):
    from tests.access_rows.speed import build_event

    mentee = make_resident()
    event = build_event(department=department, coordinator=coordinator, experts=[mentor], groups=[[mentee]],
                        open_ranking=True)
    for user, home in ((mentee.user, "mentoring:resident_home"), (mentor.user, "mentoring:mentor_home")):
        client.force_login(user)
        page = client.get(reverse(home)).content.decode()
        assert 'id="speed-events-due"' in page and reverse("mentoring:speed_rank", args=[event.pk]) in page, home
