"""Checking a respondent's answers against the questionnaire, in the service (forms are not the only gate)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization.validators import validate_no_patient_identifiers

from .models import Item

LIKERT_VALUES = (1, 2, 3, 4, 5)
# The words of the agreement scale and of yes/no: on the answer form, in the results and in the codebook.
LIKERT_LABELS = {
    1: gettext_lazy("Strongly disagree"),
    2: gettext_lazy("Disagree"),
    3: gettext_lazy("Neither agree nor disagree"),
    4: gettext_lazy("Agree"),
    5: gettext_lazy("Strongly agree"),
}
YES, NO = 1, 0
YES_NO_LABELS = {YES: gettext_lazy("Yes"), NO: gettext_lazy("No")}
MAX_TEXT = 4000


def items_of(questionnaire) -> list[Item]:
    """The questionnaire's items in order, with their options (two queries)."""
    return list(Item.objects.filter(section__questionnaire=questionnaire)
                .select_related("section").prefetch_related("options")
                .order_by("section__position", "section_id", "position", "id"))


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def normalize_answers(items, raw: dict) -> dict[str, object]:
    """{item id: value} -> the stored form {str(item id): value}; ValidationError listing every problem.

    Each value is tagged: ["n", "4"] a number (likert 1-5, yes/no 1/0, number as a decimal string),
    ["o", [option ids]] chosen options (one for single choice), ["t", "text"] free text, stripped.
    Empty optional answers are dropped.
    """
    errors, out = [], {}
    for item in items:
        value = raw.get(item.pk, raw.get(str(item.pk)))
        if _is_empty(value) or (isinstance(value, str) and not value.strip()):
            if item.required:
                errors.append(_("“%(question)s”: an answer is required.") % {"question": item.text})
            continue
        try:
            out[str(item.pk)] = _normalize(item, value)
        except (ValueError, TypeError, InvalidOperation):
            errors.append(_("“%(question)s”: this answer is not valid.") % {"question": item.text})
        except ValidationError as exc:
            errors.extend(f"“{item.text}”: {m}" for m in exc.messages)
    unknown = {str(k) for k in raw} - {str(i.pk) for i in items}
    if unknown:
        errors.append(_("Answers to questions that are not in this questionnaire."))
    if errors:
        raise ValidationError(errors)
    return out


def _normalize(item, value):
    kind = item.kind
    if kind == Item.Kind.LIKERT:
        number = int(value)
        if number not in LIKERT_VALUES:
            raise ValueError(number)
        return ["n", str(number)]
    if kind == Item.Kind.YES_NO:
        if str(value).lower() in ("1", "true", "yes"):
            return ["n", "1"]
        if str(value).lower() in ("0", "false", "no"):
            return ["n", "0"]
        raise ValueError(value)
    if kind == Item.Kind.NUMBER:
        number = Decimal(str(value).replace(",", "."))
        if not number.is_finite() or abs(number) >= Decimal("10000000"):
            raise ValueError(value)
        if item.number_min is not None and number < item.number_min:
            raise ValidationError(_("the smallest allowed number is %(n)s.") % {"n": item.number_min})
        if item.number_max is not None and number > item.number_max:
            raise ValidationError(_("the largest allowed number is %(n)s.") % {"n": item.number_max})
        return ["n", str(number.quantize(Decimal("0.01")))]
    option_ids = {o.pk for o in item.options.all()}
    if kind == Item.Kind.SINGLE:
        chosen = int(value)
        if chosen not in option_ids:
            raise ValueError(value)
        return ["o", [chosen]]
    if kind == Item.Kind.MULTIPLE:
        chosen = sorted({int(v) for v in (value if isinstance(value, list | tuple | set) else [value])})
        if not chosen or not set(chosen) <= option_ids:
            raise ValueError(value)
        return ["o", chosen]
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(_("at most %(n)s characters.") % {"n": MAX_TEXT})
    validate_no_patient_identifiers(text)
    return ["t", text]
