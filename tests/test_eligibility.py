"""Mentor eligibility: each rule, with its reason in plain words (DESIGN.md section 2, Mentors)."""

from datetime import date

import pytest
from django.utils import translation

from mentoring.eligibility import Load, TrainingStatus, evaluate, load_status, mentor_eligibility
from organization.models import MentoringPolicy

TODAY = date(2026, 11, 22)


def policy(**kw):
    return MentoringPolicy(**kw)


def check(**kw):
    values = dict(
        policy=policy(), is_active=True, qualification_category="first", practice_started_on=date(2015, 1, 1),
        certificate_number="KZ-1", certificate_expires_on=date(2028, 1, 1), primary_training_on=date(2025, 1, 10),
        last_training_on=date(2025, 1, 10), today=TODAY,
    )
    values.update(kw)
    with translation.override("en"):
        return evaluate(**values)


def test_fully_qualified_mentor_is_eligible():
    result = check()
    assert result.eligible and result.reasons == [] and result.warnings == []
    assert result.training_status == TrainingStatus.CURRENT


def test_experience_short_by_months_is_named():
    result = check(practice_started_on=date(2022, 9, 1))  # 4 years 2 months before 22 Nov 2026
    assert not result.eligible
    assert result.reasons == ["4 years 2 months of experience, 5 years required"]


def test_exactly_five_years_is_enough():
    assert check(practice_started_on=date(2021, 11, 22)).eligible
    assert not check(practice_started_on=date(2021, 11, 23)).eligible


@pytest.mark.parametrize("category,eligible", [("highest", True), ("first", True), ("second", False), ("none", False)])
def test_category(category, eligible):
    result = check(qualification_category=category)
    assert result.eligible is eligible
    if not eligible:
        assert result.reasons[0].startswith("Qualification category: ")
        assert "highest or first required" in result.reasons[0]


def test_category_policy_is_data():
    result = check(qualification_category="second", policy=policy(accepted_categories=["highest", "first", "second"]))
    assert result.eligible


def test_certificate_expired():
    result = check(certificate_expires_on=date(2026, 11, 21))
    assert result.reasons == ["Certificate expired on 21 November 2026"]


def test_certificate_expiring_is_a_warning_not_a_refusal():
    result = check(certificate_expires_on=date(2027, 1, 15))
    assert result.eligible
    assert result.warnings == ["Certificate expires on 15 January 2027"]


def test_certificate_missing():
    assert check(certificate_number="", certificate_expires_on=None).reasons == ["No specialist certificate recorded"]


def test_primary_training_missing():
    result = check(primary_training_on=None, last_training_on=None)
    assert result.reasons == ["Primary mentor training not completed"]
    assert result.training_status == TrainingStatus.MISSING


def test_refresher_overdue_since_date():
    result = check(primary_training_on=date(2020, 3, 3), last_training_on=date(2023, 3, 3))
    assert result.reasons == ["Refresher training overdue since 3 March 2026"]
    assert result.training_status == TrainingStatus.OVERDUE


def test_refresher_due_within_warning_window():
    result = check(primary_training_on=date(2018, 1, 1), last_training_on=date(2024, 1, 20))
    assert result.eligible
    assert result.warnings == ["Refresher training due by 20 January 2027"]
    assert result.training_status == TrainingStatus.DUE


def test_training_cycle_is_policy_data():
    result = check(policy=policy(training_cycle_years=5), primary_training_on=date(2022, 1, 1),
                   last_training_on=date(2022, 1, 1))
    assert result.eligible


def test_inactive_and_several_reasons_listed_together():
    result = check(is_active=False, qualification_category="none", certificate_expires_on=date(2020, 1, 1))
    assert len(result.reasons) == 3
    assert result.reasons[0] == "Mentor is marked inactive"


def test_reasons_in_russian():
    values = dict(
        policy=policy(), is_active=True, qualification_category="first", practice_started_on=date(2022, 9, 1),
        certificate_number="KZ-1", certificate_expires_on=date(2028, 1, 1), primary_training_on=date(2025, 1, 10),
        last_training_on=date(2025, 1, 10), today=TODAY,
    )
    with translation.override("ru"):
        result = evaluate(**values)
    assert result.reasons == ["Стаж 4 года 2 месяца, требуется 5 лет"]


@pytest.mark.parametrize("count,expected", [(0, Load.UNDER), (2, Load.UNDER), (3, Load.OK), (4, Load.FULL),
                                            (5, Load.OVER)])
def test_load_flags(count, expected):
    assert load_status(count, policy()) == expected


@pytest.mark.django_db
def test_mentor_eligibility_reads_trainings_from_database(make_mentor):
    mentor = make_mentor(trained=False)
    assert "Primary mentor training not completed" in mentor_eligibility(mentor).reasons
    mentor = make_mentor()
    assert mentor_eligibility(mentor).eligible
