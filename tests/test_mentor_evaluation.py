"""The coordinator's yearly evaluation of a mentor, and the mentor's own record page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.evaluations import mentor_evaluation_record
from assessments.models import MentorEvaluation
from mentoring.services import assignment_create, assignment_end
from organization.selectors import current_academic_year
from tests.factories import AcademicYearFactory, CoordinatorFactory, DepartmentFactory, SpecialtyFactory, today
from tests.factories_assessments import EPAFactory, ExamResultFactory, MentorEvaluationFactory, ObservationFactory

pytestmark = pytest.mark.django_db

GOOD = {"supervision": 5, "feedback": 4, "availability": 3, "professionalism": 5, "development": 4}


@pytest.fixture
def year():
    return current_academic_year() or AcademicYearFactory(start_year=today().year - (today().month < 9))



# --- the service ----------------------------------------------------------------------------------------------


def test_evaluation_is_recorded_with_the_mean_as_score(mentor, year, coordinator):
    evaluation = mentor_evaluation_record(mentor=mentor, academic_year=year, ratings=GOOD, comment=" Solid. ",
                                          by=coordinator)

    evaluation.refresh_from_db()
    assert evaluation.score == Decimal("4.20")
    assert (evaluation.supervision, evaluation.availability, evaluation.comment, evaluation.evaluated_by) == (
        5, 3, "Solid.", coordinator)


@pytest.mark.parametrize(("ratings", "expected"), [
    ({"supervision": 5, "feedback": 5, "availability": 5, "professionalism": 5, "development": 4}, "4.80"),
    ({"supervision": 1, "feedback": 1, "availability": 1, "professionalism": 1, "development": 2}, "1.20"),
    ({"supervision": "3", "feedback": "3", "availability": "3", "professionalism": "3", "development": "3"}, "3.00"),
])
def test_score_is_the_mean_of_the_criteria(mentor, year, coordinator, ratings, expected):
    evaluation = mentor_evaluation_record(mentor=mentor, academic_year=year, ratings=ratings, by=coordinator)
    assert evaluation.score == Decimal(expected)


@pytest.mark.parametrize("bad", [0, 6, -1, "x", None, 4.5, True])
def test_ratings_out_of_range_are_refused(mentor, year, coordinator, bad):
    with pytest.raises(ValidationError) as exc:
        mentor_evaluation_record(mentor=mentor, academic_year=year, ratings=GOOD | {"feedback": bad}, by=coordinator)
    assert list(exc.value.error_dict) == ["feedback"]
    assert "1 to 5" in exc.value.message_dict["feedback"][0]
    assert MentorEvaluation.objects.count() == 0


def test_missing_and_unknown_criteria_are_refused(mentor, year, coordinator):
    partial = dict(GOOD)
    del partial["development"]
    with pytest.raises(ValidationError) as exc:
        mentor_evaluation_record(mentor=mentor, academic_year=year, ratings=partial, by=coordinator)
    assert "development" in exc.value.message_dict
    with pytest.raises(ValidationError, match="Unknown criteria: charisma"):
        mentor_evaluation_record(mentor=mentor, academic_year=year, ratings=GOOD | {"charisma": 5}, by=coordinator)


def test_second_evaluation_of_the_same_year_updates_the_one_row(mentor, year, coordinator):
    second = CoordinatorFactory(department=mentor.specialty.department).user
    first = mentor_evaluation_record(mentor=mentor, academic_year=year, ratings=GOOD, comment="First.",
                                     by=coordinator)

    again = mentor_evaluation_record(mentor=mentor, academic_year=year, ratings={k: 2 for k in GOOD},
                                     comment="Corrected.", by=second)

    assert again.pk == first.pk
    assert MentorEvaluation.objects.filter(mentor=mentor).count() == 1
    saved = MentorEvaluation.objects.get()
    assert (saved.score, saved.comment, saved.evaluated_by) == (Decimal("2.00"), "Corrected.", second)


def test_another_year_is_another_evaluation(mentor, year, coordinator):
    previous = AcademicYearFactory(start_year=year.start_year - 1)
    mentor_evaluation_record(mentor=mentor, academic_year=previous, ratings=GOOD, by=coordinator)
    mentor_evaluation_record(mentor=mentor, academic_year=year, ratings=GOOD, by=coordinator)
    assert MentorEvaluation.objects.filter(mentor=mentor).count() == 2


def test_only_a_coordinator_of_the_mentors_department_evaluates(mentor, year, make_mentor):
    other = CoordinatorFactory(department=DepartmentFactory()).user
    for user in (other, make_mentor().user, mentor.user):
        with pytest.raises(ValidationError, match="Only a coordinator"):
            mentor_evaluation_record(mentor=mentor, academic_year=year, ratings=GOOD, by=user)
    assert MentorEvaluation.objects.count() == 0


def test_comment_with_a_patient_identifier_is_refused(mentor, year, coordinator):
    with pytest.raises(ValidationError) as exc:
        mentor_evaluation_record(mentor=mentor, academic_year=year, ratings=GOOD, by=coordinator,
                                 comment="Handled baby 030512345678 well.")
    assert "comment" in exc.value.message_dict
    assert MentorEvaluation.objects.count() == 0


# --- the evaluation page --------------------------------------------------------------------------------------


def post_data(year, **overrides):
    return {"academic_year": year.pk, **{k: str(v) for k, v in GOOD.items()}, "comment": "Good year."} | overrides


def test_page_shows_radio_groups_for_the_current_year(client, coordinator, mentor, year):
    client.force_login(coordinator)

    response = client.get(reverse("assessments:mentor_evaluate", args=[mentor.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('type="radio"') == 25
    assert "Quality of clinical supervision" in html and "5 — excellent" in html
    assert response.context["form"]["academic_year"].value() == year.pk


def test_page_saves_then_corrects_the_same_year(client, coordinator, mentor, year):
    client.force_login(coordinator)
    url = reverse("assessments:mentor_evaluate", args=[mentor.pk])

    response = client.post(url, post_data(year))
    assert response.status_code == 302 and response["Location"] == f"{url}?year={year.pk}"
    client.post(url, post_data(year, supervision="1", comment="Corrected."))

    saved = MentorEvaluation.objects.get()
    assert (saved.supervision, saved.score, saved.comment) == (1, Decimal("3.40"), "Corrected.")
    page = client.get(f"{url}?year={year.pk}")
    assert page.context["existing"] == saved
    assert page.context["form"]["supervision"].value() == 1
    assert "Corrected." in page.content.decode()


def test_page_shows_previous_evaluations(client, coordinator, mentor, year):
    old = MentorEvaluationFactory(mentor=mentor, academic_year=AcademicYearFactory(start_year=2020),
                                  evaluated_by=coordinator, comment="A strong start.")
    client.force_login(coordinator)

    html = client.get(reverse("assessments:mentor_evaluate", args=[mentor.pk])).content.decode()

    assert str(old.academic_year) in html and "A strong start." in html and "4.40" in html


def test_page_errors_are_shown_on_the_form(client, coordinator, mentor, year):
    client.force_login(coordinator)

    response = client.post(reverse("assessments:mentor_evaluate", args=[mentor.pk]),
                           post_data(year, feedback="", comment="Id 123456789012"))

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"feedback"}
    response = client.post(reverse("assessments:mentor_evaluate", args=[mentor.pk]),
                           post_data(year, comment="Id 123456789012"))
    assert "patient identifiers" in response.context["form"].errors["comment"][0]
    assert MentorEvaluation.objects.count() == 0


def test_page_of_another_departments_mentor_is_404(client, mentor, year):
    other = CoordinatorFactory(department=DepartmentFactory()).user
    client.force_login(other)
    url = reverse("assessments:mentor_evaluate", args=[mentor.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, post_data(year)).status_code == 404
    client.force_login(mentor.user)
    assert client.post(url, post_data(year)).status_code == 404
    assert MentorEvaluation.objects.count() == 0


# --- the mentor's own record ----------------------------------------------------------------------------------


@pytest.fixture
def record_world(mentor, make_mentor, make_resident, coordinator, year):
    current = make_resident(year_of_study=2)
    past = make_resident()
    assignment_create(resident=current, mentor=mentor)
    assignment = assignment_create(resident=past, mentor=mentor)
    assignment_end(assignment=assignment, reason="Moved to another site.", by=coordinator)
    other_mentor = make_mentor()
    stranger = make_resident()
    assignment_create(resident=stranger, mentor=other_mentor)
    epa = EPAFactory(specialty=current.specialty)  # expected level 3 in year 2, nothing granted: behind
    ObservationFactory(resident=current, epa=epa, mentor=mentor, observed_on=today() - timedelta(days=10))
    ObservationFactory(resident=current, epa=epa, mentor=mentor, observed_on=today() - timedelta(days=200))
    ExamResultFactory(resident=current, stage="year_1", academic_year=AcademicYearFactory(start_year=2024),
                      test_score=Decimal("71.00"), osce_score=Decimal("73.00"), overall_score=Decimal("72.00"))
    ExamResultFactory(resident=past, stage="final", academic_year=year, test_score=Decimal("61.00"),
                      osce_score=Decimal("63.00"), overall_score=Decimal("62.00"))
    ExamResultFactory(resident=stranger, stage="year_1", academic_year=year, test_score=Decimal("55.55"),
                      osce_score=Decimal("44.44"), overall_score=Decimal("50.00"))
    MentorEvaluationFactory(mentor=mentor, academic_year=year, evaluated_by=coordinator, comment="Own comment.")
    MentorEvaluationFactory(mentor=other_mentor, academic_year=year, evaluated_by=coordinator,
                            comment="Someone else's comment.")
    return {"current": current, "past": past, "stranger": stranger, "other_mentor": other_mentor}


def test_mentor_record_shows_own_evaluations_residents_and_exams(client, mentor, record_world, coordinator):
    client.force_login(mentor.user)

    response = client.get(reverse("assessments:mentor_record"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Own comment." in html and "4.40" in html and coordinator.full_name in html
    assert "Quality of clinical supervision" in html
    residents = response.context["record"].residents
    assert [r.pk for r in residents] == [record_world["current"].pk]
    assert (residents[0].recent_observations, residents[0].epas_behind) == (1, 1)
    assert reverse("assessments:resident_progress", args=[record_world["current"].pk]) in html
    results = {(x.resident_id, x.is_current) for x in response.context["record"].exam_results}
    assert results == {(record_world["current"].pk, True), (record_world["past"].pk, False)}
    assert "72.00" in html and "62.00" in html


def test_mentor_record_never_shows_another_mentors(client, mentor, record_world):
    client.force_login(mentor.user)

    html = client.get(reverse("assessments:mentor_record")).content.decode()

    assert "Someone else&#x27;s comment." not in html and "Someone else's comment." not in html
    assert str(record_world["stranger"]) not in html
    assert "55.55" not in html and "50.00" not in html


def test_mentor_record_is_404_for_non_mentors(client, coordinator, make_resident):
    client.force_login(coordinator)
    assert client.get(reverse("assessments:mentor_record")).status_code == 404
    client.force_login(make_resident().user)
    assert client.get(reverse("assessments:mentor_record")).status_code == 404


def _record_queries(client, mentor):
    client.force_login(mentor.user)
    url = reverse("assessments:mentor_record")
    client.get(url)  # warm up (session, policy rows)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_mentor_record_query_count_does_not_grow(client, mentor, make_mentor, make_resident, coordinator, year):
    def add_mentee(n):
        resident = make_resident(year_of_study=1 + n % 3)
        assignment_create(resident=resident, mentor=mentor)
        epa = EPAFactory(specialty=resident.specialty)
        for day in range(3):
            ObservationFactory(resident=resident, epa=epa, mentor=mentor, observed_on=today() - timedelta(days=day))
        ExamResultFactory(resident=resident, academic_year=year)
        return resident

    add_mentee(0)
    MentorEvaluationFactory(mentor=mentor, academic_year=year, evaluated_by=coordinator)
    small = _record_queries(client, mentor)

    for n in range(1, 3):  # three residents (the mentor's capacity is four, one left for a past mentee)
        resident = add_mentee(n)
        ExamResultFactory(resident=resident, stage="year_2", academic_year=AcademicYearFactory(start_year=2020 + n))
    for start in range(2015, 2020):
        MentorEvaluationFactory(mentor=mentor, academic_year=AcademicYearFactory(start_year=start),
                                evaluated_by=CoordinatorFactory(department=mentor.specialty.department).user)
    past = make_resident()
    assignment_end(assignment=assignment_create(resident=past, mentor=mentor), reason="Left.", by=coordinator)
    ExamResultFactory(resident=past, stage="final", academic_year=year)
    SpecialtyFactory(department=mentor.specialty.department)
    large = _record_queries(client, mentor)

    assert small == large


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_evaluating_the_same_year_at_once_keep_one_row(make_mentor, department, coordinator):
    from tests.concurrency import run_concurrently

    mentor = make_mentor()
    year = AcademicYearFactory(start_year=2025)
    second = CoordinatorFactory(department=department).user

    outcomes = run_concurrently([
        lambda: mentor_evaluation_record(mentor=mentor, academic_year=year, ratings=GOOD, by=coordinator).pk,
        lambda: mentor_evaluation_record(mentor=mentor, academic_year=year, ratings={k: 2 for k in GOOD},
                                         by=second).pk,
    ])

    assert [o[0] for o in outcomes] == ["ok", "ok"] and outcomes[0][1] == outcomes[1][1]
    assert MentorEvaluation.objects.filter(mentor=mentor, academic_year=year).count() == 1
