"""The coordinator's journey in Chromium: log in, import residents, assign up to the limit, switch to Russian."""

import csv
import re

import pytest
from playwright.sync_api import expect

from mentoring.models import Assignment
from mentoring.roster import roster_template
from mentoring.services import assignment_create
from tests.browser.conftest import log_in, page_problems, shot
from tests.factories import AcademicYearFactory

NEW_RESIDENTS = [
    ("aruzhan.sadykova@example.org", "Sadykova", "Aruzhan"),
    ("timur.bekov@example.org", "Bekov", "Timur"),
    ("dana.omarova@example.org", "Omarova", "Dana"),
]


@pytest.fixture
def journey(department, specialty, site, coordinator, make_mentor, make_resident):
    """A department with its coordinator, and an eligible mentor who already has 2 residents (under-used)."""
    AcademicYearFactory(start_year=2024)
    mentor = make_mentor()
    for _ in range(2):
        assignment_create(resident=make_resident(), mentor=mentor, by=coordinator)
    return {"department": department, "specialty": specialty, "site": site, "coordinator": coordinator,
            "mentor": mentor}


def residents_csv(path, specialty, site):
    _name, _type, content = roster_template("residents", "csv")
    header = next(csv.reader(content.decode("utf-8-sig").splitlines()))
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        for email, last, first in NEW_RESIDENTS:
            writer.writerow({"email": email, "last_name": last, "first_name": first, "specialty_code": specialty.code,
                             "intake_year": "2024-2025", "year_of_study": 1, "clinical_site": site.name})
    return path



def open_menu(page, department, item):
    page.locator("#mainnav").get_by_role("button", name=department.name).click()
    page.locator("#mainnav").get_by_role("link", name=item, exact=True).click()


def load_badge(page, mentor):
    return page.locator(f'tr[data-mentor="{mentor.pk}"] .load-badge')


def assign(page, department, resident_name, mentor):
    open_menu(page, department, "Residents")
    page.get_by_role("link", name=resident_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(resident_name)
    page.get_by_role("link", name="Assign a mentor").click()
    page.get_by_label("Mentor").select_option(str(mentor.pk))
    page.get_by_role("button", name="Assign", exact=True).click()


def test_coordinator_journey(page, journey, tmp_path):
    department, mentor = journey["department"], journey["mentor"]

    # 1. Log in through the form; a coordinator of one department lands on its dashboard.
    log_in(page, journey["coordinator"].email, from_home=True)
    expect(page).to_have_url(re.compile(rf"/departments/{department.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(department.name)
    expect(load_badge(page, mentor)).to_have_attribute("data-load", "under")
    expect(load_badge(page, mentor)).to_have_text("2/4 · under-used")
    shot(page, "1-dashboard")

    # 2. Import three residents from a CSV file.
    page.locator("main").get_by_role("link", name="Import roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import roster")
    page.get_by_label("What the file lists").select_option("residents")
    page.get_by_label("Roster file").set_input_files(residents_csv(tmp_path / "residents.csv", journey["specialty"],
                                                                   journey["site"]))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Roster imported: 3 created, 0 updated, 0 unchanged.")
    shot(page, "2-imported")
    open_menu(page, department, "Residents")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Residents")
    table = page.locator("main table")
    for _email, last, first in NEW_RESIDENTS:
        expect(table.get_by_role("link", name=f"{last} {first}")).to_be_visible()
    expect(page.get_by_text("5 residents")).to_be_visible()
    shot(page, "2-resident-list")

    # 3. Assign the first new resident to the mentor.
    first, second, third = (f"{last} {first}" for _e, last, first in NEW_RESIDENTS)
    assign(page, department, first, mentor)
    expect(page.get_by_role("alert")).to_have_text(f"{first} is now mentored by {mentor}.")
    expect(page.locator("#current-mentor")).to_contain_text(str(mentor))
    shot(page, "3-assigned")

    # 4. The dashboard: the mentor went from under-used (2/4) to OK (3/4).
    open_menu(page, department, "Dashboard")
    expect(load_badge(page, mentor)).to_have_attribute("data-load", "ok")
    expect(load_badge(page, mentor)).to_have_text("3/4")
    shot(page, "4-dashboard-ok")

    # 5. A fourth resident makes the mentor full; a fifth is refused with the reason.
    assign(page, department, second, mentor)
    expect(page.get_by_role("alert")).to_have_text(f"{second} is now mentored by {mentor}.")
    open_menu(page, department, "Dashboard")
    expect(load_badge(page, mentor)).to_have_attribute("data-load", "full")
    expect(load_badge(page, mentor)).to_have_text("4/4 · full")
    shot(page, "5-dashboard-full")
    assign(page, department, third, mentor)
    expect(page.locator("#assign-form")).to_contain_text("already has 4 residents, the maximum is 4")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Assign a mentor to {third}")
    shot(page, "5-refused")
    assert Assignment.objects.filter(mentor=mentor, ended_on__isnull=True).count() == 4

    # 6. Switch the interface to Russian with the footer language switcher.
    open_menu(page, department, "Dashboard")
    page.locator("#language-select").select_option("ru")
    page.locator("#language-form").get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("main")).to_contain_text("Наставники")
    expect(load_badge(page, mentor)).to_have_attribute("data-load", "full")
    shot(page, "6-russian")
    journey["coordinator"].refresh_from_db()
    assert journey["coordinator"].language == "ru"

    assert page_problems(page) == []


def test_dashboard_on_a_phone(phone_page, journey):
    page = phone_page
    log_in(page, journey["coordinator"].email, from_home=True)
    expect(page.get_by_role("heading", level=1)).to_have_text(journey["department"].name)
    expect(load_badge(page, journey["mentor"])).to_have_attribute("data-load", "under")
    menu = page.locator("#mainnav")
    expect(menu).to_be_hidden()
    shot(page, "1-dashboard")

    toggler = page.get_by_role("button", name="Menu")
    toggler.click()  # Bootstrap's collapse: needs its JS
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # the transition has finished
    expect(menu.get_by_role("button", name="Log out")).to_be_visible()
    expect(menu.get_by_role("button", name=journey["department"].name)).to_be_visible()
    shot(page, "2-menu-open")

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    assert page_problems(page) == []
