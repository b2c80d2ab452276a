"""Annual monitoring, the department's clinical sites side by side in the report's academic year.

The same measures as the year-over-year sections (annual_mentors, annual_residents), restricted to each site's
mentors and residents (their clinical site as it is now), with the whole department for comparison: one query for
the residents, one for the mentors, one for the exams, whatever the number of sites.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from assessments.models import ExamResult
from organization.models import ClinicalSite
from organization.services import policy_for

from ..context import ReportContext
from ..result import chart, column, pct, section, table
from .annual_common import (
    EVERYONE,
    mentors_in_scope,
    no_years,
    once_each,
    ratio,
    residents_in_scope,
    years_of,
)
from .annual_mentors import compliance_annotations, compliance_figures, load_annotations, load_figures
from .annual_residents import (
    exam_summaries,
    expected_counts,
    progress_annotations,
    progress_cells,
    progress_figures,
)
from .stats import Summary

ALL = "all"


def sites(context: ReportContext) -> dict:
    """Per clinical site of the department, in the report's year: residents with a clinical mentor and their EPA
    levels and observations, mentors with residents and their eligibility and load, exam results; the whole
    department on the last row. Seven queries."""
    title = _("Clinical sites")
    if context.clinical_site is not None:
        return section("sites", title, notes=[_("This report is for one clinical site; the department's report "
                                                "compares its sites.")])
    years = years_of(context)
    if not years or years[-1].start_year != context.academic_year.start_year:
        return no_years("sites", title)
    year = years[-1]
    policy = policy_for(context.department)
    places = list(ClinicalSite.objects.filter(departments=context.department).order_by("name", "pk"))
    groups = [(str(site.pk), Q(clinical_site=site.pk)) for site in places] + [(ALL, EVERYONE)]
    members = (residents_in_scope(context).order_by()
               .annotate(**progress_annotations(year, 0, expected_counts(context))).filter(_in0=True))
    of_residents = once_each(members).aggregate(
        **{k: v for key, where in groups for k, v in progress_figures(0, key, where).items()})
    of_mentors = mentors_in_scope(context).order_by().annotate(
        **compliance_annotations(policy, year, 0), **load_annotations(year, 0)).aggregate(
        **{k: v for key, where in groups for k, v in compliance_figures(0, f"c{key}", where).items()},
        **{k: v for key, where in groups for k, v in load_figures(policy, 0, f"l{key}", where).items()})
    results = ExamResult.objects.filter(resident__in=residents_in_scope(context),
                                        academic_year__start_year=year.start_year)
    by_site = exam_summaries(results, "resident__clinical_site")
    department = exam_summaries(results, "academic_year__start_year")
    nothing = (Summary(),)
    lines = [(site.name, str(site.pk), by_site.get(site.pk, nothing)[0]) for site in places]
    lines.append((_("The whole department"), ALL, department.get(year.start_year, nothing)[0]))
    rows = []
    for name, key, overall in lines:
        with_residents = of_mentors[f"mentorsl{key}"]
        residents, _pairs, at_expected, _on_track, on_track_pct, _observations, per_resident = progress_cells(
            of_residents, key)
        rows.append([name, residents, at_expected, on_track_pct, per_resident, with_residents,
                     pct(of_mentors[f"eligiblec{key}"], of_mentors[f"mentorsc{key}"]),
                     pct(of_mentors[f"withinl{key}"], with_residents),
                     ratio(of_mentors[f"residentsl{key}"], with_residents), overall.n, overall.mean, overall.median])
    columns = [column("site", _("Clinical site")),
               column("residents", _("Residents with a clinical mentor in the year"), "int"),
               column("at_expected_pct", _("EPAs at or above the expected level, %"), "pct"),
               column("on_track_pct", _("Residents with no EPA behind, %"), "pct"),
               column("per_resident", _("Observations per resident"), "num"),
               column("mentors", _("Mentors with residents on the day"), "int"),
               column("eligible_pct", _("Mentors eligible, %"), "pct"),
               column("within_pct", _("Mentors within the policy, %"), "pct"),
               column("per_mentor", _("Mean residents per mentor"), "num"),
               column("results", _("Exam results"), "int"), column("overall_mean", _("Overall score, mean"), "num"),
               column("overall_median", _("Overall score, median"), "num")]
    return section(
        "sites", title, tables=[table("sites", _("Clinical sites in %(year)s") % {"year": year.label}, columns, rows)],
        charts=[chart("sites_shares", "bar", _("Clinical sites compared, %"), table="sites", label="site",
                      values=["at_expected_pct", "eligible_pct", "within_pct"], unit="%", max=100)],
        notes=[_("Residents and mentors by their clinical site as it is now; figures taken as in the sections above "
                 "(mentors' load on the year's last day or the report's day, eligibility of the mentors who had "
                 "residents in the year).")])
