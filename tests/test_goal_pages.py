"""Goals pages: the resident and the mentor side write, the coordinator reads (403 on writes), others get 404."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.goals import goal_create, goal_note_add
from mentoring.models import Goal, GoalNote, Meeting, MeetingParticipant, Programme
from mentoring.services import assignment_create, clinical_programme
from tests.factories import CoordinatorFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def add_goal(resident, by, title="Run the morning handover", due_in=30, start_days_ago=0, **kw):
    today = timezone.localdate()
    return goal_create(resident=resident, by=by, title=title, description=kw.pop("description", ""),
                       due_on=today + timedelta(days=due_in), today=today - timedelta(days=start_days_ago))


def overdue_goal(resident, by, title="Overdue goal"):
    return add_goal(resident, by, title=title, due_in=-5, start_days_ago=60)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def outsiders(make_mentor, make_resident):
    """A mentor of another resident, another resident and a coordinator of another department."""
    return {"mentor": make_mentor().user, "resident": make_resident().user,
            "other_coordinator": CoordinatorFactory(department=DepartmentFactory()).user}


# My goals --------------------------------------------------------------------------------------------------------

def test_my_goals_lists_goals_by_status_with_the_overdue_highlighted(client, resident, mentor):
    late = overdue_goal(resident, mentor.user, title="Chair a case review")
    waiting = add_goal(resident, resident.user, title="Present at the journal club")
    done = add_goal(resident, mentor.user, title="Complete the NLS course")
    goal_note_add(goal=done, by=mentor.user, text="Certificate received.", status="achieved")
    client.force_login(resident.user)
    html = client.get(reverse("mentoring:my_goals")).content.decode()
    not_started = html.split('id="section-not_started"')[1].split("</section>")[0]
    achieved = html.split('id="section-achieved"')[1].split("</section>")[0]
    assert late.title in not_started and waiting.title in not_started and done.title in achieved
    assert re.search(rf'<div class="[^"]*border-danger[^"]*" id="goal-{late.pk}"', html)
    assert not re.search(rf'<div class="[^"]*border-danger[^"]*" id="goal-{waiting.pk}"', html)
    late_item = html.split(f'id="goal-{late.pk}"')[1].split('id="goal-')[0]
    assert "Overdue" in late_item
    assert "Overdue" not in html.split(f'id="goal-{waiting.pk}"')[1].split("</section>")[0].split('id="goal-')[0]
    assert "Awaiting the mentor&#x27;s agreement" in html or "Awaiting the mentor's agreement" in html
    assert str(mentor.user) in html


def test_the_resident_proposes_a_goal(client, resident, today):
    client.force_login(resident.user)
    response = client.post(reverse("mentoring:my_goals"), {
        "title": "Lead a neonatal resuscitation", "description": "Simulation first.",
        "due_on": (today + timedelta(days=60)).isoformat()})
    assert response.status_code == 302 and response.url == reverse("mentoring:my_goals")
    goal = Goal.objects.get()
    assert (goal.resident, goal.created_by, goal.agreed_on) == (resident, resident.user, None)
    assert any("awaits your mentor" in m for m in messages_of(response))


def test_a_goal_due_in_the_past_is_refused_on_the_form(client, resident, today):
    client.force_login(resident.user)
    response = client.post(reverse("mentoring:my_goals"), {
        "title": "Too late", "due_on": (today - timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert "The due date cannot be in the past." in response.content.decode()
    assert not Goal.objects.exists()


# A resident's goals ----------------------------------------------------------------------------------------------

def test_the_mentor_adds_an_agreed_goal_and_sees_the_agree_buttons(client, resident, mentor, today):
    proposed = add_goal(resident, resident.user, title="Present at the journal club")
    client.force_login(mentor.user)
    url = reverse("mentoring:resident_goals", args=[resident.pk])
    html = client.get(url).content.decode()
    assert 'id="goal-form"' in html
    assert reverse("mentoring:goal_agree", args=[proposed.pk]) in html
    response = client.post(url, {"title": "Insert a UVC", "due_on": (today + timedelta(days=20)).isoformat()})
    assert response.status_code == 302
    goal = Goal.objects.get(title="Insert a UVC")
    assert (goal.agreed_by, goal.agreed_on) == (mentor.user, today)


def test_the_coordinator_reads_a_residents_goals_and_cannot_write(client, resident, coordinator, mentor, today):
    goal = add_goal(resident, resident.user, title="Present at the journal club")
    client.force_login(coordinator)
    url = reverse("mentoring:resident_goals", args=[resident.pk])
    html = client.get(url).content.decode()
    assert goal.title in html
    assert 'id="goal-form"' not in html and reverse("mentoring:goal_agree", args=[goal.pk]) not in html
    response = client.post(url, {"title": "Coordinator's goal", "due_on": (today + timedelta(days=5)).isoformat()})
    assert response.status_code == 403
    assert Goal.objects.count() == 1


def test_a_coordinator_who_mentors_the_resident_acts_as_the_mentor(client, resident, department, make_mentor,
                                                                   today):
    group = Programme.objects.create(department=department, kind="group", name="Group", min_per_mentor=1,
                                     max_per_mentor=6)
    coordinating_mentor = make_mentor()
    CoordinatorFactory(department=department, user=coordinating_mentor.user)
    assignment_create(resident=resident, mentor=coordinating_mentor, programme=group)
    client.force_login(coordinating_mentor.user)
    response = client.post(reverse("mentoring:resident_goals", args=[resident.pk]),
                           {"title": "Group goal", "due_on": (today + timedelta(days=5)).isoformat()})
    assert response.status_code == 302
    assert Goal.objects.get().agreed_by == coordinating_mentor.user


def test_the_resident_is_sent_to_my_goals(client, resident):
    client.force_login(resident.user)
    response = client.get(reverse("mentoring:resident_goals", args=[resident.pk]))
    assert response.status_code == 302 and response.url == reverse("mentoring:my_goals")


def test_outsiders_get_404_on_a_residents_goals(client, resident, outsiders, today):
    url = reverse("mentoring:resident_goals", args=[resident.pk])
    for user in outsiders.values():
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "x", "due_on": today.isoformat()}).status_code == 404
    assert not Goal.objects.exists()


# Goal detail -----------------------------------------------------------------------------------------------------

def test_goal_detail_shows_the_timeline_with_status_changes_and_the_meeting(client, department, resident, mentor,
                                                                            today):
    goal = add_goal(resident, resident.user)
    starts = timezone.now() - timedelta(days=3)
    meeting = Meeting.objects.create(programme=clinical_programme(department), mentor_user=mentor.user,
                                     starts_at=starts, ends_at=starts + timedelta(hours=1), agenda="Plan",
                                     status="accepted", proposed_by=mentor.user)
    for user, role in ((mentor.user, "mentor"), (resident.user, "mentee")):
        MeetingParticipant.objects.create(meeting=meeting, user=user, role=role, response="accepted")
    goal_note_add(goal=goal, by=mentor.user, text="Reviewed the first attempt.", status="in_progress",
                  meeting=meeting)
    goal_note_add(goal=goal, by=resident.user, text="Second attempt booked.")

    client.force_login(mentor.user)
    html = client.get(reverse("mentoring:goal_detail", args=[goal.pk])).content.decode()
    timeline = html.split('id="timeline"')[1].split("</ol>")[0]
    assert timeline.index("Reviewed the first attempt.") < timeline.index("Second attempt booked.")
    assert "Status: in progress" in timeline
    assert "Reviewed at the meeting on" in timeline
    assert 'id="agree-form"' in html and 'id="note-form"' in html

    client.force_login(resident.user)
    html = client.get(reverse("mentoring:goal_detail", args=[goal.pk])).content.decode()
    assert 'id="agree-form"' not in html and 'id="note-form"' in html


def test_the_coordinator_reads_a_goal_without_forms(client, resident, coordinator):
    goal = add_goal(resident, resident.user)
    client.force_login(coordinator)
    html = client.get(reverse("mentoring:goal_detail", args=[goal.pk])).content.decode()
    assert goal.title in html
    assert 'id="note-form"' not in html and 'id="agree-form"' not in html
    assert reverse("mentoring:goal_edit", args=[goal.pk]) not in html


def test_outsiders_get_404_on_a_goal(client, resident, outsiders):
    goal = add_goal(resident, resident.user)
    for name in ("mentoring:goal_detail", "mentoring:goal_edit"):
        for user in outsiders.values():
            client.force_login(user)
            assert client.get(reverse(name, args=[goal.pk])).status_code == 404
    for user in outsiders.values():
        client.force_login(user)
        response = client.post(reverse("mentoring:goal_edit", args=[goal.pk]),
                               {"title": "Changed", "due_on": goal.due_on.isoformat()})
        assert response.status_code == 404
    goal.refresh_from_db()
    assert goal.title != "Changed"


# Edit ------------------------------------------------------------------------------------------------------------

def test_the_resident_changing_an_agreed_goal_is_told_it_needs_agreeing_again(client, resident, mentor, today):
    goal = add_goal(resident, mentor.user)
    client.force_login(resident.user)
    url = reverse("mentoring:goal_edit", args=[goal.pk])
    assert "will need to agree it again" in client.get(url).content.decode()
    response = client.post(url, {"title": "A different goal", "description": "",
                                 "due_on": goal.due_on.isoformat()})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "A different goal" and goal.agreed_on is None
    assert any("needs to agree it again" in m for m in messages_of(response))


def test_the_mentor_edits_a_goal(client, resident, mentor, today):
    goal = add_goal(resident, resident.user)
    client.force_login(mentor.user)
    response = client.post(reverse("mentoring:goal_edit", args=[goal.pk]), {
        "title": goal.title, "description": "With the charge nurse.", "due_on": goal.due_on.isoformat()})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.description == "With the charge nurse."


def test_the_coordinator_cannot_edit(client, resident, coordinator):
    goal = add_goal(resident, resident.user)
    client.force_login(coordinator)
    url = reverse("mentoring:goal_edit", args=[goal.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Changed", "due_on": goal.due_on.isoformat()}).status_code == 403
    goal.refresh_from_db()
    assert goal.title != "Changed"


def test_an_achieved_goal_is_not_edited(client, resident):
    goal = add_goal(resident, resident.user)
    goal_note_add(goal=goal, by=resident.user, text="Done.", status="achieved")
    client.force_login(resident.user)
    response = client.get(reverse("mentoring:goal_edit", args=[goal.pk]))
    assert response.status_code == 302 and response.url == reverse("mentoring:goal_detail", args=[goal.pk])


# Agree -----------------------------------------------------------------------------------------------------------

def test_the_mentor_agrees_and_returns_to_the_page_they_came_from(client, resident, mentor, today):
    goal = add_goal(resident, resident.user)
    client.force_login(mentor.user)
    back = reverse("mentoring:mentee_goals")
    response = client.post(reverse("mentoring:goal_agree", args=[goal.pk]), {"next": back})
    assert response.status_code == 302 and response.url == back
    goal.refresh_from_db()
    assert (goal.agreed_by, goal.agreed_on) == (mentor.user, today)


def test_an_unsafe_next_is_ignored(client, resident, mentor):
    goal = add_goal(resident, resident.user)
    client.force_login(mentor.user)
    response = client.post(reverse("mentoring:goal_agree", args=[goal.pk]), {"next": "https://evil.example/"})
    assert response.url == reverse("mentoring:goal_detail", args=[goal.pk])


@pytest.mark.parametrize("back", ["0", "9999-12-31T23:59", "mentoring:my_goals", "a b", "//evil.example/"])
def test_a_next_that_is_not_a_path_is_ignored(client, resident, mentor, back):
    """Found by tests/test_fuzz_forms.py: a word in `next` was taken for a URL name by `redirect` (500)."""
    goal = add_goal(resident, resident.user)
    client.force_login(mentor.user)
    detail = reverse("mentoring:goal_detail", args=[goal.pk])
    assert client.post(reverse("mentoring:goal_agree", args=[goal.pk]), {"next": back}).url == detail
    client.force_login(resident.user)
    response = client.post(reverse("mentoring:goal_note_add", args=[goal.pk]), {"text": "Reviewed.", "next": back})
    assert response.status_code == 302 and response.url == detail


def test_agreeing_twice_is_refused_with_a_message(client, resident, mentor):
    goal = add_goal(resident, mentor.user)
    client.force_login(mentor.user)
    response = client.post(reverse("mentoring:goal_agree", args=[goal.pk]))
    assert any("already been agreed" in m for m in messages_of(response))


@pytest.mark.parametrize("who,status", [("resident", 403), ("coordinator", 403)])
def test_the_resident_and_the_coordinator_cannot_agree(who, status, client, resident, coordinator):
    goal = add_goal(resident, resident.user)
    client.force_login(resident.user if who == "resident" else coordinator)
    assert client.post(reverse("mentoring:goal_agree", args=[goal.pk])).status_code == status
    goal.refresh_from_db()
    assert goal.agreed_on is None


# Progress notes --------------------------------------------------------------------------------------------------

def test_the_resident_notes_progress_with_a_status(client, resident, today):
    goal = add_goal(resident, resident.user)
    client.force_login(resident.user)
    response = client.post(reverse("mentoring:goal_note_add", args=[goal.pk]),
                           {"text": "Did it with supervision.", "status": "achieved"})
    assert response.status_code == 302 and response.url == reverse("mentoring:goal_detail", args=[goal.pk])
    goal.refresh_from_db()
    assert (goal.status, goal.completed_on) == ("achieved", today)
    assert GoalNote.objects.get().status_after == "achieved"


def test_a_refused_note_is_shown_on_the_goal_page(client, resident):
    goal = add_goal(resident, resident.user)
    client.force_login(resident.user)
    response = client.post(reverse("mentoring:goal_note_add", args=[goal.pk]),
                           {"text": "Patient 870412300123 again.", "status": ""})
    assert response.status_code == 200
    assert "Remove the 12-digit number" in response.content.decode()
    assert not GoalNote.objects.exists()


def test_a_note_from_a_meeting_page_returns_there(client, department, resident, mentor):
    goal = add_goal(resident, mentor.user)
    starts = timezone.now() - timedelta(hours=2)
    meeting = Meeting.objects.create(programme=clinical_programme(department), mentor_user=mentor.user,
                                     starts_at=starts, ends_at=starts + timedelta(hours=1), agenda="Plan",
                                     status="accepted", proposed_by=mentor.user)
    for user, role in ((mentor.user, "mentor"), (resident.user, "mentee")):
        MeetingParticipant.objects.create(meeting=meeting, user=user, role=role, response="accepted")
    client.force_login(mentor.user)
    back = f"/mentoring/meetings/{meeting.pk}/"
    response = client.post(reverse("mentoring:goal_note_add", args=[goal.pk]),
                           {"text": "Reviewed.", "status": "in_progress", "meeting": meeting.pk, "next": back})
    assert response.status_code == 302 and response.url == back
    assert GoalNote.objects.get().meeting == meeting

    # Refused (a meeting the resident was not at): the error comes back as a message on the meeting page.
    other = Meeting.objects.create(programme=meeting.programme, mentor_user=mentor.user, starts_at=starts,
                                   ends_at=starts + timedelta(hours=1), agenda="Other", status="accepted",
                                   proposed_by=mentor.user)
    MeetingParticipant.objects.create(meeting=other, user=mentor.user, role="mentor", response="accepted")
    response = client.post(reverse("mentoring:goal_note_add", args=[goal.pk]),
                           {"text": "Reviewed.", "meeting": other.pk, "next": back})
    assert response.status_code == 302 and response.url == back
    assert any("meeting that you and" in m for m in messages_of(response))
    assert GoalNote.objects.count() == 1


def test_a_missing_meeting_is_refused(client, resident):
    goal = add_goal(resident, resident.user)
    client.force_login(resident.user)
    response = client.post(reverse("mentoring:goal_note_add", args=[goal.pk]), {"text": "x", "meeting": 999999})
    assert response.status_code == 200
    assert "no longer exists" in response.content.decode()
    assert not GoalNote.objects.exists()


def test_the_coordinator_cannot_note_and_outsiders_get_404(client, resident, coordinator, outsiders):
    goal = add_goal(resident, resident.user)
    url = reverse("mentoring:goal_note_add", args=[goal.pk])
    client.force_login(coordinator)
    assert client.post(url, {"text": "Looks fine."}).status_code == 403
    for user in outsiders.values():
        client.force_login(user)
        assert client.post(url, {"text": "Looks fine."}).status_code == 404
        assert client.post(reverse("mentoring:goal_agree", args=[goal.pk])).status_code == 404
    assert not GoalNote.objects.exists()
    goal.refresh_from_db()
    assert goal.agreed_on is None


# Goals of my mentees ---------------------------------------------------------------------------------------------

def test_mentee_goals_lists_open_goals_overdue_first(client, resident, mentor, make_resident):
    soon = add_goal(resident, mentor.user, title="Soon", due_in=3)
    late = overdue_goal(resident, mentor.user, title="Late one")
    done = add_goal(resident, mentor.user, title="Finished one")
    goal_note_add(goal=done, by=mentor.user, text="Done.", status="achieved")
    quiet = make_resident()
    assignment_create(resident=quiet, mentor=mentor)
    client.force_login(mentor.user)
    html = client.get(reverse("mentoring:mentee_goals")).content.decode()
    listing = html.split('id="mentee-goals"')[1]
    assert listing.index(late.title) < listing.index(soon.title)
    assert done.title not in html
    assert str(quiet) in html.split('id="without-open"')[1]


def test_a_peer_mentor_sees_their_mentees_goals(client, department, resident, make_resident):
    near_peer = Programme.objects.create(department=department, kind="near_peer", name="Near-peer",
                                         min_per_mentor=1, max_per_mentor=3)
    senior = make_resident(year_of_study=3)
    assignment_create(resident=resident, peer=senior, programme=near_peer)
    goal = add_goal(resident, resident.user, title="Learn the ventilator settings")
    client.force_login(senior.user)
    assert goal.title in client.get(reverse("mentoring:mentee_goals")).content.decode()
    # ... and can agree it, being on the mentor side.
    client.post(reverse("mentoring:goal_agree", args=[goal.pk]))
    goal.refresh_from_db()
    assert goal.agreed_by == senior.user


def test_a_resident_without_mentees_and_a_coordinator_get_404_on_mentee_goals(client, resident, coordinator):
    for user in (resident.user, coordinator):
        client.force_login(user)
        assert client.get(reverse("mentoring:mentee_goals")).status_code == 404


# Query counts ----------------------------------------------------------------------------------------------------

def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grow(resident, mentor, make_resident, n):
    """n more goals (some overdue, some with notes) for the resident, and n more mentees (in a group programme)
    with goals."""
    department = resident.specialty.department
    group, _ = Programme.objects.get_or_create(department=department, kind="group", name="Group",
                                               defaults={"min_per_mentor": 1, "max_per_mentor": 20})
    for i in range(n):
        goal = add_goal(resident, mentor.user, title=f"Goal {i}", due_in=10 + i)
        goal_note_add(goal=goal, by=resident.user, text="Progress.", status="in_progress")
        overdue_goal(resident, mentor.user, title=f"Late {i}")
        other = make_resident()
        assignment_create(resident=other, mentor=mentor, programme=group)
        overdue_goal(other, mentor.user, title=f"Mentee late {i}")
        add_goal(other, other.user, title=f"Mentee proposal {i}")
    goal = Goal.objects.filter(resident=resident).first()
    for i in range(n):
        goal_note_add(goal=goal, by=mentor.user, text=f"Note {i}.")


@pytest.mark.parametrize("name,who", [
    ("mentoring:my_goals", "resident"),
    ("mentoring:resident_goals", "mentor"),
    ("mentoring:resident_goals", "coordinator"),
    ("mentoring:goal_detail", "mentor"),
    ("mentoring:goal_detail", "coordinator"),
    ("mentoring:mentee_goals", "mentor"),
])
def test_queries_do_not_grow_with_goals(name, who, client, resident, mentor, coordinator, make_resident):
    first = add_goal(resident, mentor.user, title="First")
    users = {"resident": resident.user, "mentor": mentor.user, "coordinator": coordinator}
    args = {"mentoring:resident_goals": [resident.pk], "mentoring:goal_detail": [first.pk]}.get(name, [])
    url = reverse(name, args=args)
    client.force_login(users[who])
    grow(resident, mentor, make_resident, 1)
    small = count_queries(client, url)
    grow(resident, mentor, make_resident, 4)
    assert count_queries(client, url) == small
