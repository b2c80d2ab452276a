"""Cohort report sections on the residents' progress: activity and night duties, EPA progression, exams."""

from datetime import date

from django.db.models import Avg, Count, F, FilteredRelation, FloatField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from assessments.models import ExamResult, ExamStage, Observation
from assessments.selectors_progress import GRID_STATUSES, active_epas
from assessments.standing import BASE_LEVEL
from residents.models import ActivityEntry, ActivityKind, CurriculumItem, ReviewStatus
from residents.requirements import COUNTED, month_bounds, month_start, previous_month

from ..context import ReportContext
from ..result import chart, column, pct, section, table
from .cohort_common import cohort_residents, current_year, in_training, no_year_note
from .stats import summaries

# 5. Activity and night duties ------------------------------------------------------------------------------------

MONTHS = 12


def completed_months(context: ReportContext) -> list[date]:
    """The last completed calendar months before the report's day (up to MONTHS), none before the cohort's
    intake: the month of the report's day is not over, so judging it would count everyone as behind."""
    first = month_start(context.cohort.intake_year.starts_on)
    months, month = [], previous_month(month_start(context.as_of))
    while len(months) < MONTHS and month >= first:
        months.insert(0, month)
        month = previous_month(month)
    return months


def night_duty_compliance(context: ReportContext, months: list[date]) -> dict:
    """Per month: residents in training, how many had at least the specialty's minimum of confirmed night duties
    (residents.requirements: DutyFigures.met), and the mean of confirmed duties. One query: each resident's
    confirmed duties of the months (a filtered relation: no other duty is read) counted per month in the database
    (a duty counts in the month it starts, residents.requirements.month_bounds), a row per resident; the residents
    meeting the minimum and the means are taken over those rows here."""
    required = context.cohort.specialty.min_night_duties_per_month
    residents = in_training(context)
    if not months:
        return {"total": residents.count()}
    bounds = [month_bounds(month) for month in months]
    residents = residents.alias(duties=FilteredRelation("night_duties", condition=Q(
        night_duties__status=ReviewStatus.CONFIRMED, night_duties__starts_at__gte=bounds[0][0],
        night_duties__starts_at__lt=bounds[-1][1])))
    per_month = {f"d{i}": Count("duties", filter=Q(duties__starts_at__gte=start, duties__starts_at__lt=end))
                 for i, (start, end) in enumerate(bounds)}
    counts = list(residents.annotate(**per_month).order_by().values_list(*per_month))
    total = len(counts)
    figures = {"total": total}
    for i in range(len(months)):
        figures[f"met{i}"] = sum(1 for row in counts if row[i] >= required)
        figures[f"mean{i}"] = sum(row[i] for row in counts) / total if total else None
    return figures


def activity(context: ReportContext) -> dict:
    """Night duties against the specialty's monthly minimum over the last completed months, and the clinical
    activity of the current academic year by kind against the curricula's planned clinical hours (four queries).
    Only confirmed duties and hours meet a requirement: the resident logs, the mentor confirms."""
    months = completed_months(context)
    required = context.cohort.specialty.min_night_duties_per_month
    figures = night_duty_compliance(context, months)
    total = figures["total"]
    duties = table(
        "night_duties", _("Night duties per month (at least %(n)d confirmed)") % {"n": required},
        [column("month", _("Month")), column("residents", _("Residents in training"), "int"),
         column("met", _("Met the minimum"), "int"), column("share", _("Share, %"), "pct"),
         column("mean", _("Confirmed duties per resident (mean)"), "num")],
        [(month.strftime("%Y-%m"), total, figures[f"met{i}"], pct(figures[f"met{i}"], total), figures[f"mean{i}"])
         for i, month in enumerate(months)])
    tables = [duties]
    charts = [chart("night_duties", "bar", _("Residents meeting the night-duty minimum, %"), table="night_duties",
                    label="month", values=["share"], unit="%", max=100)]
    notes = [_("Night duties: the residents in training now, in each completed month since the intake (up to %(n)d "
               "months); a duty counts in the month it starts.") % {"n": MONTHS}]
    year = current_year(context)
    if year is None:
        notes.append(no_year_note(context))
    else:
        residents = in_training(context)
        entries = ActivityEntry.objects.filter(resident__in=residents, status__in=COUNTED,
                                               date__range=(year.starts_on, context.as_of))
        by_kind = {row["kind"]: row for row in entries.order_by().values("kind").annotate(
            confirmed=Sum("hours", filter=Q(status=ReviewStatus.CONFIRMED)),
            pending=Sum("hours", filter=Q(status=ReviewStatus.PENDING)), entries=Count("pk"))}
        kinds = table(
            "by_kind", _("Clinical activity by kind, %(year)s") % {"year": year},
            [column("kind", _("Activity")), column("entries", _("Entries"), "int"),
             column("confirmed", _("Confirmed hours"), "num"),
             column("pending", _("Hours awaiting confirmation"), "num")],
            [(label, by_kind[kind]["entries"], by_kind[kind]["confirmed"] or 0, by_kind[kind]["pending"] or 0)
             for kind, label in ActivityKind.choices if kind in by_kind])
        planned = CurriculumItem.objects.filter(curriculum__academic_year=year, curriculum__resident__in=residents
                                                ).aggregate(hours=Sum("clinical_hours"))["hours"] or 0
        done = sum((row["confirmed"] or 0) for row in by_kind.values())
        plan = table(
            "plan", _("Mentored clinical hours against the curricula, %(year)s") % {"year": year},
            [column("planned", _("Planned for the year"), "num"), column("confirmed", _("Confirmed so far"), "num"),
             column("share", _("Share of the plan, %"), "pct")],
            [(planned, done, pct(done, planned))])
        tables += [kinds, plan]
        charts.append(chart("by_kind", "bar", _("Confirmed hours by kind of activity"), table="by_kind",
                            label="kind", values=["confirmed"]))
        notes.append(_("Clinical activity: entries of the residents in training dated from %(start)s to %(day)s; "
                       "returned entries are not counted.") % {"start": year.starts_on.isoformat(),
                                                               "day": context.as_of.isoformat()})
    return section("activity", _("Activity and night duties"), tables=tables, charts=charts, notes=notes)


# 6. EPA progression -------------------------------------------------------------------------------------------------


def epa_standing(context: ReportContext) -> dict[int, dict]:
    """{EPA id: n, at_or_above, mean_level, mean_expected} over the cohort's residents in training or on leave who
    have an expected level for the EPA in their year of study (EPAExpectation). One grouped query over a join:
    each resident with each active EPA of the cohort's specialty and the expectation of their year (inner: no
    expectation, not counted), and their entrustment decision for that EPA (outer: unique per resident and EPA);
    the current level is the decision's level, BASE_LEVEL without one (as assessments.standing.granted_level)."""
    epa = "cohort__specialty__epas"
    decision = FilteredRelation(f"{epa}__entrustments", condition=Q(**{f"{epa}__entrustments__resident": F("pk")}))
    rows = (cohort_residents(context).filter(status__in=GRID_STATUSES)
            .alias(decision=decision)
            .filter(**{f"{epa}__is_active": True, f"{epa}__expectations__year_of_study": F("year_of_study")})
            .alias(expected=F(f"{epa}__expectations__level"), current=Coalesce("decision__level", Value(BASE_LEVEL)))
            .order_by().values(epa)
            .annotate(n=Count("pk"), at_or_above=Count("pk", filter=Q(current__gte=F("expected"))),
                      mean_level=Avg("current", output_field=FloatField()),
                      mean_expected=Avg("expected", output_field=FloatField())))
    return {row.pop(epa): row for row in rows}


def epa(context: ReportContext) -> dict:
    """For each active EPA of the specialty: the residents at or above the level expected for their year of
    study (EPAExpectation), by their current level (the granted level, level 1 without a decision:
    assessments.standing.granted_level), the mean level, and the observations of the current year. Four
    queries: the academic year, the active EPAs, the observations of the cohort's residents counted by EPA, and
    the residents' standing grouped by EPA (epa_standing)."""
    year = current_year(context)
    residents = cohort_residents(context).filter(status__in=GRID_STATUSES)
    epas = active_epas(context.cohort.specialty).values_list("pk", "code", "title")
    observed = {}
    if year is not None:
        observed = dict(Observation.objects.filter(resident__in=residents,
                                                   observed_on__range=(year.starts_on, context.as_of))
                        .order_by().values_list("epa").annotate(n=Count("pk")))
    standing = epa_standing(context)
    none = {"n": 0, "at_or_above": 0, "mean_level": None, "mean_expected": None}
    rows = []
    for pk, code, title in epas:
        s = standing.get(pk, none)
        rows.append((code, title, s["mean_expected"], s["n"], s["at_or_above"], pct(s["at_or_above"], s["n"]),
                     s["mean_level"], observed.get(pk, 0) if year is not None else None))
    progression = table(
        "epas", _("EPAs against the expected levels"),
        [column("epa", _("EPA")), column("title", _("Title")),
         column("expected", _("Expected level (mean over the residents)"), "num"),
         column("residents", _("Residents with an expected level"), "int"),
         column("at_or_above", _("At or above the expected level"), "int"), column("share", _("Share, %"), "pct"),
         column("mean_level", _("Current level (mean)"), "num"),
         column("observations", _("Observations this academic year"), "int")],
        rows)
    return section(
        "epa", _("EPA progression"), tables=[progression],
        charts=[chart("at_or_above", "bar", _("Residents at or above the expected level, %"), table="epas",
                      label="epa", values=["share"], unit="%", max=100),
                chart("levels", "bar", _("Current level against the expected level (means)"), table="epas",
                      label="epa", values=["mean_level"], max=5, reference="expected")],
        notes=[_("Residents in training or on leave, each against the level expected for their own year of study; "
                 "the current level is the level granted by the coordinator, level 1 (direct supervision) until "
                 "one is granted. Retired EPAs are left out.")])


# 7. Exams ---------------------------------------------------------------------------------------------------------

SCORES = ("test_score", "osce_score", "overall_score")
INTAKE = "resident__cohort__intake_year__start_year"


def score_columns() -> list[dict]:
    names = {"test_score": _("Test"), "osce_score": _("OSCE"), "overall_score": _("Overall")}
    figures = {"mean": _("mean"), "median": _("median"), "min": _("min"), "max": _("max")}
    return [column(f"{score.removesuffix('_score')}_{figure}", f"{names[score]}: {label}", "num")
            for score in SCORES for figure, label in figures.items()]


def score_cells(group: dict) -> list:
    return [getattr(group[score], figure) for score in SCORES for figure in ("mean", "median", "min", "max")]


def academic_year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"  # as organization.models.AcademicYear prints it


def exams(context: ReportContext) -> dict:
    """Test, OSCE and overall scores by stage: count, mean, median, minimum and maximum for this cohort, and the
    same for every intake of the specialty as a trend. One query (reports/sections/stats.summaries, medians in
    the database)."""
    specialty = context.cohort.specialty
    groups = summaries(ExamResult.objects.filter(resident__cohort__specialty=specialty), fields=SCORES,
                       group_by=[INTAKE, "stage"])
    this = context.cohort.intake_year.start_year
    stages = [s for s in ExamStage if any(stage == s.value for _year, stage in groups)]
    intakes = sorted({year for year, _stage in groups})
    cohort = table(
        "cohort", _("This cohort, by stage"),
        [column("stage", _("Stage")), column("results", _("Results"), "int"), *score_columns()],
        [(s.label, groups[this, s.value]["overall_score"].n, *score_cells(groups[this, s.value]))
         for s in stages if (this, s.value) in groups])
    trend = table(
        "trend", _("Every intake of the specialty, by stage"),
        [column("intake", _("Intake")), column("stage", _("Stage")), column("results", _("Results"), "int"),
         *score_columns()],
        [(academic_year_label(year), s.label, groups[year, s.value]["overall_score"].n,
          *score_cells(groups[year, s.value]))
         for year in intakes for s in stages if (year, s.value) in groups])
    medians = table(
        "overall_medians", _("Overall score by intake (median)"),
        [column("intake", _("Intake")), *(column(s.value, s.label, "num") for s in stages)],
        [(academic_year_label(year), *(groups[year, s.value]["overall_score"].median if (year, s.value) in groups
                                       else None for s in stages))
         for year in intakes])
    return section(
        "exams", _("Exam results"), tables=[cohort, trend, medians],
        charts=[chart("cohort", "bar", _("This cohort: median scores by stage"), table="cohort", label="stage",
                      values=["test_median", "osce_median", "overall_median"], max=100),
                chart("trend", "line", _("Median overall score by intake"), table="overall_medians",
                      label="intake", values=[s.value for s in stages], max=100)],
        notes=[_("Scores out of 100 of every result of the cohort's residents (%(intake)s intake), whatever their "
                 "status now; the trend compares the specialty's intakes stage by stage.")
               % {"intake": academic_year_label(this)}])
