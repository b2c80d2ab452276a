"""The proposal rule and the entrustment decision (issue 4, item 5; DESIGN.md section 2, EPA)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.entrustment import (
    decision_history,
    entrustment_decide,
    proposal_for,
    proposals_for_residents,
    proposed_level,
)
from assessments.models import EntrustmentDecision, Observation
from assessments.policy import assessment_policy_for
from tests.factories import CoordinatorFactory, DepartmentFactory, SpecialtyFactory, today
from tests.factories_assessments import EPAFactory, ObservationFactory

pytestmark = pytest.mark.django_db




@pytest.fixture
def epa(specialty):
    return EPAFactory(specialty=specialty)


def observe(resident, epa, mentor, *levels, start=None):
    """Observations with these levels on consecutive days, the last one yesterday (oldest first)."""
    start = start or today() - timedelta(days=len(levels))
    return [ObservationFactory(resident=resident, epa=epa, mentor=mentor, level=level,
                               observed_on=start + timedelta(days=i)) for i, level in enumerate(levels)]


def grant(resident, epa, level, by):
    return entrustment_decide(resident=resident, epa=epa, level=level, rationale="Committee of the department.",
                              by=by)


# The proposal rule --------------------------------------------------------------------------------------------


def test_rule_on_levels():
    assert proposed_level([3, 4, 3], window=3, granted=None) == 3
    assert proposed_level([3, 4], window=3, granted=None) is None
    assert proposed_level([1, 4, 4], window=3, granted=None) is None  # level 1 is the base: nothing to propose
    assert proposed_level([2, 2, 2], window=3, granted=None) == 2
    assert proposed_level([4, 4, 4], window=3, granted=4) is None
    assert proposed_level([4, 4, 4], window=3, granted=5) is None
    assert proposed_level([5, 4, 5, 1], window=3, granted=3) == 4  # the 4th latest lies outside the window


def test_fewer_than_n_observations_give_no_proposal(resident, epa, mentor):
    observe(resident, epa, mentor, 4, 4)
    assert proposal_for(resident, epa) is None
    assert proposals_for_residents([resident], window=3) == {}


def test_exactly_n_at_or_above_propose_the_lowest(resident, epa, mentor):
    observations = observe(resident, epa, mentor, 4, 3, 5)
    proposal = proposal_for(resident, epa)
    assert (proposal.level, proposal.granted, proposal.window) == (3, None, 3)
    assert [o.pk for o in proposal.based_on] == [o.pk for o in reversed(observations)]  # the latest first
    bulk = proposals_for_residents([resident], window=3, with_observations=True)
    assert list(bulk) == [(resident.pk, epa.pk)]
    assert bulk[(resident.pk, epa.pk)].level == 3
    assert [o.pk for o in bulk[(resident.pk, epa.pk)].based_on] == [o.pk for o in reversed(observations)]


def test_one_lower_in_the_window_lowers_the_proposal_or_cancels_it(resident, epa, mentor, coordinator):
    observe(resident, epa, mentor, 4, 2, 4)
    assert proposal_for(resident, epa).level == 2
    grant(resident, epa, 2, coordinator)
    assert proposal_for(resident, epa) is None  # 2 is granted already
    assert proposals_for_residents([resident], window=3) == {}


def test_older_observations_outside_the_window_are_ignored(resident, epa, mentor):
    observe(resident, epa, mentor, 1, 1, 3, 4, 3)
    assert proposal_for(resident, epa).level == 3
    assert proposals_for_residents([resident], window=3)[(resident.pk, epa.pk)].level == 3


def test_window_comes_from_the_department_policy(resident, epa, mentor, department):
    observe(resident, epa, mentor, 2, 4, 4)
    assert proposal_for(resident, epa).level == 2
    policy = assessment_policy_for(department)
    policy.proposal_window = 2
    policy.save()
    assert proposal_for(resident, epa, policy=policy).level == 4
    assert proposals_for_residents(department)[(resident.pk, epa.pk)].level == 4
    policy.proposal_window = 4
    policy.save()
    assert proposal_for(resident, epa, policy=policy) is None
    assert proposals_for_residents(department) == {}


def test_proposed_level_not_above_granted_gives_none(resident, epa, mentor, coordinator):
    observe(resident, epa, mentor, 3, 3, 3, start=today() - timedelta(days=10))
    grant(resident, epa, 3, coordinator)
    assert proposal_for(resident, epa) is None
    observe(resident, epa, mentor, 4, 4, 4)
    proposal = proposal_for(resident, epa)
    assert (proposal.level, proposal.granted) == (4, 3)


def test_ties_on_the_date_are_ordered_by_id(resident, epa, mentor):
    day = today() - timedelta(days=1)
    observe(resident, epa, mentor, 4, 4, start=day - timedelta(days=2))
    ObservationFactory(resident=resident, epa=epa, mentor=mentor, level=2, observed_on=day)
    latest = ObservationFactory(resident=resident, epa=epa, mentor=mentor, level=4, observed_on=day)
    # The latest three: the later of the two on `day` (4), the earlier one (2), and one day before (4).
    assert proposal_for(resident, epa).level == 2
    assert proposal_for(resident, epa).based_on[0] == latest
    assert proposals_for_residents([resident], window=3)[(resident.pk, epa.pk)].level == 2
    assert proposals_for_residents([resident], window=1)[(resident.pk, epa.pk)].level == 4


def test_retired_epas_and_other_specialties_are_not_proposed(resident, epa, mentor):
    retired = EPAFactory(specialty=resident.specialty, is_active=False)
    observe(resident, retired, mentor, 3, 3, 3)
    observe(resident, epa, mentor, 3, 3, 3)
    assert list(proposals_for_residents([resident], window=3)) == [(resident.pk, epa.pk)]


def test_bulk_proposals_in_a_fixed_number_of_queries(department, make_resident, mentor, epa):
    residents = [make_resident() for _ in range(3)]
    other_epa = EPAFactory(specialty=epa.specialty)

    def run():
        with CaptureQueriesContext(connection) as ctx:
            found = proposals_for_residents(department, window=3, with_observations=True)
        return found, len(ctx.captured_queries)

    for r in residents:
        observe(r, epa, mentor, 3, 3, 3)
    small, small_queries = run()
    assert len(small) == 3
    for r in residents:
        observe(r, epa, mentor, *([1] * 40 + [4, 4, 4]), start=today() - timedelta(days=200))
        observe(r, other_epa, mentor, *([2] * 30), start=today() - timedelta(days=100))
    large, large_queries = run()
    assert small_queries == large_queries
    assert {key: p.level for key, p in large.items()} == {
        **{(r.pk, epa.pk): 3 for r in residents}, **{(r.pk, other_epa.pk): 2 for r in residents}}
    assert all(len(p.based_on) == 3 for p in large.values())


# The decision -------------------------------------------------------------------------------------------------


def test_decide_grants_and_writes_history(resident, epa, coordinator):
    decision = entrustment_decide(resident=resident, epa=epa, level=3, rationale="Three observations at 3.",
                                  by=coordinator)
    assert (decision.level, decision.decided_by, decision.rationale) == (3, coordinator, "Three observations at 3.")
    assert decision.history.count() == 1
    record = decision.history.get()
    assert (record.history_type, record.history_user, record.level) == ("+", coordinator, 3)


def test_every_change_is_in_the_history_with_its_user(resident, epa, coordinator, department):
    second = CoordinatorFactory(department=department).user
    entrustment_decide(resident=resident, epa=epa, level=2, rationale="Start.", by=coordinator)
    entrustment_decide(resident=resident, epa=epa, level=4, rationale="Committee.", by=second)
    decision = entrustment_decide(resident=resident, epa=epa, level=3, rationale="Two incidents on nights.",
                                  by=coordinator)
    assert EntrustmentDecision.objects.filter(resident=resident, epa=epa).count() == 1
    history = decision_history(decision)
    assert [(h.level, h.previous_level, h.history_user, h.rationale) for h in history] == [
        (3, 4, coordinator, "Two incidents on nights."), (4, 2, second, "Committee."), (2, None, coordinator, "Start.")]
    assert [h.history_type for h in history] == ["~", "~", "+"]


def test_rationale_required(resident, epa, coordinator):
    with pytest.raises(ValidationError) as exc:
        entrustment_decide(resident=resident, epa=epa, level=3, rationale="  ", by=coordinator)
    assert exc.value.message_dict == {"rationale": ["Give the rationale for this decision."]}
    assert not EntrustmentDecision.objects.exists()


def test_lowering_needs_a_reason(resident, epa, coordinator):
    grant(resident, epa, 4, coordinator)
    with pytest.raises(ValidationError) as exc:
        entrustment_decide(resident=resident, epa=epa, level=3, rationale="", by=coordinator)
    assert exc.value.message_dict == {"rationale": ["Lowering a granted level requires a reason."]}
    assert EntrustmentDecision.objects.get().level == 4
    decision = entrustment_decide(resident=resident, epa=epa, level=3, rationale="Unsafe handover twice.",
                                  by=coordinator)
    assert decision.level == 3
    assert decision.history.count() == 2


def test_raising_without_rationale_has_the_general_message(resident, epa, coordinator):
    grant(resident, epa, 2, coordinator)
    with pytest.raises(ValidationError) as exc:
        entrustment_decide(resident=resident, epa=epa, level=3, rationale="", by=coordinator)
    assert exc.value.message_dict == {"rationale": ["Give the rationale for this decision."]}


def test_same_level_is_no_change(resident, epa, coordinator):
    grant(resident, epa, 3, coordinator)
    with pytest.raises(ValidationError) as exc:
        entrustment_decide(resident=resident, epa=epa, level=3, rationale="Again.", by=coordinator)
    assert "nothing to change" in exc.value.message_dict["level"][0]
    assert EntrustmentDecision.history.count() == 1


@pytest.mark.parametrize("level", [0, 6, "x", None])
def test_level_must_be_one_to_five(resident, epa, coordinator, level):
    with pytest.raises(ValidationError) as exc:
        entrustment_decide(resident=resident, epa=epa, level=level, rationale="Committee.", by=coordinator)
    assert exc.value.message_dict == {"level": ["Choose a supervision level from 1 to 5."]}


def test_only_a_coordinator_of_the_department_decides(resident, epa, mentor):
    other = CoordinatorFactory(department=DepartmentFactory()).user
    for by in (mentor.user, resident.user, other):
        with pytest.raises(ValidationError, match="Only a coordinator"):
            entrustment_decide(resident=resident, epa=epa, level=2, rationale="Committee.", by=by)
    assert not EntrustmentDecision.objects.exists()


def test_epa_of_another_specialty_refused(resident, coordinator, department):
    foreign = EPAFactory(specialty=SpecialtyFactory(department=department))
    with pytest.raises(ValidationError) as exc:
        entrustment_decide(resident=resident, epa=foreign, level=2, rationale="Committee.", by=coordinator)
    assert "is not an EPA of" in exc.value.message_dict["epa"][0]


def test_patient_identifier_refused_in_the_rationale(resident, epa, coordinator):
    with pytest.raises(ValidationError) as exc:
        entrustment_decide(resident=resident, epa=epa, level=2, rationale="Patient 990101300123 went well.",
                           by=coordinator)
    assert "12-digit number" in exc.value.message_dict["rationale"][0]


def test_decision_without_a_proposal_is_allowed(resident, epa, coordinator):
    assert proposal_for(resident, epa) is None
    assert grant(resident, epa, 4, coordinator).level == 4


# The decide page ----------------------------------------------------------------------------------------------


def decide_url(resident, epa):
    return reverse("assessments:entrustment_decide", kwargs={"resident_pk": resident.pk, "epa_pk": epa.pk})


def progress_url(resident, epa):
    return reverse("assessments:epa_progress", kwargs={"resident_pk": resident.pk, "epa_pk": epa.pk})


def test_coordinator_confirms_with_prg(client, resident, epa, mentor, coordinator):
    observe(resident, epa, mentor, 3, 3, 3)
    client.force_login(coordinator)
    response = client.post(decide_url(resident, epa), {"level": "3", "rationale": "Three observations at 3."},
                           follow=True)
    assert response.redirect_chain == [(progress_url(resident, epa), 302)]
    assert "Level 3 granted" in response.content.decode()
    decision = EntrustmentDecision.objects.get()
    assert (decision.level, decision.decided_by) == (3, coordinator)
    assert decision.history.get().history_user == coordinator


def test_decide_errors_are_shown_on_the_form(client, resident, epa, coordinator):
    grant(resident, epa, 4, coordinator)
    client.force_login(coordinator)
    response = client.post(decide_url(resident, epa), {"level": "2", "rationale": ""})
    assert response.status_code == 200
    assert response.context["decide_form"].errors == {"rationale": ["Lowering a granted level requires a reason."]}
    assert EntrustmentDecision.objects.get().level == 4


def test_in_scope_non_coordinators_get_403_and_outsiders_404(client, resident, epa, mentor, make_resident):
    for user in (mentor.user, resident.user):
        client.force_login(user)
        assert client.post(decide_url(resident, epa), {"level": "3", "rationale": "x"}).status_code == 403
    client.force_login(CoordinatorFactory(department=DepartmentFactory()).user)
    assert client.post(decide_url(resident, epa), {"level": "3", "rationale": "x"}).status_code == 404
    client.force_login(mentor.user)
    stranger = make_resident()  # not the mentor's
    assert client.post(decide_url(stranger, epa), {"level": "3", "rationale": "x"}).status_code == 404
    assert not EntrustmentDecision.objects.exists()
    assert not Observation.objects.exists()


def test_decide_for_an_epa_of_another_specialty_is_404(client, resident, coordinator, department):
    foreign = EPAFactory(specialty=SpecialtyFactory(department=department))
    client.force_login(coordinator)
    assert client.post(decide_url(resident, foreign), {"level": "3", "rationale": "x"}).status_code == 404


# Two coordinators at once (PostgreSQL row locks) ----------------------------------------------------------------


@pytest.fixture
def slow_decisions(monkeypatch):
    """Widen the window between reading the granted level and writing the new one: without the row locks both
    requests would read the same state there."""
    import time

    import assessments.entrustment
    from organization.validators import validate_no_patient_identifiers

    def slow_check(text, **kwargs):
        time.sleep(0.3)
        validate_no_patient_identifiers(text, **kwargs)

    monkeypatch.setattr(assessments.entrustment, "validate_no_patient_identifiers", slow_check)


def decide_job(resident, epa, level, by):
    return lambda: entrustment_decide(resident=resident, epa=epa, level=level, rationale=f"Decided by {by.email}.",
                                      by=by).pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_decisions_at_once_keep_both_changes_in_order(resident, epa, coordinator, department,
                                                                slow_decisions):
    from tests.concurrency import run_concurrently

    assert connection.vendor == "postgresql"
    second = CoordinatorFactory(department=department).user

    results = run_concurrently([decide_job(resident, epa, 3, coordinator), decide_job(resident, epa, 4, second)])

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert EntrustmentDecision.objects.filter(resident=resident, epa=epa).count() == 1
    decision = EntrustmentDecision.objects.get(resident=resident, epa=epa)
    first, then = decision_history(decision)[::-1]
    assert (first.history_type, then.history_type) == ("+", "~")
    assert {(first.level, first.history_user), (then.level, then.history_user)} == {(3, coordinator), (4, second)}
    # One after the other: the second change starts from the first one's level; the row holds the last.
    assert then.previous_level == first.level
    assert (decision.level, decision.rationale, decision.decided_by) == (then.level, then.rationale,
                                                                         then.history_user)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_change_at_once_is_applied_once(resident, epa, coordinator, department, slow_decisions):
    from tests.concurrency import run_concurrently

    assert connection.vendor == "postgresql"
    second = CoordinatorFactory(department=department).user
    grant(resident, epa, 2, coordinator)

    results = run_concurrently([decide_job(resident, epa, 3, coordinator), decide_job(resident, epa, 3, second)])

    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    assert "nothing to change" in next(message for kind, message in results if kind == "refused")
    decision = EntrustmentDecision.objects.get(resident=resident, epa=epa)
    assert decision.level == 3
    assert [(h.level, h.previous_level) for h in decision_history(decision)] == [(3, 2), (2, None)]
