"""Individual curricula: the split rule and the workflow (DESIGN.md section 2, Residents and curricula).

The split rule is a pure function (`split_problems`) so that the pages, the services and the tests share
one definition. The workflow is draft -> submitted -> approved, or submitted -> draft when the coordinator
returns it with a comment. Only a draft can be edited. Saving a draft only requires the hours to add up to
the discipline's total; the percentage bounds are shown as problems while drafting and enforced at submit
(and checked again at approval, in case the specialty's policy changed in between).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from organization.models import AcademicYear, Specialty
from organization.selectors import coordinates
from organization.validators import validate_no_patient_identifiers

from .models import Curriculum, CurriculumEvent, CurriculumItem, Discipline, Resident

TENTH = Decimal("0.1")
SHARES = ("classroom", "clinical", "independent")
Status = Curriculum.Status


# The split rule ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """Hours of one discipline: classroom work, clinical work under the mentor, independent work."""

    classroom: Decimal
    clinical: Decimal
    independent: Decimal

    @property
    def total(self) -> Decimal:
        return self.classroom + self.clinical + self.independent


@dataclass
class SplitCheck:
    """Percentages (rounded half-up to whole percents), the shares outside the bounds, the messages."""

    percents: dict[str, int] = field(default_factory=dict)
    out_of_bounds: set[str] = field(default_factory=set)
    adds_up: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def bounds(specialty: Specialty) -> dict[str, tuple[int, int]]:
    """The specialty's inclusive percentage bounds per share."""
    return {
        "classroom": (specialty.classroom_min_pct, specialty.classroom_max_pct),
        "clinical": (specialty.clinical_min_pct, specialty.clinical_max_pct),
        "independent": (specialty.independent_min_pct, specialty.independent_max_pct),
    }


def percent(hours: Decimal, total: Decimal) -> int:
    """hours / total * 100, rounded half-up to a whole percent (9.5 % counts as 10 %, 9.4 % as 9 %)."""
    return int((Decimal(hours) * 100 / Decimal(total)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def format_hours(hours: Decimal) -> str:
    """42.0 -> "42", 9.5 -> "9.5" (with the active language's decimal separator)."""
    hours = Decimal(hours)
    hours = hours.quantize(Decimal("1")) if hours == hours.to_integral_value() else hours.quantize(TENTH)
    return formats.number_format(hours)


def _share_message(share: str, exact: bool) -> str:
    # Whole sentences per share, so that translators can inflect each one.
    if share == "classroom":
        if exact:
            return _("%(discipline)s: classroom work is %(percent)d%% (%(hours)s of %(total)s h); "
                     "%(required)d%% required.")
        return _("%(discipline)s: classroom work is %(percent)d%% (%(hours)s of %(total)s h); "
                 "%(min)d-%(max)d%% required.")
    if share == "clinical":
        if exact:
            return _("%(discipline)s: clinical work under the mentor is %(percent)d%% (%(hours)s of %(total)s h); "
                     "%(required)d%% required.")
        return _("%(discipline)s: clinical work under the mentor is %(percent)d%% (%(hours)s of %(total)s h); "
                 "%(min)d-%(max)d%% required.")
    if exact:
        return _("%(discipline)s: independent work is %(percent)d%% (%(hours)s of %(total)s h); "
                 "%(required)d%% required.")
    return _("%(discipline)s: independent work is %(percent)d%% (%(hours)s of %(total)s h); "
             "%(min)d-%(max)d%% required.")


def split_check(*, specialty: Specialty, discipline_name: str, total: Decimal, classroom: Decimal,
                clinical: Decimal, independent: Decimal) -> SplitCheck:
    """Check one discipline's split against the specialty's bounds; see `split_problems`."""
    check = SplitCheck()
    split = Split(Decimal(classroom), Decimal(clinical), Decimal(independent))
    total = Decimal(total)
    if total <= 0:
        check.adds_up = False
        check.problems.append(_("%(discipline)s: the discipline has no hours.") % {"discipline": discipline_name})
        return check
    if split.total != total:
        check.adds_up = False
        check.problems.append(_(
            "%(discipline)s: classroom, clinical and independent work add up to %(sum)s h, not %(total)s h."
        ) % {"discipline": discipline_name, "sum": format_hours(split.total), "total": format_hours(total)})
    for share, (low, high) in bounds(specialty).items():
        hours = getattr(split, share)
        pct = percent(hours, total)
        check.percents[share] = pct
        if low <= pct <= high:
            continue
        check.out_of_bounds.add(share)
        check.problems.append(_share_message(share, exact=low == high) % {
            "discipline": discipline_name, "percent": pct, "hours": format_hours(hours),
            "total": format_hours(total), "min": low, "max": high, "required": low,
        })
    return check


def split_problems(*, specialty: Specialty, discipline_name: str, total: Decimal, classroom: Decimal,
                   clinical: Decimal, independent: Decimal) -> list[str]:
    """The split rule: the three parts add up to the total, and each part's share, rounded half-up to a whole
    percent, lies within the specialty's bounds (inclusive). Returns one message per problem, naming the
    discipline and the numbers; an empty list when the split is valid."""
    return split_check(specialty=specialty, discipline_name=discipline_name, total=total, classroom=classroom,
                       clinical=clinical, independent=independent).problems


def item_check(item: CurriculumItem, specialty: Specialty) -> SplitCheck:
    return split_check(specialty=specialty, discipline_name=item.discipline.name, total=item.total_hours,
                       classroom=item.classroom_hours, clinical=item.clinical_hours,
                       independent=item.independent_hours)


def curriculum_problems(items: Iterable[CurriculumItem], specialty: Specialty) -> list[str]:
    return [problem for item in items for problem in item_check(item, specialty).problems]


def _round_tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def default_split(total: Decimal, specialty: Specialty) -> Split:
    """The middle of the classroom and independent bounds, the rest clinical (20/70/10 under the default
    policy), in tenths of an hour, adding up exactly to the total."""
    limits = bounds(specialty)
    classroom = _round_tenth(total * Decimal(sum(limits["classroom"])) / 200)
    independent = _round_tenth(total * Decimal(sum(limits["independent"])) / 200)
    return Split(classroom, total - classroom - independent, independent)


def scaled_split(previous: CurriculumItem, total: Decimal) -> Split:
    """Last year's split of a discipline, carried over to this year's hours (same proportions)."""
    if previous.total_hours == total:
        return Split(previous.classroom_hours, previous.clinical_hours, previous.independent_hours)
    classroom = _round_tenth(previous.classroom_hours * total / previous.total_hours)
    independent = _round_tenth(previous.independent_hours * total / previous.total_hours)
    return Split(classroom, total - classroom - independent, independent)


def clean_hours(value, *, label: str) -> Decimal:
    """Hours are non-negative, in tenths of an hour."""
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(_("%(label)s: enter a number of hours.") % {"label": label}) from None
    if not hours.is_finite() or hours < 0:
        raise ValidationError(_("%(label)s: hours cannot be negative.") % {"label": label})
    if hours != hours.quantize(TENTH):
        raise ValidationError(_("%(label)s: give hours to one decimal place.") % {"label": label})
    return hours.quantize(TENTH)


# Who may do what --------------------------------------------------------------------------------------------------


def is_coordinator_of(user: User | None, resident: Resident) -> bool:
    return coordinates(user, resident.specialty.department_id)


def is_owner(user: User | None, resident: Resident) -> bool:
    return bool(user and user.is_authenticated) and resident.user_id == user.pk


def _lock(curriculum: Curriculum) -> Curriculum:
    """The curriculum row, locked for the rest of the transaction; the status is read under the lock."""
    return (Curriculum.objects.select_for_update(of=("self",))
            .select_related("resident__specialty", "academic_year").get(pk=curriculum.pk))


def _event(curriculum: Curriculum, *, from_status: str, by: User | None, comment: str = "") -> None:
    CurriculumEvent.objects.create(curriculum=curriculum, from_status=from_status, to_status=curriculum.status,
                                   by=by, comment=comment)


# Services -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def curriculum_start(*, resident: Resident, academic_year: AcademicYear, by: User, copy_previous: bool) -> Curriculum:
    """Start the resident's draft curriculum for `academic_year` and their current year of study.

    Rules: an active resident, started by themself or a coordinator of their department; one curriculum per
    resident per academic year (also a database constraint); one item per discipline of the specialty's
    programme for the year of study. Each item gets the default split, or with `copy_previous` the split of the
    same discipline (matched by name) in the resident's latest earlier curriculum, scaled to this year's hours.
    """
    resident = Resident.objects.select_for_update(of=("self",)).select_related("specialty").get(pk=resident.pk)
    if not (is_owner(by, resident) or is_coordinator_of(by, resident)):
        raise ValidationError(_("Only the resident or a coordinator of the department can start a curriculum."))
    if resident.status != Resident.Status.ACTIVE:
        raise ValidationError(_("Only an active resident can start a curriculum."))
    if Curriculum.objects.filter(resident=resident, academic_year=academic_year).exists():
        raise ValidationError(_("There is already a curriculum for %(year)s.") % {"year": academic_year})
    disciplines = list(Discipline.objects.filter(specialty=resident.specialty,
                                                 year_of_study=resident.year_of_study))
    if not disciplines:
        raise ValidationError(_(
            "The programme of %(specialty)s has no disciplines for year %(year)d of study yet; "
            "ask your coordinator.") % {"specialty": resident.specialty.name, "year": resident.year_of_study})
    previous_items = {}
    if copy_previous:
        previous = (Curriculum.objects.filter(resident=resident,
                                              academic_year__start_year__lt=academic_year.start_year)
                    .order_by("-academic_year__start_year").first())
        if previous is None:
            raise ValidationError(_("There is no earlier curriculum to start from."))
        previous_items = {i.discipline.name.casefold(): i for i in previous.items.select_related("discipline")}
    try:
        with transaction.atomic():
            curriculum = Curriculum.objects.create(resident=resident, academic_year=academic_year,
                                                   year_of_study=resident.year_of_study)
    except IntegrityError:
        raise ValidationError(_("There is already a curriculum for %(year)s.") % {"year": academic_year}) from None
    items = []
    for discipline in disciplines:
        earlier = previous_items.get(discipline.name.casefold())
        split = (scaled_split(earlier, discipline.hours) if earlier is not None
                 else default_split(discipline.hours, resident.specialty))
        items.append(CurriculumItem(curriculum=curriculum, discipline=discipline, total_hours=discipline.hours,
                                    classroom_hours=split.classroom, clinical_hours=split.clinical,
                                    independent_hours=split.independent))
    CurriculumItem.objects.bulk_create(items)
    _event(curriculum, from_status="", by=by)
    return curriculum


def _check_editable(curriculum: Curriculum, by: User) -> None:
    if not (is_owner(by, curriculum.resident) or is_coordinator_of(by, curriculum.resident)):
        raise ValidationError(_("Only the resident or a coordinator of the department can change the curriculum."))
    if curriculum.status != Status.DRAFT:
        raise ValidationError(_("Only a draft curriculum can be changed."))


def _apply_split(item: CurriculumItem, split: Split) -> bool:
    """Set the item's hours; the parts must add up to the discipline's total (the database insists too)."""
    labels = {"classroom": _("Classroom work"), "clinical": _("Clinical work under the mentor"),
              "independent": _("Independent work")}
    hours = {share: clean_hours(getattr(split, share), label=f"{item.discipline.name}: {labels[share]}")
             for share in SHARES}
    clean = Split(**hours)
    if clean.total != item.total_hours:
        raise ValidationError(_(
            "%(discipline)s: classroom, clinical and independent work add up to %(sum)s h, not %(total)s h."
        ) % {"discipline": item.discipline.name, "sum": format_hours(clean.total),
             "total": format_hours(item.total_hours)})
    new = (clean.classroom, clean.clinical, clean.independent)
    changed = (item.classroom_hours, item.clinical_hours, item.independent_hours) != new
    item.classroom_hours, item.clinical_hours, item.independent_hours = new
    return changed


@transaction.atomic
def curriculum_item_update(*, item: CurriculumItem, classroom: Decimal, clinical: Decimal, independent: Decimal,
                           by: User) -> CurriculumItem:
    """Change one discipline's split. Rules: only a draft; only the resident or a coordinator of the department;
    hours in tenths, adding up to the discipline's total. The percentage bounds are enforced at submit."""
    curriculum = _lock(item.curriculum)
    _check_editable(curriculum, by)
    item = CurriculumItem.objects.select_related("discipline").get(pk=item.pk, curriculum=curriculum)
    if _apply_split(item, Split(classroom, clinical, independent)):
        item.save(update_fields=["classroom_hours", "clinical_hours", "independent_hours"])
        curriculum.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def curriculum_items_update(*, curriculum: Curriculum, splits: Mapping[int, Split], by: User) -> int:
    """Change several disciplines' splits at once (the edit page), with the rules of `curriculum_item_update`.
    `splits` maps item ids to their new split; every message is collected before anything is saved.
    Returns the number of items changed."""
    curriculum = _lock(curriculum)
    _check_editable(curriculum, by)
    items = {i.pk: i for i in curriculum.items.select_related("discipline")}
    unknown = set(splits) - set(items)
    if unknown:
        raise ValidationError(_("These disciplines are not part of this curriculum."))
    errors, changed = [], []
    for pk, split in splits.items():
        try:
            if _apply_split(items[pk], split):
                changed.append(items[pk])
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    if changed:
        CurriculumItem.objects.bulk_update(changed, ["classroom_hours", "clinical_hours", "independent_hours"])
        curriculum.save(update_fields=["updated_at"])
    return len(changed)


@transaction.atomic
def curriculum_submit(*, curriculum: Curriculum, by: User) -> Curriculum:
    """Draft -> submitted. Rules: only the resident; only from draft; at least one discipline; every discipline's
    split valid (all problems are listed in the error)."""
    curriculum = _lock(curriculum)
    if not is_owner(by, curriculum.resident):
        raise ValidationError(_("Only the resident can submit their curriculum."))
    if curriculum.status != Status.DRAFT:
        raise ValidationError(_("Only a draft curriculum can be submitted."))
    items = list(curriculum.items.select_related("discipline"))
    if not items:
        raise ValidationError(_("The curriculum has no disciplines."))
    problems = curriculum_problems(items, curriculum.resident.specialty)
    if problems:
        raise ValidationError(problems)
    curriculum.status = Status.SUBMITTED
    curriculum.submitted_at = timezone.now()
    curriculum.return_comment = ""
    curriculum.save(update_fields=["status", "submitted_at", "return_comment", "updated_at"])
    _event(curriculum, from_status=Status.DRAFT, by=by)
    return curriculum


@transaction.atomic
def curriculum_approve(*, curriculum: Curriculum, by: User) -> Curriculum:
    """Submitted -> approved. Rules: only a coordinator of the resident's department; only from submitted; the
    split still valid under the specialty's current policy."""
    curriculum = _lock(curriculum)
    if not is_coordinator_of(by, curriculum.resident):
        raise ValidationError(_("Only a coordinator of the resident's department can approve the curriculum."))
    if curriculum.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted curriculum can be approved."))
    problems = curriculum_problems(curriculum.items.select_related("discipline"), curriculum.resident.specialty)
    if problems:
        raise ValidationError([_("The split no longer meets the programme's rules; return the curriculum."),
                               *problems])
    curriculum.status = Status.APPROVED
    curriculum.approved_at = timezone.now()
    curriculum.approved_by = by
    curriculum.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    _event(curriculum, from_status=Status.SUBMITTED, by=by)
    return curriculum


@transaction.atomic
def curriculum_return(*, curriculum: Curriculum, by: User, comment: str) -> Curriculum:
    """Submitted -> draft with the coordinator's comment. Rules: only a coordinator of the resident's department;
    only from submitted; a comment is required and carries no patient identifiers."""
    comment = (comment or "").strip()
    curriculum = _lock(curriculum)
    if not is_coordinator_of(by, curriculum.resident):
        raise ValidationError(_("Only a coordinator of the resident's department can return the curriculum."))
    if curriculum.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted curriculum can be returned."))
    if not comment:
        raise ValidationError({"comment": _("Say what the resident should change.")})
    validate_no_patient_identifiers(comment, field="comment")
    curriculum.status = Status.DRAFT
    curriculum.return_comment = comment
    curriculum.submitted_at = None
    curriculum.save(update_fields=["status", "return_comment", "submitted_at", "updated_at"])
    _event(curriculum, from_status=Status.SUBMITTED, by=by, comment=comment)
    return curriculum
