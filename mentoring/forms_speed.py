"""Forms of the speed-mentoring pages. They shape input and limit the choices to the event's people; the rules
are in `mentoring.speed_events`."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organization.forms import ID_RANGE, DateInput, IdsChoiceField

from .models import Mentor, SpeedEvent
from .speed_events import ROUND_MINUTES, ROUNDS, split_evenly

ORDINALS = [pgettext_lazy("ranking", "1st choice"), pgettext_lazy("ranking", "2nd choice"),
            pgettext_lazy("ranking", "3rd choice"), pgettext_lazy("ranking", "4th choice"),
            pgettext_lazy("ranking", "5th choice"), pgettext_lazy("ranking", "6th choice")]
MAX_GROUPS = ROUNDS[1]
ANY_GROUP = "any"


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class SpeedEventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("Shown to the mentees and experts, e.g. “Meet the mentors, spring”."))
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    starts_at = forms.TimeField(label=_("First round starts at"), widget=TimeInput())
    round_minutes = forms.IntegerField(label=_("Round length (minutes)"), min_value=ROUND_MINUTES[0],
                                       max_value=ROUND_MINUTES[1], initial=10)
    rounds = forms.IntegerField(
        label=_("Number of rounds"), min_value=ROUNDS[0], max_value=ROUNDS[1],
        help_text=_("For every group to meet every expert, as many rounds as there are groups or experts, "
                    "whichever is more. Fewer rounds are allowed; then not every group meets every expert."))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)

    @staticmethod
    def initial_for(event: SpeedEvent) -> dict:
        return {name: getattr(event, name) for name in SpeedEventForm.base_fields}

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class MentorChoiceField(IdsChoiceField):
    def label_from_instance(self, mentor):
        extra = mentor.position or mentor.clinical_site.name
        return f"{mentor} · {extra}" if extra else str(mentor)


class SpeedPeopleForm(forms.Form):
    """The experts (checkboxes; tables follow the list's order) and each resident's group: not taking part, any
    group (spread evenly over the groups) or a given group number."""

    experts = MentorChoiceField(label=_("Experts"), queryset=Mentor.objects.none(), required=False,
                                widget=forms.CheckboxSelectMultiple,
                                help_text=_("Each expert sits at a table; tables are numbered in this order."))
    group_count = forms.IntegerField(
        label=_("Number of groups"), min_value=1, max_value=MAX_GROUPS, required=False,
        help_text=_("Mentees marked “any group” are spread over the groups so that the sizes differ by one at "
                    "most."))

    def __init__(self, *args, mentors, residents, event_groups=None, **kwargs):
        """`mentors`: the department's active mentors; `residents`: the residents to list (active ones and the
        event's current mentees); `event_groups`: resident id -> current group number."""
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = mentors
        self.residents = list(residents)
        event_groups = event_groups or {}
        choices = [("", _("Not taking part")), (ANY_GROUP, _("Any group"))] + [
            (str(n), _("Group %(number)d") % {"number": n}) for n in range(1, MAX_GROUPS + 1)]
        for resident in self.residents:
            name = self.resident_field(resident)
            self.fields[name] = forms.ChoiceField(label=str(resident), choices=choices, required=False,
                                                   widget=forms.Select(attrs={"class": "form-select"}))
            if resident.pk in event_groups:
                self.initial.setdefault(name, str(event_groups[resident.pk]))

    @staticmethod
    def resident_field(resident) -> str:
        return f"resident_{resident.pk}"

    def resident_rows(self):
        """(resident, bound field) for the template's table."""
        return [(r, self[self.resident_field(r)]) for r in self.residents]

    def clean(self):
        cleaned = super().clean()
        placed: dict[int, list] = {}
        anyone = []
        for resident in self.residents:
            value = cleaned.get(self.resident_field(resident)) or ""
            if value == ANY_GROUP:
                anyone.append(resident)
            elif value:
                placed.setdefault(int(value), []).append(resident)
        count = cleaned.get("group_count")
        if count is None:
            if anyone:
                self.add_error("group_count", _("Give the number of groups to spread the mentees over."))
                return cleaned
            count = max(placed, default=0)
        highest = max(placed, default=0)
        if highest > count:
            self.add_error("group_count", _("A mentee is put in group %(number)d, but there are %(count)d groups.")
                           % {"number": highest, "count": count})
            return cleaned
        if count == 0:
            cleaned["groups"] = []
            return cleaned
        try:
            cleaned["groups"] = split_evenly(anyone, count, placed=[placed.get(n, []) for n in range(1, highest + 1)])
        except ValidationError as exc:
            self.add_error("group_count", exc.message_dict.get("group_count", exc.messages))
        return cleaned


class RankForm(forms.Form):
    """Ordered choices: "1st choice", "2nd choice", ... among the people met; the first is required."""

    def __init__(self, *args, people, places, initial_ranking=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        choices = [("", _("— choose —"))] + [(str(p.pk), str(p)) for p in people]
        for i in range(min(places, len(people))):
            self.fields[f"choice_{i + 1}"] = forms.ChoiceField(label=ORDINALS[i], choices=choices, required=i == 0)
        for i, person in enumerate(initial_ranking):
            if f"choice_{i + 1}" in self.fields:
                self.initial[f"choice_{i + 1}"] = str(person.pk)

    def clean(self):
        cleaned = super().clean()
        picked = [cleaned.get(name) for name in self.fields if cleaned.get(name)]
        if len(set(picked)) != len(picked):
            raise ValidationError(_("Choose each person once only."))
        cleaned["ranked"] = [self.people[pk] for pk in picked]
        return cleaned


class MatchSetForm(forms.Form):
    resident = forms.IntegerField(widget=forms.HiddenInput, min_value=ID_RANGE.start, max_value=ID_RANGE.stop - 1)
    mentor = forms.ChoiceField(label=_("Mentor"), required=False,
                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [("", _("No mentor: place by hand"))] + [
            (str(m.pk), str(m)) for m in mentors]
