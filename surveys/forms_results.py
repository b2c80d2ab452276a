"""Forms of the results pages: themes of free-text comments and the tagging of a comment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from organization.forms import IdsChoiceField

from .themes import MAX_NAME


class ThemeForm(forms.Form):
    """Add a theme (no `theme`) or rename one."""

    theme = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Theme"), max_length=MAX_NAME,
                           help_text=_("For example “feedback”, “time for teaching”, “workload”."))


class ThemeDeleteForm(forms.Form):
    theme = forms.IntegerField(widget=forms.HiddenInput)


class CommentTagForm(forms.Form):
    themes = IdsChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
                            label=_("Themes"))

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = themes
