"""The coordinator confirms a proposed entrustment level in Chromium (issue 4, item 5): the proposals page, the EPA's
chart against the expected level, the decision with a rationale, the history entry. Then the resident reads their
progress on a 390x844 phone, without horizontal scrolling."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.entrustment import entrustment_decide
from assessments.models import EntrustmentDecision
from assessments.policy import assessment_policy_for
from mentoring.services import assignment_create
from tests.browser.conftest import PHONE, log_in, page_problems, shot
from tests.factories import today
from tests.factories_assessments import EPAFactory, ObservationFactory

RATIONALE = "Three consecutive observations at distant supervision; the committee agrees."


@pytest.fixture
def ward(department, specialty, coordinator, make_mentor, make_resident):
    mentor = make_mentor()
    resident = make_resident(user__last_name="Abenova", user__first_name="Aigerim", year_of_study=2)
    other = make_resident(user__last_name="Bekov", user__first_name="Daniyar", year_of_study=1)
    for r in (resident, other):
        assignment_create(resident=r, mentor=mentor, by=coordinator)
    newborn = EPAFactory(specialty=specialty, code="EPA 1", title="Care of the healthy term newborn",
                         expected=[2, 3, 4])
    resuscitation = EPAFactory(specialty=specialty, code="EPA 2", title="Resuscitation of the newborn at birth",
                               expected=[1, 2, 3])
    EPAFactory(specialty=specialty, code="EPA 3", title="Jaundice: assessment and phototherapy", expected=[2, 3, 4])
    # EPA 1 of the resident: 1, 2, then 3, 4, 3 lately -> level 3 is proposed (nothing granted yet).
    for days_ago, level in ((120, 1), (80, 2), (20, 3), (12, 4), (5, 3)):
        ObservationFactory(resident=resident, epa=newborn, mentor=mentor, level=level,
                           observed_on=today() - timedelta(days=days_ago), setting="ward")
    # EPA 2: granted 2 earlier, observations at 2.
    for days_ago in (30, 15):
        ObservationFactory(resident=resident, epa=resuscitation, mentor=mentor, level=2,
                           observed_on=today() - timedelta(days=days_ago), setting="delivery_room")
    entrustment_decide(resident=resident, epa=resuscitation, level=2, rationale="Simulation course passed.",
                       by=coordinator)
    # The other resident: a proposal of level 2 for EPA 2.
    for days_ago in (9, 6, 3):
        ObservationFactory(resident=other, epa=resuscitation, mentor=mentor, level=2,
                           observed_on=today() - timedelta(days=days_ago))
    assessment_policy_for(department)
    return {"department": department, "coordinator": coordinator, "resident": resident, "other": other,
            "newborn": newborn, "resuscitation": resuscitation}



def no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.django_db(transaction=True)
def test_coordinator_confirms_a_proposed_level(make_page, ward):
    resident, other, newborn = ward["resident"], ward["other"], ward["newborn"]
    coordinator = ward["coordinator"]

    # 1. The proposals page of the department, on a desktop.
    page = make_page()
    log_in(page, coordinator.email, from_home=True)
    proposals_url = reverse("assessments:proposals", kwargs={"department_id": ward["department"].pk})
    page.goto(proposals_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Entrustment proposals")
    expect(page.locator("#proposal-count")).to_have_text("2 proposals await your decision.")
    row = page.locator(f'#proposals tr[data-resident="{resident.pk}"][data-epa="{newborn.pk}"]')
    expect(row.locator("td").nth(2)).to_contain_text("—")  # nothing granted yet
    expect(row.locator("td").nth(3)).to_have_text("3")
    expect(row.locator("td").nth(4).locator("span.text-nowrap")).to_have_count(3)  # the latest three
    expect(page.locator(f'#proposals tr[data-resident="{other.pk}"]')).to_have_count(1)
    shot(page, "1-proposals")

    # 2. Open the proposal: the chart of the levels against the expected one, the proposal, the form.
    row.get_by_role("link", name=f"Open the proposal for EPA 1 of {resident}").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("assessments:epa_progress",
                                                          args=[resident.pk, newborn.pk])) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("EPA 1 Care of the healthy term newborn")
    chart = page.get_by_role("img", name=re.compile(r"^EPA 1: 5 observations from .*the latest at level 3\. "
                                                    r"Expected level in year 2 of study: 3\.$"))
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(5)
    expect(chart.locator('[data-series="expected"]')).to_have_count(1)
    assert chart.bounding_box()["width"] > 500
    expect(page.locator("#granted-level")).to_have_text("1")
    expect(page.locator("#behind-marker")).to_contain_text("Behind")
    expect(page.locator("#proposal")).to_contain_text("Proposed: level 3.")
    expect(page.locator("#observations li[data-observation]")).to_have_count(5)
    level_3 = page.get_by_role("radio", name=re.compile(r"^3 — "))
    expect(level_3).to_be_checked()
    expect(page.locator("#decision-history-empty")).to_be_visible()
    shot(page, "2-proposal")

    # 3. Confirm the proposed level with a rationale.
    page.get_by_label("Rationale").fill(RATIONALE)
    page.get_by_role("button", name="Confirm the decision").click()
    expect(page.get_by_role("alert")).to_have_text(f"Level 3 granted to {resident} for EPA 1.")
    expect(page.locator("#granted-level")).to_have_text("3")
    expect(page.locator("#behind-marker")).to_have_count(0)
    expect(page.locator("#proposal")).to_have_count(0)
    expect(page.locator("#no-proposal")).to_be_visible()
    history = page.locator("#decision-history li")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Level 3 granted")
    expect(history.first).to_contain_text(coordinator.full_name)
    expect(history.first).to_contain_text(RATIONALE)
    shot(page, "3-granted")

    # 4. The proposal has left the list.
    page.goto(proposals_url)
    expect(page.locator("#proposal-count")).to_have_text("1 proposal awaits your decision.")
    expect(page.locator(f'#proposals tr[data-resident="{resident.pk}"]')).to_have_count(0)
    shot(page, "4-proposals-after")

    # 5. The cohort grid: the granted level against the expected one, behind-target cells marked in words too.
    page.goto(reverse("assessments:cohort_grid", kwargs={"department_id": ward["department"].pk}))
    grid_row = page.locator(f'#cohort-grid tr[data-resident="{resident.pk}"]')
    expect(grid_row.locator(f'td[data-epa="{newborn.pk}"]')).to_have_attribute("data-behind", "no")
    expect(grid_row.locator(f'td[data-epa="{newborn.pk}"]')).to_contain_text("3/3")
    behind = grid_row.locator('td[data-behind="yes"]')
    expect(behind).to_have_count(1)
    expect(behind).to_contain_text("▼")
    expect(behind).to_contain_text("behind:")
    expect(page.locator(f'#cohort-grid tr[data-resident="{other.pk}"] td[data-proposal="2"]')).to_have_count(1)
    shot(page, "5-cohort-grid")
    assert page_problems(page) == []

    decision = EntrustmentDecision.objects.get(resident=resident, epa=newborn)
    assert (decision.level, decision.rationale, decision.decided_by) == (3, RATIONALE, coordinator)
    assert [(h.level, h.history_user) for h in decision.history.all()] == [(3, coordinator)]

    # 6. The resident on a phone: their progress and the EPA's page fit the screen.
    phone = make_page(viewport=PHONE, has_touch=True, device_scale_factor=2)
    log_in(phone, resident.user.email, from_home=True)
    phone.goto(reverse("assessments:my_progress"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("My progress")
    card = phone.locator(f'#epa-rows li[data-epa="{newborn.pk}"]')
    expect(card).to_have_attribute("data-behind", "no")
    expect(card.locator('[data-figure="granted"]')).to_have_text("3")
    expect(card.locator('[data-figure="count"]')).to_have_text("5")
    expect(card.get_by_role("img")).to_be_visible()
    expect(phone.locator('#epa-rows li[data-behind="yes"]')).to_have_count(1)  # EPA 3: nothing, expected 3
    expect(phone.locator('[data-marker="proposal"]')).to_have_count(0)
    no_horizontal_overflow(phone)
    shot(phone, "6-resident-progress")
    card.get_by_role("link", name="EPA 1 Care of the healthy term newborn").click()
    expect(phone.locator("#granted-level")).to_have_text("3")
    expect(phone.locator("#decision-history li").first).to_contain_text(RATIONALE)
    expect(phone.locator("#decide")).to_have_count(0)
    expect(phone.get_by_role("img", name=re.compile(r"^EPA 1: 5 observations"))).to_be_visible()
    no_horizontal_overflow(phone)
    shot(phone, "7-resident-epa")
    assert page_problems(phone) == []
