"""The EPA catalogue of a specialty (DESIGN.md section 2, Entrustable professional activities).

Coordinators keep each specialty's catalogue: code, title, description, the order in which EPAs are listed,
whether an EPA is still in use, and the supervision level expected by the end of each year of study.
Retiring an EPA only stops it being offered: its observations and decisions stay.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from organization.models import Specialty
from organization.selectors import coordinates

from .models import EPA, EPAExpectation, SupervisionLevel

CODE_MAX = EPA._meta.get_field("code").max_length
TITLE_MAX = EPA._meta.get_field("title").max_length
POSITION_MAX = 32767


def _check_expected(expected, specialty: Specialty) -> dict[int, int]:
    """Expected levels as {year: level}: every year of the specialty, levels 1-5, never going down."""
    errors: list[str] = []
    try:
        levels = {int(year): int(level) for year, level in (expected or {}).items()}
    except (TypeError, ValueError):
        raise ValidationError({"expected": _("Give each expected level as a number from 1 to 5.")}) from None
    years = range(1, specialty.duration_years + 1)
    outside = sorted(y for y in levels if y not in years)
    if outside:
        errors.append(_("%(specialty)s lasts %(n)d years: there is no year of study %(years)s.") % {
            "specialty": specialty, "n": specialty.duration_years, "years": ", ".join(map(str, outside))})
    missing = [y for y in years if y not in levels]
    if missing:
        errors.append(_("Give the expected level for every year of study; missing: %(years)s.") % {
            "years": ", ".join(map(str, missing))})
    bad = sorted(y for y, level in levels.items() if level not in SupervisionLevel.values)
    if bad:
        errors.append(_("An expected level is a supervision level from 1 to 5 (year %(years)s).") % {
            "years": ", ".join(map(str, bad))})
    if not errors:
        for year in years[1:]:
            if levels[year] < levels[year - 1]:
                errors.append(_("The expected level cannot go down from one year to the next: year %(earlier)d "
                                "expects level %(before)d, year %(later)d level %(after)d.") % {
                    "earlier": year - 1, "before": levels[year - 1], "later": year, "after": levels[year]})
    if errors:
        raise ValidationError({"expected": errors})
    return levels


@transaction.atomic
def epa_save(*, specialty: Specialty, code: str, title: str, description: str = "", position: int | None = None,
             expected: dict[int, int], is_active: bool = True, epa: EPA | None = None, by) -> EPA:
    """Create an EPA of `specialty`'s catalogue, or change `epa`, with its expected level per year of study.

    Rules: `by` coordinates the specialty's department; an EPA stays in its specialty; code and title are
    required and the code is unique within the specialty; an expected level (1-5) is given for every year
    of study of the specialty and for no other year, and it never goes down from one year to the next.
    The EPA's expected levels are replaced by `expected`. Retiring (is_active=False) keeps its observations.
    """
    if not coordinates(by, specialty.department_id):
        raise ValidationError(_("Only a coordinator of the department of %(specialty)s can change its EPA "
                                "catalogue.") % {"specialty": specialty})
    if epa is not None:
        epa = EPA.objects.select_for_update().get(pk=epa.pk)
        if epa.specialty_id != specialty.pk:
            raise ValidationError(_("An EPA cannot move to another specialty: retire it and add a new one there."))

    errors: dict[str, list[str]] = {}
    code, title, description = (code or "").strip(), (title or "").strip(), (description or "").strip()
    if not code:
        errors.setdefault("code", []).append(_("Give the EPA a code, e.g. EPA 1."))
    elif len(code) > CODE_MAX:
        errors.setdefault("code", []).append(_("The code is at most %(n)d characters.") % {"n": CODE_MAX})
    elif EPA.objects.filter(specialty=specialty, code__iexact=code).exclude(pk=getattr(epa, "pk", None)).exists():
        errors.setdefault("code", []).append(_("%(specialty)s already has an EPA with the code %(code)s.") % {
            "specialty": specialty, "code": code})
    if not title:
        errors.setdefault("title", []).append(_("Give the EPA a title."))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(_("The title is at most %(n)d characters.") % {"n": TITLE_MAX})
    if position is not None and not 0 <= position <= POSITION_MAX:
        errors.setdefault("position", []).append(_("The position is a whole number from 0 to %(n)d.")
                                                 % {"n": POSITION_MAX})
    try:
        levels = _check_expected(expected, specialty)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    if position is None:
        if epa is not None:
            position = epa.position
        else:
            last = EPA.objects.filter(specialty=specialty).aggregate(m=Max("position"))["m"]
            position = 0 if last is None else last + 1
    if epa is None:
        epa = EPA(specialty=specialty)
    epa.code, epa.title, epa.description = code, title, description
    epa.position, epa.is_active = position, bool(is_active)
    try:
        with transaction.atomic():  # a concurrent save of the same code hits the unique constraint
            epa.save()
    except IntegrityError:
        raise ValidationError({"code": [_("%(specialty)s already has an EPA with the code %(code)s.") % {
            "specialty": specialty, "code": code}]}) from None
    EPAExpectation.objects.filter(epa=epa).delete()
    EPAExpectation.objects.bulk_create(
        EPAExpectation(epa=epa, year_of_study=year, level=level) for year, level in sorted(levels.items()))
    return epa
