"""The small fixed dataset of the cohort report tests (imported by tests/test_report_cohort*.py), and how to
compute a cohort report on it "as of" a fixed day.

The cohort: Neonatology, intake 2024, as of 15 March 2026 (academic year 2025-2026). Policy: 3-4 residents per
mentor, 5 years of experience, category highest or first, refresher every 3 years.

    resident  status     track     year  clinical mentor
    r1        active     standard  2     M1
    r2        active     standard  2     M1
    r3        active     support   2     M2
    r4        active     research  2     -
    r5        on leave   standard  1     M3
    r6        withdrawn  standard  2     - (M4 until he withdrew)

Other residents of the specialty: o1, o2 (intake 2023, year 3, with M2), x1-x5 (intake 2025, year 1: x1 with M2,
x2-x5 with M3). So the mentors' whole clinical loads are M1 2 (r1 r2), M2 4 (r3 o1 o2 x1), M3 5 (r5 x2-x5).
Assignments are written as rows (AssignmentFactory): M2 and M3 no longer pass the service's eligibility and
capacity checks, which is exactly what the report must show.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.entrustment import entrustment_decide
from mentoring.models import MentorTraining
from reports.models import ReportRun
from reports.services import compute, report_request
from residents.models import ActivityEntry, NightDuty
from surveys.campaigns import campaign_close
from surveys.models import Item
from surveys.release import release_pending
from surveys.submission import response_submit
from tests.factories import (
    AcademicYearFactory,
    AssignmentFactory,
    CohortFactory,
    MentorFactory,
    ResidentFactory,
    SpecialtyFactory,
)
from tests.factories_assessments import EPAFactory, ExamResultFactory, ObservationFactory
from tests.factories_curricula import CurriculumFactory, CurriculumItemFactory, DisciplineFactory
from tests.factories_surveys import CampaignFactory, answers_for, invite, questionnaire_with_items

AS_OF = date(2026, 3, 15)
ALMATY = ZoneInfo("Asia/Almaty")


def at(day: date, hour: int = 20) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ALMATY)


class Data:
    """Names for the rows of the dataset, so tests read like the table above."""


def build(*, department, specialty, site, coordinator) -> Data:
    d = Data()
    d.coordinator = coordinator
    d.years = {y: AcademicYearFactory(start_year=y) for y in (2023, 2024, 2025)}
    d.cohort = CohortFactory(specialty=specialty, intake_year=d.years[2024])
    older = CohortFactory(specialty=specialty, intake_year=d.years[2023])
    younger = CohortFactory(specialty=specialty, intake_year=d.years[2025])

    def resident(cohort, **kwargs):
        return ResidentFactory(specialty=specialty, cohort=cohort, clinical_site=site, **kwargs)

    d.r1 = resident(d.cohort, year_of_study=2)
    d.r2 = resident(d.cohort, year_of_study=2)
    d.r3 = resident(d.cohort, year_of_study=2, track="support")
    d.r4 = resident(d.cohort, year_of_study=2, track="research")
    d.r5 = resident(d.cohort, year_of_study=1, status="on_leave")
    d.r6 = resident(d.cohort, year_of_study=2, status="withdrawn")
    d.o1, d.o2 = (resident(older, year_of_study=3) for _ in range(2))
    d.x = [resident(younger, year_of_study=1) for _ in range(5)]

    def mentor(**kwargs):
        return MentorFactory(specialty=specialty, clinical_site=site, trained=False, **kwargs)

    # M1: eligible on every count.
    d.m1 = mentor(qualification_category="highest", practice_started_on=date(2010, 1, 1),
                  certificate_expires_on=date(2028, 1, 1))
    MentorTraining.objects.create(mentor=d.m1, kind="primary", completed_on=date(2024, 1, 10))
    # M2: category "second"; 59 whole months of practice (16 March 2021 - 15 March 2026); certificate expired the
    # day before; refresher due on 15 March 2026 itself, so still within the cycle.
    d.m2 = mentor(qualification_category="second", practice_started_on=date(2021, 3, 16),
                  certificate_expires_on=date(2026, 3, 14))
    MentorTraining.objects.create(mentor=d.m2, kind="primary", completed_on=date(2022, 1, 1))
    MentorTraining.objects.create(mentor=d.m2, kind="refresher", completed_on=date(2023, 3, 15))
    # M3: category "first"; exactly 60 months of practice; no certificate number; primary training only, on
    # 14 March 2022, so the refresher was due on 14 March 2025: overdue.
    d.m3 = mentor(qualification_category="first", practice_started_on=date(2021, 3, 15), certificate_number="")
    MentorTraining.objects.create(mentor=d.m3, kind="primary", completed_on=date(2022, 3, 14))
    # M4: r6's mentor until r6 withdrew; no current resident of the cohort.
    d.m4 = mentor()

    def assign(res, m, **kwargs):
        AssignmentFactory(resident=res, mentor=m, started_on=date(2024, 9, 1), **kwargs)

    for res, m in ((d.r1, d.m1), (d.r2, d.m1), (d.r3, d.m2), (d.o1, d.m2), (d.o2, d.m2), (d.x[0], d.m2),
                   (d.r5, d.m3), *((x, d.m3) for x in d.x[1:])):
        assign(res, m)
    assign(d.r6, d.m4, ended_on=date(2025, 6, 30))

    _curricula(d, specialty)
    _activity(d, site)
    _epas(d, specialty, coordinator)
    _exams(d, specialty, site)
    _surveys(d, department)
    return d


def _curricula(d, specialty):
    """Curricula of 2025-2026: r1 approved, r2 submitted, r3 draft with a split out of bounds, r4 none; r5 (on
    leave) has a draft that is not counted; r1's 2024-2025 curriculum is another year."""
    year = d.years[2025]
    dy2 = DisciplineFactory(specialty=specialty, year_of_study=2, hours=Decimal("120.0"))
    dy2b = DisciplineFactory(specialty=specialty, year_of_study=2, hours=Decimal("120.0"))
    r1 = CurriculumFactory(resident=d.r1, academic_year=year, status="approved")
    CurriculumItemFactory(curriculum=r1, discipline=dy2)  # 24 / 84 / 12 h = 20 / 70 / 10 %
    CurriculumItemFactory(curriculum=r1, discipline=dy2b)
    r2 = CurriculumFactory(resident=d.r2, academic_year=year, status="submitted")
    # 24 / 84.6 / 11.4 h = 20 % / 70.5 % -> 71 % / 9.5 % -> 10 % (rounded half up): within the bounds.
    CurriculumItemFactory(curriculum=r2, discipline=dy2, classroom_hours=Decimal("24.0"),
                          clinical_hours=Decimal("84.6"), independent_hours=Decimal("11.4"))
    r3 = CurriculumFactory(resident=d.r3, academic_year=year, status="draft")
    CurriculumItemFactory(curriculum=r3, discipline=dy2)
    # 48 / 60 / 12 h = 40 % classroom (max 30) and 50 % clinical (min 60): out of bounds on two shares.
    CurriculumItemFactory(curriculum=r3, discipline=dy2b, classroom_hours=Decimal("48.0"),
                          clinical_hours=Decimal("60.0"), independent_hours=Decimal("12.0"))
    r5 = CurriculumFactory(resident=d.r5, academic_year=year, status="draft")
    CurriculumItemFactory(curriculum=r5, discipline=DisciplineFactory(specialty=specialty, year_of_study=1),
                          classroom_hours=Decimal("60.0"), clinical_hours=Decimal("48.0"),
                          independent_hours=Decimal("12.0"))
    old = CurriculumFactory(resident=d.r1, academic_year=d.years[2024], year_of_study=1, status="approved")
    CurriculumItemFactory(curriculum=old, discipline=DisciplineFactory(specialty=specialty, year_of_study=1))


def duty(res, day, status="confirmed", site=None):
    NightDuty.objects.create(resident=res, starts_at=at(day), ends_at=at(day) + timedelta(hours=12),
                             status=status, clinical_site=site or res.clinical_site)


def _activity(d, site):
    """Night duties of the last completed months (the minimum is 4 a month) and clinical activity of 2025-2026."""
    for day in (2, 9, 16, 23):
        duty(d.r1, date(2026, 2, day))  # r1 February: 4 confirmed -> met
        duty(d.r1, date(2026, 1, day))  # r1 January: 4 confirmed -> met
        duty(d.r5, date(2026, 2, day))  # r5 is on leave: not counted
    for day in (3, 10, 17):
        duty(d.r2, date(2026, 2, day))  # r2 February: 3 confirmed ...
    duty(d.r2, date(2026, 2, 24), status="pending")  # ... + 1 awaiting confirmation: not met
    duty(d.r2, date(2026, 2, 25), status="returned")
    for day in (1, 5, 12, 19, 26):
        duty(d.r3, date(2026, 2, day))  # r3 February: 5 confirmed -> met
    # 00:30 on 1 March in Almaty (still 28 February in UTC): March, the month not yet completed.
    NightDuty.objects.create(resident=d.r3, starts_at=at(date(2026, 3, 1), 0) + timedelta(minutes=30),
                             ends_at=at(date(2026, 3, 1), 8), status="confirmed", clinical_site=site)
    # r4: no duty at all.

    def entry(res, day, kind, hours, status="confirmed"):
        ActivityEntry.objects.create(resident=res, date=day, kind=kind, hours=Decimal(hours), status=status,
                                     clinical_site=site)

    entry(d.r1, date(2025, 10, 1), "rounds", "6.0")
    entry(d.r1, date(2026, 1, 12), "rounds", "4.0")
    entry(d.r1, date(2026, 2, 2), "rounds", "5.0", status="pending")
    entry(d.r2, date(2025, 11, 5), "consultation", "3.5")
    entry(d.r3, date(2025, 12, 1), "rounds", "2.0", status="returned")  # not counted
    entry(d.r1, date(2025, 8, 31), "rounds", "8.0")  # the year before
    entry(d.r5, date(2025, 10, 1), "rounds", "7.0")  # on leave now: not counted


def _epas(d, specialty, coordinator):
    """E1 expects levels 2, 3, 4 in years 1-3; E2 1, 2, 3; E3 is retired. Decisions (level 1 without one):

        E1: r1 3, r2 4, r3 2, r4 -, r5 -    (r6 5 and o1 4 are not counted)
        E2: r1 -, r2 2, r3 5, r4 -, r5 -
    """
    d.e1 = EPAFactory(specialty=specialty, code="EPA 1", position=1, expected=[2, 3, 4])
    d.e2 = EPAFactory(specialty=specialty, code="EPA 2", position=2, expected=[1, 2, 3])
    d.e3 = EPAFactory(specialty=specialty, code="EPA 3", position=3, expected=[5, 5, 5], is_active=False)
    for res, epa, level in ((d.r1, d.e1, 3), (d.r2, d.e1, 4), (d.r3, d.e1, 2), (d.r6, d.e1, 5), (d.o1, d.e1, 4),
                            (d.r2, d.e2, 2), (d.r3, d.e2, 5)):
        entrustment_decide(resident=res, epa=epa, level=level, rationale="Committee of March.", by=coordinator)
    # Observations of 2025-2026: E1 three (r1 twice, r5 once), E2 one; one of 2024-2025 and one of r6 not counted.
    for res, epa, day in ((d.r1, d.e1, date(2025, 10, 1)), (d.r1, d.e1, date(2026, 3, 1)),
                          (d.r5, d.e1, date(2025, 9, 1)), (d.r2, d.e2, date(2026, 1, 20)),
                          (d.r2, d.e2, date(2025, 8, 31)), (d.r6, d.e1, date(2025, 10, 1))):
        ObservationFactory(resident=res, epa=epa, mentor=d.m1, observed_on=day)


def _exams(d, specialty, site):
    """(test, OSCE, overall) per stage; see the exams test for the arithmetic."""
    y = d.years
    rows = [
        (d.r1, "year_1", y[2024], 80, 70, 75), (d.r2, "year_1", y[2024], 60, 90, 75),
        (d.r3, "year_1", y[2024], 90, 50, 70), (d.r4, "year_1", y[2024], 70, 60, 65),
        (d.r5, "year_1", y[2024], 40, 40, 40),
        (d.r1, "year_2", y[2025], 85, 75, 80), (d.r2, "year_2", y[2025], 65, 95, 80),
        (d.o1, "year_1", y[2023], 50, 70, 60), (d.o2, "year_1", y[2023], 90, 90, 90),
        (d.o1, "year_2", y[2024], 70, 70, 70),
        (d.x[0], "year_1", y[2025], 88, 88, 88),
    ]
    for res, stage, year, test, osce, overall in rows:
        ExamResultFactory(resident=res, stage=stage, academic_year=year, test_score=Decimal(test),
                          osce_score=Decimal(osce), overall_score=Decimal(overall))
    # Another specialty's result is not part of the trend.
    other = SpecialtyFactory(department=specialty.department)
    stranger = ResidentFactory(specialty=other, clinical_site=site,
                               cohort=CohortFactory(specialty=other, intake_year=y[2024]))
    ExamResultFactory(resident=stranger, stage="year_1", academic_year=y[2024], test_score=Decimal(1),
                      osce_score=Decimal(1), overall_score=Decimal(1))


def respond(campaign, resident, *, likert: int, number: int | None = None) -> None:
    """`resident` answers every item (Likert items at `likert`), the optional number item only when given."""
    answers = answers_for(campaign.questionnaire, likert=likert)
    for item in Item.objects.filter(section__questionnaire=campaign.questionnaire, kind="number"):
        if number is None:
            del answers[item.pk]
        else:
            answers[item.pk] = number
    response_submit(campaign=campaign, user=resident.user, answers=answers)


def close(campaign, coordinator) -> None:
    campaign_close(campaign=campaign, by=coordinator)
    release_pending(campaign_id=campaign.pk, final=True)  # what the close queues after the commit


def _surveys(d, department):
    """Campaigns of a questionnaire (q1 Likert, q2 single, q3 multiple, q4 yes/no, q5 number, optional, q6 text):

        campaign  status  k  invited                              answered
        autumn    closed  5  r1 r2 r3 r4 o1 o2 x1 x2 (8)           r1 r2 r3 o1 o2 x1 (6); q5 by r1 r2 r3 only
        spring    open    5  r1 r2 o1 (3)                          r1 (1, still in the pending pool)
        winter    closed  5  r3 r4 x3 x4 (4)                       r3 x3 x4 (3: fewer than k)
        mentors'  closed  5  o1 o2 x1-x5 (none of the cohort)      o1 o2 x1 x2 x3 x4 (6)
    """
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    x = d.x

    def campaign(title, invited):
        c = CampaignFactory(questionnaire=questionnaire, title=title, about_mentor=False)
        invite(c, [r.user for r in invited])
        return c

    d.autumn = campaign("Autumn 2025", [d.r1, d.r2, d.r3, d.r4, d.o1, d.o2, x[0], x[1]])
    for resident, likert, number in ((d.r1, 5, 5), (d.r2, 4, 7), (d.r3, 4, 9), (d.o1, 3, None), (d.o2, 2, None),
                                     (x[0], 5, None)):
        respond(d.autumn, resident, likert=likert, number=number)
    close(d.autumn, d.coordinator)
    d.spring = campaign("Spring 2026", [d.r1, d.r2, d.o1])
    respond(d.spring, d.r1, likert=1)
    d.winter = campaign("Winter 2026", [d.r3, d.r4, x[2], x[3]])
    for resident in (d.r3, x[2], x[3]):
        respond(d.winter, resident, likert=5)
    close(d.winter, d.coordinator)
    d.others = campaign("Another group", [d.o1, d.o2, *x])
    for resident in (d.o1, d.o2, *x[:4]):
        respond(d.others, resident, likert=4)
    close(d.others, d.coordinator)


def cohort_run(coordinator, cohort, *, as_of: date = AS_OF, language: str = "en") -> ReportRun:
    """A cohort report run asked for on `as_of` (not computed: on_commit callbacks do not run in these tests)."""
    run = report_request(by=coordinator, kind="cohort", department=cohort.specialty.department, cohort=cohort,
                         language=language)
    ReportRun.objects.filter(pk=run.pk).update(requested_at=at(as_of, 12))
    run.refresh_from_db()
    return run


def compute_counted(run: ReportRun) -> tuple[dict, int]:
    """The run's result and the number of queries its computation took."""
    with CaptureQueriesContext(connection) as ctx:
        result = compute(run)
    return result, len(ctx.captured_queries)


def section_of(result: dict, key: str) -> dict:
    return next(s for s in result["sections"] if s["key"] == key)


def rows_of(section: dict, table_key: str) -> list[list]:
    return next(t for t in section["tables"] if t["key"] == table_key)["rows"]
