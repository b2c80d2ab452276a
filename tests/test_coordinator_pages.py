"""Coordinator pages: lists with search and filters, create and edit, trainings, the assignment flow."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.models import Assignment, Mentor, MentorTraining
from mentoring.services import assignment_create
from residents.models import Resident
from tests.factories import AcademicYearFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def c(client, coordinator):
    client.force_login(coordinator)
    return client


def text(response):
    return response.content.decode()


def test_dashboard_shows_load_flags_and_alerts(c, department, make_mentor, make_resident):
    today = timezone.localdate()
    under = make_mentor()
    full = make_mentor()
    expiring = make_mentor(certificate_expires_on=today + timedelta(days=30))
    overdue = make_mentor(trained=today - timedelta(days=365 * 3 + 40))
    assignment_create(resident=make_resident(), mentor=under)
    for _ in range(4):
        assignment_create(resident=make_resident(), mentor=full)
    waiting = make_resident()
    page = text(c.get(reverse("mentoring:dashboard", kwargs={"department_id": department.pk})))
    assert f'data-mentor="{under.pk}"' in page
    assert 'data-load="under">1/4 · under-used' in page
    assert 'data-load="full">4/4 · full' in page
    certificates = page.split('id="alerts-certificates"')[1].split("</ul>")[0]
    assert str(expiring) in certificates
    trainings = page.split('id="alerts-trainings"')[1].split("</ul>")[0]
    assert str(overdue) in trainings and "refresher overdue since" in trainings
    without = page.split('id="alerts-without-mentor"')[1].split("</ul>")[0]
    assert str(waiting) in without
    assert 'id="stat-without-mentor">1<' in page


def test_mentor_list_search_and_filters(c, department, make_mentor):
    a = make_mentor(qualification_category="first")
    b = make_mentor(qualification_category="second")
    url = reverse("mentoring:mentor_list", kwargs={"department_id": department.pk})
    page = text(c.get(url, {"q": a.user.last_name}))
    assert str(a) in page
    page = text(c.get(url, {"category": "second"}))
    assert str(b) in page and str(a) not in page
    assert "Not eligible" in page


def test_mentor_list_paginates(c, department, make_mentor):
    for _ in range(27):
        make_mentor()
    url = reverse("mentoring:mentor_list", kwargs={"department_id": department.pk})
    assert "Page 1 of 2" in text(c.get(url))
    assert text(c.get(url, {"page": 2})).count('href="/mentors/') == 2


def test_create_mentor_then_edit(c, department, specialty, site):
    url = reverse("mentoring:mentor_create", kwargs={"department_id": department.pk})
    data = {
        "email": "New.Mentor@example.org", "last_name": "Seitkali", "first_name": "Dana", "middle_name": "",
        "position": "Neonatologist", "specialty": specialty.pk, "clinical_site": site.pk,
        "qualification_category": "highest", "practice_started_on": "2010-05-01", "certificate_number": "KZ-77",
        "certificate_expires_on": "2029-01-01", "is_active": "on",
    }
    response = c.post(url, data)
    mentor = Mentor.objects.get(user__email="new.mentor@example.org")
    assert response.status_code == 302 and response.url == reverse("mentoring:mentor_detail", kwargs={"pk": mentor.pk})
    detail = text(c.get(response.url))
    assert "Primary mentor training not completed" in detail  # no training yet: not eligible, with the reason
    data["qualification_category"] = "second"
    response = c.post(reverse("mentoring:mentor_edit", kwargs={"pk": mentor.pk}), data)
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.qualification_category == "second"


def test_create_mentor_refuses_bad_input_and_saves_nothing(c, department, specialty, site):
    url = reverse("mentoring:mentor_create", kwargs={"department_id": department.pk})
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = c.post(url, {"email": "x@example.org", "last_name": "A", "first_name": "B",
                            "specialty": specialty.pk, "clinical_site": site.pk, "qualification_category": "first",
                            "practice_started_on": future, "certificate_number": "KZ-1"})
    assert response.status_code == 200
    page = text(response)
    assert "The start of practice cannot be in the future." in page
    assert "Give both the certificate number and its expiry date, or neither." in page
    assert not Mentor.objects.exists()


def test_record_training_makes_mentor_eligible(c, make_mentor):
    mentor = make_mentor(trained=False)
    url = reverse("mentoring:training_add", kwargs={"pk": mentor.pk})
    response = c.post(url, {"kind": "refresher", "completed_on": "2025-01-01"}, follow=True)
    assert "A refresher needs a primary mentor training completed before it." in text(response)
    c.post(url, {"kind": "primary", "completed_on": "2025-01-01"})
    assert MentorTraining.objects.filter(mentor=mentor).count() == 1
    page = text(c.get(reverse("mentoring:mentor_detail", kwargs={"pk": mentor.pk})))
    assert "Eligible" in page and "Not eligible" not in page


def test_create_and_edit_resident(c, department, specialty, site):
    year = AcademicYearFactory(start_year=2025)
    url = reverse("mentoring:resident_create", kwargs={"department_id": department.pk})
    data = {"email": "res@example.org", "last_name": "Omarov", "first_name": "Timur", "middle_name": "",
            "specialty": specialty.pk, "intake_year": year.pk, "year_of_study": 1, "clinical_site": site.pk,
            "status": "active", "track": "standard"}
    response = c.post(url, data)
    resident = Resident.objects.get(user__email="res@example.org")
    assert response.status_code == 302
    data.update(year_of_study=4)
    response = c.post(reverse("mentoring:resident_edit", kwargs={"pk": resident.pk}), data)
    assert "Year of study must be between 1 and 3" in text(response)
    data.update(year_of_study=2, track="research")
    c.post(reverse("mentoring:resident_edit", kwargs={"pk": resident.pk}), data)
    resident.refresh_from_db()
    assert (resident.year_of_study, resident.track) == (2, "research")


def test_resident_list_filters(c, department, make_resident, make_mentor):
    mentor = make_mentor()
    with_mentor = make_resident()
    assignment_create(resident=with_mentor, mentor=mentor)
    waiting = make_resident(track="support")
    url = reverse("mentoring:resident_list", kwargs={"department_id": department.pk})
    page = text(c.get(url, {"mentor": "none"}))
    assert str(waiting) in page and str(with_mentor) not in page
    page = text(c.get(url, {"track": "support"}))
    assert str(waiting) in page and str(with_mentor) not in page
    page = text(c.get(url))
    assert str(mentor) in page  # the mentor column


def test_assign_through_page_and_flag_message(c, make_mentor, make_resident):
    mentor, resident = make_mentor(), make_resident()
    response = c.post(reverse("mentoring:assign", kwargs={"pk": resident.pk}), {"mentor": mentor.pk}, follow=True)
    page = text(response)
    assert f"{resident} is now mentored by {mentor}." in page
    assert f"{mentor} has 1 residents, fewer than 3." in page
    assert Assignment.objects.get(resident=resident, ended_on__isnull=True).mentor == mentor


def test_fifth_resident_refused_on_page_with_reason(c, make_mentor, make_resident):
    mentor = make_mentor()
    for _ in range(4):
        assignment_create(resident=make_resident(), mentor=mentor)
    fifth = make_resident()
    response = c.post(reverse("mentoring:assign", kwargs={"pk": fifth.pk}), {"mentor": mentor.pk})
    assert response.status_code == 200
    assert f"{mentor} already has 4 residents, the maximum is 4." in text(response)
    assert not Assignment.objects.filter(resident=fifth).exists()


def test_ineligible_mentor_refused_on_page(c, make_mentor, make_resident):
    mentor = make_mentor(qualification_category="second")
    resident = make_resident()
    response = c.post(reverse("mentoring:assign", kwargs={"pk": resident.pk}), {"mentor": mentor.pk})
    assert "Qualification category: second; highest or first required" in text(response)
    assert not Assignment.objects.exists()


def test_change_mentor_needs_reason_and_keeps_history(c, make_mentor, make_resident):
    old, new, resident = make_mentor(), make_mentor(), make_resident()
    assignment_create(resident=resident, mentor=old, started_on=timezone.localdate() - timedelta(days=20))
    url = reverse("mentoring:assign", kwargs={"pk": resident.pk})
    response = c.post(url, {"mentor": new.pk, "reason": ""})
    assert "Give a reason for changing the mentor." in text(response)
    c.post(url, {"mentor": new.pk, "reason": "Moved to the regional centre"})
    page = text(c.get(reverse("mentoring:resident_detail", kwargs={"pk": resident.pk})))
    assert "Moved to the regional centre" in page
    history = list(resident.assignments.order_by("id"))
    assert [(a.mentor_id, a.is_active) for a in history] == [(old.pk, False), (new.pk, True)]


def test_end_assignment_through_page(c, make_mentor, make_resident):
    a = assignment_create(resident=make_resident(), mentor=make_mentor(),
                          started_on=timezone.localdate() - timedelta(days=5))
    url = reverse("mentoring:assignment_end", kwargs={"pk": a.pk})
    assert "This field is required" in text(c.post(url, {"reason": ""}))
    response = c.post(url, {"reason": "Graduated"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.ended_on == timezone.localdate() and a.end_reason == "Graduated"


def test_cannot_assign_mentor_of_another_department(c, make_resident):
    from tests.factories import DepartmentFactory, MentorFactory, SpecialtyFactory

    stranger = MentorFactory(specialty=SpecialtyFactory(department=DepartmentFactory()))
    resident = make_resident()
    response = c.post(reverse("mentoring:assign", kwargs={"pk": resident.pk}), {"mentor": stranger.pk})
    assert response.status_code == 200
    assert not Assignment.objects.exists()


def test_mentor_and_resident_home_pages(client, make_mentor, make_resident):
    mentor, resident = make_mentor(), make_resident()
    assignment_create(resident=resident, mentor=mentor)
    client.force_login(mentor.user)
    page = text(client.get(reverse("mentoring:mentor_home")))
    assert str(resident) in page and "Eligible" in page
    client.force_login(resident.user)
    page = text(client.get(reverse("mentoring:resident_home")))
    assert str(mentor) in page and mentor.user.email in page
