"""Annual monitoring, the residents: progress (EPA levels against the expected ones, observations) and exam results,
year over year.

As for the mentors, the progress measure is built in two parts so the sites section can reuse it: annotations on
a Resident queryset for one year and conditional aggregates over them.
"""

from datetime import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from assessments.models import (
    EntrustmentDecision,
    EPAExpectation,
    ExamResult,
    HistoricalEntrustmentDecision,
    Observation,
)
from assessments.standing import BASE_LEVEL

from ..context import ReportContext
from ..result import chart, column, pct, section, table
from .annual_common import (
    EVERYONE,
    Year,
    clinical_during,
    count_of,
    no_years,
    once_each,
    ratio,
    residents_in_scope,
    site_note,
    years_of,
)
from .stats import Summary, summaries

SCORES = ("overall_score", "test_score", "osce_score")


def granted_by(end: datetime, resident_ref, epa_ref):
    """The level granted for (resident, EPA) by `end`: the latest decision taken before then in the decision's
    audit history (or the decision itself when it has no history), else the base level (assessments.standing)."""
    history = (HistoricalEntrustmentDecision.objects
               .filter(resident_id=resident_ref, epa_id=epa_ref, decided_at__lt=end).exclude(history_type="-")
               .order_by("-decided_at", "-history_id").values("level")[:1])
    # One decision per (resident, EPA): no order needed (the model's order would join the EPA to sort one row).
    decision = EntrustmentDecision.objects.filter(resident=resident_ref, epa=epa_ref, decided_at__lt=end).order_by(
    ).values("level")[:1]
    return Coalesce(Subquery(history, output_field=IntegerField()), Subquery(decision, output_field=IntegerField()),
                    Value(BASE_LEVEL))


def expectations_in(year: Year) -> QuerySet[EPAExpectation]:
    """The expected levels of the outer resident's active EPAs for the year of study they were in that year,
    counted from their cohort's intake year (the intake year is year 1)."""
    year_of_study = ExpressionWrapper(Value(year.start_year + 1) - OuterRef("cohort__intake_year__start_year"),
                                      output_field=IntegerField())
    return EPAExpectation.objects.filter(epa__specialty=OuterRef("specialty"), epa__is_active=True,
                                         year_of_study=year_of_study)


# --- progress ------------------------------------------------------------------------------------------------------


def standing_annotations(year: Year, i: int) -> dict:
    """On a Resident queryset: their active EPAs with a level expected for the year of study they were in that year
    (`_expected{i}`) and those granted below it by the year's day (`_behind{i}`)."""
    expected = expectations_in(year)
    behind = expected.annotate(granted=granted_by(year.end, OuterRef(OuterRef("pk")), OuterRef("epa"))).filter(
        granted__lt=F("level"))
    return {f"_expected{i}": count_of(expected, "epa__specialty"), f"_behind{i}": count_of(behind, "epa__specialty")}


def expected_counts(context: ReportContext) -> dict[tuple[int, int], int]:
    """{(specialty id, year of study): the specialty's active EPAs with a level expected in that year of study} of
    the department's specialties (one small query): the same for every resident of a specialty and year of study,
    so counted once here rather than for each resident and year (standing_annotations' `_expected`)."""
    return {(specialty, year_of_study): n for specialty, year_of_study, n in EPAExpectation.objects.filter(
        epa__is_active=True, epa__specialty__department=context.department).order_by().values_list(
        "epa__specialty", "year_of_study").annotate(n=Count("pk"))}


def progress_annotations(year: Year, i: int, expected: dict[tuple[int, int], int]) -> dict:
    """On a Resident queryset: had a clinical mentor in the year (`_in{i}`), where they stood on the EPAs
    (standing_annotations; the EPAs with an expected level taken from `expected`, expected_counts), the
    observations they received in the year. Only the figures of the year's residents count (progress_figures), so
    the EPAs and observations of the others are not looked up (0); observations are counted as rows (COUNT(*)),
    which the index on (resident, EPA, day) answers without reading the table."""
    member = Exists(clinical_during(year, resident=OuterRef("pk")))
    received = (Observation.objects.filter(resident=OuterRef("pk"), observed_on__gte=year.starts_on,
                                           observed_on__lte=year.day)
                .order_by().values("resident").annotate(n=Count("*")).values("n")[:1])
    # The year of study is counted from the cohort's intake year (expectations_in): year 1 in the intake year.
    of_their_year = Case(*(When(specialty=specialty, cohort__intake_year__start_year=year.start_year + 1 - of_study,
                                then=Value(n)) for (specialty, of_study), n in expected.items()), default=Value(0))
    counts = {**standing_annotations(year, i), f"_expected{i}": of_their_year,
              f"_received{i}": Coalesce(Subquery(received, output_field=IntegerField()), Value(0))}
    return {f"_in{i}": member, **{name: Case(When(member, then=count), default=Value(0))
                                  for name, count in counts.items()}}


def progress_figures(i: int, key: str, where: Q = EVERYONE) -> dict:
    member = Q(**{f"_in{i}": True}) & where
    return {f"residents{key}": Count("pk", filter=member),
            f"pairs{key}": Coalesce(Sum(f"_expected{i}", filter=member), 0),
            f"behind{key}": Coalesce(Sum(f"_behind{i}", filter=member), 0),
            f"on_track{key}": Count("pk", filter=member & Q(**{f"_behind{i}": 0})),
            f"observations{key}": Coalesce(Sum(f"_received{i}", filter=member), 0)}


def progress_cells(counts: dict, key: str) -> list:
    """residents, EPAs with an expected level, % at or above it, residents with none behind (and %), observations
    (and per resident)."""
    residents, pairs, on_track = counts[f"residents{key}"], counts[f"pairs{key}"], counts[f"on_track{key}"]
    observations = counts[f"observations{key}"]
    return [residents, pairs, pct(pairs - counts[f"behind{key}"], pairs), on_track, pct(on_track, residents),
            observations, ratio(observations, residents)]


def progress(context: ReportContext) -> dict:
    """Per year, the residents with a clinical mentor in it: the share of their EPAs at or above the level expected
    for their year of study on the year's day, the share with no EPA behind, and the observations they received in
    the year per resident (two queries: the EPAs expected per specialty and year of study, then one aggregate)."""
    years = years_of(context)
    if not years:
        return no_years("progress", _("Resident progress"))
    annotations, figures, expected = {}, {}, expected_counts(context)
    for i, year in enumerate(years):
        annotations.update(progress_annotations(year, i, expected))
        figures.update(progress_figures(i, str(i)))
    counts = once_each(residents_in_scope(context).order_by().annotate(**annotations)).aggregate(**figures)
    rows = [[year.label, *progress_cells(counts, str(i))] for i, year in enumerate(years)]
    columns = [column("year", _("Academic year")),
               column("residents", _("Residents with a clinical mentor in the year"), "int"),
               column("epas", _("EPAs with an expected level"), "int"),
               column("at_expected_pct", _("EPAs at or above the expected level, %"), "pct"),
               column("on_track", _("Residents with no EPA behind"), "int"),
               column("on_track_pct", _("Residents with no EPA behind, %"), "pct"),
               column("observations", _("Observations received"), "int"),
               column("per_resident", _("Observations per resident"), "num")]
    return section(
        "progress", _("Resident progress"), tables=[table("progress", _("Resident progress by year"), columns, rows)],
        charts=[chart("progress_levels", "line", _("EPAs at or above the expected level, %"), table="progress",
                      label="year", values=["at_expected_pct", "on_track_pct"], unit="%", max=100),
                chart("progress_observations", "line", _("Observations per resident"), table="progress",
                      label="year", values=["per_resident"])],
        notes=[_("Residents with a clinical mentor at some time in the year. Levels are those granted by the year's "
                 "last day (from the decisions' history); the year of study is counted from the cohort's intake "
                 "year; the EPA catalogue and its expected levels are today's."),
               *site_note(context, _("the residents"))])


# --- exams ---------------------------------------------------------------------------------------------------------


def exam_summaries(results: QuerySet[ExamResult], group_by: str) -> dict[object, tuple[Summary, Summary, Summary]]:
    """{group: (overall, test, OSCE)} of `results` grouped by one lookup (one query,
    reports.sections.stats.summaries)."""
    figures = summaries(results, fields=SCORES, group_by=[group_by])
    return {key[0]: tuple(of_group.get(f, Summary()) for f in SCORES) for key, of_group in figures.items()}


def exams(context: ReportContext) -> dict:
    """The exam results of each academic year: count, mean and median of the overall score, with the means of the
    test and OSCE and the range of the overall (one query)."""
    years = years_of(context)
    if not years:
        return no_years("exams", _("Exam results"))
    results = ExamResult.objects.filter(resident__in=residents_in_scope(context),
                                        academic_year__start_year__in=[y.start_year for y in years])
    figures = exam_summaries(results, "academic_year__start_year")
    empty = (Summary(), Summary(), Summary())
    rows = []
    for year in years:
        overall, test, osce = figures.get(year.start_year, empty)
        rows.append([year.label, overall.n, overall.mean, overall.median, overall.min, overall.max, test.mean,
                     osce.mean])
    columns = [column("year", _("Academic year")), column("results", _("Results"), "int"),
               column("overall_mean", _("Overall score, mean"), "num"),
               column("overall_median", _("Overall score, median"), "num"),
               column("overall_min", _("Overall score, lowest"), "num"),
               column("overall_max", _("Overall score, highest"), "num"),
               column("test_mean", _("Test score, mean"), "num"), column("osce_mean", _("OSCE score, mean"), "num")]
    return section("exams", _("Exam results"), tables=[table("exams", _("Exam results by year"), columns, rows)],
                   charts=[chart("exam_trend", "line", _("Overall score by year"), table="exams", label="year",
                                 values=["overall_mean", "overall_median"], max=100)],
                   notes=site_note(context, _("the residents")))
