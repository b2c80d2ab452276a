"""Forms of the goals pages. They shape input; the rules are in `mentoring.goals`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from organization.forms import DateInput

from .models import Goal

NO_IDENTIFIERS = _("No patient names or ID numbers.")


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=200,
                            help_text=_("One concrete thing to reach, e.g. \"Lead a neonatal resuscitation\"."))
    description = forms.CharField(label=_("How it will be reached"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}), help_text=NO_IDENTIFIERS)
    due_on = forms.DateField(label=_("Due date"), widget=DateInput())

    def service_kwargs(self) -> dict:
        cd = self.cleaned_data
        return {"title": cd["title"], "description": cd.get("description", ""), "due_on": cd["due_on"]}


def status_choices():
    return [("", _("— no change —")), *Goal.Status.choices]


class GoalNoteForm(forms.Form):
    """A progress note, optionally changing the status; `meeting` (hidden) names the meeting where the goal was
    reviewed and `next` (hidden) the page to return to, when the form sits on a meeting page."""

    text = forms.CharField(label=_("Progress"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=NO_IDENTIFIERS)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=status_choices)
    meeting = forms.IntegerField(required=False, widget=forms.HiddenInput())
    next = forms.CharField(required=False, widget=forms.HiddenInput())
