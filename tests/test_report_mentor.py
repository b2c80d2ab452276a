"""The mentor report (reports/sections/mentor.py): each section's figures on a small fixed dataset, computed by hand
below; nothing of another mentor in it; its number of queries does not grow with the data.

The report is for mentor M, academic year 2024-2025 (1 Sep 2024 - 31 Aug 2025), as of 15 March 2025: the year's
window is 1 Sep 2024 - 15 Mar 2025. Another mentor, N, works with some of the same residents.
"""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import EntrustmentDecision
from mentoring.models import Meeting, MeetingParticipant
from mentoring.services import clinical_programme
from reports.models import ReportRun
from reports.services import compute, report_request
from residents.models import Cohort
from tests.factories import AcademicYearFactory, AssignmentFactory, UserFactory
from tests.factories_assessments import EPAFactory, ExamResultFactory, MentorEvaluationFactory, ObservationFactory
from tests.factories_surveys import questionnaire_with_items
from tests.test_survey_results_data import closed_about_mentors, roomy_mentors

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 3, 15)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def mentor_report(coordinator, mentor, year, *, by=None):
    run = report_request(by=by or coordinator, kind="mentor", department=mentor.specialty.department, mentor=mentor,
                         academic_year=year)
    ReportRun.objects.filter(pk=run.pk).update(requested_at=at(AS_OF, 12))
    run.refresh_from_db()
    return compute(run)


def by_key(result, key):
    return next(s for s in result["sections"] if s["key"] == key)


def rows(section, key):
    return next(t for t in section["tables"] if t["key"] == key)["rows"]


def meeting(programme, mentor, mentees, day, *, fmt="one_to_one", status="accepted", declined=()):
    m = Meeting.objects.create(programme=programme, mentor_user=mentor.user, format=fmt, starts_at=at(day),
                               ends_at=at(day, 11), agenda="Progress review", status=status,
                               proposed_by=mentor.user)
    MeetingParticipant.objects.create(meeting=m, user=mentor.user, role="mentor", response="accepted")
    for r in mentees:
        MeetingParticipant.objects.create(meeting=m, user=r.user, role="mentee",
                                          response="declined" if r in declined else "accepted")
    return m


@pytest.fixture
def world(department, specialty, make_mentor, make_resident):
    """M mentors Adams (year 2, since June 2024, still) and Brown (year 1, Oct 2024 - Jan 2025, then N).
    Clark was M's until August 2024 (before the year); Davis is N's only; Evans comes to M after the report's day."""
    year = AcademicYearFactory(start_year=2024)
    AcademicYearFactory(start_year=2023)
    m = make_mentor(user=UserFactory(last_name="Mentorova", first_name="Maria"))
    n = make_mentor(user=UserFactory(last_name="Nurlanov", first_name="Nurlan"))
    # Adams started in 2023 (year 2 in 2024-2025), the others in 2024 (year 1).
    intake_2023 = Cohort.objects.get_or_create(specialty=specialty, intake_year=AcademicYearFactory(start_year=2023))[0]
    adams = make_resident(user=UserFactory(last_name="Adams", first_name="Ann"), year_of_study=3, cohort=intake_2023)
    brown = make_resident(user=UserFactory(last_name="Brown", first_name="Ben"), year_of_study=1)
    clark = make_resident(user=UserFactory(last_name="Clark", first_name="Cid"), year_of_study=2)
    davis = make_resident(user=UserFactory(last_name="Davis", first_name="Dina"), year_of_study=2)
    evans = make_resident(user=UserFactory(last_name="Evans", first_name="Eve"), year_of_study=1)
    AssignmentFactory(resident=adams, mentor=m, started_on=date(2024, 6, 1))
    AssignmentFactory(resident=brown, mentor=m, started_on=date(2024, 10, 1), ended_on=date(2025, 1, 31))
    AssignmentFactory(resident=brown, mentor=n, started_on=date(2025, 2, 1))
    AssignmentFactory(resident=clark, mentor=m, started_on=date(2023, 9, 1), ended_on=date(2024, 8, 15))
    AssignmentFactory(resident=davis, mentor=n, started_on=date(2024, 9, 1))
    AssignmentFactory(resident=evans, mentor=m, started_on=date(2025, 4, 1))

    # EPAs: expected levels by year of study 1, 2, 3; the retired E4 does not count.
    e1 = EPAFactory(specialty=specialty, code="E1", title="Newborn care", position=1, expected=[2, 3, 4])
    e2 = EPAFactory(specialty=specialty, code="E2", title="Resuscitation", position=2, expected=[2, 3, 4])
    e3 = EPAFactory(specialty=specialty, code="E3", title="Discharge", position=3, expected=[1, 2, 3])
    EPAFactory(specialty=specialty, code="E4", title="Retired", position=4, expected=[2, 2, 2], is_active=False)
    coordinator_user = UserFactory()
    for resident, epa, level in ((adams, e1, 3), (adams, e2, 2), (brown, e2, 2)):
        EntrustmentDecision.objects.create(resident=resident, epa=epa, level=level, rationale="Observed often.",
                                           decided_by=coordinator_user, decided_at=at(date(2025, 1, 5)))
    # Raised after the report's day: not counted.
    later = EntrustmentDecision.objects.get(resident=adams, epa=e2)
    later.level, later.decided_at = 4, at(date(2025, 4, 1))
    later.save()

    def observe(resident, epa, day, level=2, late=False, by=m):
        ObservationFactory(resident=resident, epa=epa, mentor=by, observed_on=day, level=level, is_late=late)

    observe(adams, e1, date(2024, 9, 10), level=2)
    observe(adams, e1, date(2024, 9, 20), level=3, late=True)
    observe(adams, e2, date(2024, 11, 5), level=2)
    observe(brown, e1, date(2024, 11, 15), level=1)
    observe(brown, e3, date(2025, 1, 10), level=2, late=True)
    observe(adams, e2, date(2024, 8, 30))  # before the year
    observe(adams, e1, date(2025, 3, 16))  # after the report's day
    observe(brown, e1, date(2025, 2, 10), by=n)  # Brown is N's by then
    observe(adams, e2, date(2024, 12, 1), by=n)  # N observes M's resident: Adams received it while with M
    observe(davis, e1, date(2024, 10, 1), by=n)

    programme = clinical_programme(department)
    meeting(programme, m, [adams], date(2024, 10, 10))  # held, one-to-one
    meeting(programme, m, [adams, brown], date(2024, 12, 5), fmt="group")  # held, both attended
    meeting(programme, m, [adams, brown], date(2025, 1, 15), fmt="group", declined=[brown])  # held, Adams only
    meeting(programme, m, [brown], date(2025, 1, 20), status="cancelled")
    meeting(programme, m, [adams], date(2025, 2, 1), status="proposed")
    meeting(programme, m, [adams], date(2025, 3, 20))  # accepted, after the report's day
    meeting(programme, m, [adams], date(2024, 8, 20))  # before the year
    meeting(programme, n, [brown], date(2025, 2, 15))  # N's meeting

    def exam(resident, stage, test, osce, overall, exam_year=year, held_on=None):
        ExamResultFactory(resident=resident, stage=stage, academic_year=exam_year, test_score=Decimal(test),
                          osce_score=Decimal(osce), overall_score=Decimal(overall), held_on=held_on)

    exam(adams, "year_2", "80", "90", "85", held_on=date(2025, 6, 10))
    exam(brown, "year_1", "72", "60", "66")
    exam(adams, "year_1", "50", "50", "50", exam_year=AcademicYearFactory(start_year=2023))  # an earlier year
    for other in (clark, davis, evans):  # not M's residents in the year (Evans came after the report's day)
        exam(other, "year_2", "10", "10", "10")

    MentorEvaluationFactory(mentor=m, academic_year=AcademicYearFactory(start_year=2023), supervision=4, feedback=4,
                            availability=3, professionalism=4, development=4, score=Decimal("3.80"))
    MentorEvaluationFactory(mentor=m, academic_year=year, supervision=5, feedback=4, availability=4,
                            professionalism=5, development=4, score=Decimal("4.40"))
    MentorEvaluationFactory(mentor=m, academic_year=AcademicYearFactory(start_year=2025), score=Decimal("2.00"),
                            supervision=2, feedback=2, availability=2, professionalism=2, development=2)
    MentorEvaluationFactory(mentor=n, academic_year=year, score=Decimal("1.00"), supervision=1, feedback=1,
                            availability=1, professionalism=1, development=1)
    return {"year": year, "m": m, "n": n, "residents": (adams, brown, clark, davis, evans)}


def test_residents_mentored_in_the_year_with_their_progress(coordinator, world):
    section = by_key(mentor_report(coordinator, world["m"], world["year"]), "residents")
    # Adams, year 2 that year (intake 2023; year 3 now): by 15 March E1 granted 3 >= 3 (at), E2 granted 2 < 3
    #   (behind; raised to 4 only in April), E3 base 1 < 2 (behind): 1 of 3 = 33.3 %.
    #   Received while with M in the window: 10 Sep, 20 Sep, 5 Nov (M) and 1 Dec (N) = 4.
    # Brown, year 1 (intake 2024): E1 base 1 < 2 (behind), E2 granted 2 >= 2, E3 base 1 >= 1: 2 of 3 = 66.7 %.
    #   Received while with M (1 Oct - 31 Jan): 15 Nov, 10 Jan = 2 (N's 10 Feb is after).
    assert rows(section, "residents") == [
        ["Adams Ann", 2, "active", "2024-06-01", "yes", 3, 1, 33.3, 4],
        ["Brown Ben", 1, "active", "2024-10-01", "2025-01-31", 3, 2, 66.7, 2],
    ]
    assert [c["key"] for c in section["charts"]] == ["residents_epas"]


def test_exam_outcomes_of_the_year(coordinator, world):
    section = by_key(mentor_report(coordinator, world["m"], world["year"]), "exams")
    # Adams 80 / 90 / 85 and Brown 72 / 60 / 66 (test / OSCE / overall); the others are not M's in the year.
    # Overall: (85 + 66) / 2 = 75.5 (the median of two is their mean); test (80 + 72) / 2 = 76; OSCE 75.
    assert rows(section, "exam_summary") == [["Overall score", 2, 75.5, 75.5, 66.0, 85.0],
                                             ["Test score", 2, 76.0, 76.0, 72.0, 80.0],
                                             ["OSCE score", 2, 75.0, 75.0, 60.0, 90.0]]
    assert rows(section, "exam_results") == [
        ["Adams Ann", "intermediate certification, year 2", "2025-06-10", 80.0, 90.0, 85.0],
        ["Brown Ben", "intermediate certification, year 1", None, 72.0, 60.0, 66.0]]


def test_observation_activity_per_month_and_per_epa(coordinator, world):
    section = by_key(mentor_report(coordinator, world["m"], world["year"]), "observations")
    # M's observations in the window: 10 Sep, 20 Sep (late), 5 Nov, 15 Nov, 10 Jan (late) = 5; 2 late = 40 %;
    # residents Adams and Brown; EPAs E1, E2, E3.
    assert rows(section, "observations_summary") == [[5, 2, 40.0, 2, 3]]
    # September to March (the report's month): Sep 2 (1 late), Nov 2, Jan 1 (1 late), the others 0.
    assert rows(section, "observations_by_month") == [
        ["September 2024", 2, 1], ["October 2024", 0, 0], ["November 2024", 2, 0], ["December 2024", 0, 0],
        ["January 2025", 1, 1], ["February 2025", 0, 0], ["March 2025", 0, 0]]
    # E1: levels 2, 3, 1 -> mean 2.0, 1 of 3 late = 33.3 %; E2: one at 2; E3: one at 2, late.
    assert rows(section, "observations_by_epa") == [
        ["E1", "Newborn care", 3, 1, 33.3, 2.0], ["E2", "Resuscitation", 1, 0, 0.0, 2.0],
        ["E3", "Discharge", 1, 1, 100.0, 2.0]]


def test_meetings_held_per_format_and_per_mentee(coordinator, world):
    section = by_key(mentor_report(coordinator, world["m"], world["year"]), "meetings")
    # One-to-one: held 10 Oct; accepted 20 Mar is still to come; 1 Feb awaits an answer; 20 Jan was cancelled.
    # Group: 5 Dec and 15 Jan held. 20 Aug 2024 is before the year; N's 15 Feb is not M's.
    assert rows(section, "meetings_summary") == [
        ["one-to-one", 1, 1, 1, 1], ["group", 2, 0, 0, 0], ["All meetings", 3, 1, 1, 1]]
    # Adams attended 10 Oct (one-to-one), 5 Dec and 15 Jan (group); Brown 5 Dec only (declined 15 Jan).
    assert rows(section, "meetings_by_mentee") == [
        ["Adams Ann", "classic clinical mentoring", 1, 2, 3, "2025-01-15"],
        ["Brown Ben", "classic clinical mentoring", 0, 1, 1, "2024-12-05"]]


def test_evaluations_this_year_and_earlier_as_a_trend(coordinator, world):
    section = by_key(mentor_report(coordinator, world["m"], world["year"]), "evaluations")
    # 2025-2026 is after the report's year; N's evaluation is N's.
    assert rows(section, "evaluations") == [["2023-2024", 3.8, 4, 4, 3, 4, 4], ["2024-2025", 4.4, 5, 4, 4, 5, 4]]
    assert not any("No evaluation" in note for note in section["notes"])
    earlier = by_key(mentor_report(coordinator, world["m"], AcademicYearFactory(start_year=2022)), "evaluations")
    assert rows(earlier, "evaluations") == [] and "No evaluation recorded for 2022-2023 yet." in earlier["notes"]


def test_satisfaction_shows_only_the_pooled_blocks_the_mentor_sees(coordinator, department, world, make_resident):
    m, n = world["m"], world["n"]
    roomy_mentors(department)
    questionnaire = questionnaire_with_items(department, title="Mentor satisfaction")
    # M: 3 + 2 answers -> one block of 5 (k = 5); N: 2 + 2 -> never shown. Everyone answers q1 "agree" (4) and
    # q4 "yes": 5 of 5 = 100 %.
    closed_about_mentors(questionnaire, {m: 3, n: 2}, make_resident, closes_on=date(2025, 5, 31), title="Spring 2025")
    closed_about_mentors(questionnaire, {m: 2, n: 2}, make_resident, closes_on=date(2025, 12, 20), title="Autumn 2025")
    section = by_key(mentor_report(coordinator, m, world["year"]), "satisfaction")
    [shown] = section["tables"]
    assert shown["title"] == "Mentor satisfaction"
    assert shown["rows"] == [["Spring 2025, Autumn 2025", "My mentor is interested in my success.", 100.0, 5],
                             ["Spring 2025, Autumn 2025", "Should having a mentor be mandatory?", 100.0, 5]]
    hidden = by_key(mentor_report(coordinator, n, world["year"]), "satisfaction")
    assert hidden["tables"] == []
    assert any("Not enough answers yet" in note for note in hidden["notes"])


def test_a_mentors_own_report_shows_nothing_of_another_mentor(coordinator, department, world, make_resident):
    m, n = world["m"], world["n"]
    roomy_mentors(department)
    questionnaire = questionnaire_with_items(department)
    closed_about_mentors(questionnaire, {n: 5}, make_resident, closes_on=date(2025, 5, 31), title="N only",
                         text="Nurlan is great.")
    result = mentor_report(coordinator, m, world["year"], by=m.user)
    text = repr(result)
    # N's name, N's resident Davis, N's evaluation (score 1.0), N's pooled block and comments: none of them.
    for foreign in ("Nurlanov", "Davis", "N only", "Nurlan is great", "Clark", "Evans"):
        assert foreign not in text
    assert by_key(result, "evaluations")["tables"][0]["rows"][-1][1] == 4.4
    assert by_key(result, "satisfaction")["tables"] == []


def test_computing_the_report_again_gives_the_same_result(coordinator, department, world, make_resident):
    roomy_mentors(department)
    closed_about_mentors(questionnaire_with_items(department), {world["m"]: 5}, make_resident,
                         closes_on=date(2025, 5, 31), text="Kind and clear.")
    first = mentor_report(coordinator, world["m"], world["year"])
    assert mentor_report(coordinator, world["m"], world["year"]) == first
    assert "Kind and clear." not in repr(first)  # free text stays on the results page


def _grow(world, department, specialty, make_mentor, make_resident, k):
    """k more residents for M, with observations and meetings; another evaluation; a pooled survey block."""
    m = world["m"]
    epa = EPAFactory(specialty=specialty)
    programme = clinical_programme(department)
    for i in range(k):
        r = make_resident(year_of_study=1 + i % 3)
        AssignmentFactory(resident=r, mentor=m, started_on=date(2024, 9, 1 + i % 20))
        for day in (date(2024, 10, 1 + i % 20), date(2025, 2, 3)):
            ObservationFactory(resident=r, epa=epa, mentor=m, observed_on=day, is_late=bool(i % 2))
        meeting(programme, m, [r], date(2024, 11, 1 + i % 20))
        meeting(programme, m, [r, world["residents"][0]], date(2025, 1, 2 + i % 20), fmt="group")
        ExamResultFactory(resident=r, academic_year=world["year"], overall_score=Decimal(60 + i))
    MentorEvaluationFactory(mentor=m, academic_year=AcademicYearFactory(start_year=2020 + k % 3))
    roomy_mentors(department)
    questionnaire = questionnaire_with_items(department)
    closed_about_mentors(questionnaire, {m: 5, make_mentor(): 5}, make_resident, closes_on=date(2025, 5, 31))


def test_the_number_of_queries_does_not_grow_with_the_data(coordinator, department, specialty, world, make_mentor,
                                                          make_resident):
    def queries():
        run = report_request(by=coordinator, kind="mentor", department=department, mentor=world["m"],
                             academic_year=world["year"])
        ReportRun.objects.filter(pk=run.pk).update(requested_at=at(AS_OF, 12))
        with CaptureQueriesContext(connection) as ctx:
            compute(run)
        return len(ctx.captured_queries)

    _grow(world, department, specialty, make_mentor, make_resident, 2)
    small = queries()
    _grow(world, department, specialty, make_mentor, make_resident, 12)
    assert queries() == small
