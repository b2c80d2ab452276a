from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .curricula import SHARES, Split, SplitCheck, split_check
from .models import Curriculum, CurriculumItem


class CurriculumStartForm(forms.Form):
    PROGRAMME = "programme"
    PREVIOUS = "previous"

    source = forms.ChoiceField(label=_("Start from"), widget=forms.RadioSelect, initial=PROGRAMME)

    def __init__(self, *args, previous: Curriculum | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(self.PROGRAMME, _("the programme's disciplines with the default split"))]
        if previous is not None:
            choices.append((self.PREVIOUS, _("my curriculum of %(year)s (same disciplines keep their split)")
                            % {"year": previous.academic_year}))
            self.fields["source"].initial = self.PREVIOUS
        self.fields["source"].choices = choices

    @property
    def copy_previous(self) -> bool:
        return self.cleaned_data["source"] == self.PREVIOUS


def _plain(hours: Decimal) -> Decimal:
    """12.0 -> 12 in the input, 9.5 stays 9.5."""
    return hours.quantize(Decimal("1")) if hours == hours.to_integral_value() else hours


def _hours_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=Decimal("0"), max_digits=6, decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "inputmode": "decimal"}),
    )


@dataclass
class SplitRow:
    item: CurriculumItem
    fields: list  # bound fields: classroom, clinical, independent
    check: SplitCheck


class CurriculumSplitForm(forms.Form):
    """The hours of every discipline of a curriculum, three fields per discipline."""

    LABELS = {
        "classroom": _("Classroom work, h"),
        "clinical": _("Clinical work under the mentor, h"),
        "independent": _("Independent work, h"),
    }

    def __init__(self, *args, items: list[CurriculumItem], specialty, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.specialty = specialty
        for item in items:
            for share in SHARES:
                name = self.field_name(item, share)
                self.fields[name] = _hours_field(self.LABELS[share])
                self.initial.setdefault(name, _plain(getattr(item, f"{share}_hours")))

    @staticmethod
    def field_name(item: CurriculumItem, share: str) -> str:
        return f"item-{item.pk}-{share}"

    def _value(self, item: CurriculumItem, share: str):
        name = self.field_name(item, share)
        if self.is_bound:
            return getattr(self, "cleaned_data", {}).get(name)
        return self.initial.get(name)

    def rows(self) -> list[SplitRow]:
        """Each discipline with its fields and, where the numbers are valid, the split check of what was entered."""
        rows = []
        for item in self.items:
            values = [self._value(item, share) for share in SHARES]
            check = SplitCheck()
            if all(v is not None for v in values):
                check = split_check(specialty=self.specialty, discipline_name=item.discipline.name,
                                    total=item.total_hours, classroom=values[0], clinical=values[1],
                                    independent=values[2])
            rows.append(SplitRow(item=item, fields=[self[self.field_name(item, s)] for s in SHARES], check=check))
        return rows

    def splits(self) -> dict[int, Split]:
        return {item.pk: Split(*(self.cleaned_data[self.field_name(item, s)] for s in SHARES)) for item in self.items}


class CurriculumReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the resident change?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The resident sees this comment. Do not include patient identifiers."),
    )
