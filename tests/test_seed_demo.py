from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import User
from mentoring.demo import COORDINATOR_EMAIL, DEMO_PASSWORD, DEPARTMENT_NAME, seed_demo
from mentoring.eligibility import mentor_eligibility
from mentoring.models import Assignment, Mentor, MentorTraining
from organization.models import AcademicYear, ClinicalSite, Coordinator, Department, Specialty
from residents.models import Cohort, Resident

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Department, Specialty, ClinicalSite, AcademicYear, Coordinator, Cohort, Mentor,
                      MentorTraining, Resident, Assignment)
    }


def _active_count(mentor):
    return Assignment.objects.filter(mentor=mentor, ended_on__isnull=True).count()


@pytest.fixture
def seeded():
    return seed_demo()


def test_seed_creates_the_demo_department(seeded):
    assert Department.objects.get().name == DEPARTMENT_NAME
    assert ClinicalSite.objects.count() == 2
    assert 12 <= Mentor.objects.count() <= 13
    assert Resident.objects.count() == 43
    department = Department.objects.get()
    assert department.policy.max_residents_per_mentor == 4
    assert set(ClinicalSite.objects.filter(departments=department).values_list("name", flat=True)) == {
        "City Perinatal Centre No. 1", "Regional Perinatal Centre"}


def test_the_coordinator_is_also_an_eligible_mentor(seeded):
    coordinator = User.objects.get(email=COORDINATOR_EMAIL)
    assert Coordinator.objects.filter(user=coordinator, department__name=DEPARTMENT_NAME).exists()
    assert mentor_eligibility(coordinator.mentor_profile).eligible


def test_some_mentors_are_ineligible_for_plain_reasons(seeded):
    today = timezone.localdate()
    results = {m.user.email: mentor_eligibility(m, today=today) for m in Mentor.objects.select_related("user")}
    reasons = [" ".join(e.reasons) for e in results.values() if not e.eligible]
    assert len(reasons) >= 3
    assert any("required" in r and "experience" in r for r in reasons)  # 4 years 2 months of experience
    assert any("required" in r and "category" in r.lower() for r in reasons)  # second category
    assert any("expired" in r for r in reasons)
    assert any("overdue" in r for r in reasons)
    warned = [e for e in results.values() if e.eligible and e.warnings]
    assert any("Certificate expires" in " ".join(e.warnings) for e in warned)
    assert any("Refresher training due" in " ".join(e.warnings) for e in warned)


def test_residents_cover_every_status_and_track(seeded):
    statuses = set(Resident.objects.values_list("status", flat=True))
    assert statuses == {"active", "on_leave", "graduated", "withdrawn"}
    assert Resident.objects.filter(status="active").count() >= 25
    assert Resident.objects.filter(status="withdrawn").count() == 1
    assert {"support", "research"} <= set(Resident.objects.values_list("track", flat=True))
    assert Resident.objects.values("clinical_site").distinct().count() == 2
    assert not Resident.objects.filter(year_of_study__gt=3).exists()


def test_assignments_respect_the_capacity(seeded):
    mentors = list(Mentor.objects.all())
    loads = [_active_count(m) for m in mentors]
    assert max(loads) <= 4
    assert 4 in loads  # a full mentor
    eligible_loads = [_active_count(m) for m in mentors if mentor_eligibility(m).eligible]
    assert any(1 <= n <= 2 for n in eligible_loads)  # an under-used mentor
    assert not Assignment.objects.filter(ended_on__isnull=True).exclude(resident__status="active").exists()
    assigned = Assignment.objects.filter(ended_on__isnull=True).values("resident")
    assert Resident.objects.filter(status="active").exclude(pk__in=assigned).count() >= 3
    assert Assignment.objects.filter(ended_on__isnull=False).count() >= 2  # history


def test_seeding_twice_changes_nothing(seeded):
    before = _counts()
    stamps = (list(Resident.objects.order_by("pk").values_list("updated_at", flat=True)),
              list(Mentor.objects.order_by("pk").values_list("updated_at", flat=True)))
    passwords = list(User.objects.order_by("pk").values_list("password", flat=True))

    assert seed_demo() == seeded

    assert _counts() == before
    assert (list(Resident.objects.order_by("pk").values_list("updated_at", flat=True)),
            list(Mentor.objects.order_by("pk").values_list("updated_at", flat=True))) == stamps
    assert list(User.objects.order_by("pk").values_list("password", flat=True)) == passwords


def test_demo_logins_authenticate(seeded):
    assert set(seeded) == {"coordinator", "mentor", "resident", "admin"}
    for login in seeded.values():
        request = RequestFactory().post("/")
        user = authenticate(request, email=login["email"], password=DEMO_PASSWORD)
        assert user is not None and user.email == login["email"]
    admin = User.objects.get(email=seeded["admin"]["email"])
    assert admin.is_staff and admin.is_superuser
    resident = User.objects.get(email=seeded["resident"]["email"]).resident_profile
    assert resident.assignments.filter(ended_on__isnull=True).exists()


def test_command_prints_the_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert COORDINATOR_EMAIL in printed and "admin@demo.residency.kz" in printed
    assert DEMO_PASSWORD in printed
