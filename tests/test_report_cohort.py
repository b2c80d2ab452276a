"""The cohort report's figures on the small fixed dataset of tests/test_report_cohort_data.py, computed by hand.

Each section is computed through reports.services.compute(run), as the worker does; the arithmetic is in the
comments next to each expected figure.
"""

from datetime import date

import pytest

from tests.test_report_cohort_data import build, cohort_run, compute_counted, rows_of, section_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(department, specialty, site, coordinator):
    return build(department=department, specialty=specialty, site=site, coordinator=coordinator)


@pytest.fixture
def result(data):
    result, _queries = compute_counted(cohort_run(data.coordinator, data.cohort))
    return result


def test_the_report_is_as_of_the_day_it_was_asked_for(result):
    assert result["kind"] == "cohort" and result["as_of"] == "2026-03-15"
    assert [s["key"] for s in result["sections"]][:2] == ["size", "mentor_load"]


def test_size_by_status_and_track(result):
    size = section_of(result, "size")
    # 6 residents: r1-r4 active, r5 on leave, r6 withdrawn, none graduated; 1/6 = 16.7 %, 4/6 = 66.7 %.
    assert rows_of(size, "by_status") == [["active", 4, 66.7], ["on leave", 1, 16.7], ["graduated", 0, 0.0],
                                          ["withdrawn", 1, 16.7]]
    # Tracks: r1 r2 r5 r6 standard, r3 support, r4 research.
    assert rows_of(size, "by_track") == [["standard", 4, 66.7], ["support", 1, 16.7], ["research", 1, 16.7]]
    assert {c["key"]: c["table"] for c in size["charts"]} == {"by_status": "by_status", "by_track": "by_track"}
    assert "6 residents" in size["notes"][0]


def test_mentor_load_against_the_policy(result, data):
    load = section_of(result, "mentor_load")
    # The cohort's current mentors: M1 (r1, r2), M2 (r3), M3 (r5); M4's only cohort assignment (r6) has ended.
    # Whole loads: M1 2 (below 3), M2 4 (= maximum: within), M3 5 (above 4).
    mentors = sorted((data.m1, data.m2, data.m3), key=lambda m: (m.user.last_name, m.user.first_name, m.pk))
    by_mentor = {data.m1.pk: [2, 2, "no"], data.m2.pk: [1, 4, "yes"], data.m3.pk: [1, 5, "no"]}
    # Columns: mentor, residents of this cohort, whole clinical load, within 3-4; by the mentor's name.
    assert rows_of(load, "mentors") == [[str(m), *by_mentor[m.pk]] for m in mentors]
    assert rows_of(load, "summary") == [
        ["Mentors", 3, 100.0],
        ["Mentors within 3-4 residents", 1, 33.3],  # M2
        ["Mentors with fewer than 3 residents", 1, 33.3],  # M1
        ["Mentors with more than 4 residents", 1, 33.3],  # M3
        ["Residents in training", 4, 100.0],  # r1-r4 (r5 on leave, r6 withdrawn)
        ["Residents in training without a clinical mentor", 1, 25.0],  # r4: 1 / 4
    ]
    assert rows_of(load, "by_load") == [[2, 1], [4, 1], [5, 1]]  # one mentor each with 2, 4 and 5 residents
    assert load["charts"][0]["table"] == "by_load"


def test_mentor_eligibility_per_rule(result):
    eligibility = section_of(result, "eligibility")
    # Mentors M1, M2, M3 as of 15 March 2026 (policy: highest or first, 5 years, refresher every 3 years):
    #   active       M1 M2 M3        3/3
    #   category     M1 (highest), M3 (first); M2 "second"            2/3 = 66.7 %
    #   experience   M1; M3 exactly 60 months; M2 59 months           2/3
    #   certificate  M1; M2 expired on the 14th; M3 has no number     1/3 = 33.3 %
    #   training     M1 due 2027; M2 due on the 15th itself; M3 overdue since 14 March 2025   2/3
    #   eligible     M1                                               1/3
    assert rows_of(eligibility, "criteria") == [
        ["Active (not marked inactive)", 3, 100.0],
        ["Qualification category: highest or first", 2, 66.7],
        ["At least 5 years of practice in the specialty", 2, 66.7],
        ["Specialist certificate valid", 1, 33.3],
        ["Mentor training done, refresher within 3 years", 2, 66.7],
        ["Eligible on every count", 1, 33.3],
    ]
    assert eligibility["charts"][0]["unit"] == "%" and eligibility["charts"][0]["max"] == 100


def test_curricula_approval_and_split(result):
    curricula = section_of(result, "curricula")
    # 2025-2026, residents in training r1-r4: r1 approved, r2 submitted, r3 draft, r4 none; 1/4 = 25 % each.
    # (r5's draft does not count: on leave; r1's 2024-2025 curriculum is another year.)
    assert rows_of(curricula, "approval") == [["approved", 1, 25.0], ["submitted", 1, 25.0], ["draft", 1, 25.0],
                                              ["none yet", 1, 25.0]]
    # Disciplines: r1 2 (20/70/10 %), r2 1 (20/70.5/9.5 % -> 20/71/10: within), r3 2 of which one 40/50/10 %.
    # 4 of 5 within (80 %); curricula with every discipline within: r1 r2 = 2 of 3 (66.7 %); the bad one is out on
    # classroom (40 > 30) and clinical (50 < 60): 1 of 5 each (20 %).
    assert rows_of(curricula, "split") == [
        ["Curricula with every discipline within the bounds", 2, 3, 66.7],
        ["Disciplines within the bounds", 4, 5, 80.0],
        ["Disciplines outside the bounds of: Classroom work (10-30 %)", 1, 5, 20.0],
        ["Disciplines outside the bounds of: Clinical work under the mentor (60-80 %)", 1, 5, 20.0],
        ["Disciplines outside the bounds of: Independent work (10-10 %)", 0, 5, 0.0],
    ]
    assert next(t for t in curricula["tables"] if t["key"] == "approval")["title"] == "Curricula of 2025-2026"


def test_night_duties_per_completed_month(result, data):
    activity = section_of(result, "activity")
    rows = rows_of(activity, "night_duties")
    # The 12 completed months before 15 March 2026: March 2025 to February 2026. Residents in training: r1-r4.
    assert [r[0] for r in rows] == [f"2025-{m:02d}" for m in range(3, 13)] + ["2026-01", "2026-02"]
    assert rows[:10] == [[f"2025-{m:02d}", 4, 0, 0.0, 0.0] for m in range(3, 13)]
    # January: r1 4 confirmed (met); the others none: 1 of 4 = 25 %, mean 4 / 4 = 1.
    assert rows[10] == ["2026-01", 4, 1, 25.0, 1.0]
    # February: r1 4 (met), r2 3 confirmed + 1 awaiting + 1 returned (not met), r3 5 (met; its 1 March duty is
    # March in Almaty), r4 0: 2 of 4 = 50 %, mean (4 + 3 + 5 + 0) / 4 = 3. r5 (on leave) is not counted.
    assert rows[11] == ["2026-02", 4, 2, 50.0, 3.0]


def test_the_night_duty_figures_agree_with_the_requirement_pages(result, data):
    from residents.models import Resident
    from residents.requirements import duty_counts_for_residents

    rows = {r[0]: r for r in rows_of(section_of(result, "activity"), "night_duties")}
    in_training = Resident.objects.filter(cohort=data.cohort, status="active")
    for month in (date(2026, 1, 1), date(2026, 2, 1), date(2025, 12, 1)):
        figures = duty_counts_for_residents(in_training, month)
        assert rows[month.strftime("%Y-%m")][2] == sum(1 for f in figures.values() if f.met)


def test_clinical_activity_by_kind_and_against_the_plan(result):
    activity = section_of(result, "activity")
    # 1 September 2025 - 15 March 2026, r1-r4: rounds r1 6 + 4 confirmed, 5 awaiting (3 entries); consultation r2
    # 3.5 confirmed. Not counted: r3's returned entry, r1's entry of 31 August 2025, r5's (on leave).
    assert rows_of(activity, "by_kind") == [["rounds", 3, 10.0, 5.0], ["consultation", 1, 3.5, 0]]
    # Planned clinical hours of the 2025-2026 curricula of r1-r4: r1 84 + 84, r2 84.6, r3 84 + 60 = 396.6;
    # confirmed 10 + 3.5 = 13.5, that is 13.5 / 396.6 = 3.4 %.
    assert rows_of(activity, "plan") == [[396.6, 13.5, 3.4]]


def test_epa_progression_against_the_expected_levels(result, data):
    epa = section_of(result, "epa")
    # Residents r1-r4 (year 2) and r5 (year 1, on leave); r6 (withdrawn) and o1 are not counted.
    # EPA 1 expects 3 in year 2 and 2 in year 1: r1 3 (at), r2 4 (above), r3 2, r4 1, r5 1 (below 2):
    #   2 of 5 = 40 %; mean level (3 + 4 + 2 + 1 + 1) / 5 = 2.2; mean expected (3 * 4 + 2) / 5 = 2.8.
    #   Observations 1 September 2025 - 15 March 2026: r1 twice, r5 once = 3 (r6's is not counted).
    # EPA 2 expects 2 in year 2 and 1 in year 1: r1 1, r2 2 (at), r3 5 (above), r4 1, r5 1 (at 1):
    #   3 of 5 = 60 %; mean level (1 + 2 + 5 + 1 + 1) / 5 = 2; mean expected (2 * 4 + 1) / 5 = 1.8.
    #   Observations: r2 on 20 January = 1 (31 August 2025 is the year before). EPA 3 is retired.
    assert rows_of(epa, "epas") == [["EPA 1", data.e1.title, 2.8, 5, 2, 40.0, 2.2, 3],
                                    ["EPA 2", data.e2.title, 1.8, 5, 3, 60.0, 2.0, 1]]
    levels = next(c for c in epa["charts"] if c["key"] == "levels")
    assert (levels["reference"], levels["max"]) == ("expected", 5)


def test_exam_results_of_the_cohort_and_the_trend(result):
    exams = section_of(result, "exams")
    # This cohort (intake 2024), stage year 1, r1-r5 (r5 on leave counts: results stay part of the record):
    #   test    80 60 90 70 40 -> sorted 40 60 70 80 90: mean 340 / 5 = 68, median 70, range 40-90
    #   OSCE    70 90 50 60 40 -> 40 50 60 70 90: mean 310 / 5 = 62, median 60, range 40-90
    #   overall 75 75 70 65 40 -> 40 65 70 75 75: mean 325 / 5 = 65, median 70, range 40-75
    # Stage year 2, r1 r2: test 85 65 (mean = median 75), OSCE 75 95 (85), overall 80 80.
    year_1 = [68.0, 70.0, 40.0, 90.0, 62.0, 60.0, 40.0, 90.0, 65.0, 70.0, 40.0, 75.0]
    year_2 = [75.0, 75.0, 65.0, 85.0, 85.0, 85.0, 75.0, 95.0, 80.0, 80.0, 80.0, 80.0]
    assert rows_of(exams, "cohort") == [["intermediate certification, year 1", 5, *year_1],
                                        ["intermediate certification, year 2", 2, *year_2]]
    # Intake 2023: year 1 o1 (50, 70, 60) and o2 (90, 90, 90): means = medians 70, 80, 75; year 2 o1 70 70 70.
    # Intake 2025: year 1 x1 88 88 88. The other specialty's result is not counted.
    assert rows_of(exams, "trend") == [
        ["2023-2024", "intermediate certification, year 1", 2, 70.0, 70.0, 50.0, 90.0, 80.0, 80.0, 70.0, 90.0,
         75.0, 75.0, 60.0, 90.0],
        ["2023-2024", "intermediate certification, year 2", 1, *[70.0] * 12],
        ["2024-2025", "intermediate certification, year 1", 5, *year_1],
        ["2024-2025", "intermediate certification, year 2", 2, *year_2],
        ["2025-2026", "intermediate certification, year 1", 1, *[88.0] * 12],
    ]
    # Median overall score per intake and stage: 2023 (60, 90) -> 75 and 70; 2024 70 and 80; 2025 88, no year 2.
    assert rows_of(exams, "overall_medians") == [["2023-2024", 75.0, 70.0], ["2024-2025", 70.0, 80.0],
                                                 ["2025-2026", 88.0, None]]
    trend = next(c for c in exams["charts"] if c["key"] == "trend")
    assert (trend["type"], trend["values"]) == ("line", ["year_1", "year_2"])


def test_satisfaction_shows_whole_campaigns_where_k_is_reached(result, data):
    satisfaction = section_of(result, "satisfaction")
    # Invited: autumn, spring and winter (the mentors' campaign invited nobody of the cohort). Closing dates are
    # the day each was closed (the test's today) or the planned one (spring, still open).
    for campaign in (data.autumn, data.spring, data.winter):
        campaign.refresh_from_db()
    autumn, spring, winter = (c.closes_on.isoformat() for c in (data.autumn, data.spring, data.winter))
    assert rows_of(satisfaction, "campaigns") == [
        ["Autumn 2025", "closed", autumn, 5, 6, "yes", ""],  # 6 answered >= 5
        ["Spring 2026", "open", spring, 5, None, "no", "still open: figures appear when it closes"],
        ["Winter 2026", "closed", winter, 5, None, "no", "fewer than 5 people answered"],  # 3 < 5
    ]
    q = {item.code: item.text for item in data.autumn.questionnaire.sections.get().items.all()}
    # Autumn, the whole campaign (o1, o2, x1 answered too): q1 Likert 5 4 4 3 2 5 -> 4 of 6 agree (4 or 5) =
    # 66.7 %, mean 23 / 6 = 3.8; q4 yes / no: 6 yes = 100 %; q5 (number) answered by 3 < 5: hidden, n too.
    # q2, q3 (choices) and q6 (free text) are not in this table.
    assert rows_of(satisfaction, "items") == [
        ["Autumn 2025", "q1", q["q1"], 6, 66.7, None, 3.8, ""],
        ["Autumn 2025", "q4", q["q4"], 6, None, 100.0, None, ""],
        ["Autumn 2025", "q5", q["q5"], None, None, None, None, "hidden: fewer than 5 people answered this question"],
    ]
    # The Likert questions side by side, a column per shown campaign (only autumn here).
    agreeing = next(t for t in satisfaction["tables"] if t["key"] == "agreeing")
    assert [c["label"] for c in agreeing["columns"]] == ["Variable", "Question", "Autumn 2025"]
    assert agreeing["rows"] == [["q1", q["q1"], 66.7]]
    assert satisfaction["charts"][0]["values"] == [f"c{data.autumn.pk}"]
    assert "not of this cohort" in satisfaction["notes"][0]


def test_response_rates_of_whole_campaigns(result, data):
    rates = section_of(result, "response_rates")
    # Answered of invited: autumn 6 of 8 = 75 %, spring 1 of 3 = 33.3 %, winter 3 of 4 = 75 %.
    assert [[r[0], r[1], r[4], r[5], r[6]] for r in rows_of(rates, "rates")] == [
        ["Autumn 2025", "closed", 8, 6, 75.0], ["Spring 2026", "open", 3, 1, 33.3],
        ["Winter 2026", "closed", 4, 3, 75.0]]


def test_the_hours_against_the_plan_agree_with_the_requirement_pages(result, data):
    from residents.models import Resident
    from residents.requirements import clinical_hours_for_residents

    # The residents' own figures (residents.requirements), added up, give the report's row.
    figures = clinical_hours_for_residents(Resident.objects.filter(cohort=data.cohort, status="active"),
                                           data.years[2025]).values()
    planned, confirmed = sum(f.planned for f in figures), sum(f.confirmed for f in figures)
    assert rows_of(section_of(result, "activity"), "plan") == [[float(planned), float(confirmed), 3.4]]
