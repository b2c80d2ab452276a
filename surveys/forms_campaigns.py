"""The campaign form. It shapes input and limits the choices to the coordinator's scope; the rules are in
`surveys.campaigns.campaign_save`."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from organization.forms import DateInput, IdsChoiceField
from organization.models import Department, Specialty
from organization.selectors import departments_for_user
from residents.models import Cohort

from .models import Campaign, Questionnaire
from .models.campaign import DEFAULT_THRESHOLD, MIN_THRESHOLD

# The subject of the questions: as the questionnaire says, or chosen for this campaign.
SUBJECT_DEFAULT, SUBJECT_MENTOR, SUBJECT_NONE = "", "mentor", "none"


class CampaignForm(forms.Form):
    questionnaire = forms.ModelChoiceField(label=_("Questionnaire"), queryset=Questionnaire.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("Shown to the people invited, e.g. “Satisfaction with the mentor, spring”."))
    audience = forms.ChoiceField(label=_("Audience"),
                                 choices=[(v, capfirst(label)) for v, label in Campaign.Audience.choices])
    departments = IdsChoiceField(
        label=_("Departments"), queryset=Department.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the campaign's own department."))
    specialties = IdsChoiceField(
        label=_("Specialties"), queryset=Specialty.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None chosen: every specialty."))
    cohorts = IdsChoiceField(
        label=_("Cohorts"), queryset=Cohort.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Residents only. None chosen: every cohort."))
    about_mentor = forms.ChoiceField(
        label=_("The questions are about"), required=False,
        choices=[(SUBJECT_DEFAULT, _("As the questionnaire says")),
                 (SUBJECT_MENTOR, _("The resident's current mentor (filled in by the system)")),
                 (SUBJECT_NONE, _("Nobody in particular"))],
        help_text=_("Only residents answer about their mentor; residents without an active mentor are not "
                    "invited to such a campaign."))
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput())
    threshold = forms.IntegerField(
        label=_("Anonymity threshold k"), min_value=MIN_THRESHOLD, initial=DEFAULT_THRESHOLD,
        help_text=_("At least 3. No figure is shown for a group of fewer respondents than this."))

    def __init__(self, *args, department, user, **kwargs):
        super().__init__(*args, **kwargs)
        mine = departments_for_user(user)
        self.fields["questionnaire"].queryset = Questionnaire.objects.filter(department=department)
        self.fields["departments"].queryset = mine.order_by("name")
        self.fields["specialties"].queryset = Specialty.objects.filter(department__in=mine).order_by("code")
        self.fields["cohorts"].queryset = (Cohort.objects.filter(specialty__department__in=mine)
                                           .select_related("specialty", "intake_year"))

    @classmethod
    def initial_for(cls, campaign: Campaign | None = None, questionnaire_id=None) -> dict:
        if campaign is None:
            today = timezone.localdate()
            return {"opens_on": today, "closes_on": today + timedelta(days=14), "threshold": DEFAULT_THRESHOLD,
                    "questionnaire": questionnaire_id}
        return {"questionnaire": campaign.questionnaire_id, "title": campaign.title, "audience": campaign.audience,
                "departments": list(campaign.departments.all()), "specialties": list(campaign.specialties.all()),
                "cohorts": list(campaign.cohorts.all()),
                "about_mentor": SUBJECT_MENTOR if campaign.about_mentor else SUBJECT_NONE,
                "opens_on": campaign.opens_on, "closes_on": campaign.closes_on, "threshold": campaign.threshold}

    def service_kwargs(self) -> dict:
        cd = self.cleaned_data
        subject = {SUBJECT_MENTOR: True, SUBJECT_NONE: False}.get(cd["about_mentor"])
        return {"questionnaire": cd["questionnaire"], "title": cd["title"], "audience": cd["audience"],
                "departments": list(cd["departments"]), "specialties": list(cd["specialties"]),
                "cohorts": list(cd["cohorts"]), "about_mentor": subject, "opens_on": cd["opens_on"],
                "closes_on": cd["closes_on"], "threshold": cd["threshold"]}
