"""The answer form of a questionnaire: one field per item, for the respondent's page and the builder's preview.

It shapes input only; `surveys.answers.normalize_answers` (called by the submission service) is the gate.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .answers import LIKERT_LABELS, LIKERT_VALUES, MAX_TEXT, YES_NO_LABELS
from .models import Item

_BOX = {"class": "form-control form-control-lg"}


class NumberAnswerField(forms.DecimalField):
    """A number typed with a decimal point or a decimal comma (phones in Russian and Kazakh give a comma)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget):
        # A text box with the decimal keyboard: type="number" refuses a decimal comma in some browsers.
        return {"inputmode": "decimal", "autocomplete": "off"}


def _number_hint(item: Item) -> str:
    low, high = item.number_min, item.number_max
    if low is not None and high is not None:
        return str(_("A number from %(low)s to %(high)s.") % {"low": low, "high": high})
    if low is not None:
        return str(_("A number of at least %(low)s.") % {"low": low})
    if high is not None:
        return str(_("A number of at most %(high)s.") % {"high": high})
    return ""


def answer_field(item: Item) -> forms.Field:
    """The form field of one item; its choices come from the item's prefetched options."""
    common = {"label": item.text, "help_text": item.help_text, "required": item.required}
    kind = item.kind
    if kind == Item.Kind.LIKERT:
        return forms.TypedChoiceField(coerce=int, empty_value=None, widget=forms.RadioSelect,
                                      choices=[(v, LIKERT_LABELS[v]) for v in LIKERT_VALUES], **common)
    if kind == Item.Kind.YES_NO:
        return forms.TypedChoiceField(coerce=int, empty_value=None, widget=forms.RadioSelect,
                                      choices=list(YES_NO_LABELS.items()), **common)
    if kind == Item.Kind.SINGLE:
        return forms.TypedChoiceField(coerce=int, empty_value=None, widget=forms.RadioSelect,
                                      choices=[(o.pk, o.label) for o in item.options.all()], **common)
    if kind == Item.Kind.MULTIPLE:
        return forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple,
                                              choices=[(o.pk, o.label) for o in item.options.all()], **common)
    if kind == Item.Kind.NUMBER:
        explanation = item.help_text.strip()
        if explanation and not explanation.endswith((".", "!", "?", ":")):
            explanation += "."
        hint = " ".join(part for part in (explanation, _number_hint(item)) if part)
        return NumberAnswerField(
            max_digits=9, decimal_places=2, widget=forms.TextInput(attrs={**_BOX, "maxlength": 12}),
            min_value=Decimal(item.number_min) if item.number_min is not None else None,
            max_value=Decimal(item.number_max) if item.number_max is not None else None,
            **{**common, "help_text": hint})
    return forms.CharField(max_length=MAX_TEXT, strip=True,
                           widget=forms.Textarea(attrs={**_BOX, "rows": 4}), **common)


class AnswerForm(forms.Form):
    """One field per item, named "item_<pk>".

    `items` is `surveys.answers.items_of(questionnaire)` (items with their section and options, in order).
    `disabled=True` gives the read-only preview of the builder.
    """

    def __init__(self, items, *args, disabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            field = answer_field(item)
            field.disabled = disabled
            field.item = item
            self.fields[self.field_name(item)] = field

    @staticmethod
    def field_name(item) -> str:
        return f"item_{item.pk}"

    def answers(self) -> dict[int, object]:
        """{item pk: value} of the cleaned data, empty optional answers left out, for `normalize_answers`."""
        out = {}
        for item in self.items:
            value = self.cleaned_data.get(self.field_name(item))
            if value is None or value == "" or value == []:
                continue
            out[item.pk] = value
        return out

    def sections(self):
        """(section, [bound fields]) in the questionnaire's order, for templates/surveys/includes/answer_fields.html."""
        groups: list[tuple[object, list]] = []
        for item in self.items:
            if not groups or groups[-1][0].pk != item.section_id:
                groups.append((item.section, []))
            groups[-1][1].append(self[self.field_name(item)])
        return groups
