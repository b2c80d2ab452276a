"""The coordinator's yearly evaluation of a mentor (DESIGN.md section 2, Assessment: named, once per academic year)."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from mentoring.models import Mentor
from organization.models import AcademicYear
from organization.selectors import coordinates
from organization.validators import validate_no_patient_identifiers

from .models import MentorEvaluation

CRITERIA = MentorEvaluation.CRITERIA
CENT = Decimal("0.01")


def criterion_label(name: str) -> str:
    return str(MentorEvaluation._meta.get_field(name).verbose_name)


def evaluation_score(ratings: dict[str, int]) -> Decimal:
    """The mean of the criteria, rounded half-up to two decimals."""
    return (Decimal(sum(ratings[c] for c in CRITERIA)) / len(CRITERIA)).quantize(CENT, rounding=ROUND_HALF_UP)


def _ratings(ratings: dict) -> dict[str, int]:
    errors: dict[str, str] = {}
    unknown = sorted(set(ratings) - set(CRITERIA))
    if unknown:
        raise ValidationError(_("Unknown criteria: %(names)s.") % {"names": ", ".join(map(str, unknown))})
    clean = {}
    for name in CRITERIA:
        value = ratings.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().isdigit():
            number = int(value)
        else:
            number = None
        if value is None or value == "":
            errors[name] = _("Rate %(criterion)s from 1 to 5.") % {"criterion": criterion_label(name)}
        elif number is None or not 1 <= number <= 5:
            errors[name] = _("%(criterion)s: the rating is from 1 to 5, not %(value)s.") % {
                "criterion": criterion_label(name).capitalize(), "value": value}
        else:
            clean[name] = number
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def mentor_evaluation_record(*, mentor: Mentor, academic_year: AcademicYear, ratings: dict, comment: str = "",
                             by: User) -> MentorEvaluation:
    """Record the coordinator's evaluation of `mentor` for `academic_year`, or correct it.

    Rules: only a coordinator of the mentor's department; the five criteria each rated 1 to 5; the score is
    their mean (two decimals); the comment carries no patient identifiers. Once per academic year: evaluating
    the same year again updates the existing evaluation (the database keeps one row per mentor and year).
    """
    if not coordinates(by, mentor.specialty.department_id):
        raise ValidationError(_("Only a coordinator of the mentor's department can evaluate the mentor."))
    if academic_year is None:
        raise ValidationError({"academic_year": _("Choose the academic year of the evaluation.")})
    clean = _ratings(ratings)
    comment = (comment or "").strip()
    validate_no_patient_identifiers(comment, field="comment")
    values = {**clean, "score": evaluation_score(clean), "comment": comment, "evaluated_by": by}

    evaluation = (MentorEvaluation.objects.select_for_update()
                  .filter(mentor=mentor, academic_year=academic_year).first())
    if evaluation is None:
        try:
            with transaction.atomic():
                return MentorEvaluation.objects.create(mentor=mentor, academic_year=academic_year, **values)
        except IntegrityError:
            # Another coordinator created it a moment ago: this evaluation corrects theirs.
            evaluation = MentorEvaluation.objects.select_for_update().get(mentor=mentor, academic_year=academic_year)
    for name, value in values.items():
        setattr(evaluation, name, value)
    evaluation.save()
    return evaluation
