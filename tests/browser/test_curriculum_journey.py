"""The individual curriculum in Chromium: the resident (on a phone) drafts and submits, the coordinator returns it
with a comment, the resident fixes and resubmits, the coordinator approves."""

import re
from decimal import Decimal as D

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentoring.services import assignment_create
from residents.models import Curriculum
from tests.browser.conftest import PHONE, log_in, page_problems, shot
from tests.factories import AcademicYearFactory
from tests.factories_curricula import DisciplineFactory


@pytest.fixture
def journey(department, specialty, coordinator, make_mentor, make_resident):
    today = timezone.localdate()
    AcademicYearFactory(start_year=today.year if today.month >= 9 else today.year - 1)
    DisciplineFactory(specialty=specialty, year_of_study=1, name="Neonatal resuscitation", hours=D("120"), position=1)
    DisciplineFactory(specialty=specialty, year_of_study=1, name="Newborn care", hours=D("60"), position=2)
    resident = make_resident()
    assignment_create(resident=resident, mentor=make_mentor(), by=coordinator)
    return {"department": department, "resident": resident, "coordinator": coordinator}



def fill_split(page, curriculum, discipline, classroom, clinical, independent):
    item = curriculum.items.get(discipline__name=discipline)
    for share, value in (("classroom", classroom), ("clinical", clinical), ("independent", independent)):
        page.locator(f"#id_item-{item.pk}-{share}").fill(value)


@pytest.mark.django_db(transaction=True)
def test_draft_submit_return_resubmit_approve(make_page, journey):
    resident, coordinator = journey["resident"], journey["coordinator"]
    phone = make_page(viewport=PHONE, has_touch=True, device_scale_factor=2)
    log_in(phone, resident.user.email)
    phone.goto("/me/curricula/")
    phone.get_by_label("the programme's disciplines with the default split").check()
    phone.get_by_role("button", name="Start the draft").click()
    expect(phone.locator(".alert-success")).to_contain_text("is a draft")
    curriculum = Curriculum.objects.get(resident=resident)

    phone.get_by_role("link", name="Edit hours").click()
    fill_split(phone, curriculum, "Neonatal resuscitation", "42", "66", "12")
    shot(phone, "resident-edit")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator("#split-problems")).to_be_visible()
    expect(phone.locator(f'[data-item-card="{curriculum.items.get(discipline__name="Neonatal resuscitation").pk}"]')
           ).to_contain_text("classroom work is 35% (42 of 120 h); 10-30% required.")
    shot(phone, "resident-draft-with-problem")
    phone.get_by_role("button", name="Submit for approval").click()
    expect(phone.locator(".alert-danger").first).to_contain_text("The curriculum was not submitted.")

    phone.get_by_role("link", name="Edit hours").click()
    fill_split(phone, curriculum, "Neonatal resuscitation", "30", "78", "12")
    phone.get_by_role("button", name="Save").click()
    phone.get_by_role("button", name="Submit for approval").click()
    expect(phone.locator(".alert-success")).to_contain_text("Submitted")

    desk = make_page()
    log_in(desk, coordinator.email)
    desk.goto(f"/departments/{journey['department'].pk}/curricula/")
    shot(desk, "coordinator-awaiting-approval")
    desk.get_by_role("link", name=str(resident)).click()
    desk.get_by_label("What should the resident change?").fill("Move 6 hours from classroom to clinical work.")
    desk.get_by_role("button", name="Return with comment").click()
    expect(desk.locator(".alert-success")).to_contain_text("Returned to")

    phone.reload()
    expect(phone.locator("#return-comment")).to_contain_text("Move 6 hours from classroom to clinical work.")
    phone.get_by_role("link", name="Edit hours").click()
    fill_split(phone, curriculum, "Neonatal resuscitation", "24", "84", "12")
    phone.get_by_role("button", name="Save").click()
    phone.get_by_role("button", name="Submit for approval").click()
    expect(phone.locator(".alert-success")).to_contain_text("Submitted")

    desk.reload()
    desk.get_by_role("button", name="Approve").click()
    expect(desk.locator('[data-status="approved"]').first).to_be_visible()
    shot(desk, "coordinator-approved")

    phone.reload()
    expect(phone.locator('[data-status="approved"]').first).to_be_visible()
    phone.get_by_role("link", name="Printable version").click()
    expect(phone).to_have_url(re.compile(r"/print/$"))
    shot(phone, "resident-print")
    assert Curriculum.objects.get(pk=curriculum.pk).status == "approved"
    assert page_problems(phone) == [] and page_problems(desk) == []
