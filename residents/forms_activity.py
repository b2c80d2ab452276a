"""Forms of the activity log. They shape input; the rules are in `residents.activity`."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from organization.forms import ID_RANGE, DateInput, DateTimeInput
from organization.selectors import sites_for_departments

from .models import ActivityEntry, ActivityKind

# A manipulation is one choice per role in the single "activity" select, so the phone form stays at 3 inputs.
PERFORMED = "manipulation:performed"
ASSISTED = "manipulation:assisted"
_SPLIT = {PERFORMED: (ActivityKind.MANIPULATION, ActivityEntry.Role.PERFORMED),
          ASSISTED: (ActivityKind.MANIPULATION, ActivityEntry.Role.ASSISTED)}
NOTE_HELP = _("Optional. No patient names or ID numbers.")


def activity_choices():
    choices = []
    for value, label in ActivityKind.choices:
        if value == ActivityKind.MANIPULATION:
            choices += [(PERFORMED, _("Manipulation — performed")), (ASSISTED, _("Manipulation — assisted"))]
        else:
            choices.append((value, capfirst(label)))
    return choices


def choice_of(kind: str, role: str) -> str:
    """The select's value for a (kind, manipulation role) pair."""
    if kind == ActivityKind.MANIPULATION:
        return PERFORMED if role == ActivityEntry.Role.PERFORMED else ASSISTED
    return kind


def activity_label(kind: str, role: str) -> str:
    """How the activity reads in the select, e.g. "Manipulation — assisted"."""
    return str(dict(activity_choices()).get(choice_of(kind, role), kind))


class ActivityForm(forms.Form):
    """Activity, hours and note; the date (today) and the clinical site (the resident's) are prefilled."""

    what = forms.ChoiceField(label=_("Activity"))
    hours = forms.DecimalField(label=_("Hours"), min_value=Decimal("0.1"), max_value=24, max_digits=4, decimal_places=1,
                               widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, help_text=NOTE_HELP,
                           widget=forms.Textarea(attrs={"rows": 2}))
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput(), help_text=_("Today if left empty."))
    clinical_site = forms.ModelChoiceField(label=_("Clinical site"), queryset=None, required=False)

    # Service field names -> this form's field names.
    RENAME = {"kind": "what", "manipulation_role": "what"}

    def __init__(self, *args, resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["what"].choices = [("", "---------"), *activity_choices()]
        self.fields["clinical_site"].queryset = sites_for_departments([resident.specialty.department_id])
        self.fields["clinical_site"].empty_label = None

    def service_kwargs(self) -> dict:
        cd = self.cleaned_data
        kind, role = _SPLIT.get(cd["what"], (cd["what"], ""))
        return {"kind": kind, "manipulation_role": role, "hours": cd["hours"], "date": cd.get("date"),
                "clinical_site": cd.get("clinical_site"), "note": cd.get("note", "")}


class NightDutyForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Start"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("End"), widget=DateTimeInput())
    clinical_site = forms.ModelChoiceField(label=_("Clinical site"), queryset=None, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, help_text=NOTE_HELP,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinical_site"].queryset = sites_for_departments([resident.specialty.department_id])
        self.fields["clinical_site"].empty_label = None

    def service_kwargs(self) -> dict:
        cd = self.cleaned_data
        return {"starts_at": cd["starts_at"], "ends_at": cd["ends_at"], "clinical_site": cd.get("clinical_site"),
                "note": cd.get("note", "")}


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("What should be corrected?"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("Say what the resident should correct.")})


class IdListField(forms.Field):
    """Ids of checked boxes (several inputs of one name); a number beyond the database's integer range is no id."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        try:
            ids = sorted({int(v) for v in value})
        except (TypeError, ValueError) as exc:
            raise ValidationError(_("The selection is not valid.")) from exc
        if any(pk not in ID_RANGE for pk in ids):
            raise ValidationError(_("The selection is not valid."))
        return ids


class ConfirmForm(forms.Form):
    entry = IdListField(label=_("Activities"), required=False)
    duty = IdListField(label=_("Night duties"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("entry") and not cleaned.get("duty"):
            raise ValidationError(_("Select at least one entry to confirm."))
        return cleaned
