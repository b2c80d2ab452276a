"""Exam results: the weighted overall score and the rules of exam_result_record (DESIGN.md section 2, Assessment)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments.exams import exam_result_record, overall_score
from assessments.models import ExamResult
from assessments.policy import assessment_policy_for
from tests.factories import AcademicYearFactory, CoordinatorFactory, DepartmentFactory, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    return AcademicYearFactory(start_year=2025)


@pytest.fixture
def resident(make_resident):
    return make_resident()


def record(resident, year, by, **overrides):
    values = {"stage": "year_1", "test_score": "98.5", "osce_score": "97.5"}
    values.update(overrides)
    return exam_result_record(resident=resident, academic_year=year, by=by, **values)


# --- the weighted score ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("test", "osce", "weight", "expected"), [
    ("98.5", "97.5", 50, "98.00"),  # the example of the regulations
    ("80", "90", 70, "83.00"),
    ("80", "90", 30, "87.00"),
    ("100", "0", 100, "100.00"),
    ("100", "0", 0, "0.00"),
    ("70.01", "70.00", 50, "70.01"),  # 70.005 rounds half-up (banker's rounding would give 70.00)
    ("85.25", "85.26", 50, "85.26"),  # 85.255
    ("66.67", "66.66", 50, "66.67"),  # 66.665
    ("90", "91", 33, "90.67"),  # 90.67 exactly
    ("90", "91", 35, "90.65"),
])
def test_overall_score_is_the_weighted_mean_rounded_half_up(test, osce, weight, expected):
    assert overall_score(Decimal(test), Decimal(osce), weight) == Decimal(expected)


def test_overall_score_defaults_to_half_and_half():
    score = overall_score(Decimal("98.5"), Decimal("97.5"))
    assert score == Decimal("98.0") and str(score) == "98.00"


# --- recording ------------------------------------------------------------------------------------------------


def test_record_stores_scores_weight_and_overall(resident, year, coordinator):
    result = record(resident, year, coordinator, held_on=today() - timedelta(days=3))

    result.refresh_from_db()
    assert (result.test_score, result.osce_score, result.overall_score, result.test_weight_pct) == (
        Decimal("98.50"), Decimal("97.50"), Decimal("98.00"), 50)
    assert result.recorded_by == coordinator and result.academic_year == year


def test_weight_comes_from_the_department_policy(resident, year, coordinator, department):
    policy = assessment_policy_for(department)
    policy.test_weight_pct = 70
    policy.save()

    result = record(resident, year, coordinator, test_score=80, osce_score=90)

    assert (result.test_weight_pct, result.overall_score) == (70, Decimal("83.00"))


def test_decimal_comma_is_accepted(resident, year, coordinator):
    result = record(resident, year, coordinator, test_score="98,5", osce_score="97,25")
    assert (result.test_score, result.osce_score, result.overall_score) == (
        Decimal("98.50"), Decimal("97.25"), Decimal("97.88"))


@pytest.mark.parametrize(("value", "words"), [
    ("100.01", "between 0 and 100"),
    ("-1", "between 0 and 100"),
    ("101", "between 0 and 100"),
    ("98.555", "at most two decimals"),
    ("abc", "is not a number"),
    ("", "is not a number"),
])
def test_bad_scores_are_refused_with_a_clear_message(resident, year, coordinator, value, words):
    with pytest.raises(ValidationError) as exc:
        record(resident, year, coordinator, osce_score=value)

    assert list(exc.value.error_dict) == ["osce_score"]
    assert words in " ".join(exc.value.messages)
    assert ExamResult.objects.count() == 0


def test_both_bad_scores_reported_together(resident, year, coordinator):
    with pytest.raises(ValidationError) as exc:
        record(resident, year, coordinator, test_score="120", osce_score="97.125")
    assert set(exc.value.error_dict) == {"test_score", "osce_score"}


def test_stage_beyond_the_specialty_is_refused(resident, year, coordinator):
    assert resident.specialty.duration_years == 3
    with pytest.raises(ValidationError) as exc:
        record(resident, year, coordinator, stage="year_4")
    assert "lasts 3 years" in exc.value.message_dict["stage"][0]

    with pytest.raises(ValidationError, match="Unknown stage"):
        record(resident, year, coordinator, stage="year_9")

    assert record(resident, year, coordinator, stage="year_3").stage == "year_3"
    assert record(resident, year, coordinator, stage="final").stage == "final"


def test_exam_date_in_the_future_is_refused(resident, year, coordinator):
    with pytest.raises(ValidationError) as exc:
        record(resident, year, coordinator, held_on=today() + timedelta(days=1))
    assert "future" in exc.value.message_dict["held_on"][0]
    assert record(resident, year, coordinator, held_on=today()).held_on == today()


def test_only_a_coordinator_of_the_department_records(resident, year, make_mentor):
    other = CoordinatorFactory(department=DepartmentFactory()).user
    for user in (other, make_mentor().user, resident.user):
        with pytest.raises(ValidationError, match="Only a coordinator"):
            record(resident, year, user)
    assert ExamResult.objects.count() == 0


def test_recording_a_stage_again_updates_the_row_and_writes_history(resident, year, coordinator):
    second = CoordinatorFactory(department=resident.specialty.department).user
    first = record(resident, year, coordinator)

    again = record(resident, year, second, test_score="60", osce_score="70")

    assert again.pk == first.pk and ExamResult.objects.count() == 1
    again.refresh_from_db()
    assert (again.overall_score, again.recorded_by) == (Decimal("65.00"), second)
    history = list(again.history.order_by("history_date", "history_id"))
    assert [(h.history_type, h.history_user, h.overall_score) for h in history] == [
        ("+", coordinator, Decimal("98.00")), ("~", second, Decimal("65.00"))]


def test_recording_identical_values_changes_nothing(resident, year, coordinator):
    first = record(resident, year, coordinator)
    stamp = ExamResult.objects.get().updated_at

    again = record(resident, year, coordinator, test_score=Decimal("98.50"))

    assert again.pk == first.pk
    assert ExamResult.objects.get().updated_at == stamp
    assert first.history.count() == 1


def test_each_change_adds_one_history_row(resident, year, coordinator):
    result = record(resident, year, coordinator)
    record(resident, year, coordinator, osce_score="90")
    record(resident, year, coordinator, held_on=today())
    record(resident, AcademicYearFactory(start_year=2024), coordinator)

    assert result.history.count() == 4
    assert all(h.history_user == coordinator for h in result.history.all())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_recording_the_same_stage_at_once_keep_one_row(make_resident, department, coordinator):
    from tests.concurrency import run_concurrently

    resident = make_resident()
    year = AcademicYearFactory(start_year=2025)
    second = CoordinatorFactory(department=department).user

    outcomes = run_concurrently([
        lambda: exam_result_record(resident=resident, stage="final", academic_year=year, test_score="60",
                                   osce_score="70", by=coordinator).pk,
        lambda: exam_result_record(resident=resident, stage="final", academic_year=year, test_score="80",
                                   osce_score="90", by=second).pk,
    ])

    assert [o[0] for o in outcomes] == ["ok", "ok"] and outcomes[0][1] == outcomes[1][1]
    result = ExamResult.objects.get()
    assert result.overall_score in (Decimal("65.00"), Decimal("85.00"))
    assert sorted(h.history_type for h in result.history.all()) == ["+", "~"]
