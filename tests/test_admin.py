"""The Django admin: every model is registered and its writes go through the services."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.models import Assignment, Mentor
from mentoring.services import assignment_create
from organization.models import Department, MentoringPolicy
from tests.factories import UserFactory
from tests.factories_assessments import ExamResultFactory, MentorEvaluationFactory, ObservationFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("accounts", "organization", "residents", "mentoring", "assessments")


# Private to the meeting's participants (issue 6): not even a superuser reads them in the admin.
PRIVATE_MODELS = {"MeetingNote"}


def project_models():
    """Every model of the project's apps; audit-history tables are shown through their parent's admin."""
    return [m for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()
            if not m.__name__.startswith("Historical") and m.__name__ not in PRIVATE_MODELS]


def test_private_meeting_notes_are_not_in_the_admin():
    from mentoring.models import MeetingNote

    assert not admin.site.is_registered(MeetingNote)


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_every_project_model_is_in_the_admin():
    missing = [m.__name__ for m in project_models() if not admin.site.is_registered(m)]
    assert not missing


def test_every_changelist_and_add_page_opens(staff, make_mentor, make_resident):
    mentor, resident = make_mentor(), make_resident()
    assignment_create(resident=resident, mentor=mentor)
    ObservationFactory(resident=resident, mentor=mentor)
    ExamResultFactory(resident=resident)
    MentorEvaluationFactory(mentor=mentor)
    for model in project_models():
        info = (model._meta.app_label, model._meta.model_name)
        assert staff.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200, info
        add = staff.get(reverse("admin:{}_{}_add".format(*info)))
        assert add.status_code in (200, 403), info
        obj = model.objects.first()
        if obj is not None:
            assert staff.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code == 200, info


def test_assessment_records_are_read_only_in_the_admin(staff, make_mentor, make_resident):
    """Scores, levels and evaluations change only through the pages, where the services apply the rules."""
    result = ExamResultFactory(resident=make_resident())
    url = reverse("admin:assessments_examresult_change", args=[result.pk])
    response = staff.post(url, {"test_score": "10", "osce_score": "10", "overall_score": "99"})
    assert response.status_code == 403
    result.refresh_from_db()
    assert (result.test_score, result.overall_score) == (98.5, 98)
    assert staff.get(reverse("admin:assessments_examresult_add")).status_code == 403
    history = staff.get(reverse("admin:assessments_examresult_history", args=[result.pk]))
    assert history.status_code == 200


def test_admin_department_gets_its_policy(staff):
    staff.post(reverse("admin:organization_department_add"), {
        "name": "Department of Paediatrics", "university": "",
        "coordinators-TOTAL_FORMS": "0", "coordinators-INITIAL_FORMS": "0"})
    department = Department.objects.get(name="Department of Paediatrics")
    assert MentoringPolicy.objects.filter(department=department).exists()


def test_admin_assignment_obeys_capacity(staff, make_mentor, make_resident):
    mentor = make_mentor()
    for _ in range(4):
        assignment_create(resident=make_resident(), mentor=mentor)
    fifth = make_resident()
    response = staff.post(reverse("admin:mentoring_assignment_add"), {
        "resident": fifth.pk, "mentor": mentor.pk, "started_on": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert "already has 4 residents, the maximum is 4" in response.content.decode()
    assert not Assignment.objects.filter(resident=fifth).exists()


def test_admin_assignment_created_through_service(staff, make_mentor, make_resident):
    mentor, resident = make_mentor(), make_resident()
    response = staff.post(reverse("admin:mentoring_assignment_add"), {
        "resident": resident.pk, "mentor": mentor.pk, "started_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assignment = Assignment.objects.get(resident=resident)
    assert assignment.created_by is not None and assignment.is_active


def test_admin_mentor_change_validated_by_service(staff, make_mentor):
    mentor = make_mentor()
    future = (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()
    response = staff.post(reverse("admin:mentoring_mentor_change", args=[mentor.pk]), {
        "user": mentor.user.pk, "specialty": mentor.specialty.pk, "clinical_site": mentor.clinical_site.pk,
        "position": "", "qualification_category": "first", "practice_started_on": future,
        "certificate_number": mentor.certificate_number,
        "certificate_expires_on": mentor.certificate_expires_on.isoformat(), "is_active": "on",
        "trainings-TOTAL_FORMS": "1", "trainings-INITIAL_FORMS": "1", "trainings-0-id": mentor.trainings.first().pk,
        "trainings-0-mentor": mentor.pk})
    assert response.status_code == 200
    assert "The start of practice cannot be in the future." in response.content.decode()
    assert Mentor.objects.get(pk=mentor.pk).qualification_category == "highest"


def test_admin_resident_cohort_must_match_specialty(staff, make_resident):
    from tests.factories import CohortFactory, SpecialtyFactory

    resident = make_resident()
    other_cohort = CohortFactory(specialty=SpecialtyFactory(department=resident.specialty.department))
    response = staff.post(reverse("admin:residents_resident_change", args=[resident.pk]), {
        "user": resident.user.pk, "specialty": resident.specialty.pk, "cohort": other_cohort.pk,
        "year_of_study": 1, "clinical_site": resident.clinical_site.pk, "status": "active", "track": "standard"})
    assert response.status_code == 200
    assert f"The cohort {other_cohort} belongs to another specialty." in response.content.decode()
    resident.refresh_from_db()
    assert resident.cohort_id != other_cohort.pk
