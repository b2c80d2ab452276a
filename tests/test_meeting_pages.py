"""Meeting pages (issue 6): the list, proposing (with the clash check), the meeting page with answers, cancel and
private notes; scope (404 outside it, the coordinator included) and query counts."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.goals import goal_create
from mentoring.meetings import meeting_cancel, meeting_note_add, meeting_propose, meeting_respond
from mentoring.models import Absence, Meeting, MeetingNote, Programme
from mentoring.services import assignment_create, clinical_programme
from residents.models import NightDuty
from tests.factories import MentorFactory

pytestmark = pytest.mark.django_db

AGENDA = "Review of the month; the next EPA to aim for."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(days: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, minute)))


def propose(proposer, invitee, programme, days=3, hour=14, **kwargs):
    then = kwargs.pop("now", None)
    return meeting_propose(proposer=proposer, programme=programme, invitees=[invitee], format="one_to_one",
                           starts_at=at(days, hour), ends_at=at(days, hour + 1), agenda=AGENDA, now=then, **kwargs)


def text(response):
    return response.content.decode()


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def programme(department):
    return clinical_programme(department)


@pytest.fixture
def meeting(mentor, resident, programme):
    return propose(mentor.user, resident.user, programme)


# The list --------------------------------------------------------------------------------------------------------

def test_the_list_sorts_meetings_into_tabs(client, mentor, resident, programme):
    awaiting = propose(resident.user, mentor.user, programme, days=2)
    upcoming = propose(mentor.user, resident.user, programme, days=5)
    meeting_respond(meeting=upcoming, user=resident.user, accept=True)
    then = timezone.now() - timedelta(days=30)
    past = meeting_propose(proposer=mentor.user, programme=programme, invitees=[resident.user], format="one_to_one",
                           starts_at=then + timedelta(days=1), ends_at=then + timedelta(days=1, hours=1),
                           agenda=AGENDA, now=then)
    meeting_respond(meeting=past, user=resident.user, accept=True, now=then)
    cancelled = propose(mentor.user, resident.user, programme, days=9)
    meeting_cancel(meeting=cancelled, user=mentor.user, reason="Ward round moved")
    client.force_login(mentor.user)

    def shown(tab=None):
        response = client.get(reverse("mentoring:meeting_list"), {"show": tab} if tab else {})
        assert response.status_code == 200
        return [m.pk for m in response.context["page"].object_list], response

    pks, response = shown()
    assert response.context["tab"] == "awaiting" and pks == [awaiting.pk]
    assert {key: count for key, _label, count in response.context["tabs"]} == {
        "awaiting": 1, "upcoming": 1, "past": 1, "cancelled": 1}
    assert resident.user.full_name in text(response)
    assert shown("upcoming")[0] == [upcoming.pk]
    assert shown("past")[0] == [past.pk]
    assert shown("cancelled")[0] == [cancelled.pk]
    # The resident proposed `awaiting`: for her it is upcoming, waiting for the mentor.
    client.force_login(resident.user)
    assert shown("upcoming")[0] == [awaiting.pk, upcoming.pk]
    assert shown()[1].context["tab"] == "upcoming"


def test_the_list_is_only_for_mentors_and_residents(client, coordinator, user):
    for someone in (coordinator, user):
        client.force_login(someone)
        assert client.get(reverse("mentoring:meeting_list")).status_code == 404


def test_the_list_query_count_does_not_grow(client, mentor, programme, make_resident):
    client.force_login(mentor.user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("mentoring:meeting_list"), {"show": "upcoming"}).status_code == 200
        return len(ctx)

    def add(n):
        for _ in range(n):
            r = make_resident()
            assignment_create(resident=r, mentor=mentor)
            meeting_respond(meeting=propose(mentor.user, r.user, programme, days=4), user=r.user, accept=True)

    add(1)
    small = count()
    add(2)
    assert count() == small


# Proposing -------------------------------------------------------------------------------------------------------

def form_data(key, days=3, hour="14:00", **extra):
    return {"counterpart": key, "date": (timezone.localdate() + timedelta(days=days)).isoformat(), "start": hour,
            "duration": "60", "place": "Room 4", "agenda": AGENDA, **extra}


def test_the_mentor_proposes_a_meeting_on_the_page(client, mentor, resident, programme):
    assignment = resident.assignments.get(ended_on__isnull=True)
    client.force_login(mentor.user)
    page = client.get(reverse("mentoring:meeting_new"), {"with": f"a{assignment.pk}"})
    assert page.status_code == 200
    assert page.context["form"]["counterpart"].value() == f"a{assignment.pk}"
    assert resident.user.full_name in text(page)
    assert 'name="acknowledge_clashes"' not in text(page)
    response = client.post(reverse("mentoring:meeting_new"), form_data(f"a{assignment.pk}"))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("mentoring:meeting_detail",
                                                                            args=[meeting.pk])
    assert (meeting.starts_at, meeting.ends_at) == (at(3, 14), at(3, 15))
    assert meeting.place == "Room 4" and meeting.participants.get(user=resident.user).response == "pending"


def test_the_resident_proposes_to_her_mentor_on_the_page(client, mentor, resident):
    assignment = resident.assignments.get(ended_on__isnull=True)
    client.force_login(resident.user)
    assert client.post(reverse("mentoring:meeting_new"), form_data(f"a{assignment.pk}")).status_code == 302
    assert Meeting.objects.get().participants.get(user=mentor.user).response == "pending"


def test_a_clash_is_shown_with_a_checkbox_and_saved_only_when_ticked(client, mentor, resident):
    assignment = resident.assignments.get(ended_on__isnull=True)
    NightDuty.objects.create(resident=resident, starts_at=at(3, 8), ends_at=at(3, 20),
                             clinical_site=resident.clinical_site)
    client.force_login(mentor.user)
    response = client.post(reverse("mentoring:meeting_new"), form_data(f"a{assignment.pk}"))
    assert response.status_code == 200 and not Meeting.objects.exists()
    page = text(response)
    assert 'id="clashes"' in page and f"{resident.user.full_name} has a night duty" in page
    assert "Keep this time despite the clashes" in page and 'name="acknowledge_clashes"' in page
    response = client.post(reverse("mentoring:meeting_new"), form_data(f"a{assignment.pk}", acknowledge_clashes="on"))
    assert response.status_code == 302 and Meeting.objects.get().clashes_acknowledged


def test_form_errors_are_shown_on_their_fields(client, mentor, resident):
    assignment = resident.assignments.get(ended_on__isnull=True)
    client.force_login(mentor.user)
    response = client.post(reverse("mentoring:meeting_new"), form_data(f"a{assignment.pk}", days=-1))
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "A meeting must start in the future." in str(response.context["form"].errors["date"])
    response = client.post(reverse("mentoring:meeting_new"), form_data("a999999"))
    assert "counterpart" in response.context["form"].errors


def test_someone_without_a_pair_is_told_so(client, make_mentor):
    lonely = make_mentor()
    client.force_login(lonely.user)
    response = client.get(reverse("mentoring:meeting_new"))
    assert response.status_code == 200 and 'id="no-pairs"' in text(response)


def test_a_group_meeting_is_proposed_on_the_page(client, department, make_mentor, make_resident):
    group = Programme.objects.create(department=department, kind="group", name="Simulation group",
                                     min_per_mentor=2, max_per_mentor=6)
    mentor = make_mentor()
    mentees = [make_resident() for _ in range(3)]
    for r in mentees:
        assignment_create(resident=r, mentor=mentor, programme=group)
    client.force_login(mentor.user)
    page = client.get(reverse("mentoring:meeting_new"))
    assert "Group meeting: Simulation group, 3 mentees" in text(page)
    response = client.post(reverse("mentoring:meeting_new"),
                           form_data(f"g{group.pk}", mentees=[mentees[0].user.pk, mentees[2].user.pk]))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.format == "group"
    assert set(meeting.participants.values_list("user_id", flat=True)) == {
        mentor.user.pk, mentees[0].user.pk, mentees[2].user.pk}


# The meeting page ------------------------------------------------------------------------------------------------

def test_the_meeting_page_shows_agenda_participants_notes_and_the_goals_place(client, meeting, mentor, resident):
    meeting_note_add(meeting=meeting, author=mentor.user, text="Bring the simulation logbook.")
    client.force_login(resident.user)
    response = client.get(reverse("mentoring:meeting_detail", args=[meeting.pk]))
    page = text(response)
    assert response.status_code == 200
    assert AGENDA in page and "Bring the simulation logbook." in page
    assert mentor.user.full_name in page and "awaiting an answer" in page
    assert '<section id="meeting-goals">' in page  # the goals panel (mentoring.templatetags.goal_tags) sits here
    assert 'id="respond"' in page and 'id="cancel"' in page
    client.force_login(mentor.user)
    page = text(client.get(reverse("mentoring:meeting_detail", args=[meeting.pk])))
    assert 'id="respond"' not in page and 'id="cancel"' in page


def test_meeting_and_notes_are_private_to_participants(client, meeting, mentor, coordinator, make_mentor,
                                                       make_resident):
    meeting_note_add(meeting=meeting, author=mentor.user, text="Private thoughts")
    other_mentor = make_mentor()
    other_resident = make_resident()
    assignment_create(resident=other_resident, mentor=other_mentor)
    for outsider in (other_mentor.user, other_resident.user, coordinator):
        client.force_login(outsider)
        for name in ("mentoring:meeting_detail",):
            assert client.get(reverse(name, args=[meeting.pk])).status_code == 404
        for name, data in [("mentoring:meeting_note_add", {"text": "Hello"}),
                           ("mentoring:meeting_respond", {"answer": "accept"}),
                           ("mentoring:meeting_cancel", {"reason": "no"})]:
            assert client.post(reverse(name, args=[meeting.pk]), data).status_code == 404
    assert list(MeetingNote.objects.values_list("text", flat=True)) == ["Private thoughts"]
    meeting.refresh_from_db()
    assert meeting.status == "proposed" and meeting.sequence == 0


def test_the_coordinator_sees_a_meeting_only_as_a_participant(client, department, coordinator, programme,
                                                              make_resident, specialty, site):
    MentorFactory(user=coordinator, specialty=specialty, clinical_site=site)
    mentee = make_resident()
    assignment_create(resident=mentee, mentor=coordinator.mentor_profile)
    meeting = propose(coordinator, mentee.user, programme)
    client.force_login(coordinator)
    assert client.get(reverse("mentoring:meeting_detail", args=[meeting.pk])).status_code == 200


def test_accepting_on_the_page_warns_of_my_own_clashes(client, meeting, resident):
    Absence.objects.create(user=resident.user, kind="study", starts_on=timezone.localdate() + timedelta(days=3),
                           ends_on=timezone.localdate() + timedelta(days=3))
    client.force_login(resident.user)
    page = client.get(reverse("mentoring:meeting_detail", args=[meeting.pk]))
    assert 'id="my-clashes"' in text(page)
    response = client.post(reverse("mentoring:meeting_respond", args=[meeting.pk]), {"answer": "accept"},
                           follow=True)
    shown = messages_of(response)
    assert any(m.startswith("You accepted the meeting") for m in shown)
    assert any(m.startswith("Note the clash:") and "course or study leave" in m for m in shown)
    meeting.refresh_from_db()
    assert meeting.status == "accepted"


def test_declining_on_the_page_with_a_reason(client, meeting, resident):
    client.force_login(resident.user)
    response = client.post(reverse("mentoring:meeting_respond", args=[meeting.pk]),
                           {"answer": "decline", "reason": "On night duty the day before"})
    assert response.status_code == 302
    row = meeting.participants.get(user=resident.user)
    assert (row.response, row.decline_reason) == ("declined", "On night duty the day before")
    response = client.post(reverse("mentoring:meeting_respond", args=[meeting.pk]), {"answer": "accept"},
                           follow=True)
    assert any("has not answered yet" in m for m in messages_of(response))


def test_cancelling_on_the_page_needs_a_reason(client, meeting, mentor):
    client.force_login(mentor.user)
    response = client.post(reverse("mentoring:meeting_cancel", args=[meeting.pk]), {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["cancel_form"].errors
    response = client.post(reverse("mentoring:meeting_cancel", args=[meeting.pk]), {"reason": "Called to theatre"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    page = text(client.get(reverse("mentoring:meeting_detail", args=[meeting.pk])))
    assert "Cancelled: Called to theatre" in page and 'id="cancel"' not in page


def test_a_note_with_an_identifier_is_refused_and_kept_in_the_form(client, meeting, resident):
    client.force_login(resident.user)
    response = client.post(reverse("mentoring:meeting_note_add", args=[meeting.pk]),
                           {"text": "Baby 030512601234 was discussed"})
    assert response.status_code == 200 and "12-digit" in text(response)
    assert "Baby 030512601234 was discussed" in text(response)
    response = client.post(reverse("mentoring:meeting_note_add", args=[meeting.pk]), {"text": "Read the guideline"})
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    assert list(MeetingNote.objects.values_list("text", flat=True)) == ["Read the guideline"]


def test_the_meeting_page_query_count_does_not_grow(client, meeting, mentor, resident):
    client.force_login(mentor.user)
    url = reverse("mentoring:meeting_detail", args=[meeting.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    meeting_note_add(meeting=meeting, author=mentor.user, text="One")
    goal_create(resident=resident, by=mentor.user, title="Goal 0", due_on=timezone.localdate() + timedelta(days=30))
    small = count()
    for n in range(4):
        meeting_note_add(meeting=meeting, author=resident.user if n % 2 else mentor.user, text=f"Note {n}")
        goal_create(resident=resident, by=mentor.user, title=f"Goal {n + 1}",
                    due_on=timezone.localdate() + timedelta(days=30))
    assert count() == small


def test_pages_have_labelled_controls_and_no_inline_script(client, meeting, resident):
    client.force_login(resident.user)
    for url in (reverse("mentoring:meeting_list"), reverse("mentoring:meeting_new"),
                reverse("mentoring:meeting_detail", args=[meeting.pk])):
        page = text(client.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert " style=" not in page, url
        for control in re.findall(r'<(?:textarea|select|input)[^>]*\bid="([^"]+)"', page):
            assert f'for="{control}"' in page, (url, control)
