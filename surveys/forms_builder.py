"""Forms of the questionnaire builder. They shape input; the rules are in `surveys.builder`."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .builder import CODE_MAX, HELP_MAX, NUMBER_LIMIT, SECTION_TITLE_MAX, TEXT_MAX, TITLE_MAX
from .models import Item, Questionnaire

KIND_DESCRIPTIONS = {
    Item.Kind.LIKERT: _("Strongly disagree … Strongly agree, five points, for a statement."),
    Item.Kind.SINGLE: _("One answer from a list you write."),
    Item.Kind.MULTIPLE: _("Any number of answers from a list you write."),
    Item.Kind.YES_NO: _("Yes or no."),
    Item.Kind.NUMBER: _("A number, optionally between a smallest and a largest."),
    Item.Kind.TEXT: _("A comment in the respondent's own words; shown only pooled, after the campaign closes."),
}


class QuestionnaireForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("Shown to respondents above the questions."))
    intended_for = forms.ChoiceField(label=_("Intended for"), choices=Questionnaire.Audience.choices,
                                     widget=forms.RadioSelect, initial=Questionnaire.Audience.RESIDENTS)
    about_mentor = forms.BooleanField(
        label=_("The questions are about the respondent's current mentor"), required=False,
        help_text=_("For residents only. A campaign fills in each resident's mentor from the assignment; "
                    "residents never choose it."))

    @staticmethod
    def initial_of(questionnaire: Questionnaire) -> dict:
        return {"title": questionnaire.title, "description": questionnaire.description,
                "intended_for": questionnaire.intended_for, "about_mentor": questionnaire.about_mentor}


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=SECTION_TITLE_MAX,
                            help_text=_("e.g. Relationship, Teaching and guidance, Comments."))


class ItemForm(forms.Form):
    """A question. Options are shown for choice kinds and the range for numbers (see `shows_options`)."""

    kind = forms.ChoiceField(label=_("Kind of question"),
                             choices=[(value, capfirst(label)) for value, label in Item.Kind.choices])
    text = forms.CharField(label=_("Question"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("For an agreement scale, write a statement: “My mentor treats me with "
                                       "respect.”"))
    help_text = forms.CharField(label=_("Explanation"), required=False, max_length=HELP_MAX,
                                help_text=_("Optional, shown under the question."))
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    options = forms.CharField(
        label=_("Options, one per line"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("At least 2. They are coded 1, 2, 3 … in this order (the code is used in exports)."))
    number_min = forms.IntegerField(label=_("Smallest number"), required=False, min_value=-NUMBER_LIMIT,
                                    max_value=NUMBER_LIMIT, help_text=_("Optional."))
    number_max = forms.IntegerField(label=_("Largest number"), required=False, min_value=-NUMBER_LIMIT,
                                    max_value=NUMBER_LIMIT, help_text=_("Optional."))
    code = forms.CharField(
        label=_("Variable name"), required=False, max_length=CODE_MAX,
        help_text=_("The column name in exports for SPSS and Excel: a letter, then letters, digits or _. "
                    "Left empty: q1, q2, …"))

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if kind:
            self.fields["kind"].initial = kind

    @property
    def current_kind(self) -> str:
        """The kind the form is showing: as posted, else as given."""
        value = self["kind"].value()
        return value if value in Item.Kind.values else Item.Kind.LIKERT

    @property
    def shows_options(self) -> bool:
        return self.current_kind in Item.CHOICE_KINDS

    @property
    def shows_range(self) -> bool:
        return self.current_kind == Item.Kind.NUMBER

    def service_kwargs(self) -> dict:
        cd = self.cleaned_data
        return {"kind": cd["kind"], "text": cd["text"], "help_text": cd.get("help_text", ""),
                "required": cd.get("required", False), "code": cd.get("code", ""),
                "options": (cd.get("options") or "").splitlines(),
                "number_min": cd.get("number_min"), "number_max": cd.get("number_max")}

    @staticmethod
    def initial_of(item: Item) -> dict:
        return {"kind": item.kind, "text": item.text, "help_text": item.help_text, "required": item.required,
                "options": "\n".join(o.label for o in item.options.all()), "number_min": item.number_min,
                "number_max": item.number_max, "code": item.code}
