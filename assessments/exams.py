"""Exam results: test, OSCE and the weighted overall score per resident and stage (DESIGN.md section 2, Assessment).

The overall score is the weighted mean of the test and the OSCE, rounded half-up to two decimals (50/50 by
default: 98.5 and 97.5 give 98.00). The weight is the department's policy at the time the result is recorded,
and is kept on the row so an old result still shows how it was computed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from organization.models import AcademicYear
from residents.curricula import is_coordinator_of
from residents.models import Resident

from .models import ExamResult, ExamStage
from .policy import assessment_policy_for

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SCORE_FIELDS = ("test_score", "osce_score")
# year_N stages in order, then the final certification; used to find a resident's latest result.
STAGE_RANK = {**{f"year_{n}": n for n in range(1, 6)}, ExamStage.FINAL.value: 9}


def overall_score(test, osce, test_weight_pct: int = 50) -> Decimal:
    """The weighted mean of the test and OSCE scores, rounded half-up to two decimals."""
    weight = Decimal(test_weight_pct)
    value = (Decimal(test) * weight + Decimal(osce) * (HUNDRED - weight)) / HUNDRED
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_score(value) -> Decimal:
    """A score as typed (decimal point or decimal comma) or read from a spreadsheet cell.

    Raises ValueError when it is not a number; range and decimals are checked by `check_score`.
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def check_score(value, label: str) -> Decimal:
    """`value` as a score from 0 to 100 with at most two decimals; ValidationError in plain words otherwise."""
    try:
        score = parse_score(value)
    except ValueError:
        raise ValidationError(_("%(label)s: “%(value)s” is not a number.") % {"label": label, "value": value}) from None
    if not Decimal(0) <= score <= HUNDRED:
        raise ValidationError(_("%(label)s must be between 0 and 100; %(value)s is not.") % {
            "label": label, "value": score})
    if score != score.quantize(CENT):
        raise ValidationError(_("%(label)s: give at most two decimals (e.g. 87.25), not %(value)s.") % {
            "label": label, "value": score})
    return score.quantize(CENT)


def stage_problem(stage: str, resident: Resident) -> str | None:
    """Why `stage` cannot be recorded for `resident`, or None."""
    if stage not in ExamStage.values:
        return _("Unknown stage “%(stage)s”; use one of: %(stages)s.") % {
            "stage": stage, "stages": ", ".join(ExamStage.values)}
    if stage != ExamStage.FINAL and STAGE_RANK[stage] > resident.specialty.duration_years:
        return _("%(stage)s does not exist in %(specialty)s, which lasts %(years)d years.") % {
            "stage": ExamStage(stage).label, "specialty": resident.specialty.name,
            "years": resident.specialty.duration_years}
    return None


@dataclass(frozen=True)
class Recorded:
    result: ExamResult
    outcome: str  # "created", "updated" or "unchanged"


@transaction.atomic
def exam_result_save(*, resident: Resident, stage: str, academic_year: AcademicYear, test_score, osce_score,
                     held_on: date | None = None, by: User | None, today: date | None = None) -> Recorded:
    """`exam_result_record` that also says whether the row was created, updated or left unchanged (imports).

    `by=None` is the command line (`import_exam_results`), run by an operator trusted like `import_roster`.
    """
    today = today or timezone.localdate()
    if by is not None and not is_coordinator_of(by, resident):
        raise ValidationError(_("Only a coordinator of the resident's department can record exam results."))
    errors: dict[str, list[str]] = {}
    scores = {}
    labels = {"test_score": _("Test score"), "osce_score": _("OSCE score")}
    for name, value in (("test_score", test_score), ("osce_score", osce_score)):
        try:
            scores[name] = check_score(value, labels[name])
        except ValidationError as exc:
            errors[name] = exc.messages
    problem = stage_problem(stage, resident)
    if problem:
        errors["stage"] = [problem]
    if academic_year is None:
        errors["academic_year"] = [_("Choose the academic year of the exam.")]
    if held_on is not None and held_on > today:
        errors["held_on"] = [_("The exam date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)

    policy = assessment_policy_for(resident.specialty.department)
    values = {
        "academic_year_id": academic_year.pk, "held_on": held_on, **scores, "test_weight_pct": policy.test_weight_pct,
        "overall_score": overall_score(scores["test_score"], scores["osce_score"], policy.test_weight_pct),
    }
    # The resident's row is locked so that two coordinators recording the same stage cannot both create it.
    Resident.objects.select_for_update().filter(pk=resident.pk).first()
    result = ExamResult.objects.filter(resident=resident, stage=stage).first()
    if result is None:
        result = ExamResult(resident=resident, stage=stage, recorded_by=by, **values)
        result._history_user = by
        try:
            with transaction.atomic():
                result.save()
        except IntegrityError:
            raise ValidationError({"stage": _("A result for this stage was recorded at the same moment; "
                                              "reload the page.")}) from None
        return Recorded(result, "created")
    if all(getattr(result, name) == value for name, value in values.items()):
        return Recorded(result, "unchanged")
    for name, value in values.items():
        setattr(result, name, value)
    result.recorded_by = by
    result._history_user = by
    result.save()
    return Recorded(result, "updated")


@transaction.atomic
def exam_result_record(*, resident: Resident, stage: str, academic_year: AcademicYear, test_score, osce_score,
                       held_on: date | None = None, by: User | None) -> ExamResult:
    """Record (or correct) the resident's result at `stage`.

    Rules: only a coordinator of the resident's department; scores from 0 to 100 with at most two decimals;
    a stage of the programme (no year-N certification beyond the specialty's length); no exam date in the
    future. The overall score uses the department's test weight, stored on the row. One row per resident
    and stage: recording a stage again updates it, and the change is kept in the row's history.
    """
    return exam_result_save(resident=resident, stage=stage, academic_year=academic_year, test_score=test_score,
                            osce_score=osce_score, held_on=held_on, by=by).result
