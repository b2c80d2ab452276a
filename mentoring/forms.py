from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organization.forms import DateInput
from organization.models import AcademicYear, QualificationCategory
from organization.selectors import sites_for_departments, specialties_for_departments
from residents.models import Resident

from .models import MentorTraining


class PersonFields(forms.Form):
    """A person of one department: name and e-mail, with specialty and site choices limited to the department.

    The e-mail identifies the person (imports match on it), so it cannot be changed when editing.
    """

    email = forms.EmailField(label=_("E-mail"))
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    middle_name = forms.CharField(label=_("Middle name"), max_length=150, required=False)

    def __init__(self, *args, department, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].queryset = specialties_for_departments([department])
        self.fields["clinical_site"].queryset = sites_for_departments([department])
        if editing:
            self.fields["email"].disabled = True


class MentorForm(PersonFields):
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    specialty = forms.ModelChoiceField(label=_("Specialty"), queryset=None)
    clinical_site = forms.ModelChoiceField(label=_("Clinical site"), queryset=None)
    qualification_category = forms.ChoiceField(label=_("Qualification category"),
                                               choices=QualificationCategory.choices)
    practice_started_on = forms.DateField(label=_("Practice in the specialty since"), widget=DateInput(),
                                          help_text=_("Experience is counted from this date."))
    certificate_number = forms.CharField(label=_("Specialist certificate number"), max_length=64, required=False)
    certificate_expires_on = forms.DateField(label=_("Certificate valid until"), required=False, widget=DateInput())
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Training"), choices=MentorTraining.Kind.choices)
    completed_on = forms.DateField(label=_("Completed on"), widget=DateInput())
    provider = forms.CharField(label=_("Provider"), max_length=200, required=False)


class ResidentForm(PersonFields):
    specialty = forms.ModelChoiceField(label=_("Specialty"), queryset=None)
    intake_year = forms.ModelChoiceField(label=_("Intake academic year"), queryset=AcademicYear.objects.all())
    year_of_study = forms.IntegerField(label=_("Year of study"), min_value=1, max_value=6)
    clinical_site = forms.ModelChoiceField(label=_("Clinical site"), queryset=None)
    status = forms.ChoiceField(label=_("Status"), choices=Resident.Status.choices)
    track = forms.ChoiceField(label=_("Track"), choices=Resident.Track.choices)


class AssignForm(forms.Form):
    mentor = forms.TypedChoiceField(label=_("Mentor"), coerce=int)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False,
                             help_text=_("Required when the resident already has a mentor."))

    def __init__(self, *args, rows, policy, reassigning, **kwargs):
        super().__init__(*args, **kwargs)
        self.reassigning = reassigning
        choices = []
        for row in rows:
            m = row.mentor
            label = _("%(name)s — %(count)d of %(max)d residents") % {
                "name": m, "count": m.active_count, "max": policy.max_residents_per_mentor}
            if not row.eligibility.eligible:
                label = "{} — {}".format(label, _("not eligible"))  # not in an f-string: xgettext skips those
            choices.append((m.pk, label))
        self.fields["mentor"].choices = [("", "---------"), *choices]
        if reassigning:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _("Give a reason for changing the mentor.")
        else:
            del self.fields["reason"]

    def clean_reason(self):
        reason = self.cleaned_data.get("reason", "").strip()
        if self.reassigning and not reason:
            raise ValidationError(_("Give a reason for changing the mentor."))
        return reason


class EndAssignmentForm(forms.Form):
    reason = forms.CharField(label=_("Reason for ending"), max_length=300)
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput(), required=False,
                               help_text=_("Today if left empty."))
