"""The goals panels (mentoring.templatetags.goal_tags): the right goals, to the right people, in constant queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.goals import goal_create, goal_note_add
from mentoring.models import Meeting, MeetingParticipant, Programme
from mentoring.services import assignment_create, assignment_end, clinical_programme
from residents.models import Resident
from tests.factories import DepartmentFactory, MentorFactory, ResidentFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db


def add_goal(resident, by, title, due_in=30, status=None):
    today = timezone.localdate()
    goal = goal_create(resident=resident, by=by, title=title, due_on=today + timedelta(days=due_in),
                       today=today + min(0, due_in - 1) * timedelta(days=1))
    if status:
        goal_note_add(goal=goal, by=by, text="Status changed.", status=status)
    return goal


def render(source, **context):
    return Template("{% load goal_tags %}" + source).render(Context(context))


def count_queries(source, **context):
    with CaptureQueriesContext(connection) as ctx:
        html = render(source, **context)
    return len(ctx.captured_queries), html


@pytest.fixture
def group(department):
    return Programme.objects.create(department=department, kind="group", name="Group", min_per_mentor=1,
                                    max_per_mentor=30)


# my_goals_card ---------------------------------------------------------------------------------------------------

def test_my_goals_card_shows_overdue_and_due_within_30_days(resident, mentor, make_resident):
    late = add_goal(resident, mentor.user, "Late goal", due_in=-3)
    soon = add_goal(resident, resident.user, "Soon goal", due_in=10)
    edge = add_goal(resident, resident.user, "Edge goal", due_in=30)
    add_goal(resident, resident.user, "Far goal", due_in=31)
    add_goal(resident, mentor.user, "Achieved late goal", due_in=-5, status="achieved")
    add_goal(resident, mentor.user, "Dropped soon goal", due_in=5, status="dropped")
    other = make_resident()
    add_goal(other, other.user, "Someone else's goal", due_in=2)

    html = render("{% my_goals_card user %}", user=resident.user)
    titles = re.findall(r'<span class="d-block fw-semibold">([^<]+)</span>', html)
    assert titles == [late.title, soon.title, edge.title]
    assert "list-group-item-danger" in html.split(late.title)[0].rsplit("<a", 1)[1]
    assert "Overdue since" in html and reverse("mentoring:my_goals") in html


def test_my_goals_card_says_when_nothing_is_due(resident):
    html = render("{% my_goals_card user %}", user=resident.user)
    assert 'id="home-goals"' in html and "Nothing overdue or due in the next 30 days." in html


def test_my_goals_card_is_empty_for_a_non_resident(mentor):
    assert render("{% my_goals_card user %}", user=mentor.user).strip() == ""


# mentee_goals_card -----------------------------------------------------------------------------------------------

def test_mentee_goals_card_shows_the_overdue_goals_of_my_mentees_in_any_programme(
        resident, mentor, make_resident, make_mentor, group):
    late = add_goal(resident, mentor.user, "Late clinical", due_in=-2)
    add_goal(resident, mentor.user, "Not yet due", due_in=2)
    add_goal(resident, mentor.user, "Achieved late", due_in=-4, status="achieved")
    group_mentee = make_resident()
    assignment_create(resident=group_mentee, mentor=mentor, programme=group)
    group_late = add_goal(group_mentee, mentor.user, "Late in the group", due_in=-1)
    former = make_resident()
    assignment = assignment_create(resident=former, mentor=mentor, programme=group)
    add_goal(former, mentor.user, "Late of a former mentee", due_in=-1)
    assignment_end(assignment=assignment, reason="Left the group")
    someone_else = make_mentor()
    theirs = make_resident()
    assignment_create(resident=theirs, mentor=someone_else)
    add_goal(theirs, someone_else.user, "Late of another mentor's mentee", due_in=-9)

    html = render("{% mentee_goals_card user %}", user=mentor.user)
    titles = re.findall(r'<span class="d-block fw-semibold">([^<]+)</span>', html)
    assert sorted(titles) == sorted([late.title, group_late.title])
    assert '<span class="badge text-bg-danger">2</span>' in html
    assert reverse("mentoring:mentee_goals") in html


def test_mentee_goals_card_says_when_nothing_is_overdue(mentor, resident):
    add_goal(resident, mentor.user, "On time", due_in=1)
    assert "None of your mentees has an overdue goal." in render("{% mentee_goals_card user %}", user=mentor.user)


# department_goals_card -------------------------------------------------------------------------------------------

def test_department_goals_card_counts_overdue_names_the_top_five_and_the_completion_rate(
        department, make_resident, make_mentor, group):
    lead = make_mentor()
    residents = [make_resident() for _ in range(7)]
    for i, r in enumerate(residents):
        assignment_create(resident=r, mentor=lead, programme=group)
        for j in range(i + 1):  # resident i has i+1 overdue goals
            add_goal(r, lead.user, f"Late {i}.{j}", due_in=-1 - j)
    add_goal(residents[0], lead.user, "Done", due_in=5, status="achieved")
    add_goal(residents[0], lead.user, "Dropped", due_in=5, status="dropped")
    graduated = make_resident()
    assignment_create(resident=graduated, mentor=lead, programme=group)
    add_goal(graduated, lead.user, "Late of a graduate", due_in=-1)
    Resident.objects.filter(pk=graduated.pk).update(status=Resident.Status.GRADUATED)
    elsewhere = ResidentFactory(specialty=SpecialtyFactory(department=DepartmentFactory()))
    other_mentor = MentorFactory(specialty=elsewhere.specialty)
    assignment_create(resident=elsewhere, mentor=other_mentor)
    add_goal(elsewhere, other_mentor.user, "Late elsewhere", due_in=-1)

    html = render("{% department_goals_card department %}", department=department)
    assert '<span class="stat" id="stat-goals-overdue">28</span>' in html  # 1 + 2 + ... + 7; not the graduate
    top = html.split('id="goals-overdue-residents"')[1]
    names = re.findall(r'<a href="[^"]+">([^<]+)</a>', top)
    assert names == [str(r) for r in reversed(residents)][:5]
    assert reverse("mentoring:resident_goals", args=[residents[6].pk]) in top
    # Completion: 1 achieved of 30 goals not dropped (28 overdue + the graduate's + the achieved one).
    assert '<span class="stat" id="stat-goals-completion">3%</span>' in html
    assert "1 of 30 not dropped" in html


def test_department_goals_card_without_goals(department):
    html = render("{% department_goals_card department %}", department=department)
    assert '<span class="stat" id="stat-goals-overdue">0</span>' in html
    assert '<span class="stat" id="stat-goals-completion">—</span>' in html


# meeting_goals ---------------------------------------------------------------------------------------------------

def make_meeting(department, mentor_user, people, *, days_ago=1, status="accepted"):
    starts = timezone.now() - timedelta(days=days_ago)
    meeting = Meeting.objects.create(programme=clinical_programme(department), mentor_user=mentor_user,
                                     starts_at=starts, ends_at=starts + timedelta(hours=1), agenda="Plan",
                                     status=status, proposed_by=mentor_user)
    for user, role in people:
        MeetingParticipant.objects.create(meeting=meeting, user=user, role=role, response="accepted")
    return meeting


def render_meeting(meeting, user, path="/mentoring/meetings/1/"):
    request = RequestFactory().get(path)
    return render("{% meeting_goals meeting user %}", meeting=meeting, user=user, request=request)


def test_meeting_goals_shows_the_mentees_open_goals_with_a_note_form(department, resident, mentor):
    open_goal = add_goal(resident, mentor.user, "Open goal", due_in=-1)
    add_goal(resident, mentor.user, "Achieved goal", status="achieved")
    meeting = make_meeting(department, mentor.user, [(mentor.user, "mentor"), (resident.user, "mentee")])
    html = render_meeting(meeting, mentor.user, path=f"/mentoring/meetings/{meeting.pk}/")
    assert "Open goal" in html and "Achieved goal" not in html
    form = html.split(f'id="meeting-goal-{open_goal.pk}"')[1]
    assert f'action="{reverse("mentoring:goal_note_add", args=[open_goal.pk])}"' in form
    assert f'name="meeting" value="{meeting.pk}"' in form
    assert f'name="next" value="/mentoring/meetings/{meeting.pk}/"' in form
    assert f'id="id_goal{open_goal.pk}_text"' in form and f'for="id_goal{open_goal.pk}_status"' in form
    # The resident sees their own goal with the form too.
    assert f'name="meeting" value="{meeting.pk}"' in render_meeting(meeting, resident.user)


def test_meeting_goals_is_shown_to_participants_only(department, resident, mentor, coordinator, make_mentor):
    add_goal(resident, mentor.user, "Open goal")
    meeting = make_meeting(department, mentor.user, [(mentor.user, "mentor"), (resident.user, "mentee")])
    for outsider in (coordinator, make_mentor().user):
        assert render_meeting(meeting, outsider).strip() == ""


def test_at_a_group_meeting_a_mentee_sees_only_their_own_goals(department, resident, mentor, make_resident, group):
    other = make_resident()
    assignment_create(resident=other, mentor=mentor, programme=group)
    mine = add_goal(resident, resident.user, "My own goal")
    theirs = add_goal(other, other.user, "Their goal")
    meeting = make_meeting(department, mentor.user,
                           [(mentor.user, "mentor"), (resident.user, "mentee"), (other.user, "mentee")])
    as_mentee = render_meeting(meeting, resident.user)
    assert mine.title in as_mentee and theirs.title not in as_mentee
    as_mentor = render_meeting(meeting, mentor.user)
    assert mine.title in as_mentor and theirs.title in as_mentor and str(other) in as_mentor


def test_meeting_goals_has_no_forms_before_the_meeting_day_or_when_not_accepted(department, resident, mentor):
    add_goal(resident, mentor.user, "Open goal")
    people = [(mentor.user, "mentor"), (resident.user, "mentee")]
    for meeting in (make_meeting(department, mentor.user, people, days_ago=-3),
                    make_meeting(department, mentor.user, people, status="cancelled")):
        html = render_meeting(meeting, mentor.user)
        assert "Open goal" in html and "<form" not in html
        assert "once the meeting is accepted" in html


# Query counts ----------------------------------------------------------------------------------------------------

def grow(department, mentor, group, make_resident, n):
    """n more mentees of `mentor` (group programme), each with overdue, soon, achieved goals."""
    created = []
    for i in range(n):
        r = make_resident()
        assignment_create(resident=r, mentor=mentor, programme=group)
        add_goal(r, mentor.user, f"Late {i}", due_in=-2)
        add_goal(r, r.user, f"Soon {i}", due_in=3)
        add_goal(r, mentor.user, f"Done {i}", status="achieved")
        created.append(r)
    return created


def test_tags_read_in_constant_queries(department, resident, mentor, make_resident, group):
    add_goal(resident, mentor.user, "Late", due_in=-2)
    add_goal(resident, resident.user, "Soon", due_in=3)

    def measure(mentees):
        meeting = make_meeting(department, mentor.user, [(mentor.user, "mentor"), (resident.user, "mentee")]
                               + [(m.user, "mentee") for m in mentees])
        counts = {
            "my": count_queries("{% my_goals_card user %}", user=resident.user),
            "mentee": count_queries("{% mentee_goals_card user %}", user=mentor.user),
            "department": count_queries("{% department_goals_card department %}", department=department),
            "meeting": count_queries("{% meeting_goals meeting user %}", meeting=meeting, user=mentor.user,
                                     request=RequestFactory().get("/")),
        }
        return {k: n for k, (n, _html) in counts.items()}, counts

    small_mentees = grow(department, mentor, group, make_resident, 1)
    for i in range(2):
        add_goal(resident, mentor.user, f"More late {i}", due_in=-3)
    small, _ = measure(small_mentees)
    big_mentees = small_mentees + grow(department, mentor, group, make_resident, 6)
    for i in range(8):
        add_goal(resident, mentor.user, f"Even more {i}", due_in=5 + i)
    big, rendered = measure(big_mentees)
    assert big == small
    # The bigger world really shows more: every mentee's open goals are on the meeting panel.
    assert all(f"Late {i}" in rendered["meeting"][1] for i in range(6))
