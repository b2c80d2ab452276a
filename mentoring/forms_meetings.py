"""Forms of the meetings pages. They shape input; the rules are in `mentoring.meetings`."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from organization.forms import DateInput

from .models import Absence, Meeting

DURATIONS = [15, 30, 45, 60, 90, 120, 180, 240, 360, 480]  # minutes; at most 8 hours (meetings.MAX_MEETING_LENGTH)


def duration_label(minutes: int) -> str:
    """90 -> "1 h 30 min", in the active language."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return ngettext("%(count)d minute", "%(count)d minutes", rest) % {"count": rest}
    if not rest:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class MeetingForm(forms.Form):
    """Whom to meet (one of my active pairs, or a group of my mentees in a programme), when, where and why."""

    counterpart = forms.ChoiceField(label=_("With"))
    mentees = forms.TypedMultipleChoiceField(
        label=_("Group meeting: invite only these mentees"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to invite all your mentees in the programme."))
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start = forms.TimeField(label=_("Start time"), widget=TimeInput())
    duration = forms.TypedChoiceField(label=_("Duration"), coerce=int, initial=60)
    place = forms.CharField(label=_("Place"), required=False, max_length=200,
                            help_text=_("A room, a ward or an online meeting link."))
    agenda = forms.CharField(label=_("Agenda"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("What you would like to discuss. No patient names or ID numbers."))
    acknowledge_clashes = forms.BooleanField(label=_("Keep this time despite the clashes"), required=False)

    # Service field names -> this form's field names.
    RENAME = {"invitees": "counterpart", "format": "counterpart", "starts_at": "date", "ends_at": "duration"}

    def __init__(self, *args, user, pairs, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["duration"].choices = [(m, duration_label(m)) for m in DURATIONS]
        self._one_to_one, self._groups, mentee_choices = {}, {}, []
        for a in pairs:
            mine_as_mentee = a.resident.user_id == user.pk
            other = a.mentor_side.user if mine_as_mentee else a.resident.user
            self._one_to_one[f"a{a.pk}"] = (a.programme, other)
            if not mine_as_mentee:
                self._groups.setdefault(a.programme.pk, (a.programme, []))[1].append(a.resident.user)
                mentee_choices.append((a.resident.user_id, f"{a.resident.user.full_name} ({a.programme.display_name})"))
        choices = [(key, f"{other.full_name} — {programme.display_name}")
                   for key, (programme, other) in self._one_to_one.items()]
        group_choices = [(f"g{pk}", gettext("Group meeting: %(programme)s, %(count)d mentees") % {
            "programme": programme.display_name, "count": len(users)})
            for pk, (programme, users) in self._groups.items() if len(users) > 1]
        if group_choices:
            choices.append((gettext("Group meetings"), group_choices))
        self.fields["counterpart"].choices = [("", "---------"), *choices]
        if len(mentee_choices) > 1 and group_choices:
            self.fields["mentees"].choices = mentee_choices
        else:
            del self.fields["mentees"]

    @property
    def has_groups(self) -> bool:
        return "mentees" in self.fields

    def clean(self):
        cleaned = super().clean()
        key = cleaned.get("counterpart", "")
        ticked = cleaned.get("mentees") or []
        if key.startswith("g"):
            programme, users = self._groups[int(key[1:])]
            members = {u.pk: u for u in users}
            if any(pk not in members for pk in ticked):
                self.add_error("mentees", _("Tick only mentees of %(programme)s.") % {
                    "programme": programme.display_name})
            cleaned["_target"] = (programme, Meeting.Format.GROUP, [members[pk] for pk in ticked if pk in members])
        elif key:
            if ticked:
                self.add_error("mentees", _("Choose a group meeting under “With” to invite several mentees."))
            programme, other = self._one_to_one[key]
            cleaned["_target"] = (programme, Meeting.Format.ONE_TO_ONE, [other])
        return cleaned

    def service_kwargs(self) -> dict:
        cd = self.cleaned_data
        programme, format, invitees = cd["_target"]
        starts_at = timezone.make_aware(datetime.combine(cd["date"], cd["start"]))
        return {"programme": programme, "format": format, "invitees": invitees, "starts_at": starts_at,
                "ends_at": starts_at + timedelta(minutes=cd["duration"]), "place": cd.get("place", ""),
                "agenda": cd["agenda"], "acknowledge_clashes": cd.get("acknowledge_clashes", False)}

    @staticmethod
    def default_start() -> tuple:
        """Tomorrow at 14:00: a sensible first guess for the date and time inputs."""
        return timezone.localdate() + timedelta(days=1), time(14, 0)


class RespondForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("For example, a better time for you."))


class CancelForm(forms.Form):
    """On the meeting page beside RespondForm, whose text box is also called "reason": ids of its own keep each
    label with its own box."""

    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Kept as a note on the meeting, for its participants."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_cancel_%s")
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Visible to the participants of this meeting only. No patient names or ID numbers."))


class AbsenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"),
                             choices=[(value, capfirst(label)) for value, label in Absence.Kind.choices])
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, max_length=200,
                           help_text=_("Optional, visible to you only."))
