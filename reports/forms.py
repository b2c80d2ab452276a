"""The forms that ask for a report. They limit the choices to the department; the rules (who may ask for what,
parameters of the department) are in `reports.services.report_request`."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from mentoring.models import Mentor
from mentoring.selectors import filter_mentors
from organization.forms import is_id
from organization.models import AcademicYear
from organization.selectors import current_academic_year, sites_for_departments
from residents.models import Cohort

from .models import ReportRun


def latest_year() -> AcademicYear | None:
    """The year a report is most likely asked for: the current one, else the last one that has started."""
    return current_academic_year() or AcademicYear.objects.filter(starts_on__lte=timezone.localdate()).order_by(
        "-start_year").first()


def _year_field(label=None) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=label or _("Academic year"),
                                  queryset=AcademicYear.objects.order_by("-start_year"))


class ReportForm(forms.Form):
    """A request form of one kind; `prefix` is the kind, so the three forms live on one page."""

    kind: str

    def __init__(self, *args, department, query=None, **kwargs):
        super().__init__(*args, prefix=self.kind, **kwargs)
        self.department = department
        self.query = query or {}  # the page's GET parameters (a form may narrow its choices with them)
        if "academic_year" in self.fields and not self.is_bound:
            self.initial.setdefault("academic_year", latest_year())

    def service_kwargs(self) -> dict:
        return {"kind": self.kind, "department": self.department, **self.cleaned_data}


class CohortReportForm(ReportForm):
    kind = ReportRun.Kind.COHORT
    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=Cohort.objects.none(),
                                    help_text=_("A specialty and the academic year its residents started."))

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, department=department, **kwargs)
        self.fields["cohort"].queryset = (Cohort.objects.filter(specialty__department=department)
                                          .select_related("specialty", "intake_year"))


MENTOR_CHOICES = 50  # mentors listed at most in the mentor form's select


def _id(value) -> int | None:
    """A primary key given in a request, or None when it is not one."""
    return int(value) if is_id(value) else None


class MentorReportForm(ReportForm):
    """Any mentor of the department may be asked for, but the select lists at most MENTOR_CHOICES of them (a
    department has hundreds; listing them all made the page 4x slower at scale): those matching the page's
    search `mentor_q` (every mentor when none is given), else none and the help text asks for a name; plus the
    mentor chosen, i.e. the one posted or the one of `?mentor=<id>` (the "Mentor report" link of a mentor's
    page), selected."""

    kind = ReportRun.Kind.MENTOR
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=Mentor.objects.none())
    academic_year = _year_field()

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, department=department, **kwargs)
        field = self.fields["mentor"]
        field.queryset = mentors = Mentor.objects.filter(specialty__department=department).select_related("user")
        self.search = self.query.get("mentor_q", "").strip()
        found = list(filter_mentors(mentors, q=self.search).order_by("user__last_name", "user__first_name", "pk")
                     [:MENTOR_CHOICES + 1])
        if len(found) > MENTOR_CHOICES:
            found = []
            field.help_text = _("More than %(n)d mentors match: type a name (or a part of it) to find one.") % {
                "n": MENTOR_CHOICES}
        elif self.search and not found:
            field.help_text = _("No mentor matches this search.")
        chosen = _id(self.data.get(self.add_prefix("mentor")) if self.is_bound else self.query.get("mentor"))
        if chosen is not None:  # one query whether or not the search found them too
            found = [*mentors.filter(pk=chosen), *(m for m in found if m.pk != chosen)]
            if not self.is_bound and found and found[0].pk == chosen:
                self.initial["mentor"] = chosen
        # Only the widget's list is narrowed: the field still accepts any mentor of the department.
        field.widget.choices = [("", field.empty_label), *((m.pk, field.label_from_instance(m)) for m in found)]


class AnnualReportForm(ReportForm):
    kind = ReportRun.Kind.ANNUAL
    academic_year = _year_field(_("Up to the academic year"))
    clinical_site = forms.ModelChoiceField(label=_("Clinical site"), queryset=None, required=False,
                                           empty_label=_("The whole department"),
                                           help_text=_("Leave empty for the department as a whole."))

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, department=department, **kwargs)
        self.fields["clinical_site"].queryset = sites_for_departments([department])


class OwnMentorReportForm(ReportForm):
    """A mentor asks for their own mentor report: only the year is chosen."""

    kind = ReportRun.Kind.MENTOR
    academic_year = _year_field()

    def __init__(self, *args, mentor, **kwargs):
        super().__init__(*args, department=mentor.specialty.department, **kwargs)
        self.mentor = mentor

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "mentor": self.mentor}


REQUEST_FORMS = {form.kind: form for form in (CohortReportForm, MentorReportForm, AnnualReportForm)}


class HistoryFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds")),
                                      *[(value, capfirst(label)) for value, label in ReportRun.Kind.choices]])
