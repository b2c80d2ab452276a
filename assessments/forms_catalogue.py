"""The EPA form of the catalogue. It shapes input; the rules are in `assessments.catalogue`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .levels import short_label
from .models import EPA, SupervisionLevel


def level_choices() -> list[tuple[int, str]]:
    """The five levels as "3 · Supervision at a distance — Acts with the mentor reachable at a distance"."""
    return [(level, f"{level} · {short_label(level)} — {label}") for level, label in SupervisionLevel.choices]


class EPAForm(forms.Form):
    """Code, title, description, position, in use, and one expected level per year of the specialty."""

    code = forms.CharField(label=_("Code"), max_length=EPA._meta.get_field("code").max_length,
                           help_text=_("e.g. EPA 1; unique within the specialty."))
    title = forms.CharField(label=_("Title"), max_length=EPA._meta.get_field("title").max_length)
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    position = forms.IntegerField(label=_("Position in the list"), required=False, min_value=0, max_value=32767,
                                  help_text=_("Lower numbers come first. Left empty: after the others."))
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True,
                                   help_text=_("A retired EPA keeps its observations but is no longer offered."))

    def __init__(self, *args, specialty, **kwargs):
        super().__init__(*args, **kwargs)
        self.specialty = specialty
        for year in self.years:
            self.fields[f"expected_{year}"] = forms.TypedChoiceField(
                label=_("Expected level by the end of year %(year)d") % {"year": year}, coerce=int,
                choices=[("", "---------"), *level_choices()])

    @property
    def years(self) -> range:
        return range(1, self.specialty.duration_years + 1)

    def expected_fields(self):
        return [self[f"expected_{year}"] for year in self.years]

    def service_kwargs(self) -> dict:
        cd = self.cleaned_data
        return {"code": cd["code"], "title": cd["title"], "description": cd.get("description", ""),
                "position": cd.get("position"), "is_active": cd.get("is_active", False),
                "expected": {year: cd[f"expected_{year}"] for year in self.years}}

    @staticmethod
    def initial_of(epa: EPA) -> dict:
        initial = {"code": epa.code, "title": epa.title, "description": epa.description, "position": epa.position,
                   "is_active": epa.is_active}
        initial.update({f"expected_{e.year_of_study}": e.level for e in epa.expectations.all()})
        return initial
