"""Each role through every feature of its menus, on a 390x844 phone and on a desktop (issue 8).

The other journeys in this folder go deep into one feature each (tests/browser/README.md lists them); these go wide:
the resident, the mentor and the coordinator log in through the form and reach every feature of their menus by
clicking (on the phone through the collapsed menu), doing on the way what the deep journeys do not: the resident
logs an activity and a night duty, acknowledges feedback, answers a questionnaire, accepts a meeting, adds a goal
and records an absence; the mentor logs an observation, confirms the week, notes on a meeting and a goal, opens
their report and ranks the mentees met at a speed-mentoring event; the coordinator walks the department menu and
adds a comment theme. The data is the access matrix's world (tests/test_access_matrix.py). A screenshot of every
step is kept in test-artifacts/screenshots/.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import test_access_matrix
from tests.browser.conftest import DESKTOP, PHONE, log_in, page_problems, shot

world = test_access_matrix.world  # the access matrix's fixture, as it is

VIEWPORTS = {"phone": {"viewport": PHONE, "has_touch": True, "device_scale_factor": 2},
             "desktop": {"viewport": DESKTOP}}
SHOWN = re.compile(r"(^|\s)show(\s|$)")
LG_BREAKPOINT = 992  # px


def nav(page, item, *, within=None):
    """Follow a menu item; on a phone the collapsed menu opens first. `within`: the dropdown it is in (a
    department's name, or "Mentoring")."""
    menu = page.locator("#mainnav")
    # The menu collapses below Bootstrap's lg breakpoint (navbar-expand-lg). Decided by the viewport, not by asking
    # whether the toggler is visible: asked while a page was still being replaced, that once said yes on a desktop.
    if page.viewport_size["width"] < LG_BREAKPOINT:
        page.get_by_role("button", name="Menu").click()
        expect(menu).to_have_class(SHOWN)  # the opening transition has finished
    if within:
        menu.get_by_role("button", name=within, exact=True).click()
    menu.get_by_role("link", name=item, exact=True).click()


def field(page, label):
    """The form control labelled exactly `label` (crispy adds "*" to a required field's label)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")).and_(
        page.locator("input, select, textarea"))


def heading(page):
    return page.get_by_role("heading", level=1)


WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`).slice(0, 5)"""


def fits(page):
    """No sideways scrolling of the page itself (a wide table scrolls in its own box)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
        WIDER_THAN_THE_SCREEN)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_resident_reaches_every_feature(make_page, world, viewport):
    page, resident = make_page(**VIEWPORTS[viewport]), world["resident"]
    log_in(page, resident.user.email, from_home=True)
    expect(heading(page)).to_have_text(str(resident))
    shot(page, "01-home")

    # Activity log: an activity, then a night duty.
    nav(page, "Activity log")
    expect(heading(page)).to_have_text("My activity log")
    field(page, "Activity").select_option(index=1)
    field(page, "Hours").fill("3")
    page.get_by_role("button", name="Log activity").click()
    expect(page.get_by_role("alert")).to_contain_text("Logged:")
    page.get_by_role("link", name="Log a night duty").click()
    expect(heading(page)).to_have_text("Log a night duty")
    night = timezone.localdate() - timedelta(days=5)
    field(page, "Start").fill(f"{night:%Y-%m-%d}T20:00")
    field(page, "End").fill(f"{night + timedelta(days=1):%Y-%m-%d}T08:00")
    page.get_by_role("button", name="Log night duty").click()
    expect(page.get_by_role("alert")).to_contain_text("Night duty logged.")
    fits(page)
    shot(page, "02-activity-log")

    # Curricula, feedback (acknowledged), EPA progress.
    nav(page, "My curricula")
    expect(heading(page)).to_have_text("My curricula")
    shot(page, "03-curricula")
    nav(page, "Feedback")
    expect(heading(page)).to_have_text("My observations")
    acknowledge = page.get_by_role("button", name=re.compile(r"^Acknowledge"))
    expect(acknowledge).to_have_count(1)
    acknowledge.click()
    expect(page.locator("#unacknowledged-count")).to_have_text("You have acknowledged every observation.")
    shot(page, "04-feedback")
    nav(page, "EPA progress")
    expect(heading(page)).to_have_text("My progress")
    fits(page)
    shot(page, "05-progress")

    # A questionnaire, answered.
    nav(page, "Questionnaires")
    page.locator("main").get_by_role("link", name=re.compile(re.escape(world["campaign"].title))).first.click()
    expect(heading(page)).to_have_text(world["campaign"].title)
    for fieldset in page.locator("#answer-form fieldset").all():
        agree = fieldset.locator("label", has_text=re.compile(r"^Agree$"))
        (agree if agree.count() else fieldset.locator("label").first).click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text("recorded anonymously")
    shot(page, "06-questionnaire-answered")

    # Mentoring: the meeting the mentor proposed, accepted; a goal; programmes; speed mentoring; an absence; the feed.
    nav(page, "Meetings", within="Mentoring")
    expect(heading(page)).to_have_text("My meetings")
    page.locator("#meetings a").first.click()
    expect(heading(page)).to_have_text("Mentoring meeting")
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("You accepted the meeting")
    shot(page, "07-meeting-accepted")
    nav(page, "My goals", within="Mentoring")
    expect(heading(page)).to_have_text("My goals")
    field(page, "Goal").fill("Present a case at the journal club")
    field(page, "Due date").fill(f"{timezone.localdate() + timedelta(days=60):%Y-%m-%d}")
    page.get_by_role("button", name="Add goal").click()
    expect(page.locator("main")).to_contain_text("Present a case at the journal club")
    shot(page, "08-goals")
    nav(page, "My programmes", within="Mentoring")
    expect(heading(page)).to_have_text("My programmes")
    shot(page, "09-programmes")
    nav(page, "Speed mentoring", within="Mentoring")
    expect(heading(page)).to_have_text("Speed mentoring")
    shot(page, "10-speed-mentoring")
    nav(page, "My absences", within="Mentoring")
    expect(heading(page)).to_have_text("My absences")
    first_day = timezone.localdate() + timedelta(days=90)
    field(page, "Kind").select_option(index=0)
    field(page, "First day").fill(f"{first_day:%Y-%m-%d}")
    field(page, "Last day").fill(f"{first_day + timedelta(days=4):%Y-%m-%d}")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    shot(page, "11-absences")
    nav(page, "Calendar feed", within="Mentoring")
    expect(heading(page)).to_have_text("My meetings in my calendar")
    shot(page, "12-calendar-feed")
    assert page_problems(page) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_mentor_reaches_every_feature(make_page, world, viewport):
    page, mentor, resident = make_page(**VIEWPORTS[viewport]), world["mentor"], world["resident"]
    log_in(page, mentor.user.email, from_home=True)
    expect(heading(page)).to_have_text(str(mentor))
    shot(page, "01-home")

    # An observation: resident, EPA, level, save.
    nav(page, "Log an observation")
    expect(heading(page)).to_have_text("Log an observation")
    page.locator("#residents label", has_text=str(resident)).first.click()
    page.locator("#epas label").first.click()
    page.locator("#levels label").nth(2).click()
    page.get_by_role("button", name="Save observation").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Observation saved for {resident}")
    shot(page, "02-observation")

    # The week's activity and night duty, confirmed.
    nav(page, "Confirmations")
    expect(heading(page)).to_have_text("Confirmations")
    page.get_by_role("button", name=re.compile(rf"^Confirm all .* of {re.escape(str(resident))}$")).click()
    expect(page.get_by_role("alert")).to_contain_text("Confirmed:")
    expect(page.locator("#queue-size")).to_have_text("0 entries await your confirmation.")
    fits(page)
    shot(page, "03-confirmations")

    nav(page, "My record")
    expect(heading(page)).to_have_text("My mentoring record")
    shot(page, "04-record")
    nav(page, "Residents' feedback")
    expect(heading(page)).to_have_text("What residents say about my mentoring")
    shot(page, "05-feedback")

    # Mentoring: a note on the meeting, a progress note on the goal, the report, programmes, speed mentoring.
    nav(page, "Meetings", within="Mentoring")
    expect(heading(page)).to_have_text("My meetings")
    page.locator("#meetings a").first.click()
    field(page, "Note").fill("Agreed to practise the newborn examination twice a week.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("main")).to_contain_text("Agreed to practise the newborn examination twice a week.")
    shot(page, "06-meeting-note")
    nav(page, "Goals of my mentees", within="Mentoring")
    expect(heading(page)).to_have_text("Goals of my mentees")
    page.locator("main").get_by_role("link", name=world["goal"].title).first.click()
    expect(heading(page)).to_have_text(world["goal"].title)
    field(page, "Progress").fill("Led one resuscitation with the mentor present.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("main")).to_contain_text("Led one resuscitation with the mentor present.")
    shot(page, "07-goal-note")
    nav(page, "My reports", within="Mentoring")
    expect(heading(page)).to_have_text("My reports")
    page.locator("main").get_by_role("link", name=re.compile(str(mentor))).first.click()
    expect(page.locator("figure.report-chart svg").first).to_be_visible()
    shot(page, "08-my-report")
    nav(page, "My programmes", within="Mentoring")
    expect(heading(page)).to_have_text("My programmes")
    shot(page, "09-programmes")
    nav(page, "Speed mentoring", within="Mentoring")
    expect(heading(page)).to_have_text("Speed mentoring")
    page.get_by_role("link", name="Rank the mentees I met").first.click()
    field(page, "1st choice").select_option(index=1)
    page.get_by_role("button", name="Save my choices").click()
    expect(page.locator(".alert-success")).to_contain_text("your choices are saved")
    shot(page, "10-speed-ranking")
    nav(page, "My absences", within="Mentoring")
    expect(heading(page)).to_have_text("My absences")
    nav(page, "Calendar feed", within="Mentoring")
    expect(heading(page)).to_have_text("My meetings in my calendar")
    shot(page, "11-calendar-feed")
    assert page_problems(page) == []


# The coordinator's department menu: item -> the page's heading.
DEPARTMENT_MENU = [
    ("Mentors", "Mentors"), ("Residents", "Residents"), ("Curricula", "Individual curricula"),
    ("EPA progress", "Cohort progress"), ("Entrustment proposals", "Entrustment proposals"),
    ("EPA catalogue", "EPA catalogue"), ("Exam results", "Exam results"), ("Track suggestions", "Track suggestions"),
    ("Mentoring programmes", "Mentoring programmes"), ("Programme overview", "Programme overview"),
    ("Speed-mentoring events", "Speed-mentoring events"), ("Questionnaire campaigns", "Questionnaire campaigns"),
    ("Questionnaires", "Questionnaires"), ("Comment themes", "Comment themes"), ("Reports", "Reports"),
    ("Import roster", "Import roster"), ("Dashboard", None),
]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_coordinator_reaches_every_feature(make_page, world, viewport):
    page, department = make_page(**VIEWPORTS[viewport]), world["department"]
    log_in(page, world["coordinator"].email, from_home=True)
    expect(heading(page)).to_have_text(department.name)
    shot(page, "01-dashboard")
    for number, (item, title) in enumerate(DEPARTMENT_MENU, 2):
        nav(page, item, within=department.name)
        expect(heading(page)).to_contain_text(title or department.name)
        shot(page, f"{number:02}-{item}")
        if item == "Mentors":  # a mentor's page, with the eligibility
            page.locator("main").get_by_role("link", name=str(world["mentor"])).first.click()
            expect(heading(page)).to_have_text(str(world["mentor"]))
        elif item == "Residents":  # a resident's page, with the current mentor
            page.locator("main").get_by_role("link", name=str(world["resident"])).first.click()
            expect(heading(page)).to_have_text(str(world["resident"]))
            expect(page.locator("#current-mentor")).to_contain_text(str(world["mentor"]))
        elif item == "Mentoring programmes":
            page.locator("main").get_by_role("link", name=re.compile("Near-peer")).first.click()
            expect(heading(page)).to_contain_text("Near-peer")
        elif item == "Speed-mentoring events":
            page.locator("main").get_by_role("link", name=world["speed_event"].title).first.click()
            expect(heading(page)).to_have_text(world["speed_event"].title)
        elif item == "Questionnaire campaigns":
            page.locator("main").get_by_role("link", name=world["campaign"].title).first.click()
            expect(heading(page)).to_have_text(world["campaign"].title)
        elif item == "Comment themes":
            field(page, "Theme").fill("Workload")
            page.locator("#theme-form").get_by_role("button", name="Save").click()
            expect(page.locator("main table")).to_contain_text("Workload")
        elif item == "Reports":
            page.locator("main").get_by_role("link", name=re.compile(str(world["mentor"]))).first.click()
            expect(page.locator("figure.report-chart svg").first).to_be_visible()
        if viewport == "phone":
            fits(page)
        shot(page, f"{number:02}-{item}-done")
    assert page_problems(page) == []
