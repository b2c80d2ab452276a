"""Forms of the programmes pages (issue 6). The rules live in `mentoring.programmes` and the assignment service;
these forms only collect the values."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Programme


class ProgrammeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(Programme.Kind.NEAR_PEER, Programme.Kind.NEAR_PEER.label),
                 (Programme.Kind.GROUP, Programme.Kind.GROUP.label)],
        help_text=_("Near-peer: a senior resident (at least one year of study ahead) or a junior doctor mentors. "
                    "Group: one eligible clinical mentor leads a group."))
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    min_per_mentor = forms.IntegerField(label=_("Minimum mentees per mentor"), min_value=0, max_value=100,
                                        help_text=_("Fewer is flagged as under-used."))
    max_per_mentor = forms.IntegerField(label=_("Maximum mentees per mentor"), min_value=1, max_value=100,
                                        help_text=_("More is refused. In a group programme: the size of each group."))
    is_active = forms.BooleanField(label=_("Open to new assignments"), required=False, initial=True,
                                   help_text=_("A closed programme keeps its current pairs."))

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]  # the kind decides the eligibility rule: it does not change afterwards
        else:
            del self.fields["is_active"]

    def clean(self):
        data = super().clean()
        low, high = data.get("min_per_mentor"), data.get("max_per_mentor")
        if low is not None and high is not None and low > high:
            self.add_error("min_per_mentor", _("The minimum cannot be above the maximum."))
        return data


class ProgrammeAssignForm(forms.Form):
    """Mentee and mentor side; `side` values are "m<pk>" (a Mentor) or "r<pk>" (a senior resident)."""

    mentee = forms.TypedChoiceField(label=_("Mentee"), coerce=int)
    side = forms.ChoiceField(label=_("Mentor"))

    def __init__(self, *args, mentees, candidates, side_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentee"].choices = [("", "---------"), *[
            (r.pk, _("%(name)s — year %(year)d") % {"name": r, "year": r.year_of_study}) for r in mentees]]
        choices = []
        for c in candidates:
            label = _("%(name)s — %(count)d of %(max)d") % {"name": c.person, "count": c.count, "max": c.maximum}
            if c.is_peer:
                label = _("%(label)s — resident, year %(year)d") % {"label": label, "year": c.person.year_of_study}
            if not c.eligible:
                label = "{} — {}".format(label, _("not eligible"))  # not in an f-string: xgettext skips those
            elif not c.has_room:
                label = "{} — {}".format(label, _("full"))
            choices.append((c.key, label))
        self.fields["side"].choices = [("", "---------"), *choices]
        if side_label:
            self.fields["side"].label = side_label
