"""The questionnaire builder (issue 5, item 1): questionnaires, sections, items and their options.

Rules shared by every service here:
- only a coordinator of the questionnaire's department changes it (`organization.selectors.coordinates`);
- a questionnaire is *locked* once any campaign of it has an answer (a completed participation, a pending
  submission or a released response): answers and results must keep meaning what they meant when given,
  so nothing of a locked questionnaire changes; a copy (`questionnaire_copy`) is editable;
- positions of sections within a questionnaire, and of items within a section, are kept as 1..n.
Each service locks the questionnaire's row first, so two coordinators' changes (and renumbering) do not
interleave.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, Max, OuterRef, Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from organization.models import Department
from organization.selectors import coordinates

from .models import Item, Option, Participation, PendingSubmission, Questionnaire, Response, Section

TITLE_MAX = Questionnaire._meta.get_field("title").max_length
SECTION_TITLE_MAX = Section._meta.get_field("title").max_length
TEXT_MAX = Item._meta.get_field("text").max_length
HELP_MAX = Item._meta.get_field("help_text").max_length
CODE_MAX = Item._meta.get_field("code").max_length
OPTION_MAX = Option._meta.get_field("label").max_length
MIN_OPTIONS, MAX_OPTIONS = 2, 30
# Numbers answered are stored as decimals below ten million (surveys.answers); the range must fit.
NUMBER_LIMIT = 9_999_999
CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
UP, DOWN = "up", "down"


def locked_message() -> str:
    return _("This questionnaire already has answers, so it cannot change. Make a copy to change it.")


def locked_condition(questionnaire_ref="pk") -> ExpressionWrapper:
    """True where a campaign of the questionnaire has any answer; usable in `annotate` (one query for a list)."""
    of = {"campaign__questionnaire": OuterRef(questionnaire_ref)}
    return ExpressionWrapper(
        Q(Exists(Participation.objects.filter(completed=True, **of)))
        | Q(Exists(PendingSubmission.objects.filter(**of)))
        | Q(Exists(Response.objects.filter(**of))),
        output_field=BooleanField())


def with_locked(queryset: QuerySet[Questionnaire]) -> QuerySet[Questionnaire]:
    return queryset.annotate(locked=locked_condition())


def questionnaire_is_locked(questionnaire: Questionnaire) -> bool:
    """Whether a campaign of the questionnaire has any answer (completed participation, pending or released)."""
    return with_locked(Questionnaire.objects.filter(pk=questionnaire.pk)).filter(locked=True).exists()


def _check_coordinator(by, department_id: int) -> None:
    if not coordinates(by, department_id):
        raise ValidationError(_("Only a coordinator of the department can change its questionnaires."))


def _lock_for_change(questionnaire: Questionnaire, by) -> Questionnaire:
    """The questionnaire's row, locked; refused for non-coordinators and once the questionnaire has answers."""
    _check_coordinator(by, questionnaire.department_id)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire_is_locked(questionnaire):
        raise ValidationError(locked_message())
    return questionnaire


def _renumber(rows) -> None:
    """Positions 1..n in the given order, writing only the rows that change."""
    changed = []
    for position, row in enumerate(rows, 1):
        if row.position != position:
            row.position = position
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["position"])


def _moved(rows: list, target, direction: str) -> list:
    if direction not in (UP, DOWN):
        raise ValidationError(_("Move up or down."))
    index = next(i for i, row in enumerate(rows) if row.pk == target.pk)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    return rows


# --- questionnaires ---------------------------------------------------------------------------------------------


@transaction.atomic
def questionnaire_save(*, department: Department, by, title: str, description: str = "",
                       intended_for: str = Questionnaire.Audience.RESIDENTS, about_mentor: bool = False,
                       questionnaire: Questionnaire | None = None) -> Questionnaire:
    """Create a questionnaire of `department`, or change `questionnaire`'s title, description and audience.

    Rules: `by` coordinates the department; a questionnaire stays in its department; the title is required;
    the audience is residents or mentors, and only a questionnaire for residents can be about their mentor;
    a questionnaire with answers does not change.
    """
    _check_coordinator(by, department.pk)
    if questionnaire is not None:
        questionnaire = _lock_for_change(questionnaire, by)
        if questionnaire.department_id != department.pk:
            raise ValidationError(_("A questionnaire stays in its department: copy it instead."))
    errors: dict[str, list[str]] = {}
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        errors.setdefault("title", []).append(_("Give the questionnaire a title."))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(_("The title is at most %(n)d characters.") % {"n": TITLE_MAX})
    if intended_for not in Questionnaire.Audience.values:
        errors.setdefault("intended_for", []).append(_("A questionnaire is for residents or for mentors."))
    elif about_mentor and intended_for != Questionnaire.Audience.RESIDENTS:
        errors.setdefault("about_mentor", []).append(
            _("Only a questionnaire for residents can be about the respondent's mentor."))
    if errors:
        raise ValidationError(errors)
    if questionnaire is None:
        questionnaire = Questionnaire(department=department, created_by=by)
    questionnaire.title, questionnaire.description = title, description
    questionnaire.intended_for, questionnaire.about_mentor = intended_for, bool(about_mentor)
    questionnaire.save()
    return questionnaire


@transaction.atomic
def questionnaire_copy(*, questionnaire: Questionnaire, by) -> Questionnaire:
    """A new, editable questionnaire with copies of `questionnaire`'s sections, items and options.

    Rules: `by` coordinates the department; allowed also (above all) when the original is locked; the copy
    is titled "<title> (copy)", remembers what it was copied from and has no answers, so it is not locked.
    The copy is not a shipped questionnaire, whatever the original was: its content may now diverge.
    """
    _check_coordinator(by, questionnaire.department_id)
    room = TITLE_MAX - len(_("%(title)s (copy)") % {"title": ""})
    copy = Questionnaire.objects.create(
        department_id=questionnaire.department_id,
        title=_("%(title)s (copy)") % {"title": questionnaire.title[:room]},
        description=questionnaire.description, intended_for=questionnaire.intended_for,
        about_mentor=questionnaire.about_mentor, copied_from=questionnaire, created_by=by)
    sections = list(Section.objects.filter(questionnaire=questionnaire)
                    .prefetch_related("items__options").order_by("position", "id"))
    for section in sections:
        new_section = Section.objects.create(questionnaire=copy, title=section.title, position=section.position)
        for item in section.items.all():
            new_item = Item.objects.create(
                section=new_section, kind=item.kind, text=item.text, help_text=item.help_text,
                required=item.required, position=item.position, code=item.code, number_min=item.number_min,
                number_max=item.number_max)
            Option.objects.bulk_create([Option(item=new_item, label=o.label, value=o.value, position=o.position)
                                        for o in item.options.all()])
    return copy


# --- sections -------------------------------------------------------------------------------------------------


@transaction.atomic
def section_save(*, questionnaire: Questionnaire, by, title: str, section: Section | None = None) -> Section:
    """Add a section at the end of `questionnaire`, or rename `section`.

    Rules: `by` coordinates the department; the questionnaire has no answers; the title is required.
    """
    questionnaire = _lock_for_change(questionnaire, by)
    if section is not None and section.questionnaire_id != questionnaire.pk:
        raise ValidationError(_("This section belongs to another questionnaire."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the section a title.")})
    if len(title) > SECTION_TITLE_MAX:
        raise ValidationError({"title": _("The title is at most %(n)d characters.") % {"n": SECTION_TITLE_MAX}})
    if section is None:
        last = Section.objects.filter(questionnaire=questionnaire).aggregate(m=Max("position"))["m"] or 0
        return Section.objects.create(questionnaire=questionnaire, title=title, position=last + 1)
    section.title = title
    section.save(update_fields=["title"])
    return section


@transaction.atomic
def section_delete(*, section: Section, by) -> None:
    """Delete a section with its items. Rules: `by` coordinates the department; the questionnaire has no answers.
    The remaining sections are renumbered 1..n."""
    questionnaire = _lock_for_change(section.questionnaire, by)
    Section.objects.filter(pk=section.pk).delete()
    _renumber(list(Section.objects.filter(questionnaire=questionnaire).order_by("position", "id")))


@transaction.atomic
def section_move(*, section: Section, direction: str, by) -> None:
    """Move a section one place up or down (at the edge nothing moves); positions become 1..n.
    Rules: `by` coordinates the department; the questionnaire has no answers."""
    questionnaire = _lock_for_change(section.questionnaire, by)
    rows = list(Section.objects.filter(questionnaire=questionnaire).order_by("position", "id"))
    _renumber(_moved(rows, section, direction))


# --- items ----------------------------------------------------------------------------------------------------


def _clean_options(kind: str, options) -> list[str]:
    """Option labels of a choice item: blank lines dropped, at least two, no duplicates (ignoring case)."""
    if kind not in Item.CHOICE_KINDS:
        return []
    labels = [label.strip() for label in (options or []) if label and label.strip()]
    errors = []
    if len(labels) < MIN_OPTIONS:
        errors.append(_("A choice question needs at least %(n)d options, one per line.") % {"n": MIN_OPTIONS})
    if len(labels) > MAX_OPTIONS:
        errors.append(_("A choice question has at most %(n)d options.") % {"n": MAX_OPTIONS})
    seen, duplicates = set(), []
    for label in labels:
        key = label.casefold()
        if key in seen and label not in duplicates:
            duplicates.append(label)
        seen.add(key)
    if duplicates:
        errors.append(_("Each option appears once; repeated: %(labels)s.") % {"labels": ", ".join(duplicates)})
    too_long = [label for label in labels if len(label) > OPTION_MAX]
    if too_long:
        errors.append(_("An option is at most %(n)d characters.") % {"n": OPTION_MAX})
    if errors:
        raise ValidationError({"options": errors})
    return labels


def _clean_range(kind: str, number_min, number_max) -> tuple[int | None, int | None]:
    if kind != Item.Kind.NUMBER:
        return None, None
    errors = []
    for name, value in (("number_min", number_min), ("number_max", number_max)):
        if value is not None and not -NUMBER_LIMIT <= value <= NUMBER_LIMIT:
            limit = number_format(NUMBER_LIMIT, force_grouping=True)
            errors.append((name, _("A limit is between -%(n)s and %(n)s.") % {"n": limit}))
    if not errors and number_min is not None and number_max is not None and number_min > number_max:
        errors.append(("number_max", _("The largest number cannot be smaller than the smallest.")))
    if errors:
        out: dict[str, list[str]] = {}
        for name, message in errors:
            out.setdefault(name, []).append(message)
        raise ValidationError(out)
    return number_min, number_max


def _codes_in_use(questionnaire: Questionnaire, exclude_pk=None) -> set[str]:
    return {c.casefold() for c in Item.objects.filter(section__questionnaire=questionnaire)
            .exclude(pk=exclude_pk).values_list("code", flat=True)}


def _clean_code(code: str, questionnaire: Questionnaire, item: Item | None) -> str:
    """The variable name: as given (checked), the item's current one when left blank, else a free "q<N>"."""
    code = (code or "").strip()
    taken = _codes_in_use(questionnaire, exclude_pk=getattr(item, "pk", None))
    if not code:
        if item is not None and item.code:
            return item.code
        n = len(taken) + 1
        while f"q{n}" in taken:
            n += 1
        return f"q{n}"
    if len(code) > CODE_MAX or not CODE_PATTERN.match(code):
        raise ValidationError({"code": _(
            "A variable name starts with a letter, then letters, digits or _ (at most %(n)d, no spaces), "
            "e.g. q1 or mentor_respect.") % {"n": CODE_MAX}})
    if code.casefold() in taken:
        raise ValidationError({"code": _("Another question of this questionnaire already has the variable "
                                         "name %(code)s.") % {"code": code}})
    return code


@transaction.atomic
def item_save(*, section: Section, by, kind: str, text: str, help_text: str = "", required: bool = True,
              number_min: int | None = None, number_max: int | None = None, options=None, code: str = "",
              item: Item | None = None) -> Item:
    """Add a question at the end of `section`, or change `item` (which stays in its section).

    Rules: `by` coordinates the department; the questionnaire has no answers (so the kind, the options and
    the range change only before anyone answered); the text is required; a single- or multiple-choice
    question has 2 to 30 distinct options, coded 1..n in the order given (other kinds have none); a number
    question may have a smallest and a largest number, the smallest not above the largest (other kinds
    have neither); the variable name (`code`) starts with a letter, then letters, digits or _, at most 32,
    unique in the questionnaire ignoring case; left blank it is kept on a change, or "q<N>" for a new one.
    """
    questionnaire = _lock_for_change(section.questionnaire, by)
    if item is not None and item.section_id != section.pk:
        raise ValidationError(_("This question belongs to another section."))
    errors: dict[str, list[str]] = {}

    def collect(check, *args):
        try:
            return check(*args)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)

    text, help_text = (text or "").strip(), (help_text or "").strip()
    if kind not in Item.Kind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of question."))
    if not text:
        errors.setdefault("text", []).append(_("Write the question."))
    elif len(text) > TEXT_MAX:
        errors.setdefault("text", []).append(_("The question is at most %(n)d characters.") % {"n": TEXT_MAX})
    if len(help_text) > HELP_MAX:
        errors.setdefault("help_text", []).append(
            _("The explanation is at most %(n)d characters.") % {"n": HELP_MAX})
    labels = collect(_clean_options, kind, options) or []
    limits = collect(_clean_range, kind, number_min, number_max) or (None, None)
    code = collect(_clean_code, code, questionnaire, item)
    if errors:
        raise ValidationError(errors)

    if item is None:
        last = Item.objects.filter(section=section).aggregate(m=Max("position"))["m"] or 0
        item = Item(section=section, position=last + 1)
    item.kind, item.text, item.help_text, item.required, item.code = kind, text, help_text, bool(required), code
    item.number_min, item.number_max = limits
    item.save()
    current = [o.label for o in item.options.order_by("position", "id")]
    if current != labels:
        # Nobody has answered (the questionnaire is not locked), so no answer points to these options.
        item.options.all().delete()
        Option.objects.bulk_create([Option(item=item, label=label, value=value, position=value)
                                    for value, label in enumerate(labels, 1)])
    return item


@transaction.atomic
def item_delete(*, item: Item, by) -> None:
    """Delete a question. Rules: `by` coordinates the department; the questionnaire has no answers.
    The section's remaining questions are renumbered 1..n."""
    _lock_for_change(item.section.questionnaire, by)
    section_id = item.section_id
    Item.objects.filter(pk=item.pk).delete()
    _renumber(list(Item.objects.filter(section_id=section_id).order_by("position", "id")))


@transaction.atomic
def item_move(*, item: Item, direction: str, by) -> None:
    """Move a question one place up or down within its section (at the edge nothing moves); positions 1..n.
    Rules: `by` coordinates the department; the questionnaire has no answers."""
    _lock_for_change(item.section.questionnaire, by)
    rows = list(Item.objects.filter(section_id=item.section_id).order_by("position", "id"))
    _renumber(_moved(rows, item, direction))

