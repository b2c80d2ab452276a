"""The demo's assessments (assessments.demo, called by seed_demo): every feature of issue 4 has something to show."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.demo import PROPOSALS, SCORES
from assessments.entrustment import decision_history, proposal_for, proposals_for_residents
from assessments.exams import overall_score
from assessments.models import (
    EPA,
    EntrustmentDecision,
    EPAExpectation,
    ExamResult,
    ExamStage,
    MentorEvaluation,
    Observation,
    TrackDecision,
)
from assessments.policy import assessment_policy_for
from assessments.standing import with_epas_behind
from assessments.tracks import track_suggestions
from mentoring.demo import DEPARTMENT_NAME, SPECIALTY_CODE, seed_demo
from mentoring.models import Assignment, Mentor
from organization.models import Department, Specialty
from organization.selectors import current_academic_year
from organization.validators import validate_no_patient_identifiers
from residents.models import Resident

pytestmark = pytest.mark.django_db
DEMO_RESIDENT_EMAIL = "darya.lebedeva@demo.residency.kz"
DEMO_MENTOR_EMAIL = "gulnara.akhmetova@demo.residency.kz"
ASSESSMENT_MODELS = (EPA, EPAExpectation, Observation, EntrustmentDecision, EntrustmentDecision.history.model,
                     ExamResult, ExamResult.history.model, MentorEvaluation, TrackDecision)




@pytest.fixture
def department(seeded):
    return Department.objects.get(name=DEPARTMENT_NAME)


@pytest.fixture
def darya(seeded):
    return Resident.objects.select_related("specialty__department").get(user__email=DEMO_RESIDENT_EMAIL)


def _mentored_active():
    current = {a.resident_id: a.mentor_id for a in Assignment.objects.filter(ended_on__isnull=True, kind="clinical")}
    return {r.pk: current[r.pk] for r in Resident.objects.filter(status=Resident.Status.ACTIVE) if r.pk in current}


def test_the_neonatology_catalogue_has_ten_sound_epas(seeded):
    specialty = Specialty.objects.get(code=SPECIALTY_CODE)
    epas = list(EPA.objects.filter(specialty=specialty).prefetch_related("expectations"))
    assert 8 <= len(epas) <= 12
    assert len({e.code for e in epas}) == len(epas) and len({e.position for e in epas}) == len(epas)
    years = list(range(1, specialty.duration_years + 1))
    for epa in epas:
        assert epa.title and 1 <= epa.description.count(".") <= 3, epa.code
        levels = {x.year_of_study: x.level for x in epa.expectations.all()}
        assert sorted(levels) == years, epa.code
        assert [levels[y] for y in years] == sorted(levels.values()), f"{epa.code} decreases: {levels}"
        assert all(levels[y] < 5 for y in years[:-1]), f"{epa.code}: level 5 before the final year"
    assert "healthy term newborn" in epas[0].title


def test_observations_by_the_current_mentor_for_every_mentored_resident(seeded, department):
    mentored = _mentored_active()
    assert len(mentored) >= 20
    per_resident = defaultdict(set)
    for resident_id, mentor_id in Observation.objects.values_list("resident_id", "mentor_id"):
        per_resident[resident_id].add(mentor_id)
    assert set(per_resident) == set(mentored)  # nobody without a mentor, nobody left out
    for resident_id, mentors in per_resident.items():
        assert mentors == {mentored[resident_id]}


def test_observations_rise_with_the_year_and_have_plausible_frequency(seeded):
    today = timezone.localdate()
    levels = defaultdict(list)
    months = Counter()
    for year, level, observed_on, resident_id in Observation.objects.values_list(
            "resident__year_of_study", "level", "observed_on", "resident_id"):
        assert observed_on <= today
        levels[year].append(level)
        months[(resident_id, observed_on.replace(day=1))] += 1
    mean = {year: sum(v) / len(v) for year, v in levels.items()}
    assert mean[1] < mean[2] < mean[3]
    this_month = today.replace(day=1)
    full = [n for (_r, month), n in months.items() if month < this_month]
    assert 2 <= sum(full) / len(full) <= 6
    assert max(full) <= 8


def test_observations_late_and_acknowledged_consistently(seeded, department):
    late_after = assessment_policy_for(department).late_after_days
    now = timezone.now()
    rows = list(Observation.objects.all())
    for o in rows:
        recorded_on = timezone.localdate(o.created_at)
        assert o.is_late == ((recorded_on - o.observed_on).days > late_after), o.pk
        assert o.created_at <= now
        assert o.acknowledged_at is None or o.acknowledged_at >= o.created_at
        validate_no_patient_identifiers(o.went_well)
        validate_no_patient_identifiers(o.to_improve)
    late = sum(o.is_late for o in rows)
    assert 0 < late < len(rows) * 0.15
    older = [o for o in rows if o.observed_on < timezone.localdate() - timedelta(days=30)]
    assert sum(o.acknowledged_at is not None for o in older) > 0.85 * len(older)
    assert sum(bool(o.went_well or o.to_improve) for o in rows) > 0.25 * len(rows)


def test_the_demo_resident_has_new_feedback_to_acknowledge(darya):
    new = Observation.objects.filter(resident=darya, acknowledged_at__isnull=True,
                                     observed_on__gte=timezone.localdate() - timedelta(days=14))
    assert new.count() >= 2
    assert new.exclude(went_well="", to_improve="").exists()
    assert set(new.values_list("mentor__user__email", flat=True)) == {DEMO_MENTOR_EMAIL}


def test_proposals_await_a_decision(seeded, department, darya):
    proposals = proposals_for_residents(department)
    by_position = {(r.user.email, EPA.objects.get(pk=k[1]).code)
                   for k in proposals for r in [Resident.objects.get(pk=k[0])]}
    assert len(proposals) == len(PROPOSALS)
    assert (DEMO_RESIDENT_EMAIL, PROPOSALS[(2, 2)]) in by_position
    epa = EPA.objects.get(specialty=darya.specialty, code=PROPOSALS[(2, 2)])
    proposal = proposal_for(darya, epa)
    assert proposal is not None and proposal.granted is not None and proposal.level == proposal.granted + 1
    decided_at = EntrustmentDecision.objects.get(resident=darya, epa=epa).decided_at
    assert all(timezone.localdate(decided_at) < o.observed_on for o in proposal.based_on)


def test_a_decision_was_raised_then_lowered_with_a_reason(seeded):
    changed = [d for d in EntrustmentDecision.objects.all() if d.history.count() >= 3]
    assert changed
    history = decision_history(changed[0])  # the latest first
    levels = [record.level for record in reversed(history)]
    assert any(b > a for a, b in zip(levels, levels[1:], strict=False))
    assert any(b < a for a, b in zip(levels, levels[1:], strict=False))
    lowering = next(r for r in history if r.previous_level is not None and r.level < r.previous_level)
    assert "Lowered" in lowering.rationale
    dates = [record.history_date for record in reversed(history)]
    assert dates == sorted(dates) and dates[-1] < timezone.now() - timedelta(days=7)
    assert {r.history_user.email for r in history} == {"coordinator@demo.residency.kz"}


def test_decisions_leave_some_residents_behind_and_most_on_target(seeded):
    behind = dict(with_epas_behind(Resident.objects.filter(pk__in=_mentored_active()))
                  .values_list("user__email", "epas_behind"))
    assert sum(n >= 2 for n in behind.values()) >= 1
    assert sum(n == 0 for n in behind.values()) > len(behind) / 2
    assert all(d.rationale for d in EntrustmentDecision.objects.all())


def test_exam_results_for_every_stage_sat(seeded):
    residents = Resident.objects.filter(status__in=[Resident.Status.ACTIVE, Resident.Status.GRADUATED])
    stages = defaultdict(set)
    for resident_id, stage in ExamResult.objects.values_list("resident_id", "stage"):
        stages[resident_id].add(stage)
    for resident in residents:
        if resident.status == Resident.Status.GRADUATED:
            assert ExamStage.FINAL in stages[resident.pk]
        else:
            assert stages[resident.pk] == {f"year_{n}" for n in range(1, resident.year_of_study)}
    for result in ExamResult.objects.all():
        assert result.overall_score == overall_score(result.test_score, result.osce_score, result.test_weight_pct)
        assert result.held_on is not None and result.held_on <= timezone.localdate()
    example = ExamResult.objects.get(test_score=98.5, osce_score=97.5)
    assert str(example.overall_score) == "98.00"
    assert len(SCORES) >= 5


def test_track_suggestions_and_decisions(seeded, department):
    suggested = Counter(s.suggested_track for s in track_suggestions(department))
    assert suggested[Resident.Track.SUPPORT] >= 1
    assert suggested[Resident.Track.RESEARCH] >= 1
    decisions = list(TrackDecision.objects.all())
    assert 1 <= len(decisions) <= 4
    assert all(d.reason and d.decided_at < timezone.now() - timedelta(days=1) for d in decisions)
    # The decisions end on the track the demo gives each resident.
    assert all(d.resident.track == d.to_track for d in decisions)


def test_mentor_evaluations_last_year_and_this_year(seeded):
    current = current_academic_year()
    eligible_with_residents = set(Mentor.objects.filter(assignments__isnull=False).values_list("pk", flat=True))
    last_year = set(MentorEvaluation.objects.filter(academic_year__start_year=current.start_year - 1)
                    .values_list("mentor_id", flat=True))
    assert len(last_year) > len(eligible_with_residents) / 2
    this_year = MentorEvaluation.objects.filter(academic_year=current)
    assert this_year.filter(mentor__user__email=DEMO_MENTOR_EMAIL).exists()
    assert 1 < this_year.count() < len(eligible_with_residents)


def test_seeding_twice_changes_no_assessment(seeded):
    def snapshot():
        return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in ASSESSMENT_MODELS}

    before = snapshot()
    assert seed_demo() == seeded
    assert snapshot() == before


def test_the_dashboard_card_counts_the_proposals_the_proposals_page_lists(seeded, department):
    """The card counts the proposals without loading them (assessments.templatetags); the page lists them."""
    from assessments.selectors_progress import pending_proposals
    from assessments.templatetags.assessment_tags import department_assessment_card

    policy = assessment_policy_for(department)
    card = department_assessment_card(department)
    assert card["proposals"] == len(pending_proposals(department, window=policy.proposal_window)) == len(PROPOSALS)
    assert card["suggestions"] == len(track_suggestions(department))
