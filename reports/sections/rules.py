"""Domain rules as database conditions, so that reports count compliance with one aggregate query.

Each condition restates, for the database, a rule whose definition lives in Python elsewhere; a test
(tests/test_report_cohort_rules.py) checks on varied rows that the two agree, so they cannot drift apart:

- mentor eligibility: mentoring.eligibility.evaluate (DESIGN.md section 2, Mentors), as database conditions in
  mentoring.eligibility_db (the dashboard and the reports import them from there);
- the split of a curriculum discipline: residents.curricula.split_check (DESIGN.md section 2, Residents and
  curricula).
"""

from django.db.models import DecimalField, ExpressionWrapper, F, Q
from django.db.models.functions import Round
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThan

from residents.curricula import SHARES

# The split of a curriculum discipline ------------------------------------------------------------------------------

_DECIMAL = DecimalField(max_digits=12, decimal_places=1)


def _tenths(field: str):
    """Hours as a whole number of tenths, so the comparisons below are exact on SQLite (floats) too."""
    return Round(F(field) * 10)


def share_within_bounds(share: str, specialty: str = "curriculum__resident__specialty") -> Q:
    """The share's percentage, rounded half up to a whole percent (residents.curricula.percent), lies within
    the specialty's bounds, inclusive: low - 0.5 <= 100 * hours / total < high + 0.5, that is
    200 * hours >= (2 * low - 1) * total and 200 * hours < (2 * high + 1) * total. On CurriculumItem rows;
    `specialty` is the path to the specialty whose bounds apply."""
    hours, total = _tenths(f"{share}_hours") * 200, _tenths("total_hours")

    def bound(name, offset):
        return ExpressionWrapper(total * (F(f"{specialty}__{share}_{name}_pct") * 2 + offset), output_field=_DECIMAL)

    return Q(GreaterThanOrEqual(ExpressionWrapper(hours, output_field=_DECIMAL), bound("min", -1))) & Q(
        LessThan(ExpressionWrapper(hours, output_field=_DECIMAL), bound("max", 1)))


def split_conditions(specialty: str = "curriculum__resident__specialty") -> dict[str, Q]:
    """The parts of the split rule of one CurriculumItem (residents.curricula.split_check), each a condition:
    `adds_up`, hours given and the three parts adding up to the total (SplitCheck.adds_up), and for each share, its
    percentage within the specialty's bounds (the share not in SplitCheck.out_of_bounds). The rule holds when all
    hold (split_within_bounds)."""
    parts = _tenths("classroom_hours") + _tenths("clinical_hours") + _tenths("independent_hours")
    adds_up = Q(Exact(ExpressionWrapper(parts, output_field=_DECIMAL),
                      ExpressionWrapper(_tenths("total_hours"), output_field=_DECIMAL)))
    return {"adds_up": Q(total_hours__gt=0) & adds_up,
            **{share: share_within_bounds(share, specialty) for share in SHARES}}


def split_within_bounds(specialty: str = "curriculum__resident__specialty") -> Q:
    """The whole split rule of one CurriculumItem (residents.curricula.split_check without problems): hours
    given, the three parts add up to the total, and every share within its bounds."""
    condition = Q()
    for part in split_conditions(specialty).values():
        condition &= part
    return condition
