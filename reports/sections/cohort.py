"""Sections of the cohort report (issue 7): one specialty's intake cohort, as of the day the run was asked for.

Every figure is an aggregate query over the cohort's residents (or the rows of one grouped query over a handful of
statuses, mentors, months, EPAs or stages), so the number of queries of a section does not grow with the data.
Who is counted, section by section:
- size: every resident of the cohort, whatever their status;
- mentoring, curricula and activity: the residents in training now (status active); a resident on leave has no
  mentor, curriculum or duties to account for;
- EPA progression: active residents and those on leave (as on the progress grid, assessments.selectors_progress);
- exams: every result of the cohort's residents (a withdrawn resident's results stay part of the cohort's record);
- surveys: the campaigns the cohort's residents were invited to, with the whole campaign's figures (section 3 of
  DESIGN.md: answers carry no resident, so nothing can be split by cohort).
"""

from collections import Counter

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, FilteredRelation, OuterRef, Q
from django.utils.translation import gettext as _

from mentoring.eligibility import Load, load_status
from mentoring.eligibility_db import CRITERIA, eligibility_conditions
from mentoring.models import Mentor
from organization.models import QualificationCategory
from organization.services import policy_for
from residents.curricula import SHARES, bounds
from residents.models import Curriculum, CurriculumItem, Resident

from ..context import ReportContext
from ..result import chart, column, pct, section, table
from .annual_common import count_of
from .cohort_common import (
    active_clinical,
    cohort_residents,
    current_year,
    in_training,
    no_year_note,
    share_table,
    yes_no,
)
from .cohort_progress import activity, epa, exams
from .cohort_surveys import response_rates, satisfaction
from .rules import split_conditions

# 1. Size -----------------------------------------------------------------------------------------------------------


def size(context: ReportContext) -> dict:
    """The cohort's size by status and by track (one query: the residents counted by status and track)."""
    statuses, tracks = Resident.Status, Resident.Track
    by_status, by_track = Counter(), Counter()
    for status, track, n in cohort_residents(context).order_by().values_list("status", "track").annotate(
            n=Count("pk")):
        by_status[status] += n
        by_track[track] += n
    total = sum(by_status.values())
    by_status = share_table("by_status", _("Residents by status"), _("Status"),
                            [(s.label, by_status[s.value]) for s in statuses], total=total)
    by_track = share_table("by_track", _("Residents by track"), _("Track"),
                           [(t.label, by_track[t.value]) for t in tracks], total=total)
    return section(
        "size", _("Size of the cohort"), tables=[by_status, by_track],
        charts=[chart("by_status", "bar", _("Residents by status"), table="by_status", label="category",
                      values=["residents"]),
                chart("by_track", "bar", _("Residents by track"), table="by_track", label="category",
                      values=["residents"])],
        notes=[_("%(n)d residents started in this cohort; every one is counted, whatever their status now.")
               % {"n": total}])


# 2. Mentor load ------------------------------------------------------------------------------------------------------


def cohort_mentors(context: ReportContext):
    """The current clinical mentors of the cohort's residents, with their whole clinical load (`active_count`)
    and the cohort's residents among it (`cohort_count`), by name; only what the section shows is read."""
    mine = active_clinical(mentor=OuterRef("pk"), resident__cohort=context.cohort)
    return (Mentor.objects.filter(Exists(mine)).select_related("user")
            .only("user__last_name", "user__first_name", "user__middle_name")
            .annotate(cohort_count=count_of(mine, "mentor"),
                      active_count=count_of(active_clinical(mentor=OuterRef("pk")), "mentor"))
            .order_by("user__last_name", "user__first_name", "pk"))


def mentor_load(context: ReportContext) -> dict:
    """Residents per mentor against the department's policy (minimum-maximum), and residents without a mentor
    (two queries). A mentor's load is their whole clinical load, not only this cohort's residents."""
    policy = policy_for(context.department)
    low, high = policy.min_residents_per_mentor, policy.max_residents_per_mentor
    mentors = list(cohort_mentors(context))
    loads = {m.pk: load_status(m.active_count, policy) for m in mentors}
    within = {Load.OK, Load.FULL}
    per_mentor = table(
        "mentors", _("Mentors of the cohort's residents"),
        [column("mentor", _("Mentor")), column("cohort", _("Residents of this cohort"), "int"),
         column("load", _("Residents in all (clinical load)"), "int"),
         column("within", _("Within %(min)d-%(max)d") % {"min": low, "max": high})],
        [(str(m), m.cohort_count, m.active_count, yes_no(loads[m.pk] in within)) for m in mentors])
    spread = Counter(m.active_count for m in mentors)
    by_load = table("by_load", _("Mentors by number of residents"),
                    [column("load", _("Residents per mentor"), "int"), column("mentors", _("Mentors"), "int")],
                    sorted(spread.items()))
    residents = in_training(context).aggregate(
        total=Count("pk"), without=Count("pk", filter=~Q(Exists(active_clinical(resident=OuterRef("pk"))))))
    status = Counter(loads.values())
    summary = table(
        "summary", _("Summary"), [column("figure", _("Figure")), column("n", _("Number"), "int"),
                                  column("share", _("Share, %"), "pct")],
        [(_("Mentors"), len(mentors), pct(len(mentors), len(mentors))),
         (_("Mentors within %(min)d-%(max)d residents") % {"min": low, "max": high},
          status[Load.OK] + status[Load.FULL], pct(status[Load.OK] + status[Load.FULL], len(mentors))),
         (_("Mentors with fewer than %(min)d residents") % {"min": low}, status[Load.UNDER],
          pct(status[Load.UNDER], len(mentors))),
         (_("Mentors with more than %(max)d residents") % {"max": high}, status[Load.OVER],
          pct(status[Load.OVER], len(mentors))),
         (_("Residents in training"), residents["total"], pct(residents["total"], residents["total"])),
         (_("Residents in training without a clinical mentor"), residents["without"],
          pct(residents["without"], residents["total"]))])
    return section(
        "mentor_load", _("Mentor load"), tables=[summary, per_mentor, by_load],
        charts=[chart("by_load", "bar", _("Mentors by number of residents"), table="by_load", label="load",
                      values=["mentors"])],
        notes=[_("The department's policy: %(min)d to %(max)d residents per clinical mentor. A mentor's load counts "
                 "all their residents, not only this cohort's.") % {"min": low, "max": high}])

# 3. Mentor eligibility ----------------------------------------------------------------------------------------------


def eligibility(context: ReportContext) -> dict:
    """How many of the cohort's current clinical mentors meet each eligibility rule, and all of them, as of the
    report's day (one query; the rules are mentoring.eligibility's, as database conditions in
    mentoring/eligibility_db.py)."""
    policy = policy_for(context.department)
    conditions = eligibility_conditions(policy, context.as_of)
    mentors = Mentor.objects.filter(Exists(active_clinical(mentor=OuterRef("pk"), resident__cohort=context.cohort)))
    # The mentors counted by the rules they meet: a row for each combination met, added up here.
    flags = {name: ExpressionWrapper(conditions[name], output_field=BooleanField()) for name in CRITERIA}
    counts = Counter()
    for *met, n in mentors.annotate(**flags).order_by().values_list(*flags).annotate(n=Count("pk")):
        counts["total"] += n
        for name, holds in zip(CRITERIA, met, strict=True):
            counts[name] += n if holds else 0
        counts["eligible"] += n if all(met) else 0
    total = counts["total"]
    categories = _(" or ").join(str(QualificationCategory(c).label) for c in policy.accepted_categories
                                if c in QualificationCategory.values)
    labels = {
        "active": _("Active (not marked inactive)"),
        "category": _("Qualification category: %(accepted)s") % {"accepted": categories},
        "experience": _("At least %(n)d years of practice in the specialty") % {"n": policy.min_experience_years},
        "certificate": _("Specialist certificate valid"),
        "training": _("Mentor training done, refresher within %(n)d years") % {"n": policy.training_cycle_years},
        "eligible": _("Eligible on every count"),
    }
    criteria = table("criteria", _("Mentors meeting each rule"),
                     [column("rule", _("Rule")), column("mentors", _("Mentors meeting it"), "int"),
                      column("share", _("Share of the mentors, %"), "pct")],
                     [(labels[name], counts[name], pct(counts[name], total)) for name in (*CRITERIA, "eligible")])
    return section(
        "eligibility", _("Mentor eligibility"), tables=[criteria],
        charts=[chart("criteria", "bar", _("Mentors meeting each rule, %"), table="criteria", label="rule",
                      values=["share"], unit="%", max=100)],
        notes=[_("The %(n)d current clinical mentors of the cohort's residents, checked against the department's "
                 "rules as of %(day)s. A certificate or a refresher falling due soon still counts as valid.")
               % {"n": total, "day": context.as_of.isoformat()}])


# 4. Curricula ------------------------------------------------------------------------------------------------------


def curriculum_split(year, residents) -> dict:
    """The split rule over the disciplines of the year's curricula of `residents` (every status): disciplines in
    all and within the bounds, curricula with disciplines and those with one outside, and the disciplines outside
    per share. One query: each discipline with the parts of the rule it meets (sections/rules.py), counted
    here."""
    flags = {name: ExpressionWrapper(condition, output_field=BooleanField())
             for name, condition in split_conditions().items()}
    rows = (CurriculumItem.objects.filter(curriculum__academic_year=year, curriculum__resident__in=residents)
            .annotate(**flags).order_by().values_list("curriculum", *flags))
    split = {"items": 0, "within": 0, **dict.fromkeys(SHARES, 0)}
    curricula, out = set(), set()
    for curriculum, *met in rows:
        met = dict(zip(flags, met, strict=True))
        split["items"] += 1
        curricula.add(curriculum)
        if all(met.values()):
            split["within"] += 1
        else:
            out.add(curriculum)
        for share in SHARES:
            split[share] += not met[share]
    return {**split, "curricula": len(curricula), "curricula_out": len(out)}


def curricula(context: ReportContext) -> dict:
    """Approval of the residents' individual curricula for the current academic year, and whether each
    discipline's split lies within the specialty's bounds (three queries; the split rule is residents.curricula's,
    as database conditions: sections/rules.py)."""
    year = current_year(context)
    if year is None:
        return section("curricula", _("Individual curricula"), notes=[no_year_note(context)])
    residents = in_training(context)
    Status = Curriculum.Status
    # A resident has at most one curriculum a year (curriculum_one_per_year): no status (None) means none yet.
    by_status = dict(residents.alias(plan=FilteredRelation("curricula", condition=Q(curricula__academic_year=year)))
                     .order_by().values_list("plan__status").annotate(n=Count("pk")))
    plans = {s: by_status.get(s, 0) for s in Status.values}
    plans["none"] = by_status.get(None, 0)
    total = sum(by_status.values())
    approval = table(
        "approval", _("Curricula of %(year)s") % {"year": year},
        [column("status", _("Curriculum")), column("residents", _("Residents"), "int"),
         column("share", _("Share, %"), "pct")],
        [*((Status(s).label, plans[s], pct(plans[s], total)) for s in (Status.APPROVED, Status.SUBMITTED,
                                                                         Status.DRAFT)),
         (_("none yet"), plans["none"], pct(plans["none"], total))])
    specialty = context.cohort.specialty
    split = curriculum_split(year, residents)
    compliant = split["curricula"] - split["curricula_out"]
    names = {"classroom": _("Classroom work"), "clinical": _("Clinical work under the mentor"),
             "independent": _("Independent work")}
    compliance = table(
        "split", _("Split of the hours within the programme's bounds"),
        [column("figure", _("Figure")), column("n", _("Number"), "int"), column("of", _("Of"), "int"),
         column("share", _("Share, %"), "pct")],
        [(_("Curricula with every discipline within the bounds"), compliant, split["curricula"],
          pct(compliant, split["curricula"])),
         (_("Disciplines within the bounds"), split["within"], split["items"], pct(split["within"], split["items"])),
         *((_("Disciplines outside the bounds of: %(share)s (%(min)d-%(max)d %%)")
            % {"share": names[share], "min": low, "max": high}, split[share], split["items"],
            pct(split[share], split["items"]))
           for share, (low, high) in bounds(specialty).items())])
    return section(
        "curricula", _("Individual curricula"), tables=[approval, compliance],
        charts=[chart("approval", "bar", _("Curricula by status"), table="approval", label="status",
                      values=["residents"])],
        notes=[_("Residents in training (%(n)d) and their curricula for %(year)s. A discipline's split is within "
                 "the bounds when each share, rounded to a whole percent, lies within the specialty's range; "
                 "curricula of every status are checked.") % {"n": total, "year": year}])


SECTIONS = [size, mentor_load, eligibility, curricula, activity, epa, exams, satisfaction, response_rates]
