"""The annual monitoring report (reports/sections/annual.py): each section's figures on a small fixed dataset,
computed by hand below; a clinical site's report counts its own people only; the number of queries does not grow
with the data.

The report is for academic year 2025-2026, as of 15 March 2026. Academic years 2022-2023 (nobody assigned yet),
2023-2024, 2024-2025 and 2025-2026 are shown (2019-2020 is more than four years before; 2026-2027 has not begun).
Their days: 31 Aug 2023, 31 Aug 2024, 31 Aug 2025 and 15 Mar 2026. The department's policy here: 2 to 3 residents
per mentor.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import EntrustmentDecision
from organization.models import ClinicalSite, MentoringPolicy
from reports.models import ReportRun
from reports.services import compute, report_request
from residents.models import Cohort
from surveys.models import Participation
from tests.factories import (
    AcademicYearFactory,
    AssignmentFactory,
    ClinicalSiteFactory,
    DepartmentFactory,
    MentorTrainingFactory,
    UserFactory,
)
from tests.factories_assessments import EPAFactory, ExamResultFactory, ObservationFactory
from tests.factories_surveys import CampaignFactory, questionnaire_with_items
from tests.test_survey_results_data import closed_general

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 3, 15)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def annual_report(coordinator, department, year, *, site=None):
    run = report_request(by=coordinator, kind="annual", department=department, academic_year=year,
                         clinical_site=site)
    ReportRun.objects.filter(pk=run.pk).update(requested_at=at(AS_OF, 12))
    run.refresh_from_db()
    return compute(run)


def rows(result, key):
    section = next(s for s in result["sections"] if s["key"] == key)
    return section["tables"][0]["rows"]


@pytest.fixture
def world(department, specialty, site, make_mentor, make_resident):
    """Site S1 (the `site` fixture) and S2. Mentors A, B at S1, C at S2. Residents by site and intake year:
    r1, r2 (S1, 2023), r3 (S1, 2024), r4 (S2, 2024), r5 (S1, 2025), r6 (S1, 2022, graduated), r7-r9 (S2, 2025)."""
    MentoringPolicy.objects.filter(department=department).update(min_residents_per_mentor=2,
                                                                 max_residents_per_mentor=3)
    years = {y: AcademicYearFactory(start_year=y) for y in (2019, 2022, 2023, 2024, 2025, 2026)}
    ClinicalSite.objects.filter(pk=site.pk).update(name="North Perinatal Centre")
    site.refresh_from_db()
    s2 = ClinicalSiteFactory(departments=[department], name="South City Hospital")
    # Primary training in January 2022, refresher cycle 3 years: due by January 2025. A refreshed in March 2025;
    # B too, but holds the second category (not accepted); C refreshed only in October 2025.
    a = make_mentor(trained=date(2022, 1, 10))
    b = make_mentor(trained=date(2022, 1, 10), qualification_category="second")
    c = make_mentor(trained=date(2022, 1, 10), clinical_site=s2)
    for mentor, day in ((a, date(2025, 3, 1)), (b, date(2025, 3, 1)), (c, date(2025, 10, 1))):
        MentorTrainingFactory(mentor=mentor, completed_on=day)

    def resident(site_, intake, **kwargs):
        cohort, _ = Cohort.objects.get_or_create(specialty=specialty, intake_year=years[intake])
        return make_resident(clinical_site=site_, cohort=cohort, **kwargs)

    r = {1: resident(site, 2023), 2: resident(site, 2023), 3: resident(site, 2024), 4: resident(s2, 2024),
         5: resident(site, 2025), 6: resident(site, 2022, status="graduated"),
         7: resident(s2, 2025), 8: resident(s2, 2025), 9: resident(s2, 2025)}

    def assign(i, mentor, start, end=None):
        AssignmentFactory(resident=r[i], mentor=mentor, started_on=start, ended_on=end)

    assign(1, a, date(2023, 9, 1))
    assign(2, a, date(2023, 9, 1), date(2025, 6, 30))
    assign(6, a, date(2023, 9, 1), date(2024, 8, 31))
    assign(3, b, date(2024, 9, 1))
    assign(2, b, date(2025, 7, 1))
    assign(4, c, date(2024, 9, 1))
    assign(5, a, date(2025, 9, 1))
    for i in (7, 8, 9):
        assign(i, c, date(2025, 9, 1))

    # EPAs with expected levels for years of study 1, 2, 3.
    e1 = EPAFactory(specialty=specialty, expected=[2, 3, 4])
    e2 = EPAFactory(specialty=specialty, expected=[1, 2, 3])
    decider = UserFactory()

    def decide(i, epa, level, day):
        EntrustmentDecision.objects.create(resident=r[i], epa=epa, level=level, rationale="Seen often.",
                                           decided_by=decider, decided_at=at(day))

    decide(1, e1, 2, date(2024, 6, 1))
    decision = EntrustmentDecision.objects.get(resident=r[1], epa=e1)
    for level, day in ((3, date(2025, 6, 1)), (4, date(2026, 1, 10))):  # raised twice: two history records
        decision.level, decision.decided_at = level, at(day)
        decision.save()
    decide(1, e2, 2, date(2024, 6, 1))
    decide(3, e1, 2, date(2025, 9, 15))
    decide(5, e1, 2, date(2025, 12, 1))
    # An imported decision, without an audit history: its own decision date counts.
    EntrustmentDecision.objects.bulk_create([EntrustmentDecision(resident=r[6], epa=e1, level=3, rationale="Import",
                                                                 decided_by=decider, decided_at=at(date(2023, 10, 1)))])

    for i, day in ((1, date(2023, 10, 1)), (1, date(2024, 5, 1)), (6, date(2024, 2, 1)),
                   (3, date(2024, 10, 1)), (3, date(2024, 11, 1)), (3, date(2025, 3, 1)), (1, date(2025, 1, 15)),
                   (4, date(2024, 10, 2)), (4, date(2024, 10, 3)),
                   (5, date(2025, 10, 1)), (7, date(2026, 1, 10)), (8, date(2026, 2, 1)), (2, date(2025, 11, 5)),
                   (1, date(2026, 3, 20)),  # after the report's day
                   (6, date(2024, 10, 1))):  # r6 had no mentor in 2024-2025
        ObservationFactory(resident=r[i], epa=e1, mentor=a, observed_on=day)

    def exam(i, year, test, osce, overall, stage="year_1"):
        ExamResultFactory(resident=r[i], academic_year=years[year], stage=stage, test_score=Decimal(test),
                          osce_score=Decimal(osce), overall_score=Decimal(overall))

    exam(1, 2023, "78", "82", "80")
    exam(2, 2023, "70", "70", "70")
    exam(6, 2023, "88", "92", "90", stage="year_2")
    exam(1, 2024, "60", "60", "60", stage="year_2")
    exam(3, 2024, "70", "80", "75")
    exam(4, 2024, "50", "50", "50")
    exam(3, 2025, "60", "80", "70", stage="year_2")
    exam(4, 2025, "90", "90", "90", stage="year_2")
    exam(6, 2019, "10", "10", "10", stage="final")  # too old to be shown

    questionnaire = questionnaire_with_items(department)

    def campaign(closes_on, invited, answered, status="closed", questionnaire=questionnaire):
        c = CampaignFactory(questionnaire=questionnaire, status=status, opens_on=closes_on - timedelta(days=30),
                            closes_on=closes_on)
        for n in range(invited):
            Participation.objects.create(campaign=c, user=UserFactory(), completed=n < answered)
        return c

    campaign(date(2024, 5, 31), 4, 3)
    campaign(date(2024, 12, 20), 5, 2)
    campaign(date(2025, 5, 31), 3, 3)
    campaign(date(2026, 3, 31), 6, 1, status="open")
    campaign(date(2024, 5, 31), 2, 2, questionnaire=questionnaire_with_items(DepartmentFactory()))
    return {"year": years[2025], "s1": site, "s2": s2, "residents": r, "epas": (e1, e2)}


def test_mentor_compliance_on_each_years_day(coordinator, department, world):
    result = annual_report(coordinator, department, world["year"])
    # 2023-2024: A alone had residents: eligible on every rule.
    # 2024-2025: A, B, C. B's category fails; C's training was due by January 2025 and the October 2025 refresher
    #   came after 31 Aug 2025: eligible A only (1 of 3); category A, C; training A, B.
    # 2025-2026: A, B, C; C's refresher now counts: eligible A, C (2 of 3); training all three.
    assert rows(result, "compliance") == [
        ["2022-2023", 0, 0, None, None, None, None, None],
        ["2023-2024", 1, 1, 100.0, 100.0, 100.0, 100.0, 100.0],
        ["2024-2025", 3, 1, 33.3, 66.7, 100.0, 100.0, 66.7],
        ["2025-2026", 3, 2, 66.7, 66.7, 100.0, 100.0, 100.0],
    ]
    site = annual_report(coordinator, department, world["year"], site=world["s1"])
    assert rows(site, "compliance")[2:] == [["2024-2025", 2, 1, 50.0, 50.0, 100.0, 100.0, 100.0],
                                            ["2025-2026", 2, 1, 50.0, 50.0, 100.0, 100.0, 100.0]]


def test_mentor_load_on_each_years_day(coordinator, department, world):
    result = annual_report(coordinator, department, world["year"])
    # 31 Aug 2024: A has r1, r2, r6 (r6's ends that day) = 3, within 2-3.
    # 31 Aug 2025: A has r1 (r2 left on 30 Jun) = 1, under; B r3, r2 = 2; C r4 = 1, under: 4 residents / 3 = 1.3.
    # 15 Mar 2026: A r1, r5 = 2; B r3, r2 = 2; C r4, r7, r8, r9 = 4, over: 8 residents / 3 = 2.7.
    assert rows(result, "load") == [
        ["2022-2023", 0, 0, None, 0, 0, 0, None],
        ["2023-2024", 1, 1, 100.0, 0, 0, 3, 3.0],
        ["2024-2025", 3, 1, 33.3, 2, 0, 4, 1.3],
        ["2025-2026", 3, 2, 66.7, 0, 1, 8, 2.7],
    ]


def test_resident_progress_from_the_decisions_history(coordinator, department, world):
    result = annual_report(coordinator, department, world["year"])
    # Residents with a clinical mentor in the year, their year of study counted from the intake year:
    # 2023-2024: r1 (1), r2 (1), r6 (2). r1: E1 2 >= 2, E2 2 >= 1 (0 behind); r2: E1 base 1 < 2 (1 behind);
    #   r6: imported E1 3 >= 3, E2 1 < 2 (1 behind). 6 EPAs, 2 behind: 4 of 6 = 66.7 %; on track r1: 1 of 3.
    #   Observations: r1 2, r6 1 = 3 / 3 residents = 1.0.
    # 2024-2025: r1 (2): E1 3 (raised 1 Jun 2025) >= 3, E2 2 >= 2 (0); r2 (2): both base 1 (2 behind);
    #   r3 (1): E1 granted only in Sep 2025 -> 1 < 2 (1); r4 (1): E1 behind (1). 8 EPAs, 4 behind: 50 %;
    #   on track r1: 1 of 4 = 25 %. Observations: r3 3, r1 1, r4 2 = 6 / 4 = 1.5 (r6's has no mentor that year).
    # 2025-2026: r1 (3): E1 4 >= 4, E2 2 < 3 (1); r2 (3) 2; r3 (2): E1 2 < 3, E2 1 < 2 (2); r4 (2) 2;
    #   r5 (1): E1 2 >= 2 (0); r7, r8, r9 (1): 1 each. 16 EPAs, 10 behind: 6 of 16 = 37.5 %; on track r5: 1 of 8
    #   = 12.5 %. Observations up to 15 Mar: r2, r5, r7, r8 = 4 / 8 = 0.5 (r1's of 20 Mar is later).
    assert rows(result, "progress") == [
        ["2022-2023", 0, 0, None, 0, None, 0, None],
        ["2023-2024", 3, 6, 66.7, 1, 33.3, 3, 1.0],
        ["2024-2025", 4, 8, 50.0, 1, 25.0, 6, 1.5],
        ["2025-2026", 8, 16, 37.5, 1, 12.5, 4, 0.5],
    ]


def test_exam_results_by_year(coordinator, department, world):
    result = annual_report(coordinator, department, world["year"])
    # 2023-2024: overall 80, 70, 90: mean 80, median 80; test (78 + 70 + 88) / 3 = 78.7; OSCE (82 + 70 + 92) / 3
    #   = 81.3. 2024-2025: 60, 75, 50: mean 61.7, median 60; test (60 + 70 + 50) / 3 = 60; OSCE 190 / 3 = 63.3.
    # 2025-2026: 70 and 90: mean and median 80; test (60 + 90) / 2 = 75; OSCE (80 + 90) / 2 = 85.
    assert rows(result, "exams") == [
        ["2022-2023", 0, None, None, None, None, None, None],
        ["2023-2024", 3, 80.0, 80.0, 70.0, 90.0, 78.7, 81.3],
        ["2024-2025", 3, 61.7, 60.0, 50.0, 75.0, 60.0, 63.3],
        ["2025-2026", 2, 80.0, 80.0, 70.0, 90.0, 75.0, 85.0],
    ]


def test_response_rates_of_the_campaigns_closed_in_each_year(coordinator, department, world):
    result = annual_report(coordinator, department, world["year"])
    # 2023-2024: 3 of 4; 2024-2025: (2 + 3) of (5 + 3) = 62.5 %; 2025-2026: the open campaign does not count.
    # The other department's campaign never does.
    assert rows(result, "response_rates") == [
        ["2022-2023", 0, 0, 0, None],
        ["2023-2024", 1, 4, 3, 75.0],
        ["2024-2025", 2, 8, 5, 62.5],
        ["2025-2026", 0, 0, 0, None],
    ]


def test_satisfaction_of_whole_campaigns_under_the_anonymity_rules(coordinator, department, world):
    questionnaire = questionnaire_with_items(department)
    # Two closed campaigns in 2024-2025 with answers: 5 people agree (4) and say yes; 6 people disagree (2), yes.
    agree = closed_general(questionnaire, 5, closes_on=date(2025, 5, 31), likert=4)
    disagree = closed_general(questionnaire, 6, closes_on=date(2025, 6, 15), likert=2)
    result = annual_report(coordinator, department, world["year"])
    # 2024-2025: four campaigns closed (the world's two without answers are hidden: fewer than k = 5), two shown
    # with 5 + 6 = 11 respondents; agreement answers 11, of which 5 agree: 45.5 %.
    assert rows(result, "satisfaction") == [
        ["2022-2023", 0, 0, 0, 0, None],
        ["2023-2024", 1, 0, 0, 0, None],
        ["2024-2025", 4, 2, 11, 11, 45.5],
        ["2025-2026", 0, 0, 0, 0, None],
    ]
    section = next(s for s in result["sections"] if s["key"] == "satisfaction")
    detail = section["tables"][1]["rows"]
    hidden = "fewer than 5 people answered"
    likert, yes_no = "My mentor is interested in my success.", "Should having a mentor be mandatory?"
    assert [row[2:] for row in detail] == [
        [None, None, None, hidden],  # 2023-2024
        [None, None, None, hidden], [None, None, None, hidden],  # 2024-2025, the world's
        [likert, 5, 100.0, ""], [yes_no, 5, 100.0, ""],
        [likert, 6, 0.0, ""], [yes_no, 6, 100.0, ""],
    ]
    assert [row[1] for row in detail[3:]] == [agree.title] * 2 + [disagree.title] * 2


def test_the_clinical_sites_side_by_side_in_the_reports_year(coordinator, department, world):
    result = annual_report(coordinator, department, world["year"])
    # 2025-2026, by site. North (S1): residents r1, r2, r3, r5: 8 EPAs, 5 behind (r1 1, r2 2, r3 2): 37.5 %; on
    #   track r5: 1 of 4; observations r2, r5: 2 / 4 = 0.5. Mentors A (eligible, 2) and B (category, 2): 50 %
    #   eligible, both within 2-3: 4 / 2 = 2.0. Exams: r3's 70.
    # South (S2): r4, r7, r8, r9: 8 EPAs, 5 behind (r4 2, the others 1): 37.5 %; nobody on track; r7, r8 observed:
    #   0.5. Mentor C: eligible (refreshed in October 2025), 4 residents: over. Exams: r4's 90.
    # The department: 16 EPAs, 10 behind; 1 of 8 on track; 4 / 8; 2 of 3 eligible, 2 of 3 within; 8 / 3 = 2.7.
    assert rows(result, "sites") == [
        ["North Perinatal Centre", 4, 37.5, 25.0, 0.5, 2, 50.0, 100.0, 2.0, 1, 70.0, 70.0],
        ["South City Hospital", 4, 37.5, 0.0, 0.5, 1, 100.0, 0.0, 4.0, 1, 90.0, 90.0],
        ["The whole department", 8, 37.5, 12.5, 0.5, 3, 66.7, 66.7, 2.7, 2, 80.0, 80.0],
    ]
    one_site = annual_report(coordinator, department, world["year"], site=world["s1"])
    sites = next(s for s in one_site["sections"] if s["key"] == "sites")
    assert sites["tables"] == [] and "one clinical site" in sites["notes"][0]


def test_a_sites_report_counts_the_sites_residents_and_mentors_only(coordinator, department, world):
    result = annual_report(coordinator, department, world["year"], site=world["s1"])
    # Mentors A and B only: 2024-2025 A 1 (under), B 2: 3 / 2 = 1.5; 2025-2026 A 2, B 2: 4 / 2 = 2.0.
    assert rows(result, "load") == [
        ["2022-2023", 0, 0, None, 0, 0, 0, None],
        ["2023-2024", 1, 1, 100.0, 0, 0, 3, 3.0],
        ["2024-2025", 2, 1, 50.0, 1, 0, 3, 1.5],
        ["2025-2026", 2, 2, 100.0, 0, 0, 4, 2.0],
    ]
    # r4 (S2) left out of 2024-2025: 60 and 75.
    assert rows(result, "exams")[2] == ["2024-2025", 2, 67.5, 67.5, 60.0, 75.0, 65.0, 70.0]
    # Questionnaires belong to the department: the same figures, and the section says so.
    assert rows(result, "response_rates")[2] == ["2024-2025", 2, 8, 5, 62.5]
    notes = next(s for s in result["sections"] if s["key"] == "response_rates")["notes"]
    assert any("whole department" in note for note in notes)


def test_an_early_year_shows_the_years_before_it_that_exist(coordinator, department, world):
    result = annual_report(coordinator, department, AcademicYearFactory(start_year=2022))
    # 2019-2020 is within four years of 2022-2023 (2020 and 2021 do not exist); nobody was assigned yet.
    assert rows(result, "load") == [["2019-2020", 0, 0, None, 0, 0, 0, None], ["2022-2023", 0, 0, None, 0, 0, 0, None]]
    assert rows(result, "progress")[-1] == ["2022-2023", 0, 0, None, 0, None, 0, None]


def test_computing_the_report_again_gives_the_same_result(coordinator, department, world):
    closed_general(questionnaire_with_items(department), 5, closes_on=date(2025, 5, 31))
    first = annual_report(coordinator, department, world["year"])
    assert annual_report(coordinator, department, world["year"]) == first
    assert [s["key"] for s in first["sections"]] == ["compliance", "load", "progress", "exams", "satisfaction",
                                                     "response_rates", "sites"]


def _grow(world, department, specialty, make_mentor, make_resident, k):
    """k more mentors at S1, each with two residents, observations, decisions, exams; two closed campaigns, one
    with answers enough to be shown."""
    years = {y.start_year: y for y in (AcademicYearFactory(start_year=s) for s in (2023, 2024, 2025))}
    e1, _e2 = world["epas"]
    decider = UserFactory()
    for i in range(k):
        mentor = make_mentor()
        for j in range(2):
            resident = make_resident(year_of_study=1 + j)
            AssignmentFactory(resident=resident, mentor=mentor, started_on=date(2023 + j, 9, 1 + i % 20))
            ObservationFactory(resident=resident, epa=e1, mentor=mentor, observed_on=date(2024, 10, 1 + i % 20))
            EntrustmentDecision.objects.create(resident=resident, epa=e1, level=2 + j, rationale="Seen.",
                                               decided_by=decider, decided_at=at(date(2024, 6, 1 + i % 20)))
            ExamResultFactory(resident=resident, academic_year=years[2023 + j], overall_score=Decimal(50 + i))
    c = CampaignFactory(questionnaire=questionnaire_with_items(department), status="closed",
                        opens_on=date(2025, 1, 1), closes_on=date(2025, 2, 1 + k))
    for n in range(k):
        Participation.objects.create(campaign=c, user=UserFactory(), completed=n % 2 == 0)
    closed_general(questionnaire_with_items(department), 5 + k % 3, closes_on=date(2024, 11, 1 + k))


def test_the_number_of_queries_does_not_grow_with_the_data(coordinator, department, specialty, world, make_mentor,
                                                          make_resident):
    def queries(site=None):
        run = report_request(by=coordinator, kind="annual", department=department, academic_year=world["year"],
                             clinical_site=site)
        ReportRun.objects.filter(pk=run.pk).update(requested_at=at(AS_OF, 12))
        with CaptureQueriesContext(connection) as ctx:
            compute(run)
        return len(ctx.captured_queries)

    _grow(world, department, specialty, make_mentor, make_resident, 1)
    small = (queries(), queries(world["s1"]))
    _grow(world, department, specialty, make_mentor, make_resident, 12)
    assert (queries(), queries(world["s1"])) == small
