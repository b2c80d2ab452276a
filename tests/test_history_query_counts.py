"""Pages that list a growing history: their query counts stay the same as the history grows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.entrustment import entrustment_decide
from assessments.evaluations import mentor_evaluation_record
from assessments.exams import exam_result_record
from assessments.models import MentorEvaluation
from mentoring.services import assignment_create
from tests.factories import AcademicYearFactory, CoordinatorFactory, UserFactory
from tests.factories_assessments import EPAFactory

pytestmark = pytest.mark.django_db


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def other_coordinator(department):
    return CoordinatorFactory(department=department, user=UserFactory()).user


def test_epa_page_with_a_growing_decision_history(client, coordinator, department, make_mentor, make_resident):
    resident = make_resident()
    assignment_create(resident=resident, mentor=make_mentor())
    epa = EPAFactory(specialty=resident.specialty)
    url = reverse("assessments:epa_progress", kwargs={"resident_pk": resident.pk, "epa_pk": epa.pk})
    client.force_login(coordinator)
    entrustment_decide(resident=resident, epa=epa, level=2, rationale="Three observations at level 2.",
                       by=coordinator)
    small = count(client, url)
    for i in range(12):  # each change by another coordinator, so every history row has its own user
        entrustment_decide(resident=resident, epa=epa, level=3 + i % 2, rationale=f"Committee decision {i}.",
                           by=other_coordinator(department))
    assert count(client, url) == small


def test_exam_result_page_with_a_growing_history(client, coordinator, department, make_resident):
    resident = make_resident()
    year = AcademicYearFactory(start_year=2025)
    result = exam_result_record(resident=resident, stage="year_1", academic_year=year, test_score=80,
                                osce_score=70, by=coordinator)
    url = reverse("assessments:exam_result_edit", args=[result.pk])
    client.force_login(coordinator)
    small = count(client, url)
    for i in range(12):
        exam_result_record(resident=resident, stage="year_1", academic_year=year, test_score=Decimal(81 + i),
                           osce_score=70, by=other_coordinator(department))
    assert result.history.count() == 13
    assert count(client, url) == small


def test_evaluation_page_with_growing_past_evaluations(client, coordinator, department, make_mentor):
    mentor = make_mentor()
    ratings = dict.fromkeys(MentorEvaluation.CRITERIA, 4)
    url = reverse("assessments:mentor_evaluate", args=[mentor.pk])
    client.force_login(coordinator)
    mentor_evaluation_record(mentor=mentor, academic_year=AcademicYearFactory(start_year=2010), ratings=ratings,
                             by=coordinator)
    small = count(client, url)
    for start in range(2011, 2021):
        mentor_evaluation_record(mentor=mentor, academic_year=AcademicYearFactory(start_year=start), ratings=ratings,
                                 by=other_coordinator(department))
    assert count(client, url) == small
