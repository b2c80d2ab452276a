"""Annual monitoring, the mentors: eligibility (compliance) and load, year over year.

Each measure is built in two parts, so the sites section can reuse it: annotations on a Mentor queryset for one
year (`*_annotations`) and conditional aggregates over them (`*_figures`, restricted by `where`, e.g. one site).
"""

from datetime import date

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from mentoring.eligibility_db import eligibility_conditions, trained_on_or_after
from mentoring.models import MentorTraining
from organization.services import policy_for

from ..context import ReportContext
from ..result import chart, column, pct, section, table
from .annual_common import (
    EVERYONE,
    Year,
    clinical_during,
    clinical_on,
    mentors_in_scope,
    no_years,
    once_each,
    ratio,
    site_note,
    years_of,
)

RULES = ("category", "experience", "certificate", "training")


def rules_on(policy, day: date) -> dict[str, Q]:
    """The eligibility rules (mentoring.eligibility_db: mentoring.eligibility's rule as database conditions) on a
    past `day`: only trainings completed by then count; the `active` flag is left out, being today's (a mentor with
    residents in the year was active then)."""
    conditions = eligibility_conditions(policy, day)
    done = MentorTraining.objects.filter(mentor=OuterRef("pk"), completed_on__lte=day)
    rules = {name: conditions[name] for name in RULES}
    rules["training"] = (Q(Exists(done.filter(kind=MentorTraining.Kind.PRIMARY)))
                         & Q(Exists(done.filter(completed_on__gte=trained_on_or_after(day,
                                                                                      policy.training_cycle_years)))))
    eligible = Q()
    for condition in rules.values():
        eligible &= condition
    return {**rules, "eligible": eligible}


# --- compliance ----------------------------------------------------------------------------------------------------


def compliance_annotations(policy, year: Year, i: int) -> dict:
    """On a Mentor queryset: had residents in the year (`_in{i}`), and each rule on the year's day."""
    annotations = {f"_in{i}": Exists(clinical_during(year, mentor=OuterRef("pk")))}
    annotations.update({f"_{name}{i}": ExpressionWrapper(condition, output_field=BooleanField())
                        for name, condition in rules_on(policy, year.day).items()})
    return annotations


def compliance_figures(i: int, key: str, where: Q = EVERYONE) -> dict:
    member = Q(**{f"_in{i}": True}) & where
    return {f"mentors{key}": Count("pk", filter=member),
            **{f"{name}{key}": Count("pk", filter=member & Q(**{f"_{name}{i}": True}))
               for name in (*RULES, "eligible")}}


def compliance(context: ReportContext) -> dict:
    """Per year, the mentors who had residents in it (clinical assignments overlapping the year) and how many of
    them were eligible on the year's day, with each rule (one query)."""
    years = years_of(context)
    if not years:
        return no_years("compliance", _("Mentor compliance"))
    policy = policy_for(context.department)
    annotations, figures = {}, {}
    for i, year in enumerate(years):
        annotations.update(compliance_annotations(policy, year, i))
        figures.update(compliance_figures(i, str(i)))
    counts = once_each(mentors_in_scope(context).order_by().annotate(**annotations)).aggregate(**figures)
    rows = []
    for i, year in enumerate(years):
        mentors = counts[f"mentors{i}"]
        rows.append([year.label, mentors, counts[f"eligible{i}"], pct(counts[f"eligible{i}"], mentors),
                     *(pct(counts[f"{name}{i}"], mentors) for name in RULES)])
    columns = [column("year", _("Academic year")),
               column("mentors", _("Mentors with residents in the year"), "int"),
               column("eligible", _("Eligible"), "int"), column("eligible_pct", _("Eligible, %"), "pct"),
               column("category_pct", _("Accepted qualification category, %"), "pct"),
               column("experience_pct", _("At least %(n)d years of practice, %%") % {"n": policy.min_experience_years},
                      "pct"),
               column("certificate_pct", _("Specialist certificate valid, %"), "pct"),
               column("training_pct", _("Mentor training current, %"), "pct")]
    return section(
        "compliance", _("Mentor compliance"),
        tables=[table("compliance", _("Mentor eligibility by year"), columns, rows)],
        charts=[chart("compliance_trend", "line", _("Eligible mentors, %"), table="compliance", label="year",
                      values=["eligible_pct", "training_pct"], unit="%", max=100)],
        notes=[_("Mentors with residents at some time in the year, checked on the year's last day (for the year in "
                 "progress: on the report's day) against the department's rules. Trainings count by their "
                 "completion date; the qualification category, the certificate and the rules themselves are as "
                 "recorded now."), *site_note(context, _("the mentors"))])


# --- load ----------------------------------------------------------------------------------------------------------


def load_annotations(year: Year, i: int) -> dict:
    """On a Mentor queryset: the residents of their clinical assignments active on the year's day (`_n{i}`), as a
    count over the join of the mentors to their assignments grouped by mentor (one scan of the assignments for all
    the years, where a subquery per mentor and year was 10x slower at scale)."""
    return {f"_n{i}": Count("assignments", filter=clinical_on(year.day, "assignments__"))}


def load_figures(policy, i: int, key: str, where: Q = EVERYONE) -> dict:
    low, high = policy.min_residents_per_mentor, policy.max_residents_per_mentor
    n = f"_n{i}"
    return {f"mentors{key}": Count("pk", filter=where & Q(**{f"{n}__gt": 0})),
            f"within{key}": Count("pk", filter=where & Q(**{f"{n}__gte": max(low, 1), f"{n}__lte": high})),
            f"under{key}": Count("pk", filter=where & Q(**{f"{n}__gt": 0, f"{n}__lt": low})),
            f"over{key}": Count("pk", filter=where & Q(**{f"{n}__gt": high})),
            f"residents{key}": Coalesce(Sum(n, filter=where), 0)}


def load(context: ReportContext) -> dict:
    """Mentors with residents on each year's day, how many of them within the policy's minimum-maximum, under or
    over, and the mean residents per mentor, from the assignments' dates (one query)."""
    years = years_of(context)
    if not years:
        return no_years("load", _("Mentor load"))
    policy = policy_for(context.department)
    low, high = policy.min_residents_per_mentor, policy.max_residents_per_mentor
    annotations, figures = {}, {}
    for i, year in enumerate(years):
        annotations.update(load_annotations(year, i))
        figures.update(load_figures(policy, i, str(i)))
    counts = mentors_in_scope(context).order_by().annotate(**annotations).aggregate(**figures)
    rows = []
    for i, year in enumerate(years):
        mentors = counts[f"mentors{i}"]
        rows.append([year.label, mentors, counts[f"within{i}"], pct(counts[f"within{i}"], mentors),
                     counts[f"under{i}"], counts[f"over{i}"], counts[f"residents{i}"],
                     ratio(counts[f"residents{i}"], mentors)])
    columns = [column("year", _("Academic year")),
               column("mentors", _("Mentors with residents on the day"), "int"),
               column("within", _("Within %(min)d-%(max)d residents") % {"min": low, "max": high}, "int"),
               column("within_pct", _("Within the policy, %"), "pct"),
               column("under", _("Fewer than %(min)d") % {"min": low}, "int"),
               column("over", _("More than %(max)d") % {"max": high}, "int"),
               column("residents", _("Residents assigned on the day"), "int"),
               column("per_mentor", _("Mean residents per mentor"), "num")]
    return section("load", _("Mentor load"), tables=[table("load", _("Mentor load by year"), columns, rows)],
                   charts=[chart("load_within", "line", _("Mentors within the policy, %"), table="load", label="year",
                                 values=["within_pct"], unit="%", max=100),
                           chart("load_mean", "line", _("Mean residents per mentor"), table="load", label="year",
                                 values=["per_mentor"])],
                   notes=[_("Clinical assignments active on the last day of each academic year (for the year in "
                            "progress: on the report's day), from their start and end dates. The policy's limits "
                            "(%(min)d-%(max)d) are today's.") % {"min": low, "max": high},
                          *site_note(context, _("the mentors"))])
