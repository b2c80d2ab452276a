"""The quick observation form of the mentor's phone. It shapes input; the rules are in
`assessments.observations`."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from organization.forms import DateInput

from .levels import full_label, short_label
from .models import Observation, SupervisionLevel

FEEDBACK_HELP = _("Optional. No patient names or ID numbers.")


class LevelOption:
    """A supervision level as the form shows it: the short name on the button, the full wording under it."""

    def __init__(self, value: int):
        self.value = value
        self.short = short_label(value)
        self.full = full_label(value)


LEVELS = [LevelOption(level) for level in SupervisionLevel.values]


class ObservationForm(forms.Form):
    """Resident, EPA and level as one-tap choices (from lists the view has already loaded), optional feedback,
    and the date (today) and setting tucked away."""

    resident = forms.TypedChoiceField(label=_("Resident"), coerce=int,
                                      error_messages={"required": _("Choose the resident you observed.")})
    epa = forms.TypedChoiceField(label=_("EPA"), coerce=int,
                                 error_messages={"required": _("Choose the EPA you observed.")})
    level = forms.TypedChoiceField(label=_("Supervision level"), coerce=int, choices=SupervisionLevel.choices,
                                   error_messages={"required": _("Choose the supervision level the resident "
                                                                 "needed.")})
    went_well = forms.CharField(label=_("What went well"), required=False, max_length=2000, help_text=FEEDBACK_HELP,
                                widget=forms.Textarea(attrs={"rows": 2}))
    to_improve = forms.CharField(label=_("What to improve"), required=False, max_length=2000,
                                 help_text=FEEDBACK_HELP, widget=forms.Textarea(attrs={"rows": 2}))
    observed_on = forms.DateField(label=_("Date of the encounter"), required=False, widget=DateInput(),
                                  help_text=_("Today if left empty."))
    setting = forms.ChoiceField(label=_("Setting"), required=False)

    def __init__(self, *args, residents, epas, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("observed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.residents = {r.pk: r for r in residents}
        self.epas = {e.pk: e for e in epas}
        self.fields["resident"].choices = [(pk, str(r)) for pk, r in self.residents.items()]
        self.fields["epa"].choices = [(pk, str(e)) for pk, e in self.epas.items()]
        self.fields["setting"].choices = [("", _("Not given")),
                                          *((v, capfirst(label)) for v, label in Observation.Setting.choices)]

    def service_kwargs(self) -> dict:
        cd = self.cleaned_data
        return {"resident": self.residents[cd["resident"]], "epa": self.epas[cd["epa"]], "level": cd["level"],
                "observed_on": cd.get("observed_on"), "setting": cd.get("setting", ""),
                "went_well": cd.get("went_well", ""), "to_improve": cd.get("to_improve", "")}

    def chosen(self, name) -> int | None:
        """The value of a choice field as an int, bound or initial, for marking the checked button."""
        value = self[name].value()
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
