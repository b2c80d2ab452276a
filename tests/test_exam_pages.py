"""The coordinator's exam results pages: list with filters, record, correct with history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.exams import exam_result_record
from assessments.models import ExamResult
from tests.factories import (
    AcademicYearFactory,
    CohortFactory,
    CoordinatorFactory,
    DepartmentFactory,
    ResidentFactory,
    today,
)
from tests.factories_assessments import ExamResultFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    return AcademicYearFactory(start_year=2025)


@pytest.fixture
def resident(make_resident):
    return make_resident()


def form_data(resident, year, **overrides):
    return {"resident": resident.pk, "stage": "year_1", "academic_year": year.pk, "held_on": "",
            "test_score": "98,5", "osce_score": "97.5"} | overrides


# --- list -----------------------------------------------------------------------------------------------------


def test_list_shows_test_osce_and_overall(client, coordinator, department, resident, year):
    exam_result_record(resident=resident, stage="year_1", academic_year=year, test_score="80", osce_score="91.5",
                       by=coordinator)
    client.force_login(coordinator)

    response = client.get(reverse("assessments:exam_results", args=[department.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "80.00" in html and "91.50" in html and "85.75" in html
    assert reverse("assessments:exam_result_edit", args=[ExamResult.objects.get().pk]) in html


def test_list_filters(client, coordinator, department, make_resident, specialty, year):
    older = AcademicYearFactory(start_year=2024)
    cohort_a = CohortFactory(specialty=specialty, intake_year=older)
    cohort_b = CohortFactory(specialty=specialty, intake_year=year)
    akhmetov = make_resident(cohort=cohort_a, year_of_study=2)
    akhmetov.user.last_name = "Akhmetov"
    akhmetov.user.save()
    other = make_resident(cohort=cohort_b)
    a1 = ExamResultFactory(resident=akhmetov, stage="year_1", academic_year=older)
    a2 = ExamResultFactory(resident=akhmetov, stage="year_2", academic_year=year)
    b1 = ExamResultFactory(resident=other, stage="year_1", academic_year=year)
    ExamResultFactory(resident=ResidentFactory(), academic_year=year)  # another department
    client.force_login(coordinator)
    url = reverse("assessments:exam_results", args=[department.pk])

    def shown(**params):
        return {r.pk for r in client.get(url, params).context["page"].object_list}

    assert shown() == {a1.pk, a2.pk, b1.pk}
    assert shown(cohort=cohort_a.pk) == {a1.pk, a2.pk}
    assert shown(stage="year_1") == {a1.pk, b1.pk}
    assert shown(year=year.pk) == {a2.pk, b1.pk}
    assert shown(q="akhm") == {a1.pk, a2.pk}
    assert shown(stage="nonsense", cohort="x") == {a1.pk, a2.pk, b1.pk}


def test_list_is_paginated(client, coordinator, department, make_resident, year):
    for _ in range(30):
        ExamResultFactory(resident=make_resident(), academic_year=year)
    client.force_login(coordinator)
    url = reverse("assessments:exam_results", args=[department.pk])

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert len(first.context["page"].object_list) == 25 and len(second.context["page"].object_list) == 5


def _list_queries(client, coordinator, department):
    client.force_login(coordinator)
    url = reverse("assessments:exam_results", args=[department.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow(client, coordinator, department, make_resident, specialty, year):
    ExamResultFactory(resident=make_resident(), academic_year=year)
    small = _list_queries(client, coordinator, department)

    for n in range(40):
        cohort = CohortFactory(specialty=specialty, intake_year=AcademicYearFactory(start_year=2015 + n % 10))
        resident = make_resident(cohort=cohort, year_of_study=2)
        ExamResultFactory(resident=resident, stage="year_1", academic_year=year)
        ExamResultFactory(resident=resident, stage="year_2", academic_year=AcademicYearFactory(start_year=2026))
    large = _list_queries(client, coordinator, department)

    assert small == large


# --- record ---------------------------------------------------------------------------------------------------


def test_new_result_is_saved_with_the_overall_score(client, coordinator, department, resident, year):
    client.force_login(coordinator)

    response = client.post(reverse("assessments:exam_result_new", args=[department.pk]), form_data(resident, year))

    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:exam_results", args=[department.pk])
    result = ExamResult.objects.get()
    assert (result.test_score, result.overall_score, result.recorded_by) == (
        Decimal("98.50"), Decimal("98.00"), coordinator)
    assert result.history.get().history_user == coordinator


def test_new_form_defaults_and_resident_choices(client, coordinator, department, resident, year):
    outsider = ResidentFactory()
    client.force_login(coordinator)
    url = reverse("assessments:exam_result_new", args=[department.pk])

    response = client.get(url, {"resident": resident.pk})

    choices = list(response.context["form"].fields["resident"].queryset)
    assert choices == [resident]
    assert response.context["form"]["resident"].value() == str(resident.pk)
    response = client.post(url, form_data(outsider, year))
    assert "resident" in response.context["form"].errors
    assert ExamResult.objects.count() == 0


@pytest.mark.parametrize(("field", "value", "words"), [
    ("test_score", "100.5", "between 0 and 100"),
    ("osce_score", "97.555", "at most two decimals"),
    ("osce_score", "ninety", "Enter a number"),
    ("stage", "year_4", "lasts 3 years"),
    ("held_on", (today() + timedelta(days=2)).isoformat(), "future"),
])
def test_new_form_shows_the_rule_on_the_field(client, coordinator, department, resident, year, field, value, words):
    client.force_login(coordinator)

    response = client.post(reverse("assessments:exam_result_new", args=[department.pk]),
                           form_data(resident, year, **{field: value}))

    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors[field])
    assert ExamResult.objects.count() == 0


# --- edit with history ----------------------------------------------------------------------------------------


def test_edit_updates_the_row_and_shows_its_history(client, coordinator, department, resident, year):
    colleague = CoordinatorFactory(department=department).user
    result = exam_result_record(resident=resident, stage="year_1", academic_year=year, test_score="98.5",
                                osce_score="97.5", by=colleague)
    client.force_login(coordinator)
    url = reverse("assessments:exam_result_edit", args=[result.pk])

    response = client.post(url, {"academic_year": year.pk, "held_on": "", "test_score": "60",
                                 "osce_score": "70"})

    assert response.status_code == 302 and response["Location"] == url
    result.refresh_from_db()
    assert (result.overall_score, ExamResult.objects.count()) == (Decimal("65.00"), 1)
    page = client.get(url)
    history = page.context["history"]
    assert [(h.history_type, h.history_user) for h in history] == [("~", coordinator), ("+", colleague)]
    html = page.content.decode()
    assert "98.00" in html and "65.00" in html and colleague.full_name in html


def test_edit_of_another_departments_result_is_404(client, resident, year):
    result = ExamResultFactory(resident=resident, academic_year=year)
    client.force_login(CoordinatorFactory(department=DepartmentFactory()).user)
    url = reverse("assessments:exam_result_edit", args=[result.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"academic_year": year.pk, "test_score": "1", "osce_score": "1"}).status_code == 404
    client.force_login(resident.user)
    assert client.post(url, {"academic_year": year.pk, "test_score": "1", "osce_score": "1"}).status_code == 404
    assert ExamResult.objects.get().overall_score == Decimal("98.00")


def test_new_for_another_department_is_404(client, department, resident, year):
    client.force_login(CoordinatorFactory(department=DepartmentFactory()).user)
    response = client.post(reverse("assessments:exam_result_new", args=[department.pk]), form_data(resident, year))
    assert response.status_code == 404
    assert ExamResult.objects.count() == 0
