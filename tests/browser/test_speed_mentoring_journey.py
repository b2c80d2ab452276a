"""A speed-mentoring event in Chromium (issue 6 item 4), from creation to confirmed assignments.

On a desktop the coordinator creates an event, chooses three experts and spreads six residents over three
groups, generates the timetable and opens the printable schedule (the print stylesheet hides the menu and the
buttons). After the event the coordinator opens the rankings; on a 390x844 phone a mentee ranks the experts
through the page (the others rank through the services, to keep the test short). The coordinator proposes the
matching, moves one mentee to another mentor, confirms, and the assignments exist and show on the page.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from mentoring.models import Assignment, SpeedChoice, SpeedEvent, SpeedMatch
from mentoring.speed_events import choices_submit, experts_met, mentees_met, preferences_submit
from tests.browser.conftest import PHONE, log_in, page_problems, shot

TITLE = "Meet the mentors: spring"


@pytest.fixture
def cast(department, coordinator, make_mentor, make_resident):
    experts = [make_mentor(position=f"Neonatologist {i}") for i in range(3)]
    residents = [make_resident() for _ in range(6)]
    return {"department": department, "coordinator": coordinator, "experts": experts, "residents": residents}


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_runs_an_event_from_creation_to_confirmed_assignments(make_page, cast):
    department, experts, residents = cast["department"], cast["experts"], cast["residents"]

    # 1. On a desktop, the coordinator creates the event.
    desk = make_page()
    log_in(desk, cast["coordinator"].email)
    desk.goto(reverse("mentoring:speed_event_list", args=[department.pk]))
    desk.get_by_role("link", name="New event").click()
    desk.get_by_label("Title").fill(TITLE)
    desk.get_by_label("Date").fill(timezone.localdate().isoformat())
    desk.get_by_label("First round starts at").fill("14:00")
    desk.get_by_label("Round length (minutes)").fill("12")
    desk.get_by_label("Number of rounds").fill("3")
    desk.get_by_label("Place").fill("Conference hall, 2nd floor")
    desk.get_by_role("button", name="Save", exact=True).click()
    event = SpeedEvent.objects.get(title=TITLE)

    # 2. The experts and the residents, spread evenly over three groups.
    expect(desk.get_by_role("heading", level=1)).to_have_text("Experts and groups")
    for mentor in experts:
        desk.get_by_label(re.compile(re.escape(str(mentor)))).check()
    desk.get_by_label("Number of groups").fill("3")
    for resident in residents:
        desk.get_by_label(str(resident), exact=True).select_option("any")
    shot(desk, "1-experts-and-groups")
    desk.get_by_role("button", name="Save experts and groups").click()
    expect(desk.locator(".alert-success")).to_contain_text("Experts and groups saved")
    expect(desk.locator("#event-experts li")).to_have_count(3)
    for number in (1, 2, 3):
        expect(desk.locator(f'[data-group="{number}"] li')).to_have_count(2)

    # 3. The timetable, printable.
    desk.get_by_role("button", name="Generate the timetable").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(desk.locator("#timetable tbody tr")).to_have_count(3)
    expect(desk.locator('#timetable tr[data-round="3"] th')).to_contain_text("14:24–14:36")
    expect(desk.locator("#print-hint")).to_contain_text("Print")
    expect(desk.locator("#schedule-groups li")).to_have_count(6)
    shot(desk, "2-timetable")
    desk.emulate_media(media="print")
    expect(desk.locator("nav.navbar")).to_be_hidden()
    expect(desk.locator("#print-hint")).to_be_hidden()
    expect(desk.locator("#timetable")).to_be_visible()
    shot(desk, "3-timetable-print")
    desk.emulate_media(media="screen")
    assert event.slots.count() == 9

    # 4. After the event, the coordinator opens the rankings.
    desk.goto(reverse("mentoring:speed_event_detail", args=[event.pk]))
    desk.locator("#open-rankings summary").click()
    desk.get_by_role("button", name="Yes, open the rankings").click()
    expect(desk.locator(".alert-success")).to_contain_text("Rankings are open")
    event.refresh_from_db()
    assert event.status == "ranking"

    # 5. On a phone, a mentee sees their own timetable and ranks the experts they met.
    mentee = residents[0]
    phone = make_page(viewport=PHONE, has_touch=True, device_scale_factor=2)
    log_in(phone, mentee.user.email)
    phone.goto(reverse("mentoring:my_speed_events"))
    card = phone.locator(f'[data-event="{event.pk}"]')
    expect(card.locator(".my-timetable tbody tr")).to_have_count(3)
    shot(phone, "4-my-events")
    card.get_by_role("link", name="Rank the experts I met").tap()
    met = list(experts_met(event, mentee))
    phone.get_by_label("1st choice").select_option(str(met[2].pk))
    phone.get_by_label("2nd choice").select_option(str(met[0].pk))
    shot(phone, "5-ranking")
    phone.get_by_role("button", name="Save my choices").tap()
    expect(phone.locator(".alert-success")).to_contain_text("your choices are saved")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert list(SpeedChoice.objects.filter(event=event, resident=mentee).values_list("mentor_id", flat=True)) == [
        met[2].pk, met[0].pk]

    # The others rank through the services.
    for resident in residents[1:]:
        choices_submit(event=event, resident=resident, mentors_ranked=list(experts_met(event, resident))[:3])
    for mentor in experts:
        preferences_submit(event=event, mentor=mentor, residents_ranked=list(mentees_met(event, mentor)))

    # 6. The coordinator proposes the matching and reviews it.
    desk.goto(reverse("mentoring:speed_rankings", args=[event.pk]))
    expect(desk.locator('#mentee-rankings tr[data-ranked="yes"]')).to_have_count(6)
    desk.get_by_role("button", name="Propose the assignments").click()
    expect(desk.locator(".alert-success")).to_contain_text("6 assignments proposed")
    assert SpeedMatch.objects.filter(event=event).count() == 6
    assert SpeedMatch.objects.get(event=event, resident=mentee).mentor == met[2]  # the first choice
    shot(desk, "6-proposal")

    # 7. The coordinator moves one mentee to the expert with the fewest mentees.
    moved = SpeedMatch.objects.filter(event=event).exclude(resident=mentee).select_related("resident__user").first()
    target = min((m for m in experts if m.pk != moved.mentor_id),
                 key=lambda m: SpeedMatch.objects.filter(event=event, mentor=m).count())
    row = desk.locator(f'#matches li[data-resident="{moved.resident_id}"]')
    row.get_by_label("Mentor").select_option(str(target.pk))
    row.get_by_role("button", name="Change").click()
    expect(desk.locator(".alert-success")).to_contain_text(f"{moved.resident} is now proposed to {target}")
    expect(desk.locator(f'[data-mentor="{target.pk}"] li[data-resident="{moved.resident_id}"]')).to_contain_text(
        "changed by you")

    # 8. Confirm: the assignments are created through the assignment service and show on the page.
    desk.locator("#confirm summary").click()
    desk.get_by_role("button", name="Yes, create the assignments").click()
    expect(desk.locator(".alert-success")).to_contain_text("6 assignments created")
    expect(desk.locator("#matches").get_by_text("Assignment created.")).to_have_count(6)
    shot(desk, "7-confirmed")
    event.refresh_from_db()
    assert event.status == "confirmed"
    active = dict(Assignment.objects.filter(ended_on__isnull=True, kind="clinical")
                  .values_list("resident_id", "mentor_id"))
    assert active == dict(SpeedMatch.objects.filter(event=event).values_list("resident_id", "mentor_id"))
    assert active[moved.resident_id] == target.pk and active[mentee.pk] == met[2].pk
    assert page_problems(desk) == [] and page_problems(phone) == []
