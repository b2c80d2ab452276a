"""The coordinator's programme overview: meetings held per pair in the last 3 and 6 months, pairs that have not
met, goal completion; figures on a small dataset computed by hand, the page, and its query count."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.models import Goal, Meeting, MeetingParticipant
from mentoring.programmes import months_before, programme_create, programme_overview
from mentoring.services import assignment_create, clinical_programme
from tests.factories import CoordinatorFactory, DepartmentFactory

pytestmark = pytest.mark.django_db

ACCEPTED, DECLINED = "accepted", "declined"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def meeting(programme, mentor_user, starts_at, *, attendees, status="accepted", minutes=60, fmt="one_to_one"):
    """A meeting written directly (the meetings service is another part's); attendees: {user: response}."""
    m = Meeting.objects.create(programme=programme, mentor_user=mentor_user, format=fmt, starts_at=starts_at,
                               ends_at=starts_at + timedelta(minutes=minutes), agenda="Progress", status=status,
                               proposed_by=mentor_user)
    MeetingParticipant.objects.create(meeting=m, user=mentor_user, role="mentor", response=ACCEPTED)
    for user, response in attendees.items():
        MeetingParticipant.objects.create(meeting=m, user=user, role="mentee", response=response)
    return m


def goal(resident, status, due_on):
    return Goal.objects.create(resident=resident, title=f"{status} {due_on}", due_on=due_on, status=status,
                               created_by=resident.user,
                               completed_on=due_on if status == "achieved" else None)


@pytest.fixture
def dataset(department, coordinator, make_mentor, make_resident):
    """Three programmes; every figure expected below is counted by hand in the comments."""
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    cut3, cut6 = months_before(now, 3), months_before(now, 6)
    m1, m2 = make_mentor(), make_mentor()
    a, b, c, d, e = (make_resident() for _ in range(5))
    peer = make_resident(year_of_study=2)
    clinical = clinical_programme(department)
    group = programme_create(department=department, by=coordinator, kind="group", name="Group", min_per_mentor=2,
                             max_per_mentor=8)
    near_peer = programme_create(department=department, by=coordinator, kind="near_peer", name="Near-peer",
                                 min_per_mentor=1, max_per_mentor=2)
    pairs = {
        "a": assignment_create(resident=a, mentor=m1, started_on=today - timedelta(days=250)),
        "b": assignment_create(resident=b, mentor=m1, started_on=today - timedelta(days=30)),
        "ga": assignment_create(resident=a, mentor=m2, programme=group, started_on=today - timedelta(days=60)),
        "gc": assignment_create(resident=c, mentor=m2, programme=group, started_on=today - timedelta(days=60)),
        "gd": assignment_create(resident=d, mentor=m2, programme=group, started_on=today - timedelta(days=60)),
        "e": assignment_create(resident=e, peer=peer, programme=near_peer, started_on=today - timedelta(days=200)),
    }
    # Pair a (clinical, m1 + a): held 3m = 1, 6m = 2, since the start = 3; last = cut3.
    meeting(clinical, m1.user, cut3, attendees={a.user: ACCEPTED})  # exactly 3 months ago: inside both windows
    meeting(clinical, m1.user, cut3 - timedelta(minutes=1), attendees={a.user: ACCEPTED})  # 6-month window only
    meeting(clinical, m1.user, cut6 - timedelta(days=20), attendees={a.user: ACCEPTED})  # before 6 months
    meeting(clinical, m1.user, now - timedelta(days=10), attendees={a.user: DECLINED})  # declined: not held
    meeting(clinical, m1.user, now - timedelta(days=5), attendees={a.user: ACCEPTED}, status="cancelled")
    meeting(clinical, m1.user, now - timedelta(days=20), attendees={a.user: ACCEPTED}, status="proposed")
    meeting(clinical, m1.user, now - timedelta(minutes=30), attendees={a.user: ACCEPTED})  # not over yet
    meeting(group, m1.user, now - timedelta(days=3), attendees={a.user: ACCEPTED})  # another programme's
    meeting(clinical, m2.user, now - timedelta(days=3), attendees={a.user: ACCEPTED})  # another mentor's
    # Pair b (clinical, m1 + b, started 30 days ago): the meeting on the first day counts, the one before not.
    start_b = datetime.combine(today - timedelta(days=30), time(9, 0), tzinfo=ZoneInfo("Asia/Almaty"))
    meeting(clinical, m1.user, start_b, attendees={b.user: ACCEPTED})
    meeting(clinical, m1.user, start_b - timedelta(days=10), attendees={b.user: ACCEPTED})
    # Group of m2: one group meeting attended by a and c; d declined. d never met.
    meeting(group, m2.user, now - timedelta(days=20), attendees={a.user: ACCEPTED, c.user: ACCEPTED,
                                                                 d.user: DECLINED}, fmt="group")
    # Near-peer pair e: one meeting about 100 days ago, between the two windows' starts.
    meeting(near_peer, peer.user, now - timedelta(days=100), attendees={e.user: ACCEPTED})
    # Goals of a: 2 achieved, 1 in progress (due later), 1 overdue, 1 dropped past due, 1 open due today.
    for status, due in [("achieved", today - timedelta(days=40)), ("achieved", today), ("in_progress", today
                        + timedelta(days=30)), ("not_started", today - timedelta(days=1)),
                        ("dropped", today - timedelta(days=9)), ("in_progress", today)]:
        goal(a, status, due)
    goal(e, "dropped", today + timedelta(days=3))
    return {"now": now, "pairs": pairs, "programmes": (clinical, group, near_peer), "residents": (a, b, c, d, e),
            "start_b": start_b, "cut3": cut3}


def by_assignment(figures):
    return {p.assignment.pk: p for f in figures for p in f.pairs}


def test_figures_per_pair(department, dataset):
    rows = by_assignment(programme_overview(department, now=dataset["now"]))
    pairs = dataset["pairs"]

    def figures(key):
        p = rows[pairs[key].pk]
        return (p.held_3m, p.held_6m, p.held_total, p.not_met_3m, p.never_met)

    assert figures("a") == (1, 2, 3, False, False)
    assert rows[pairs["a"].pk].last_met == dataset["cut3"]
    assert figures("b") == (1, 1, 1, False, False)
    assert rows[pairs["b"].pk].last_met == dataset["start_b"]
    assert figures("ga") == (1, 1, 1, False, False)  # a group meeting counts for each mentee who attended
    assert figures("gc") == (1, 1, 1, False, False)
    assert figures("gd") == (0, 0, 0, True, True)  # declined the group meeting
    assert rows[pairs["gd"].pk].last_met is None
    assert figures("e") == (0, 1, 1, True, False)  # met, but not in the last 3 months
    a = rows[pairs["a"].pk]
    assert (a.goals_achieved, a.goals_counted, a.goals_overdue) == (2, 5, 1)
    assert rows[pairs["ga"].pk].goals_achieved == 2  # the goals are the resident's, whatever the programme
    e = rows[pairs["e"].pk]
    assert (e.goals_achieved, e.goals_counted, e.goals_overdue) == (0, 0, 0)


def test_totals_per_programme(department, dataset):
    clinical, group, near_peer = dataset["programmes"]
    totals = {f.programme.pk: f for f in programme_overview(department, now=dataset["now"])}
    c = totals[clinical.pk]
    assert (len(c.pairs), c.not_met_3m, c.never_met, c.held_3m, c.held_6m) == (2, 0, 0, 2, 3)
    assert (c.goals_achieved, c.goals_counted, c.goals_overdue) == (2, 5, 1)
    g = totals[group.pk]
    assert (len(g.pairs), g.not_met_3m, g.never_met, g.held_3m, g.held_6m) == (3, 1, 1, 2, 2)
    n = totals[near_peer.pk]
    assert (len(n.pairs), n.not_met_3m, n.never_met, n.held_3m, n.held_6m) == (1, 1, 0, 0, 1)
    assert [f.programme.kind for f in programme_overview(department, now=dataset["now"])] == [
        "clinical", "near_peer", "group"]


def test_one_programme_and_ended_pairs(department, coordinator, dataset):
    from mentoring.services import assignment_end

    clinical, group, _near_peer = dataset["programmes"]
    only = programme_overview(department, programme=group, now=dataset["now"])
    assert [f.programme for f in only] == [group]
    assignment_end(assignment=dataset["pairs"]["gd"], by=coordinator, reason="Left")
    only = programme_overview(department, programme=group, now=dataset["now"])
    assert {p.assignment.pk for p in only[0].pairs} == {dataset["pairs"]["ga"].pk, dataset["pairs"]["gc"].pk}


def test_months_before_keeps_the_wall_clock_time_and_clamps_the_day():
    tz = ZoneInfo("Asia/Almaty")
    assert months_before(datetime(2025, 5, 31, 14, 30, tzinfo=tz), 3) == datetime(2025, 2, 28, 14, 30, tzinfo=tz)
    assert months_before(datetime(2024, 8, 31, 8, 0, tzinfo=tz), 6) == datetime(2024, 2, 29, 8, 0, tzinfo=tz)
    assert months_before(datetime(2025, 1, 15, 8, 0, tzinfo=tz), 3) == datetime(2024, 10, 15, 8, 0, tzinfo=tz)


# --- the page ---------------------------------------------------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch, dataset):
    """The page reads the clock: keep it at the dataset's `now`, so the boundary meetings stay on their side."""
    monkeypatch.setattr(timezone, "now", lambda: dataset["now"])
    return dataset


def test_overview_page_shows_the_figures_and_flags(client, coordinator, department, frozen):
    dataset = frozen
    client.force_login(coordinator)
    url = reverse("mentoring:programme_overview", kwargs={"department_id": department.pk})
    page = client.get(url).content.decode()
    pairs = dataset["pairs"]
    row = page.split(f'data-assignment="{pairs["a"].pk}"')[1].split("</tr>")[0]
    assert '<td class="held-3m">1</td>' in row and '<td class="held-6m">2</td>' in row
    assert '<td class="goals">2 of 5</td>' in row and "data-flag" not in row
    row = page.split(f'data-assignment="{pairs["gd"].pk}"')[1].split("</tr>")[0]
    assert 'class="table-warning"' in row and 'data-flag="never_met"' in row
    row = page.split(f'data-assignment="{pairs["e"].pk}"')[1].split("</tr>")[0]
    assert 'data-flag="not_met_3m"' in row
    group = dataset["programmes"][1]
    section = page.split(f'data-programme="{group.pk}"')[1].split("</section>")[0]
    assert 'data-total="not_met_3m">1<' in section and 'data-total="never_met">1<' in section
    assert 'data-total="held">2 / 2<' in section


def test_overview_filters(client, coordinator, department, frozen):
    dataset = frozen
    client.force_login(coordinator)
    clinical, group, _near_peer = dataset["programmes"]
    url = reverse("mentoring:programme_overview", kwargs={"department_id": department.pk})
    page = client.get(url, {"programme": group.pk}).content.decode()
    assert f'data-programme="{group.pk}"' in page and f'data-programme="{clinical.pk}"' not in page
    page = client.get(url, {"not_met": "1"}).content.decode()
    pairs = dataset["pairs"]
    assert f'data-assignment="{pairs["gd"].pk}"' in page and f'data-assignment="{pairs["a"].pk}"' not in page
    section = page.split(f'data-programme="{clinical.pk}"')[1].split("</section>")[0]
    assert "Every pair has met in the last 3 months." in section
    assert 'data-total="pairs">2<' in section  # the totals stay those of every pair


def test_overview_is_404_outside_the_department(client, department, dataset):
    client.force_login(CoordinatorFactory(department=DepartmentFactory()).user)
    url = reverse("mentoring:programme_overview", kwargs={"department_id": department.pk})
    assert client.get(url).status_code == 404


def test_overview_queries_do_not_grow_with_pairs_meetings_and_goals(client, coordinator, department, make_mentor,
                                                                   make_resident):
    group = programme_create(department=department, by=coordinator, kind="group", name="Group", min_per_mentor=1,
                             max_per_mentor=30)
    clinical = clinical_programme(department)
    now = timezone.now()

    def populate(n):
        leader = make_mentor()
        for i in range(n):
            r = make_resident()
            mentor = make_mentor()
            assignment_create(resident=r, mentor=mentor, started_on=timezone.localdate() - timedelta(days=200))
            assignment_create(resident=r, mentor=leader, programme=group,
                              started_on=timezone.localdate() - timedelta(days=200))
            for k in range(3):
                meeting(clinical, mentor.user, now - timedelta(days=20 + 40 * k), attendees={r.user: ACCEPTED})
            meeting(group, leader.user, now - timedelta(days=15), attendees={r.user: ACCEPTED}, fmt="group")
            goal(r, "achieved", timezone.localdate() - timedelta(days=i))
            goal(r, "not_started", timezone.localdate() - timedelta(days=1))

    client.force_login(coordinator)
    url = reverse("mentoring:programme_overview", kwargs={"department_id": department.pk})

    def count(params=""):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url + params).status_code == 200
        return len(ctx.captured_queries)

    populate(2)
    small = (count(), count(f"?programme={group.pk}&not_met=1"))
    populate(15)
    assert (count(), count(f"?programme={group.pk}&not_met=1")) == small
