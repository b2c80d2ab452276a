from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SupervisionLevel


class EntrustmentDecisionForm(forms.Form):
    """The coordinator's decision on one EPA. The rules (rationale, lowering, no change) are the service's, so
    that its messages reach the page as they are; the form only reads the two fields."""

    level = forms.TypedChoiceField(label=_("Level to grant"), coerce=int, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label=_("Rationale"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this level: the observations, the committee's view. Lowering a granted level requires a "
                    "reason. No patient identifiers."),
    )

    def __init__(self, *args, level: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices of a model enum label are lazy: build them per form, in the active language.
        self.fields["level"].choices = [(value, f"{value} — {label}") for value, label in SupervisionLevel.choices]
        if level:
            self.fields["level"].initial = level
