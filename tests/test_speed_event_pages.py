"""The speed-mentoring pages (issue 6 item 4): the coordinator plans, generates and prints the timetable, opens
the rankings, reviews, edits and confirms the matching; mentees and experts see their own timetable and rank the
people they met. Scope (404 outside), and query counts that do not grow with the data."""

from datetime import time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Assignment, SpeedChoice, SpeedEvent, SpeedMatch, SpeedPreference
from mentoring.services import assignment_create
from mentoring.speed_events import choices_submit, matching_propose, preferences_submit, ranking_open
from tests.access_rows.speed import build_event
from tests.factories import CoordinatorFactory, DepartmentFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def messages_text(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def desk(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def people(make_mentor, make_resident):
    return {"experts": [make_mentor() for _ in range(3)], "residents": [make_resident() for _ in range(6)]}


@pytest.fixture
def planned(department, coordinator, people):
    r = people["residents"]
    return build_event(department=department, coordinator=coordinator, experts=people["experts"][:2],
                       groups=[r[0:2], r[2:4], r[4:6]])


@pytest.fixture
def ranking(planned):
    ranking_open(event=planned)
    planned.refresh_from_db()
    return planned


def rank_all(event, residents, experts):
    for resident in residents:
        met = list(event.slots.filter(group__members__resident=resident).order_by("expert__table")
                   .values_list("expert__mentor", flat=True))
        choices_submit(event=event, resident=resident, mentors_ranked=[m for m in experts if m.pk in met][:3])
    for expert in experts:
        met = set(event.slots.filter(expert__mentor=expert).values_list("group__members__resident", flat=True))
        preferences_submit(event=event, mentor=expert, residents_ranked=[r for r in residents if r.pk in met])


# --- planning -----------------------------------------------------------------------------------------------------


def test_the_coordinator_creates_an_event_and_lands_on_experts_and_groups(desk, department, coordinator):
    url = reverse("mentoring:speed_event_new", args=[department.pk])
    assert desk.get(url).status_code == 200
    response = desk.post(url, {"title": "Meet the mentors", "held_on": timezone.localdate().isoformat(),
                               "starts_at": "14:00", "round_minutes": "10", "rounds": "3", "place": "Hall A"})
    event = SpeedEvent.objects.get()
    assert response.status_code == 302 and response.url == reverse("mentoring:speed_event_people", args=[event.pk])
    assert (event.department, event.created_by, event.starts_at, event.place) == (department, coordinator,
                                                                                  time(14), "Hall A")
    listing = desk.get(reverse("mentoring:speed_event_list", args=[department.pk]))
    assert "Meet the mentors" in listing.content.decode()


def test_a_refused_event_shows_the_reason_on_the_form(desk, department):
    response = desk.post(reverse("mentoring:speed_event_new", args=[department.pk]), {
        "title": "x", "held_on": timezone.localdate().isoformat(), "starts_at": "14:00", "round_minutes": "2",
        "rounds": "40"})
    assert response.status_code == 200 and not SpeedEvent.objects.exists()
    assert response.context["form"].errors.keys() == {"round_minutes", "rounds"}


def test_experts_and_groups_split_evenly_or_as_chosen(desk, department, coordinator, people):
    from mentoring.speed_events import event_save

    event = event_save(department=department, by=coordinator, title="Spring", held_on=timezone.localdate(),
                       starts_at=time(14), round_minutes=10, rounds=3)
    url = reverse("mentoring:speed_event_people", args=[event.pk])
    page = desk.get(url)
    assert page.status_code == 200
    r, (a, _b, c) = people["residents"], people["experts"]
    data = {"experts": [c.pk, a.pk], "group_count": "3", **{f"resident_{x.pk}": "any" for x in r[:5]}}
    data[f"resident_{r[5].pk}"] = "3"
    response = desk.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    sizes = [g.members.count() for g in event.groups.order_by("number")]
    assert sizes == [2, 2, 2]
    assert event.groups.get(number=3).members.filter(resident=r[5]).exists()
    assert set(event.experts.values_list("mentor_id", flat=True)) == {a.pk, c.pk}

    missing = desk.post(url, {"experts": [a.pk], f"resident_{r[0].pk}": "any"})
    assert missing.status_code == 200 and "group_count" in missing.context["form"].errors


def test_changing_people_after_the_timetable_clears_it_and_says_so(desk, planned, people):
    assert planned.slots.exists()
    r = people["residents"]
    data = {"experts": [e.pk for e in people["experts"]], "group_count": "2",
            **{f"resident_{x.pk}": "any" for x in r}}
    response = desk.post(reverse("mentoring:speed_event_people", args=[planned.pk]), data)
    assert response.status_code == 302
    assert not planned.slots.exists()
    assert any("timetable was cleared" in m for m in messages_text(response))


def test_the_detail_page_shows_experts_groups_and_the_next_actions(desk, planned, people):
    body = desk.get(reverse("mentoring:speed_event_detail", args=[planned.pk])).content.decode()
    for person in people["experts"][:2] + people["residents"]:
        assert str(person) in body
    assert reverse("mentoring:speed_ranking_open", args=[planned.pk]) in body
    assert reverse("mentoring:speed_schedule", args=[planned.pk]) in body


def test_generating_leads_to_the_printable_timetable_with_times_byes_and_groups(desk, planned, people):
    response = desk.post(reverse("mentoring:speed_schedule_generate", args=[planned.pk]))
    assert response.url == reverse("mentoring:speed_schedule", args=[planned.pk])
    page = desk.get(response.url)
    body = page.content.decode()
    table = page.context["timetable"]
    assert [(r.starts.time(), r.ends.time()) for r in table.rounds] == [(time(14), time(14, 10)),
                                                                        (time(14, 10), time(14, 20)),
                                                                        (time(14, 20), time(14, 30))]
    assert all(len(r.idle_groups) == 1 for r in table.rounds)  # 3 groups, 2 experts: one group sits out
    assert "14:20–14:30" in body and "Sitting out" in body and "Print" in body
    assert "Table 2" in body and str(people["experts"][1]) in body
    for resident in people["residents"]:
        assert str(resident) in body
    assert 'class="table table-bordered align-middle speed-timetable"' in body


def test_too_many_rounds_are_refused_with_the_number_needed(desk, department, coordinator, people):
    r = people["residents"]
    event = build_event(department=department, coordinator=coordinator, experts=people["experts"][:2],
                        groups=[r[0:3], r[3:6]], rounds=4, schedule=False)
    response = desk.post(reverse("mentoring:speed_schedule_generate", args=[event.pk]), follow=True)
    assert any("2 rounds are enough" in m for m in messages_text(response))
    assert not event.slots.exists()


def test_fewer_rounds_are_flagged_on_the_pages(desk, department, coordinator, people):
    r = people["residents"]
    event = build_event(department=department, coordinator=coordinator, experts=people["experts"],
                        groups=[r[0:3], r[3:6]], rounds=2)
    for name in ("mentoring:speed_event_detail", "mentoring:speed_schedule"):
        body = desk.get(reverse(name, args=[event.pk])).content.decode()
        assert "Not every group meets every expert: 2 pairs never meet. 3 rounds" in body


def test_the_edit_page_is_closed_once_rankings_are_open(desk, ranking):
    response = desk.get(reverse("mentoring:speed_event_edit", args=[ranking.pk]))
    assert response.status_code == 302
    assert desk.get(reverse("mentoring:speed_event_people", args=[ranking.pk])).status_code == 302


# --- rankings -----------------------------------------------------------------------------------------------------


def test_opening_the_rankings(desk, planned):
    response = desk.post(reverse("mentoring:speed_ranking_open", args=[planned.pk]))
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == "ranking"


def test_a_mentee_ranks_on_the_page_among_the_experts_met(client, ranking, people):
    resident = people["residents"][0]
    client.force_login(resident.user)
    url = reverse("mentoring:speed_rank", args=[ranking.pk])
    page = client.get(url)
    form = page.context["form"]
    met = set(ranking.slots.filter(group__members__resident=resident).values_list("expert__mentor", flat=True))
    assert [f.label for f in form] == ["1st choice", "2nd choice"]  # two experts met
    assert {int(v) for v, _label in form.fields["choice_1"].choices if v} == met
    stranger = people["experts"][2]
    assert client.post(url, {"choice_1": str(stranger.pk)}).status_code == 200  # not a choice: refused
    first, second = people["experts"][1], people["experts"][0]
    response = client.post(url, {"choice_1": str(first.pk), "choice_2": str(second.pk)})
    assert response.status_code == 302 and response.url == reverse("mentoring:my_speed_events")
    assert list(SpeedChoice.objects.filter(resident=resident).values_list("mentor_id", flat=True)) == [
        first.pk, second.pk]
    again = client.get(url).context["form"]
    assert again.initial == {"choice_1": str(first.pk), "choice_2": str(second.pk)}
    twice = client.post(url, {"choice_1": str(first.pk), "choice_2": str(first.pk)})
    assert twice.status_code == 200 and "once only" in twice.content.decode()


def test_an_expert_ranks_the_mentees_met(client, ranking, people):
    expert = people["experts"][0]
    client.force_login(expert.user)
    url = reverse("mentoring:speed_rank", args=[ranking.pk])
    form = client.get(url).context["form"]
    met = set(ranking.slots.filter(expert__mentor=expert).values_list("group__members__resident", flat=True))
    assert {int(v) for v, _label in form.fields["choice_1"].choices if v} == met
    ranked = sorted(met)[:2]
    response = client.post(url, {"choice_1": str(ranked[0]), "choice_2": str(ranked[1])})
    assert response.status_code == 302
    assert list(SpeedPreference.objects.filter(mentor=expert).values_list("resident_id", flat=True)) == ranked


def test_the_rank_page_before_rankings_open_and_for_outsiders(client, planned, people, make_resident, user):
    client.force_login(people["residents"][0].user)
    url = reverse("mentoring:speed_rank", args=[planned.pk])
    assert "open after the event" in client.get(url).content.decode()
    response = client.post(url, {"choice_1": str(people["experts"][0].pk)})
    assert response.status_code == 302 and not SpeedChoice.objects.exists()
    for outsider in (make_resident().user, people["experts"][2].user, user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_the_rankings_page_shows_who_has_ranked(desk, ranking, people):
    choices_submit(event=ranking, resident=people["residents"][0], mentors_ranked=[people["experts"][0]])
    page = desk.get(reverse("mentoring:speed_rankings", args=[ranking.pk]))
    assert page.context["mentees_done"] == 1 and page.context["experts_done"] == 0
    assert "1 of 6 mentees have ranked" in page.content.decode()


def test_my_speed_events_shows_the_own_timetable(client, ranking, people, make_resident):
    resident = people["residents"][0]
    client.force_login(resident.user)
    page = client.get(reverse("mentoring:my_speed_events"))
    (mine,) = page.context["participations"]
    assert mine.role == "mentee" and mine.group.number == 1 and not mine.has_ranked
    assert [r.partner.table if r.partner else None for r in mine.rounds] == [1, 2, None]
    body = page.content.decode()
    assert "Rank the experts I met" in body and "You are in group 1" in body

    expert = people["experts"][1]
    client.force_login(expert.user)
    (seat,) = client.get(reverse("mentoring:my_speed_events")).context["participations"]
    assert seat.role == "expert" and seat.expert.table == 2
    assert sorted(r.partner.number for r in seat.rounds if r.partner) == [1, 2, 3]  # experts never sit out here

    client.force_login(make_resident().user)
    assert client.get(reverse("mentoring:my_speed_events")).context["participations"] == []


# --- matching -----------------------------------------------------------------------------------------------------


def test_propose_review_edit_and_confirm(desk, ranking, people, coordinator):
    r, experts = people["residents"], people["experts"][:2]
    rank_all(ranking, r, experts)
    response = desk.post(reverse("mentoring:speed_matching_propose", args=[ranking.pk]))
    assert response.url == reverse("mentoring:speed_matching", args=[ranking.pk])
    assert SpeedMatch.objects.filter(event=ranking).count() == 6
    review = desk.get(response.url)
    body = review.content.decode()
    assert "mentee&#x27;s choice 1" in body or "mentee's choice 1" in body
    assert review.context["review"].blocking == []

    moved = SpeedMatch.objects.filter(event=ranking, mentor=experts[0]).first().resident
    response = desk.post(reverse("mentoring:speed_match_set", args=[ranking.pk]),
                         {"resident": moved.pk, "mentor": experts[1].pk})
    assert response.status_code == 302
    match = SpeedMatch.objects.get(event=ranking, resident=moved)
    assert match.mentor == experts[1] and match.edited

    set_url = reverse("mentoring:speed_match_set", args=[ranking.pk])
    while SpeedMatch.objects.filter(event=ranking, mentor=experts[1]).count() < 4:  # fill to the maximum
        resident = SpeedMatch.objects.filter(event=ranking, mentor=experts[0]).first().resident
        assert desk.post(set_url, {"resident": resident.pk, "mentor": experts[1].pk}).status_code == 302
    last = SpeedMatch.objects.filter(event=ranking, mentor=experts[0]).first().resident
    full = desk.post(set_url, {"resident": last.pk, "mentor": experts[1].pk}, follow=True)
    assert any("would exceed the maximum of 4" in m for m in messages_text(full)), messages_text(full)
    assert SpeedMatch.objects.get(event=ranking, resident=last).mentor == experts[0]

    response = desk.post(reverse("mentoring:speed_confirm", args=[ranking.pk]), follow=True)
    assert any("6 assignments created" in m for m in messages_text(response))
    assert Assignment.objects.filter(ended_on__isnull=True, created_by=coordinator).count() == 6
    assert Assignment.objects.get(resident=moved, ended_on__isnull=True).mentor == experts[1]
    assert "Assignment created." in response.content.decode()
    again = desk.post(reverse("mentoring:speed_confirm", args=[ranking.pk]), follow=True)
    assert any("already confirmed" in m for m in messages_text(again))
    detail = desk.get(reverse("mentoring:speed_event_detail", args=[ranking.pk])).content.decode()
    assert f"Assignments confirmed by {coordinator.full_name}" in detail
    desk.force_login(moved.user)
    assert "the rankings are closed" in desk.get(reverse("mentoring:speed_rank", args=[ranking.pk])).content.decode()


def test_a_refused_confirmation_creates_nothing_and_lists_the_reasons(desk, ranking, people):
    r, experts = people["residents"], people["experts"][:2]
    rank_all(ranking, r, experts)
    matching_propose(event=ranking)
    experts[0].certificate_expires_on = timezone.localdate() - timedelta(days=1)
    experts[0].save()
    page = desk.get(reverse("mentoring:speed_matching", args=[ranking.pk]))
    assert "Would be refused" in page.content.decode()
    response = desk.post(reverse("mentoring:speed_confirm", args=[ranking.pk]), follow=True)
    texts = messages_text(response)
    assert texts[0] == "Nothing was confirmed:"
    assert len(texts) == 1 + SpeedMatch.objects.filter(event=ranking, mentor=experts[0]).count()
    assert not Assignment.objects.exists()


def test_unmatched_and_already_mentored_mentees_are_listed(desk, ranking, people, mentor):
    r = people["residents"]
    assignment_create(resident=r[0], mentor=mentor)
    matching_propose(event=ranking)  # nobody ranked: nobody matched
    page = desk.get(reverse("mentoring:speed_matching", args=[ranking.pk]))
    review = page.context["review"]
    assert [x for x, _a in review.mentored] == [r[0]]
    assert {x.pk for x, _c in review.unmatched} == {x.pk for x in r[1:]}
    assert "Mentees to place by hand" in page.content.decode()


# --- scope --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,data", [
    ("mentoring:speed_schedule_generate", {}),
    ("mentoring:speed_ranking_open", {}),
    ("mentoring:speed_matching_propose", {}),
    ("mentoring:speed_match_set", {"resident": "1", "mentor": ""}),
    ("mentoring:speed_confirm", {}),
    ("mentoring:speed_event_edit", {"title": "Taken over"}),
    ("mentoring:speed_event_people", {}),
])
def test_posts_outside_the_scope_are_404_and_change_nothing(name, data, client, planned, people):
    before = (SpeedEvent.objects.values_list("status", "title").get(pk=planned.pk), planned.slots.count())
    outsiders = [CoordinatorFactory(department=DepartmentFactory()).user, people["residents"][0].user,
                 people["experts"][0].user]
    for user in outsiders:
        client.force_login(user)
        assert client.post(reverse(name, args=[planned.pk]), data).status_code == 404, user
    assert (SpeedEvent.objects.values_list("status", "title").get(pk=planned.pk), planned.slots.count()) == before


def test_a_match_for_a_resident_outside_the_event_is_404(desk, ranking, make_resident):
    response = desk.post(reverse("mentoring:speed_match_set", args=[ranking.pk]),
                         {"resident": make_resident().pk, "mentor": ""})
    assert response.status_code == 404


@pytest.mark.parametrize("resident", ["9223372036854775808", "-9223372036854775809"])
def test_a_match_for_a_resident_id_no_row_can_have_is_refused(desk, ranking, resident):
    """Found by tests/test_fuzz_forms.py: an id beyond the database's integer range reached the query and SQLite
    failed (500)."""
    response = desk.post(reverse("mentoring:speed_match_set", args=[ranking.pk]),
                         {"resident": resident, "mentor": ""}, follow=True)
    assert "Choose a mentee and one of the experts." in messages_text(response)


# --- query counts -------------------------------------------------------------------------------------------------


def grow(department, coordinator, make_mentor, make_resident, *, experts, groups, size, rank=True, title="Event"):
    """An event collecting rankings with `experts` experts and `groups` groups of `size`, ranked and proposed."""
    mentors = [make_mentor() for _ in range(experts)]
    residents = [make_resident() for _ in range(groups * size)]
    event = build_event(department=department, coordinator=coordinator, experts=mentors,
                        groups=[residents[i * size:(i + 1) * size] for i in range(groups)], open_ranking=True,
                        title=title)
    if rank:
        for resident in residents:
            met = event.slots.filter(group__members__resident=resident).values_list("expert__mentor", flat=True)
            choices_submit(event=event, resident=resident, mentors_ranked=[m for m in mentors if m.pk in set(met)][:3])
        for mentor in mentors:
            met = set(event.slots.filter(expert__mentor=mentor).values_list("group__members__resident", flat=True))
            preferences_submit(event=event, mentor=mentor, residents_ranked=[r for r in residents if r.pk in met])
        matching_propose(event=event)
    return event, mentors, residents


def test_event_pages_query_counts_do_not_grow(desk, department, coordinator, make_mentor, make_resident):
    small, *_ = grow(department, coordinator, make_mentor, make_resident, experts=2, groups=2, size=1)
    big, *_ = grow(department, coordinator, make_mentor, make_resident, experts=4, groups=5, size=3)
    for name in ("mentoring:speed_event_detail", "mentoring:speed_schedule", "mentoring:speed_rankings",
                 "mentoring:speed_matching"):
        counts = [count_queries(desk, reverse(name, args=[e.pk])) for e in (small, big)]
        assert counts[0] == counts[1], (name, counts)


def test_the_event_list_query_count_does_not_grow(desk, department, coordinator, make_mentor, make_resident):
    url = reverse("mentoring:speed_event_list", args=[department.pk])
    grow(department, coordinator, make_mentor, make_resident, experts=1, groups=1, size=1, rank=False)
    one = count_queries(desk, url)
    for i in range(3):
        grow(department, coordinator, make_mentor, make_resident, experts=3, groups=2, size=2, rank=False,
             title=f"Event {i}")
    assert count_queries(desk, url) == one


def test_the_participants_pages_query_counts_do_not_grow(client, department, coordinator, make_mentor,
                                                         make_resident):
    small, small_mentors, small_residents = grow(department, coordinator, make_mentor, make_resident,
                                                 experts=2, groups=2, size=1)
    big, big_mentors, big_residents = grow(department, coordinator, make_mentor, make_resident,
                                           experts=4, groups=4, size=3)
    for people in ((small_residents[0], big_residents[0]), (small_mentors[0], big_mentors[0])):
        counts = []
        for person, event in zip(people, (small, big), strict=True):
            client.force_login(person.user)
            counts.append((count_queries(client, reverse("mentoring:my_speed_events")),
                           count_queries(client, reverse("mentoring:speed_rank", args=[event.pk]))))
        assert counts[0] == counts[1], counts
    # Taking part in more events adds no query either.
    client.force_login(big_residents[0].user)
    before = count_queries(client, reverse("mentoring:my_speed_events"))
    build_event(department=department, coordinator=coordinator, experts=small_mentors,
                groups=[[big_residents[0]], [small_residents[1]]], title="Another")
    assert count_queries(client, reverse("mentoring:my_speed_events")) == before


# --- the home-page panel (template tag) -----------------------------------------------------------------------------


def render_panel(user):
    from django.template import Context, Template

    return Template("{% load speed_tags %}{% speed_events_due user %}").render(Context({"user": user}))


def test_the_home_panel_asks_participants_to_rank_until_they_have(ranking, department, coordinator, people):
    resident, expert = people["residents"][0], people["experts"][0]
    upcoming = build_event(department=department, coordinator=coordinator, experts=[expert], groups=[[resident]],
                           held_on=timezone.localdate() + timedelta(days=5), title="Autumn speed mentoring")
    for person in (resident, expert):
        html = render_panel(person.user)
        assert reverse("mentoring:speed_rank", args=[ranking.pk]) in html
        assert "Autumn speed mentoring" in html and reverse("mentoring:my_speed_events") in html
    choices_submit(event=ranking, resident=resident, mentors_ranked=[expert])
    assert reverse("mentoring:speed_rank", args=[ranking.pk]) not in render_panel(resident.user)
    assert reverse("mentoring:speed_rank", args=[ranking.pk]) in render_panel(expert.user)  # not ranked yet
    assert render_panel(coordinator).strip() == ""
    assert upcoming.status == "planning"


def test_the_home_panel_query_count_does_not_grow(department, coordinator, make_mentor, make_resident):
    small, _m, small_residents = grow(department, coordinator, make_mentor, make_resident, experts=1, groups=1,
                                      size=1, rank=False)
    with CaptureQueriesContext(connection) as one:
        render_panel(small_residents[0].user)
    mentor = make_mentor()
    resident = make_resident()
    for i in range(3):
        build_event(department=department, coordinator=coordinator, experts=[mentor], groups=[[resident]],
                    title=f"Past {i}", open_ranking=True)
        build_event(department=department, coordinator=coordinator, experts=[mentor], groups=[[resident]],
                    title=f"Next {i}", held_on=timezone.localdate() + timedelta(days=i + 1))
    with CaptureQueriesContext(connection) as many:
        html = render_panel(resident.user)
    assert html.count("Make my choices") == 3 and "Next 2" in html
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_experts_and_groups_page_query_count_does_not_grow(desk, department, coordinator, make_mentor,
                                                               make_resident):
    event = build_event(department=department, coordinator=coordinator, experts=[make_mentor()],
                        groups=[[make_resident()]])
    url = reverse("mentoring:speed_event_people", args=[event.pk])
    one = count_queries(desk, url)
    for _ in range(4):
        make_mentor()
        make_resident()
    event_two = build_event(department=department, coordinator=coordinator, experts=[make_mentor(), make_mentor()],
                            groups=[[make_resident()], [make_resident(), make_resident()]], title="Bigger")
    assert count_queries(desk, reverse("mentoring:speed_event_people", args=[event_two.pk])) == one
