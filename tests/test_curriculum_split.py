"""The split rule of an individual curriculum, at the boundaries, with the exact messages.

Default policy (DESIGN.md section 2): classroom 10-30 %, clinical work under the mentor 60-80 %, independent 10 %.
Each share is rounded half-up to a whole percent before it is compared with the bounds.
"""

from decimal import Decimal as D

import pytest
from django.utils import translation

from organization.models import Specialty
from residents.curricula import default_split, percent, split_check, split_problems

NAME = "Neonatal resuscitation"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def policy():
    return Specialty(code="7R011114", name="Neonatology", duration_years=3)  # the defaults; not saved


def problems(policy, classroom, clinical, independent, total="100"):
    return split_problems(specialty=policy, discipline_name=NAME, total=D(total), classroom=D(classroom),
                          clinical=D(clinical), independent=D(independent))


@pytest.mark.parametrize("classroom,clinical,independent", [
    ("10", "80", "10"),      # exactly the lower classroom and the upper clinical bound
    ("30", "60", "10"),      # exactly the upper classroom and the lower clinical bound
    ("9.5", "80.4", "10.1"),  # 9.5 % rounds up to 10 %, 80.4 % down to 80 %
    ("30.4", "59.6", "10"),  # 30.4 % rounds to 30 %, 59.6 % to 60 %
    ("30.4", "59.5", "10.1"),  # 59.5 % rounds half-up to 60 %
    ("20", "69.6", "10.4"),  # independent 10.4 % rounds to 10 %
    ("20", "70.4", "9.6"),   # independent 9.6 % rounds to 10 %
])
def test_splits_within_bounds_pass(policy, classroom, clinical, independent):
    assert problems(policy, classroom, clinical, independent) == []


def test_classroom_9_4_percent_rounds_to_9_and_fails(policy):
    assert problems(policy, "9.4", "80.4", "10.2") == [
        "Neonatal resuscitation: classroom work is 9% (9.4 of 100 h); 10-30% required."]


def test_classroom_30_5_percent_rounds_to_31_and_fails(policy):
    assert problems(policy, "30.5", "59.5", "10") == [
        "Neonatal resuscitation: classroom work is 31% (30.5 of 100 h); 10-30% required."]


def test_clinical_80_5_percent_rounds_to_81_and_fails(policy):
    assert problems(policy, "9.5", "80.5", "10") == [
        "Neonatal resuscitation: clinical work under the mentor is 81% (80.5 of 100 h); 60-80% required."]


def test_clinical_59_4_percent_rounds_to_59_and_fails(policy):
    assert problems(policy, "30.4", "59.4", "10.2") == [
        "Neonatal resuscitation: clinical work under the mentor is 59% (59.4 of 100 h); 60-80% required."]


def test_independent_10_5_percent_rounds_to_11_and_fails_with_a_single_figure(policy):
    assert problems(policy, "20", "69.5", "10.5") == [
        "Neonatal resuscitation: independent work is 11% (10.5 of 100 h); 10% required."]


def test_independent_9_4_percent_fails(policy):
    assert problems(policy, "20", "70.6", "9.4") == [
        "Neonatal resuscitation: independent work is 9% (9.4 of 100 h); 10% required."]


def test_the_example_of_the_brief(policy):
    assert problems(policy, "42", "66", "12", total="120") == [
        "Neonatal resuscitation: classroom work is 35% (42 of 120 h); 10-30% required.",
        "Neonatal resuscitation: clinical work under the mentor is 55% (66 of 120 h); 60-80% required.",
    ]


def test_parts_that_do_not_add_up(policy):
    assert problems(policy, "20", "70", "5") == [
        "Neonatal resuscitation: classroom, clinical and independent work add up to 95 h, not 100 h.",
        "Neonatal resuscitation: independent work is 5% (5 of 100 h); 10% required.",
    ]


def test_parts_that_add_up_to_more(policy):
    assert problems(policy, "24", "84.5", "12", total="120") == [
        "Neonatal resuscitation: classroom, clinical and independent work add up to 120.5 h, not 120 h."]


def test_every_problem_is_listed(policy):
    assert len(problems(policy, "50", "40", "10")) == 2
    assert len(problems(policy, "0", "0", "0")) == 4  # sum, and all three shares


def test_the_specialtys_own_bounds_apply(policy):
    policy.independent_min_pct, policy.independent_max_pct = 5, 15
    policy.classroom_min_pct, policy.classroom_max_pct = 15, 25
    assert problems(policy, "20", "65", "15") == []
    assert problems(policy, "10", "75", "15") == [
        "Neonatal resuscitation: classroom work is 10% (10 of 100 h); 15-25% required."]
    assert problems(policy, "20", "64", "16") == [
        "Neonatal resuscitation: independent work is 16% (16 of 100 h); 5-15% required."]


def test_check_reports_percentages_and_shares_out_of_bounds(policy):
    check = split_check(specialty=policy, discipline_name=NAME, total=D("120"), classroom=D("42"), clinical=D("66"),
                        independent=D("12"))
    assert check.percents == {"classroom": 35, "clinical": 55, "independent": 10}
    assert check.out_of_bounds == {"classroom", "clinical"}
    assert check.adds_up and not check.ok


@pytest.mark.parametrize("hours,total,expected", [
    ("9.4", "100", 9), ("9.5", "100", 10), ("30.5", "100", 31), ("80.5", "100", 81), ("1", "3", 33), ("2", "3", 67),
    ("0.5", "200", 0), ("1", "200", 1),
])
def test_percent_rounds_half_up(hours, total, expected):
    assert percent(D(hours), D(total)) == expected


@pytest.mark.parametrize("total", ["120", "36", "7.3", "1", "250.5", "999.9"])
def test_default_split_adds_up_and_validates(policy, total):
    split = default_split(D(total), policy)
    assert split.total == D(total)
    assert problems(policy, split.classroom, split.clinical, split.independent, total=total) == []


def test_default_split_is_20_70_10(policy):
    split = default_split(D("120"), policy)
    assert (split.classroom, split.clinical, split.independent) == (D("24.0"), D("84.0"), D("12.0"))
