"""Speed-mentoring events through the services (issue 6 item 4): planning, the stored rotation, rankings of
people met only, the stable matching within capacity and eligibility, the coordinator's edits, and the
all-or-nothing confirmation through the assignment service."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mentoring import speed
from mentoring.models import (
    Assignment,
    SpeedChoice,
    SpeedEvent,
    SpeedExpert,
    SpeedGroupMember,
    SpeedMatch,
    SpeedPreference,
    SpeedSlot,
)
from mentoring.selectors_speed import matching_review
from mentoring.services import assignment_create
from mentoring.speed_events import (
    choices_submit,
    event_confirm,
    event_save,
    event_set_experts,
    event_set_groups,
    event_set_people,
    match_set,
    matching_inputs,
    matching_propose,
    preferences_submit,
    ranking_open,
    schedule_generate,
    split_evenly,
)
from residents.models import Resident
from tests.access_rows.speed import build_event
from tests.factories import DepartmentFactory, MentorFactory, ResidentFactory, SpecialtyFactory

pytestmark = pytest.mark.django_db


def messages_of(exc_info) -> str:
    return " ".join(exc_info.value.messages)


@pytest.fixture
def people(make_mentor, make_resident):
    """Three experts and six residents without a mentor."""
    return {"experts": [make_mentor() for _ in range(3)], "residents": [make_resident() for _ in range(6)]}


@pytest.fixture
def planned(department, coordinator, people):
    """Three experts, three groups of two, three rounds, the timetable generated."""
    r = people["residents"]
    return build_event(department=department, coordinator=coordinator, experts=people["experts"],
                       groups=[r[0:2], r[2:4], r[4:6]])


@pytest.fixture
def ranking(planned):
    ranking_open(event=planned)
    planned.refresh_from_db()
    return planned


def fill_mentor(mentor, make_resident, count):
    for _ in range(count):
        assignment_create(resident=make_resident(), mentor=mentor)


# --- planning -----------------------------------------------------------------------------------------------------


def test_an_event_is_saved_with_its_rules(department, coordinator):
    event = event_save(department=department, by=coordinator, title="  Meet the mentors ",
                       held_on=timezone.localdate(), starts_at=time(9, 30), round_minutes=12, rounds=4, place="Hall")
    assert (event.title, event.status, event.rounds, event.created_by) == ("Meet the mentors", "planning", 4,
                                                                          coordinator)
    with pytest.raises(ValidationError) as exc:
        event_save(department=department, by=coordinator, title=" ", held_on=timezone.localdate(),
                   starts_at=time(9), round_minutes=2, rounds=31, place="")
    assert set(exc.value.message_dict) == {"title", "round_minutes", "rounds"}
    assert "from 3 to 60 minutes" in exc.value.message_dict["round_minutes"][0]
    assert SpeedEvent.objects.count() == 1


def test_a_new_number_of_rounds_clears_the_timetable_and_a_ranking_event_cannot_change(planned, department,
                                                                                       coordinator):
    assert planned.slots.exists()
    event_save(department=department, by=coordinator, event=planned, title="Renamed", held_on=planned.held_on,
               starts_at=time(15), round_minutes=10, rounds=planned.rounds, place="")
    assert planned.slots.exists(), "same number of rounds: the timetable stays"
    event_save(department=department, by=coordinator, event=planned, title="Renamed", held_on=planned.held_on,
               starts_at=time(15), round_minutes=10, rounds=2, place="")
    assert not planned.slots.exists()
    schedule_generate(event=planned)
    ranking_open(event=planned)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        event_save(department=department, by=coordinator, event=planned, title="Again", held_on=planned.held_on,
                   starts_at=time(15), round_minutes=10, rounds=2, place="")
    with pytest.raises(ValidationError, match="can no longer be changed"):
        event_set_experts(event=planned, mentors=[])


def test_an_event_of_another_department_is_not_changed_through_this_one(planned, coordinator):
    with pytest.raises(ValidationError, match="another department"):
        event_save(department=DepartmentFactory(), by=coordinator, event=planned, title="x",
                   held_on=planned.held_on, starts_at=time(9), round_minutes=10, rounds=3)


def test_experts_sit_at_tables_in_the_order_given_and_must_be_active_mentors_of_the_department(planned, people):
    a, b, c = people["experts"]
    cleared = event_set_experts(event=planned, mentors=[c, a])
    assert cleared is True and not planned.slots.exists()
    assert list(planned.experts.values_list("table", "mentor_id")) == [(1, c.pk), (2, a.pk)]
    assert event_set_experts(event=planned, mentors=[c, a]) is False  # nothing changed, nothing cleared

    stranger = MentorFactory()  # another department
    inactive = MentorFactory(specialty=a.specialty, clinical_site=a.clinical_site, is_active=False)
    with pytest.raises(ValidationError) as exc:
        event_set_experts(event=planned, mentors=[a, stranger, inactive])
    text = messages_of(exc)
    assert f"{stranger} is not a mentor of this department" in text and f"{inactive} is marked inactive" in text
    with pytest.raises(ValidationError, match="one table only"):
        event_set_experts(event=planned, mentors=[a, a])
    assert list(planned.experts.values_list("mentor_id", flat=True)) == [c.pk, a.pk]


def test_a_resident_is_in_one_group_only_and_groups_hold_active_residents_of_the_department(planned, people,
                                                                                            make_resident):
    r = people["residents"]
    with pytest.raises(ValidationError, match="more than one group"):
        event_set_groups(event=planned, groups=[[r[0], r[1]], [r[1]]])
    outsider = ResidentFactory()
    on_leave = make_resident(status=Resident.Status.ON_LEAVE)
    with pytest.raises(ValidationError) as exc:
        event_set_groups(event=planned, groups=[[r[0], outsider], [on_leave], []])
    text = messages_of(exc)
    assert "not a resident of this department" in text and "is not active (on leave)" in text
    assert "Group 3 has no mentees" in text
    # The database backs the one-group rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        SpeedGroupMember.objects.create(event=planned, group=planned.groups.last(), resident=r[0])

    assert event_set_groups(event=planned, groups=[r[0:3], r[3:6]]) is True
    assert not planned.slots.exists()
    assert [[m.resident_id for m in g.members.order_by("pk")] for g in planned.groups.order_by("number")] == [
        [x.pk for x in r[0:3]], [x.pk for x in r[3:6]]]


def test_people_are_set_all_or_nothing_with_every_reason(planned, people):
    before = list(planned.experts.values_list("mentor_id", flat=True))
    with pytest.raises(ValidationError) as exc:
        event_set_people(event=planned, mentors=[MentorFactory()], groups=[[people["residents"][0]], []])
    assert set(exc.value.message_dict) == {"experts", "groups"}
    assert list(planned.experts.values_list("mentor_id", flat=True)) == before


def test_split_evenly_keeps_placed_mentees_and_balances_the_rest():
    assert split_evenly(list("abcdefg"), 3) == [["a", "d", "g"], ["b", "e"], ["c", "f"]]
    assert split_evenly(list("cde"), 3, placed=[["a", "b"]]) == [["a", "b"], ["c", "e"], ["d"]]
    assert [len(g) for g in split_evenly(list(range(11)), 4)] == [3, 3, 3, 2]
    with pytest.raises(ValidationError, match="need at least 4 mentees"):
        split_evenly(list("abc"), 4)
    with pytest.raises(ValidationError, match="at least one group"):
        split_evenly(list("abc"), 0)


# --- the timetable ------------------------------------------------------------------------------------------------


def stored_schedule(event):
    return [list(event.slots.filter(round_number=n).values_list("group_id", "expert_id"))
            for n in range(1, event.rounds + 1)]


def test_the_stored_rotation_obeys_the_rules_and_every_group_meets_every_expert(planned):
    schedule = stored_schedule(planned)
    pairs = [pair for meetings in schedule for pair in meetings]
    assert len(pairs) == len(set(pairs)) == 9  # 3 groups x 3 experts, each pair once
    for meetings in schedule:
        assert len({g for g, _ in meetings}) == len(meetings) == len({e for _, e in meetings})
    assert set(pairs) == {(g, e) for g in planned.groups.values_list("pk", flat=True)
                          for e in planned.experts.values_list("pk", flat=True)}
    # The database refuses a second meeting of the same pair, and an expert in two places in a round.
    slot = planned.slots.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        SpeedSlot.objects.create(event=planned, round_number=slot.round_number, group=slot.group,
                                 expert=planned.experts.exclude(pk=slot.expert_id).first())
    with pytest.raises(IntegrityError), transaction.atomic():
        SpeedSlot.objects.create(event=planned, round_number=slot.round_number,
                                 group=planned.groups.exclude(pk=slot.group_id).first(), expert=slot.expert)


def test_byes_when_groups_outnumber_experts_and_a_new_timetable_replaces_the_old(department, coordinator, people):
    r = people["residents"]
    event = build_event(department=department, coordinator=coordinator, experts=people["experts"][:2],
                        groups=[r[0:2], r[2:4], r[4:6]])
    schedule = stored_schedule(event)
    assert event.rounds == 3 and [len(m) for m in schedule] == [2, 2, 2]  # one group sits out each round
    assert len({p for m in schedule for p in m}) == 6
    schedule_generate(event=event)
    assert event.slots.count() == 6


def test_more_rounds_than_needed_are_refused_with_the_number_that_is_enough(department, coordinator, people):
    r = people["residents"]
    event = build_event(department=department, coordinator=coordinator, experts=people["experts"],
                        groups=[r[0:3], r[3:6]], rounds=5, schedule=False)
    with pytest.raises(ValidationError) as exc:
        schedule_generate(event=event)
    assert exc.value.message_dict["rounds"] == [
        "3 rounds are enough for every group to meet every expert once, but the event has 5. "
        "Set the number of rounds to 3."]
    assert not event.slots.exists()


def test_fewer_rounds_are_allowed_and_then_not_every_pair_meets(department, coordinator, people):
    r = people["residents"]
    event = build_event(department=department, coordinator=coordinator, experts=people["experts"],
                        groups=[r[0:2], r[2:4], r[4:6]], rounds=2)
    assert event.slots.count() == 6 < 9


def test_a_timetable_needs_experts_and_groups(department, coordinator):
    event = event_save(department=department, by=coordinator, title="Empty", held_on=timezone.localdate(),
                       starts_at=time(9), round_minutes=10, rounds=2)
    with pytest.raises(ValidationError) as exc:
        schedule_generate(event=event)
    assert exc.value.messages == ["Choose the experts first.", "Put the mentees in groups first."]


# --- rankings -----------------------------------------------------------------------------------------------------


def test_rankings_open_after_the_event_with_a_timetable_and_everyone_is_told(department, coordinator, people,
                                                                            django_capture_on_commit_callbacks):
    r = people["residents"]
    later = build_event(department=department, coordinator=coordinator, experts=people["experts"],
                        groups=[r[0:3], r[3:6]], held_on=timezone.localdate() + timedelta(days=3))
    with pytest.raises(ValidationError, match="once the event has been held"):
        ranking_open(event=later)
    unscheduled = build_event(department=department, coordinator=coordinator, experts=people["experts"],
                              groups=[r[0:3], r[3:6]], schedule=False)
    with pytest.raises(ValidationError, match="Generate the timetable first"):
        ranking_open(event=unscheduled)

    schedule_generate(event=unscheduled)
    with django_capture_on_commit_callbacks(execute=True):
        ranking_open(event=unscheduled)
    unscheduled.refresh_from_db()
    assert unscheduled.status == "ranking"
    assert sorted(to for m in mail.outbox for to in m.to) == sorted(
        [x.user.email for x in r] + [m.user.email for m in people["experts"]])
    assert f"/speed-events/{unscheduled.pk}/rank/" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="can no longer be changed"):
        schedule_generate(event=unscheduled)


def test_a_mentee_ranks_up_to_three_experts_their_group_met(department, coordinator, people, make_mentor):
    r, experts = people["residents"], people["experts"] + [make_mentor()]
    # Two rounds only: group 1 meets the experts at tables 1 and 2 (see speed.rotation), never tables 3 and 4.
    event = build_event(department=department, coordinator=coordinator, experts=experts,
                        groups=[r[0:2], r[2:4], r[4:6]], rounds=2, open_ranking=True)
    met = set(event.slots.filter(group__number=1).values_list("expert__mentor_id", flat=True))
    unmet = [m for m in experts if m.pk not in met]
    assert len(met) == 2 and unmet

    with pytest.raises(ValidationError, match="not open yet"):
        choices_submit(event=build_event(department=department, coordinator=coordinator, experts=experts,
                                         groups=[r[0:2]]), resident=r[0], mentors_ranked=experts[:1])
    with pytest.raises(ValidationError, match=f"did not meet {unmet[0]}"):
        choices_submit(event=event, resident=r[0], mentors_ranked=[unmet[0]])
    with pytest.raises(ValidationError, match="ranked once only"):
        choices_submit(event=event, resident=r[0], mentors_ranked=[experts[0], experts[0]])
    with pytest.raises(ValidationError, match="at most 3"):
        choices_submit(event=event, resident=r[0], mentors_ranked=experts)
    with pytest.raises(ValidationError, match="at least your first choice"):
        choices_submit(event=event, resident=r[0], mentors_ranked=[])
    with pytest.raises(ValidationError, match="not a mentee of this event"):
        choices_submit(event=event, resident=ResidentFactory(), mentors_ranked=experts[:1])

    first, second = [m for m in experts if m.pk in met]
    choices_submit(event=event, resident=r[0], mentors_ranked=[first, second])
    choices_submit(event=event, resident=r[0], mentors_ranked=[second])  # replaces the earlier ranking
    assert list(SpeedChoice.objects.filter(event=event, resident=r[0]).values_list("mentor_id", "rank")) == [
        (second.pk, 1)]


def test_an_expert_ranks_mentees_of_the_groups_they_met(department, coordinator, people):
    r, experts = people["residents"], people["experts"]
    event = build_event(department=department, coordinator=coordinator, experts=experts,
                        groups=[r[0:2], r[2:4], r[4:6]], rounds=1, open_ranking=True)
    table_one = event.slots.get(expert__table=1).group
    met = [m.resident for m in table_one.members.all()]
    other = next(x for x in r if x not in met)
    with pytest.raises(ValidationError, match=f"{other} was not in a group at your table"):
        preferences_submit(event=event, mentor=experts[0], residents_ranked=[met[0], other])
    with pytest.raises(ValidationError, match="not an expert of this event"):
        preferences_submit(event=event, mentor=MentorFactory(), residents_ranked=met)
    preferences_submit(event=event, mentor=experts[0], residents_ranked=[met[1], met[0]])
    assert list(SpeedPreference.objects.filter(event=event).values_list("resident_id", "rank")) == [
        (met[1].pk, 1), (met[0].pk, 2)]


# --- matching -----------------------------------------------------------------------------------------------------


def rank_everyone(event, residents, experts):
    """Each mentee ranks all three experts in a rotated order; each expert ranks the mentees in reverse."""
    for i, resident in enumerate(residents):
        order = experts[i % 3:] + experts[:i % 3]
        choices_submit(event=event, resident=resident, mentors_ranked=order)
    for expert in experts:
        preferences_submit(event=event, mentor=expert, residents_ranked=list(reversed(residents)))


def test_the_proposal_is_stable_within_capacity_and_eligible_only(ranking, people, make_resident):
    r, (a, b, c) = people["residents"], people["experts"]
    fill_mentor(a, make_resident, 3)  # a: 3 residents of 4, one seat left
    rank_everyone(ranking, r, [a, b, c])
    for resident in r:  # everybody wants a first: only one can have them
        choices_submit(event=ranking, resident=resident, mentors_ranked=[a, b, c])
    proposal = matching_propose(event=ranking)

    matches = dict(SpeedMatch.objects.filter(event=ranking).values_list("resident_id", "mentor_id"))
    assert list(matches.values()).count(a.pk) == 1  # capacity = 4 maximum - 3 current
    assert list(matches.values()).count(b.pk) <= 4 and list(matches.values()).count(c.pk) <= 4
    assert proposal.matched == len(matches) == 6 and proposal.unmatched == []
    # a ranked the residents in reverse order: the last one gets the seat.
    assert matches[r[-1].pk] == a.pk
    data = matching_inputs(ranking)
    assert speed.blocking_pairs({k: matches.get(k) for k in data.mentees}, data.mentee_prefs, data.expert_prefs,
                                data.capacity, data.eligible) == []
    assert matching_review(ranking).blocking == []


def test_an_ineligible_mentor_is_never_matched_and_a_mentored_mentee_is_not_matched(ranking, people, mentor):
    r, (a, b, _c) = people["residents"], people["experts"]
    a.certificate_expires_on = timezone.localdate() - timedelta(days=1)
    a.save()
    assignment_create(resident=r[0], mentor=mentor)  # r[0] found a mentor meanwhile
    for resident in r:
        choices_submit(event=ranking, resident=resident, mentors_ranked=[a])  # only the ineligible one
    choices_submit(event=ranking, resident=r[1], mentors_ranked=[a, b])
    proposal = matching_propose(event=ranking)

    matches = dict(SpeedMatch.objects.filter(event=ranking).values_list("resident_id", "mentor_id"))
    assert matches == {r[1].pk: b.pk}
    assert sorted(x.pk for x in proposal.unmatched) == sorted(x.pk for x in r[2:])  # listed for placement
    review = matching_review(ranking)
    assert [x for x, _assignment in review.mentored] == [r[0]]
    assert sorted(x.pk for x, _choices in review.unmatched) == sorted(x.pk for x in r[2:])


def test_a_new_proposal_replaces_unedited_pairs_and_keeps_the_coordinators_edits(ranking, people, coordinator):
    r, (a, b, c) = people["residents"], people["experts"]
    rank_everyone(ranking, r, [a, b, c])
    matching_propose(event=ranking)
    edited = match_set(event=ranking, resident=r[0], mentor=c, by=coordinator)
    assert edited.edited and edited.mentor == c
    matching_propose(event=ranking)
    assert SpeedMatch.objects.get(event=ranking, resident=r[0]).mentor == c
    assert SpeedMatch.objects.filter(event=ranking).count() == 6
    assert match_set(event=ranking, resident=r[0], mentor=None, by=coordinator) is None
    assert not SpeedMatch.objects.filter(event=ranking, resident=r[0]).exists()


def test_the_coordinators_edit_checks_capacity_eligibility_and_the_event(ranking, people, coordinator,
                                                                          make_resident, mentor, make_mentor):
    r, (a, b, c) = people["residents"], people["experts"]
    fill_mentor(a, make_resident, 3)
    match_set(event=ranking, resident=r[0], mentor=a, by=coordinator)
    with pytest.raises(ValidationError, match="would exceed the maximum of 4"):
        match_set(event=ranking, resident=r[1], mentor=a, by=coordinator)
    match_set(event=ranking, resident=r[0], mentor=a, by=coordinator)  # the same pair again is fine

    b.certificate_expires_on = timezone.localdate() - timedelta(days=1)
    b.save()
    with pytest.raises(ValidationError, match=f"{b} cannot receive residents: Certificate expired"):
        match_set(event=ranking, resident=r[1], mentor=b, by=coordinator)
    with pytest.raises(ValidationError, match="was not an expert at this event"):
        match_set(event=ranking, resident=r[1], mentor=make_mentor(), by=coordinator)
    assignment_create(resident=r[2], mentor=mentor)
    with pytest.raises(ValidationError, match="already has a mentor"):
        match_set(event=ranking, resident=r[2], mentor=c, by=coordinator)
    with pytest.raises(ValidationError, match="not a mentee of this event"):
        match_set(event=ranking, resident=make_resident(), mentor=c, by=coordinator)
    assert dict(SpeedMatch.objects.filter(event=ranking).values_list("resident_id", "mentor_id")) == {r[0].pk: a.pk}


def test_an_edit_that_makes_the_matching_unstable_is_allowed_and_shown(ranking, people, coordinator):
    r, (a, b, c) = people["residents"], people["experts"]
    rank_everyone(ranking, r, [a, b, c])
    matching_propose(event=ranking)
    assert SpeedMatch.objects.get(event=ranking, resident=r[0]).mentor == a  # r[0]'s first choice
    match_set(event=ranking, resident=r[0], mentor=c, by=coordinator)  # a has a free seat: (r[0], a) blocks
    assert (r[0], a) in matching_review(ranking).blocking


# --- confirmation -------------------------------------------------------------------------------------------------


def test_confirming_creates_the_assignments_through_the_service_and_only_once(ranking, people, coordinator):
    r, experts = people["residents"], people["experts"]
    rank_everyone(ranking, r, experts)
    matching_propose(event=ranking)
    pairs = dict(SpeedMatch.objects.filter(event=ranking).values_list("resident_id", "mentor_id"))

    assignments = event_confirm(event=ranking, by=coordinator)
    assert len(assignments) == 6
    for a in assignments:
        assert (a.kind, a.programme.kind, a.created_by, a.ended_on) == ("clinical", "clinical", coordinator, None)
        assert pairs[a.resident_id] == a.mentor_id
    assert set(SpeedMatch.objects.filter(event=ranking).values_list("assignment_id", flat=True)) == {
        a.pk for a in assignments}
    ranking.refresh_from_db()
    assert (ranking.status, ranking.confirmed_by) == ("confirmed", coordinator) and ranking.confirmed_at
    with pytest.raises(ValidationError, match="already confirmed"):
        event_confirm(event=ranking, by=coordinator)
    assert Assignment.objects.filter(ended_on__isnull=True).count() == 6
    with pytest.raises(ValidationError, match="confirmed"):
        choices_submit(event=ranking, resident=r[0], mentors_ranked=experts[:1])


def test_confirming_is_all_or_nothing_and_reports_every_refusal(ranking, people, coordinator, mentor):
    r, (a, b, c) = people["residents"], people["experts"]
    rank_everyone(ranking, r, [a, b, c])
    matching_propose(event=ranking)
    matched_to_a = SpeedMatch.objects.filter(event=ranking, mentor=a).first()
    assert matched_to_a and SpeedMatch.objects.exclude(mentor=a).exists()
    # After the proposal, a's certificate expires and one mentee gets a mentor elsewhere.
    a.certificate_expires_on = timezone.localdate() - timedelta(days=1)
    a.save()
    elsewhere = SpeedMatch.objects.filter(event=ranking).exclude(mentor=a).first().resident
    assignment_create(resident=elsewhere, mentor=mentor)
    before = Assignment.objects.count()

    with pytest.raises(ValidationError) as exc:
        event_confirm(event=ranking, by=coordinator)
    text = messages_of(exc)
    for match in SpeedMatch.objects.filter(event=ranking, mentor=a).select_related("resident__user"):
        assert f"{match.resident} → {a}: {a} cannot receive residents: Certificate expired" in text
    assert f"{elsewhere} already has a mentor" in text
    assert len(exc.value.messages) == SpeedMatch.objects.filter(event=ranking, mentor=a).count() + 1
    assert Assignment.objects.count() == before  # nothing saved
    ranking.refresh_from_db()
    assert ranking.status == "ranking"
    assert not SpeedMatch.objects.filter(event=ranking, assignment__isnull=False).exists()


def test_confirming_needs_proposals_and_open_rankings(planned, coordinator):
    with pytest.raises(ValidationError, match="Open the rankings"):
        event_confirm(event=planned, by=coordinator)
    ranking_open(event=planned)
    with pytest.raises(ValidationError, match="no proposed assignment"):
        event_confirm(event=planned, by=coordinator)


def test_experts_only_from_the_events_department(department, coordinator, make_resident):
    other_specialty = SpecialtyFactory()
    stranger = MentorFactory(specialty=other_specialty)
    event = event_save(department=department, by=coordinator, title="x", held_on=timezone.localdate(),
                       starts_at=time(9), round_minutes=10, rounds=1)
    with pytest.raises(ValidationError, match="not a mentor of this department"):
        event_set_experts(event=event, mentors=[stranger])
    assert not SpeedExpert.objects.filter(event=event).exists()
