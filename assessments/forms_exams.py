"""Forms of the exam results, mentor evaluation and track pages. They shape input; the rules are in the services."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from organization.forms import DateInput
from organization.models import AcademicYear
from organization.tabular import UploadForm, upload_field
from residents.models import Resident

from .evaluations import CRITERIA, criterion_label
from .exams import parse_score
from .models import ExamStage


class ScoreField(forms.CharField):
    """A score typed with a decimal point or a decimal comma; range and decimals are checked by the service."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 12})

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("From 0 to 100, at most two decimals."))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_score(value)
        except ValueError:
            raise forms.ValidationError(_("Enter a number, e.g. 87.5.")) from None


class ResidentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.full_name} · {obj.cohort} · {obj.user.email}"


class ExamResultForm(forms.Form):
    resident = ResidentChoiceField(label=_("Resident"), queryset=Resident.objects.none())
    stage = forms.ChoiceField(label=_("Stage"), choices=[(v, capfirst(label)) for v, label in ExamStage.choices])
    academic_year = forms.ModelChoiceField(label=_("Academic year"), queryset=AcademicYear.objects.all())
    held_on = forms.DateField(label=_("Date of the exam"), required=False, widget=DateInput())
    test_score = ScoreField(label=_("Test score"))
    osce_score = ScoreField(label=_("OSCE score"))

    def __init__(self, *args, residents=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # A row is one resident at one stage; another stage is another result.
            del self.fields["resident"]
            del self.fields["stage"]
        else:
            self.fields["resident"].queryset = residents


class ExamImportForm(UploadForm):
    file = upload_field(_("File of exam results"))


RATINGS = [
    (1, _("1 — unsatisfactory")),
    (2, _("2 — below expectations")),
    (3, _("3 — meets expectations")),
    (4, _("4 — above expectations")),
    (5, _("5 — excellent")),
]


class MentorEvaluationForm(forms.Form):
    academic_year = forms.ModelChoiceField(label=_("Academic year"), queryset=AcademicYear.objects.all(),
                                           empty_label=None)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Named, seen by the mentor. No patient names or ID numbers."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for name in CRITERIA:
            self.fields[name] = forms.TypedChoiceField(label=capfirst(criterion_label(name)), choices=RATINGS,
                                                       coerce=int, widget=forms.RadioSelect)
        self.fields["comment"] = comment

    def ratings(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in CRITERIA}


class TrackDecisionForm(forms.Form):
    track = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Recorded with the decision. No patient names or ID numbers."))

    def __init__(self, *args, resident, suggestion=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_decide_{resident.pk}_%s")
        super().__init__(*args, **kwargs)
        current = resident.track
        suggested = suggestion.suggested_track if suggestion else None
        labels = {value: capfirst(label) for value, label in Resident.Track.choices}
        choices = []
        if suggested:
            choices.append((suggested, _("Accept the suggestion: %(track)s") % {"track": labels[suggested]}))
        choices.append((current, _("Keep the current track: %(track)s") % {"track": labels[current]}))
        choices += [(value, _("Other track: %(track)s") % {"track": labels[value]})
                    for value in Resident.Track.values if value not in (current, suggested)]
        self.fields["track"].choices = choices
        self.fields["track"].initial = suggested or current
