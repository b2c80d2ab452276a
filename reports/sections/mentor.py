"""Sections of the mentor report (DESIGN.md section 4): one mentor, one academic year.

A mentor may ask for their own report, so it shows nothing the mentor cannot see on their own pages: their
residents are the residents of their clinical assignments overlapping the year (the mentor record page shows
current and past mentees), observations counted are those received while under this mentor, meetings are the
mentor's own, survey results are exactly what `surveys.results.my_pooled_results` shows the mentor (pooled blocks
that reach k, with complementary suppression), and no figure of another mentor or of the department is shown
for comparison. Free text (evaluation comments, survey comments) stays on the pages: an export travels.

Each section runs a fixed number of aggregate queries; loops run over the handful of result rows only.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Sum, Value
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import full_name
from assessments.evaluations import CRITERIA, criterion_label
from assessments.models import (
    EntrustmentDecision,
    EPAExpectation,
    ExamResult,
    ExamStage,
    HistoricalEntrustmentDecision,
    MentorEvaluation,
    Observation,
)
from assessments.standing import BASE_LEVEL
from mentoring.models import Assignment, Meeting, MeetingParticipant, Programme
from residents.models import Resident
from surveys.models.campaign import DEFAULT_THRESHOLD
from surveys.pooling import POOL_YEARS
from surveys.results import my_pooled_results, not_enough_yet

from ..context import ReportContext
from ..result import chart, column, pct, section, table
from .annual_common import Year
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


def _mentees(context: ReportContext) -> list[dict]:
    """The residents of the mentor's clinical assignments overlapping the year, one dict each, in the database's
    order of last and first names, then id: id, name, status, specialty, intake year, first start with the mentor
    (`since`), last end (`until`, None while still assigned) and the periods with the mentor (`periods`: first
    day, last day or None). One query."""
    rows = (_assignments_in_year(context, kind=Programme.Kind.CLINICAL)
            .order_by("resident__user__last_name", "resident__user__first_name", "resident_id")
            .values_list("resident_id", "started_on", "ended_on", "resident__user__last_name",
                         "resident__user__first_name", "resident__user__middle_name", "resident__status",
                         "resident__specialty_id", "resident__cohort__intake_year__start_year"))
    out: dict[int, dict] = {}
    for pk, started_on, ended_on, last, first, middle, status, specialty, intake in rows:  # by name
        mentee = out.setdefault(pk, {"pk": pk, "status": status,
                                     "name": full_name(last, first, middle), "specialty": specialty,
                                     "intake": intake, "since": started_on, "until": ended_on, "periods": []})
        mentee["since"] = min(mentee["since"], started_on)
        if mentee["until"] is not None:
            mentee["until"] = None if ended_on is None else max(mentee["until"], ended_on)
        mentee["periods"].append((started_on, ended_on))
    return list(out.values())


def _granted_levels(residents: list[int], end: datetime) -> dict[tuple[int, int], int]:
    """{(resident, EPA): the level granted by `end`} of `residents` (a mentor's handful), by the rule of
    annual_residents.granted_by: the latest decision taken before `end` in the decisions' audit history, else the
    decision itself when taken before it; pairs with neither are left out (the base level). One query: the history
    rows and the decisions together (UNION ALL; a decision's row has no history id)."""
    history = (HistoricalEntrustmentDecision.objects.filter(resident_id__in=residents, decided_at__lt=end)
               .exclude(history_type="-").order_by()
               .values_list("resident_id", "epa_id", "level", "decided_at", "history_id"))
    decisions = (EntrustmentDecision.objects.filter(resident_id__in=residents, decided_at__lt=end).order_by()
                 .values_list("resident_id", "epa_id", "level", "decided_at", Value(None, IntegerField())))
    latest: dict[tuple[int, int], tuple] = {}
    fallback: dict[tuple[int, int], int] = {}
    for resident, epa, level, decided_at, history_id in history.union(decisions, all=True):
        if history_id is None:
            fallback[(resident, epa)] = level
        elif (resident, epa) not in latest or (decided_at, history_id) > latest[(resident, epa)][:2]:
            latest[(resident, epa)] = (decided_at, history_id, level)
    return {**fallback, **{pair: level for pair, (_at, _id, level) in latest.items()}}


def residents(context: ReportContext) -> dict:
    """Each resident the mentor mentored in the year: their year of study then, whether still with the mentor, their
    EPAs at or above the level expected for that year of study on the year's day (the rule of the annual
    monitoring's annual_residents.standing_annotations: active EPAs with a level expected for the year of study
    counted from the cohort's intake year, against the level granted by the year's end), observations received in
    the year while under this mentor (from any observer, as on the mentor record page). Five small queries over the
    mentor's handful of residents (their assignments, the expected levels of their specialties, the decisions and
    their history, the observations counted per resident); the figures are put together in Python per resident."""
    year = report_year(context)
    mentees = _mentees(context)
    ids = [m["pk"] for m in mentees]
    expected: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (specialty, year of study) -> [(EPA, level)]
    granted, received = {}, {}
    if mentees:
        for epa, specialty, year_of_study, level in (
                EPAExpectation.objects.filter(epa__is_active=True,
                                              epa__specialty_id__in={m["specialty"] for m in mentees})
                .order_by().values_list("epa_id", "epa__specialty_id", "year_of_study", "level")):
            expected.setdefault((specialty, year_of_study), []).append((epa, level))
        granted = _granted_levels(ids, year.end)
        # Received while under this mentor: on a day of one of the resident's periods with the mentor.
        while_mentored = Q()
        for m in mentees:
            for started_on, ended_on in m["periods"]:
                days = Q(observed_on__gte=started_on)
                if ended_on is not None:
                    days &= Q(observed_on__lte=ended_on)
                while_mentored |= Q(resident_id=m["pk"]) & days
        received = dict(Observation.objects.filter(while_mentored, observed_on__gte=year.starts_on,
                                                   observed_on__lte=year.day)
                        .order_by().values_list("resident_id").annotate(n=Count("*")))
    cells = []
    for m in mentees:
        year_of_study = year.start_year + 1 - m["intake"]
        levels = expected.get((m["specialty"], year_of_study), [])
        at_or_above = sum(1 for epa, level in levels if granted.get((m["pk"], epa), BASE_LEVEL) >= level)
        with_mentor = m["until"] is None or m["until"] > context.as_of
        cells.append([m["name"], year_of_study, _status_label(m["status"]), m["since"].isoformat(),
                      _("yes") if with_mentor else m["until"].isoformat(), len(levels), at_or_above,
                      pct(at_or_above, len(levels)), received.get(m["pk"], 0)])
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
                   .order_by("resident__user__last_name", "resident__user__first_name", "stage", "pk")
                   .values_list("resident__user__last_name", "resident__user__first_name",
                                "resident__user__middle_name", "stage", "held_on", *SCORES, named=True))
    stats_rows = []
    for field in SCORES:
        s = summary_of([getattr(r, field) for r in results])
        stats_rows.append([_score_label(field), s.n, s.mean, s.median, s.min, s.max])
    stages = dict(ExamStage.choices)
    result_rows = [[full_name(r.resident__user__last_name, r.resident__user__first_name, r.resident__user__middle_name),
                    str(stages.get(r.stage, r.stage)), r.held_on.isoformat() if r.held_on else None, r.test_score,
                    r.osce_score, r.overall_score]
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
    and per EPA. One query: the counts per month, EPA and resident (at most a row per observation of the mentor's
    year, far fewer), added up in Python into the totals (residents and EPAs counted distinct), the months and the
    EPAs."""
    year = report_year(context)
    by_month, by_epa, residents, epas = {}, {}, set(), set()
    for in_year, in_month, epa_id, code, title, position, resident, n, n_late, levels in (
            Observation.objects.filter(mentor=context.mentor, observed_on__gte=year.starts_on,
                                       observed_on__lte=year.day).order_by()
            .annotate(in_year=ExtractYear("observed_on"), in_month=ExtractMonth("observed_on"))
            .values_list("in_year", "in_month", "epa_id", "epa__code", "epa__title", "epa__position", "resident_id")
            .annotate(n=Count("pk"), late=Count("pk", filter=Q(is_late=True)), levels=Sum("level"))):
        month = date(in_year, in_month, 1)
        residents.add(resident)
        epas.add(epa_id)
        counts = by_month.setdefault(month, [0, 0])
        counts[0] += n
        counts[1] += n_late
        epa = by_epa.setdefault((position, code, title), [0, 0, 0])
        epa[0] += n
        epa[1] += n_late
        epa[2] += levels
    total, total_late = sum(n for n, _late in by_month.values()), sum(late for _n, late in by_month.values())
    summary = table("observations_summary", _("Observations recorded in the year"), [
        column("observations", _("Observations"), "int"), column("late", _("Recorded late"), "int"),
        column("late_pct", _("Recorded late, %"), "pct"), column("residents", _("Residents observed"), "int"),
        column("epas", _("EPAs observed"), "int")],
        [[total, total_late, pct(total_late, total), len(residents), len(epas)]])

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


def meetings(context: ReportContext) -> dict:
    """The mentor's meetings in the year. Held: accepted and ended before the report's day (as in mentoring's
    programme overview); per mentee, the meetings held with them by the programmes' counting rule
    (mentoring.programmes.held_meetings: the mentee's own answer accepted, in the pair's programme, on or after the
    day the pair started). Two queries: the mentor's meetings of the year with their participants (a row per
    participant), counted per meeting and matched to the pairs in Python, and the pairs."""
    year = context.academic_year
    start, end = _midnight(year.starts_on), _midnight(year.ends_on + timedelta(days=1))
    cutoff = _midnight(context.as_of)
    counts = {fmt: dict.fromkeys(("held", "upcoming", "proposed", "called_off"), 0) for fmt in Meeting.Format.values}
    held = defaultdict(list)  # (participant, programme) -> (local day, format, start) of the held meetings attended
    seen = set()
    for pk, fmt, status, ends_at, programme, starts_at, user, response in (
            Meeting.objects.filter(mentor_user=context.mentor.user_id, starts_at__gte=start, starts_at__lt=end)
            .order_by().values_list("pk", "format", "status", "ends_at", "programme_id", "starts_at",
                                    "participants__user_id", "participants__response")):
        ended = ends_at <= cutoff
        if status == Meeting.Status.ACCEPTED and ended and response == MeetingParticipant.Response.ACCEPTED:
            held[(user, programme)].append((timezone.localdate(starts_at), fmt, starts_at))
        if pk in seen:
            continue
        seen.add(pk)
        figures = counts[fmt]
        if status == Meeting.Status.ACCEPTED:
            figures["held" if ended else "upcoming"] += 1
        elif status == Meeting.Status.PROPOSED:
            figures["proposed"] += 1
        else:  # declined or cancelled
            figures["called_off"] += 1
    names = ("held", "upcoming", "proposed", "called_off")
    summary_rows = [[str(label), *(counts[fmt][name] for name in names)] for fmt, label in Meeting.Format.choices]
    summary_rows.append([_("All meetings"), *(sum(counts[fmt][name] for fmt in Meeting.Format.values)
                                              for name in names)])
    summary = table("meetings_summary", _("Meetings in the year"), [
        column("format", _("Format")), column("held", _("Held"), "int"),
        column("upcoming", _("Accepted, still to come"), "int"), column("proposed", _("Awaiting an answer"), "int"),
        column("called_off", _("Declined or cancelled"), "int")], summary_rows)

    kinds = dict(Programme.Kind.choices)
    pairs = list(_assignments_in_year(context)
                 .order_by("resident__user__last_name", "resident__user__first_name", "programme__kind", "pk")
                 .values_list("resident__user_id", "resident__user__last_name", "resident__user__first_name",
                              "resident__user__middle_name", "programme_id", "programme__kind", "programme__name",
                              "started_on"))
    mentee_rows = []
    for user, last, first, middle, programme, kind, name, started_on in pairs:
        attended = [(fmt, starts_at) for day, fmt, starts_at in held[(user, programme)] if day >= started_on]
        one_to_one = sum(1 for fmt, _start in attended if fmt == Meeting.Format.ONE_TO_ONE)
        group = sum(1 for fmt, _start in attended if fmt == Meeting.Format.GROUP)
        last_met = max((starts_at for _fmt, starts_at in attended), default=None)
        mentee_rows.append([full_name(last, first, middle),
                            str(kinds[kind]) if kind == Programme.Kind.CLINICAL else name, one_to_one, group,
                            one_to_one + group, timezone.localdate(last_met).isoformat() if last_met else None])
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
    for number, own in enumerate(my_pooled_results(context.mentor, kinds=AGREEMENT_KINDS, comments=False), start=1):
        notes += [f"{own.questionnaire.title}: {note}" for note in own.notes]
        rows = []
        for block in own.blocks:
            for item in (r for s in block.sections for r in s.items):
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
