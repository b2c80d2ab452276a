"""Sections of the mentor report (DESIGN.md section 4): one mentor, one academic year.

A mentor may ask for their own report, so it shows nothing the mentor cannot see on their own pages: their
residents are the residents of their clinical assignments overlapping the year (the mentor record page shows
current and past mentees), observations counted are those received while under this mentor, meetings are the
mentor's own, survey results are exactly what `surveys.results.my_pooled_results` shows the mentor (pooled blocks
that reach k, with complementary suppression), and no figure of another mentor or of the department is shown
for comparison. Free text (evaluation comments, survey comments) stays on the pages: an export travels.

Each section runs a fixed number of aggregate queries; loops run over the handful of result rows only.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, FilteredRelation, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from assessments.evaluations import CRITERIA, criterion_label
from assessments.models import ExamResult, ExamStage, MentorEvaluation, Observation
from mentoring.models import Assignment, Meeting, MeetingParticipant, Programme
from residents.models import Resident
from surveys.models.campaign import DEFAULT_THRESHOLD
from surveys.pooling import POOL_YEARS
from surveys.results import my_pooled_results, not_enough_yet

from ..context import ReportContext
from ..result import chart, column, pct, section, table
from .annual_common import Year, count_of
from .annual_residents import standing_annotations
from .annual_surveys import AGREEMENT_KINDS
from .cohort_progress import academic_year_label
from .stats import summary_of


def report_year(context: ReportContext) -> Year:
    """The report's academic year, up to the day the report is as of."""
    return Year.of(context.academic_year, context.as_of)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _assignments_in_year(context: ReportContext, **filters):
    """The mentor's assignments overlapping the year (up to the day the report is as of)."""
    year = report_year(context)
    return (Assignment.objects.filter(mentor=context.mentor, started_on__lte=year.day, **filters)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=year.starts_on)))


def _status_label(value: str) -> str:
    return str(dict(Resident.Status.choices).get(value, value))


# --- residents -----------------------------------------------------------------------------------------------------


def residents(context: ReportContext) -> dict:
    """Each resident the mentor mentored in the year: their year of study then, whether still with the mentor, their
    EPAs at or above the level expected for that year of study on the year's day (as in the annual monitoring:
    annual_residents.standing_annotations), observations received in the year while under this mentor (from any
    observer, as on the mentor record page). One query."""
    year = report_year(context)
    mentored = _assignments_in_year(context, kind=Programme.Kind.CLINICAL, resident=OuterRef("pk"))
    under_mentor = (Assignment.objects
                    .filter(mentor=context.mentor, kind=Programme.Kind.CLINICAL, resident=OuterRef("resident"),
                            started_on__lte=OuterRef("observed_on"))
                    .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=OuterRef("observed_on"))))
    received = (Observation.objects.filter(resident=OuterRef("pk"), observed_on__gte=year.starts_on,
                                           observed_on__lte=year.day)
                .filter(Exists(under_mentor)))
    rows = list(
        Resident.objects.filter(Exists(mentored)).select_related("user", "cohort__intake_year")
        .annotate(**standing_annotations(year, 0),
                  since=Subquery(mentored.order_by("started_on").values("started_on")[:1]),
                  until=Subquery(mentored.order_by(F("ended_on").desc(nulls_first=True)).values("ended_on")[:1]),
                  received=count_of(received, "resident"))
        .order_by("user__last_name", "user__first_name", "pk"))
    cells = []
    for r in rows:
        with_mentor = r.until is None or r.until > context.as_of
        expected, at_or_above = r._expected0, r._expected0 - r._behind0
        cells.append([r.user.full_name, year.start_year + 1 - r.cohort.intake_year.start_year,
                      _status_label(r.status), r.since.isoformat(), _("yes") if with_mentor else r.until.isoformat(),
                      expected, at_or_above, pct(at_or_above, expected), r.received])
    columns = [column("resident", _("Resident")), column("year_of_study", _("Year of study that year"), "int"),
               column("status", _("Status now")), column("since", _("With the mentor since")),
               column("current", _("Still with the mentor (or until)")),
               column("epas_expected", _("EPAs with an expected level"), "int"),
               column("epas_at_expected", _("EPAs at or above the expected level"), "int"),
               column("epas_at_expected_pct", _("EPAs at or above the expected level, %"), "pct"),
               column("observations", _("Observations received in the year"), "int")]
    notes = [_("Residents of the mentor's clinical assignments that overlap the academic year."),
             _("EPA levels are those granted by the year's last day (for the year in progress: by the report's day), "
               "from the decisions' history, against the level expected for the year of study the resident was in, "
               "counted from the cohort's intake year; observations are counted while the resident was with this "
               "mentor.")]
    if not cells:
        notes.append(_("No residents were assigned to this mentor in this academic year."))
    return section("residents", _("Residents' progress"), notes=notes,
                   tables=[table("residents", _("Residents mentored in the year"), columns, cells)],
                   charts=[chart("residents_epas", "bar", _("EPAs at or above the expected level, %"),
                                 table="residents", label="resident", values=["epas_at_expected_pct"], unit="%",
                                 max=100)])


# --- exams ---------------------------------------------------------------------------------------------------------

SCORES = ("overall_score", "test_score", "osce_score")


def _score_label(field: str) -> str:
    return {"overall_score": _("Overall score"), "test_score": _("Test score"), "osce_score": _("OSCE score")}[field]



def exams(context: ReportContext) -> dict:
    """Exam results of the year of the residents mentored in the year: each result (as on the mentor record page)
    and the count, mean, median, minimum and maximum of the overall, test and OSCE scores. One query: the summary
    is taken over the results listed (a mentor's handful of residents), in Python."""
    mentored = _assignments_in_year(context, kind=Programme.Kind.CLINICAL, resident=OuterRef("resident"))
    results = list(ExamResult.objects.filter(academic_year=context.academic_year).filter(Exists(mentored))
                   .select_related("resident__user")
                   .order_by("resident__user__last_name", "resident__user__first_name", "stage", "pk"))
    stats_rows = []
    for field in SCORES:
        s = summary_of([getattr(r, field) for r in results])
        stats_rows.append([_score_label(field), s.n, s.mean, s.median, s.min, s.max])
    stages = dict(ExamStage.choices)
    result_rows = [[r.resident.user.full_name, str(stages.get(r.stage, r.stage)),
                    r.held_on.isoformat() if r.held_on else None, r.test_score, r.osce_score, r.overall_score]
                   for r in results]
    return section("exams", _("Exam outcomes"), tables=[
        table("exam_summary", _("Scores of the year"), [
            column("score", _("Score")), column("n", _("Results"), "int"), column("mean", _("Mean"), "num"),
            column("median", _("Median"), "num"), column("min", _("Lowest"), "num"),
            column("max", _("Highest"), "num")], stats_rows),
        table("exam_results", _("Results of the year"), [
            column("resident", _("Resident")), column("stage", _("Stage")), column("held_on", _("Held on")),
            column("test", _("Test score"), "num"), column("osce", _("OSCE score"), "num"),
            column("overall", _("Overall score"), "num")], result_rows)],
        charts=[chart("exam_overall", "bar", _("Overall score per resident"), table="exam_results",
                      label="resident", values=["overall"], max=100)],
        notes=[_("Independent assessments of the academic year sat by the residents the mentor mentored in it.")])


# --- observations --------------------------------------------------------------------------------------------------


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def observations(context: ReportContext) -> dict:
    """The mentor's EPA observations in the year: how many, the share recorded late (Observation.is_late), per month
    and per EPA. Two queries: the totals (residents and EPAs counted distinct), and the counts per month and EPA,
    added up in Python per month and per EPA (at most twelve rows per EPA)."""
    year = report_year(context)
    mine = (Observation.objects.filter(mentor=context.mentor, observed_on__gte=year.starts_on,
                                       observed_on__lte=year.day).order_by())
    late = Count("pk", filter=Q(is_late=True))
    totals = mine.aggregate(n=Count("pk"), late=late, residents=Count("resident", distinct=True),
                            epas=Count("epa", distinct=True))
    summary = table("observations_summary", _("Observations recorded in the year"), [
        column("observations", _("Observations"), "int"), column("late", _("Recorded late"), "int"),
        column("late_pct", _("Recorded late, %"), "pct"), column("residents", _("Residents observed"), "int"),
        column("epas", _("EPAs observed"), "int")],
        [[totals["n"], totals["late"], pct(totals["late"], totals["n"]), totals["residents"], totals["epas"]]])

    by_month, by_epa = {}, {}
    for row in (mine.annotate(month=TruncMonth("observed_on"))
                .values_list("month", "epa__code", "epa__title", "epa__position")
                .annotate(n=Count("pk"), late=late, levels=Sum("level"))):
        month, code, title, position, n, n_late, levels = row
        counts = by_month.setdefault(month, [0, 0])
        counts[0] += n
        counts[1] += n_late
        epa = by_epa.setdefault((position, code, title), [0, 0, 0])
        epa[0] += n
        epa[1] += n_late
        epa[2] += levels
    month_rows = []
    for month in _months(year.starts_on, year.day):
        n, n_late = by_month.get(month, (0, 0))
        month_rows.append([formats.date_format(month, "YEAR_MONTH_FORMAT"), n, n_late])
    monthly = table("observations_by_month", _("Observations per month"), [
        column("month", _("Month")), column("observations", _("Observations"), "int"),
        column("late", _("Recorded late"), "int")], month_rows)

    epa_rows = [[code, title, n, n_late, pct(n_late, n), levels / n]
                for (_position, code, title), (n, n_late, levels) in sorted(by_epa.items())]
    per_epa = table("observations_by_epa", _("Observations per EPA"), [
        column("epa", _("EPA")), column("title", _("Title")), column("observations", _("Observations"), "int"),
        column("late", _("Recorded late"), "int"), column("late_pct", _("Recorded late, %"), "pct"),
        column("mean_level", _("Mean supervision level observed"), "num")], epa_rows)
    return section("observations", _("Observation activity"), tables=[summary, monthly, per_epa], charts=[
        chart("observations_per_month", "line", _("Observations per month"), table="observations_by_month",
              label="month", values=["observations", "late"]),
        chart("observations_per_epa", "bar", _("Observations per EPA"), table="observations_by_epa", label="epa",
              values=["observations"])],
        notes=[_("An observation is late when it was recorded long after the encounter (the department's "
                 "assessment policy).")])


# --- meetings ------------------------------------------------------------------------------------------------------


def _held_with_mentee(context: ReportContext, start: datetime, end: datetime, cutoff: datetime) -> dict:
    """Annotations joining the mentor's Assignment rows to the meetings held with the mentee in [start, end) by the
    programmes' counting rule (mentoring.programmes.held_meetings): `held`, the meetings of the pair's programme led
    by the mentor (the pair's mentor-side user), accepted, ended by the cutoff and started on or after the day the
    pair started; `attended`, the mentee's accepted participation in one of them (one per meeting and person). Two
    joins instead of a subquery per pair and figure."""
    meeting = "programme__meetings__"
    return {"held": FilteredRelation("programme__meetings", condition=Q(**{
                f"{meeting}mentor_user": context.mentor.user_id, f"{meeting}status": Meeting.Status.ACCEPTED,
                f"{meeting}ends_at__lte": cutoff, f"{meeting}starts_at__date__gte": F("started_on"),
                f"{meeting}starts_at__gte": start, f"{meeting}starts_at__lt": end})),
            "attended": FilteredRelation("held__participants", condition=Q(
                held__participants__user=F("resident__user"),
                held__participants__response=MeetingParticipant.Response.ACCEPTED))}


def meetings(context: ReportContext) -> dict:
    """The mentor's meetings in the year. Held: accepted and ended before the report's day (as in mentoring's
    programme overview); per mentee, the meetings held with them by the programmes' counting rule
    (`_held_with_mentee`: the mentee attended, after the pair started). Two grouped queries."""
    year = context.academic_year
    start, end = _midnight(year.starts_on), _midnight(year.ends_on + timedelta(days=1))
    cutoff = _midnight(context.as_of)
    counts = {fmt: dict.fromkeys(("held", "upcoming", "proposed", "called_off"), 0) for fmt in Meeting.Format.values}
    for row in (Meeting.objects.filter(mentor_user=context.mentor.user_id, starts_at__gte=start, starts_at__lt=end)
                .order_by().values("format", "status").annotate(n=Count("pk"), ended=Count("pk", filter=Q(
                    ends_at__lte=cutoff)))):
        figures, status = counts[row["format"]], row["status"]
        if status == Meeting.Status.ACCEPTED:
            figures["held"] += row["ended"]
            figures["upcoming"] += row["n"] - row["ended"]
        elif status == Meeting.Status.PROPOSED:
            figures["proposed"] += row["n"]
        else:  # declined or cancelled
            figures["called_off"] += row["n"]
    names = ("held", "upcoming", "proposed", "called_off")
    summary_rows = [[str(label), *(counts[fmt][name] for name in names)] for fmt, label in Meeting.Format.choices]
    summary_rows.append([_("All meetings"), *(sum(counts[fmt][name] for fmt in Meeting.Format.values)
                                              for name in names)])
    summary = table("meetings_summary", _("Meetings in the year"), [
        column("format", _("Format")), column("held", _("Held"), "int"),
        column("upcoming", _("Accepted, still to come"), "int"), column("proposed", _("Awaiting an answer"), "int"),
        column("called_off", _("Declined or cancelled"), "int")], summary_rows)

    pairs = (_assignments_in_year(context)
             .select_related("resident__user", "programme")
             .annotate(**_held_with_mentee(context, start, end, cutoff))
             .annotate(one_to_one=Count("attended", filter=Q(held__format=Meeting.Format.ONE_TO_ONE)),
                       group=Count("attended", filter=Q(held__format=Meeting.Format.GROUP)),
                       last_met=Max("held__starts_at", filter=Q(attended__isnull=False)))
             .order_by("resident__user__last_name", "resident__user__first_name", "programme__kind", "pk"))
    mentee_rows = [[a.resident.user.full_name, a.programme.display_name, a.one_to_one, a.group,
                    a.one_to_one + a.group, timezone.localdate(a.last_met).isoformat() if a.last_met else None]
                   for a in pairs]
    per_mentee = table("meetings_by_mentee", _("Meetings held per mentee"), [
        column("mentee", _("Mentee")), column("programme", _("Programme")),
        column("one_to_one", _("One-to-one"), "int"), column("group", _("Group"), "int"),
        column("held", _("Held in all"), "int"), column("last_met", _("Last met"))], mentee_rows)
    return section("meetings", _("Mentoring meetings"), tables=[summary, per_mentee], charts=[
        chart("meetings_per_mentee", "bar", _("Meetings held per mentee"), table="meetings_by_mentee", label="mentee",
              values=["one_to_one", "group"])],
        notes=[_("A meeting was held when it was accepted and ended before the report's day; a group meeting counts "
                 "once in the year's figures and once for each mentee who attended it.")])


# --- coordinator evaluations ---------------------------------------------------------------------------------------


def evaluations(context: ReportContext) -> dict:
    """The coordinator's yearly evaluations of the mentor, this year and the earlier ones as a trend (one query)."""
    year = context.academic_year
    rows = list(MentorEvaluation.objects.filter(mentor=context.mentor, academic_year__start_year__lte=year.start_year)
                .order_by("academic_year__start_year")
                .values("academic_year__start_year", "score", *CRITERIA))
    cells = [[academic_year_label(r["academic_year__start_year"]), r["score"],
              *(r[c] for c in CRITERIA)] for r in rows]
    columns = [column("year", _("Academic year")), column("score", _("Score (1-5)"), "num"),
               *(column(c, criterion_label(c).capitalize(), "int") for c in CRITERIA)]
    notes = [_("The coordinator evaluates each mentor once per academic year; the score is the mean of the "
               "criteria (1-5).")]
    if not any(r["academic_year__start_year"] == year.start_year for r in rows):
        notes.append(_("No evaluation recorded for %(year)s yet.") % {"year": year})
    return section("evaluations", _("Coordinator evaluations"), notes=notes,
                   tables=[table("evaluations", _("Evaluations by academic year"), columns, cells)],
                   charts=[chart("evaluation_trend", "line", _("Evaluation score by year"), table="evaluations",
                                 label="year", values=["score"], max=5)])


# --- satisfaction --------------------------------------------------------------------------------------------------

def satisfaction(context: ReportContext) -> dict:
    """Residents' satisfaction with the mentor: exactly what the mentor's own results page shows
    (surveys.results.my_pooled_results: blocks pooled over consecutive campaigns until k answered, blocks a
    subtraction could expose suppressed), % agreeing (or % yes) and n per item. Nothing is computed here."""
    tables, notes = [], []
    for number, own in enumerate(my_pooled_results(context.mentor), start=1):
        notes += [f"{own.questionnaire.title}: {note}" for note in own.notes]
        rows = []
        for block in own.blocks:
            for item in (r for s in block.sections for r in s.items if r.item.kind in AGREEMENT_KINDS):
                rows.append([block.pooled_from, item.item.text, item.key_figure,
                             item.stats.n if item.stats is not None else None])
        if rows:
            tables.append(table(f"satisfaction_{number}", own.questionnaire.title, [
                column("campaigns", _("Pooled from campaigns")), column("item", _("Question")),
                column("agreeing_pct", _("Agreeing (or yes), %"), "pct"), column("n", _("Answered"), "int")], rows,
                note=_("An empty cell: hidden, fewer than k answered or it could be worked out from other figures.")))
    if not tables and not notes:
        notes.append(not_enough_yet(DEFAULT_THRESHOLD))
    notes.append(_("Anonymous questionnaires about the mentor, pooled over consecutive campaigns (up to %(years)d "
                   "years) until enough residents have answered; the same figures as on the mentor's results page.")
                 % {"years": POOL_YEARS})
    return section("satisfaction", _("Residents' satisfaction"), tables=tables, notes=notes)


SECTIONS = [residents, exams, observations, meetings, evaluations, satisfaction]
