"""The mentor confirms a week of entries on a 390x844 phone (issue 3): two residents' weeks of activities and night
duties; one activity is returned with a comment, the rest confirmed (one resident with the per-resident button, the
other with the checkboxes and "Confirm selected"); another mentor's resident is neither shown nor touched. Then the
resident, also on a phone, sees the mentor's comment, corrects the entry and resubmits it."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from mentoring.services import assignment_create
from residents.activity import activity_log, night_duty_log
from residents.models import ActivityEntry, NightDuty, ReviewStatus
from tests.browser.conftest import PHONE, log_in, page_problems, shot

COMMENT = "Say which catheter was placed and who supervised you."
# One day of the week: (kind, manipulation role, hours); every day has a manipulation, odd days a third activity.
DAY = [("manipulation", "performed", "1.5"), ("rounds", "", "2"), ("patient_supervision", "", "3")]
DAY_ALT = [("manipulation", "assisted", "1"), ("morning_conference", "", "0.5")]


def at(day, hour):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def log_week(resident):
    """The last 7 days (yesterday and 6 before): 2-3 activities a day incl. a manipulation, and 2 night duties."""
    today = timezone.localdate()
    for back in range(7, 0, -1):
        day = today - timedelta(days=back)
        for kind, role, hours in DAY if back % 2 else DAY_ALT:
            activity_log(resident=resident, by=resident.user, kind=kind, manipulation_role=role, hours=hours, date=day,
                         note=f"{kind} on {day:%d.%m}")
    for back in (6, 3):
        start = at(today - timedelta(days=back), 17)
        night_duty_log(resident=resident, by=resident.user, starts_at=start, ends_at=start + timedelta(hours=15))


def statuses(resident):
    return (sorted(ActivityEntry.objects.filter(resident=resident).values_list("pk", "status")),
            sorted(NightDuty.objects.filter(resident=resident).values_list("pk", "status")))


@pytest.fixture
def week(coordinator, make_mentor, make_resident):
    mentor, other_mentor = make_mentor(), make_mentor()
    first = make_resident(user__last_name="Abenova", user__first_name="Aigerim")
    second = make_resident(user__last_name="Bekov", user__first_name="Daniyar")
    outsider = make_resident(user__last_name="Zhumabayeva", user__first_name="Saule")
    for resident, its_mentor in ((first, mentor), (second, mentor), (outsider, other_mentor)):
        assignment_create(resident=resident, mentor=its_mentor, by=coordinator)
        log_week(resident)
    return {"mentor": mentor, "first": first, "second": second, "outsider": outsider}


def phone(make_page):
    return make_page(viewport=PHONE, has_touch=True, device_scale_factor=2)



def open_menu_item(page, name):
    """The phone's collapsed navigation: open it, then follow one of its links."""
    toggler = page.get_by_role("button", name="Menu")
    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    page.locator("#mainnav").get_by_role("link", name=name, exact=True).click()


def no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.django_db(transaction=True)
def test_mentor_confirms_a_week_on_a_phone(make_page, week):
    mentor, first, second, outsider = week["mentor"], week["first"], week["second"], week["outsider"]
    outsider_before = statuses(outsider)
    returned = ActivityEntry.objects.get(resident=first, kind="manipulation",
                                         date=timezone.localdate() - timedelta(days=3))
    counts = {r.pk: (ActivityEntry.objects.filter(resident=r).count(), NightDuty.objects.filter(resident=r).count())
              for r in (first, second)}
    assert counts[first.pk] == counts[second.pk] == (18, 2)

    # 1. The mentor logs in on a phone and opens the confirmation queue.
    page = phone(make_page)
    log_in(page, mentor.user.email, from_home=True)
    expect(page).to_have_url(re.compile(re.escape(reverse("mentoring:mentor_home")) + "$"))
    expect(page.locator("#home-queue #queue-size")).to_have_text("40")
    shot(page, "1-mentor-home")
    queue_url = reverse("residents:confirmation_queue")
    page.locator("#home-queue").get_by_role("link", name="Confirm entries").click()
    expect(page).to_have_url(re.compile(re.escape(queue_url) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmations")
    expect(page.locator("#queue-size")).to_have_text("40 entries await your confirmation.")
    for resident in (first, second):
        section = page.locator(f'section[data-resident="{resident.pk}"]')
        expect(section.get_by_role("heading", level=2)).to_have_text(str(resident))
        expect(section.locator("li[data-entry]")).to_have_count(18)
        expect(section.locator("li[data-duty]")).to_have_count(2)
        expect(section.locator("h3")).to_have_count(7)  # one heading per day of the week
    expect(page.locator(f'section[data-resident="{outsider.pk}"]')).to_have_count(0)
    expect(page.locator(f'[data-resident="{outsider.pk}"]')).to_have_count(0)  # nor in the mentees' table
    expect(page.locator("main")).not_to_contain_text(str(outsider))
    no_horizontal_overflow(page)
    shot(page, "2-queue")

    # 2. Return one manipulation: the Return toggle opens a form whose comment is required.
    item = page.locator(f'li[data-entry="{returned.pk}"]')
    comment = item.get_by_label("What should be corrected?")
    expect(comment).to_be_hidden()
    item.locator("summary", has_text="Return").click()
    expect(comment).to_be_visible()
    expect(comment).to_have_attribute("required", "")
    item.get_by_role("button", name="Return to the resident").click()  # empty: the browser refuses to submit
    assert comment.evaluate("el => el.validity.valueMissing")
    expect(page).to_have_url(re.compile(re.escape(queue_url) + "$"))
    no_horizontal_overflow(page)
    comment.fill(COMMENT)
    shot(page, "3-return-comment")
    item.get_by_role("button", name="Return to the resident").click()
    expect(page.get_by_role("alert")).to_have_text(f"Returned to {first} with your comment.")
    expect(page.locator(f'li[data-entry="{returned.pk}"]')).to_have_count(0)
    expect(page.locator("#queue-size")).to_have_text("39 entries await your confirmation.")
    shot(page, "4-returned")

    # 3. The first resident's remaining week with the per-resident button.
    section = page.locator(f'section[data-resident="{first.pk}"]')
    section.get_by_role("button", name=f"Confirm all 19 entries of {first}").click()
    expect(page.get_by_role("alert")).to_have_text("Confirmed: 17 activities and 2 night duties.")
    expect(page.locator(f'section[data-resident="{first.pk}"]')).to_have_count(0)
    expect(page.locator("#queue-size")).to_have_text("20 entries await your confirmation.")
    no_horizontal_overflow(page)
    shot(page, "5-first-confirmed")

    # 4. The second resident's week: tick every checkbox, then "Confirm selected".
    section = page.locator(f'section[data-resident="{second.pk}"]')
    boxes = section.get_by_role("checkbox")
    expect(boxes).to_have_count(20)
    for i in range(20):
        boxes.nth(i).check()
    expect(section.locator("input[type=checkbox]:checked")).to_have_count(20)
    shot(page, "6-second-selected")
    page.get_by_role("button", name="Confirm selected").click()
    expect(page.get_by_role("alert")).to_have_text("Confirmed: 18 activities and 2 night duties.")

    # 5. The queue is empty.
    expect(page.locator("#queue-empty")).to_have_text("Nothing awaits your confirmation.")
    expect(page.locator("#queue-size")).to_have_text("0 entries await your confirmation.")
    expect(page.locator("section[data-resident]")).to_have_count(0)
    expect(page.get_by_role("button", name="Confirm selected")).to_have_count(0)
    for resident in (first, second):
        expect(page.locator(f'#mentees tr[data-resident="{resident.pk}"] td').nth(2)).to_have_text("0")
    no_horizontal_overflow(page)
    shot(page, "7-queue-empty")
    assert page_problems(page) == []

    # The database: everything confirmed by the mentor except the returned entry; the outsider untouched.
    returned.refresh_from_db()
    assert returned.status == ReviewStatus.RETURNED
    assert returned.review_comment == COMMENT
    assert returned.reviewed_by == mentor.user
    mine = {"resident__in": [first, second]}
    for items in (ActivityEntry.objects.filter(**mine).exclude(pk=returned.pk), NightDuty.objects.filter(**mine)):
        assert set(items.values_list("status", "reviewed_by")) == {(ReviewStatus.CONFIRMED, mentor.user.pk)}
    assert statuses(outsider) == outsider_before
    assert {s for _pk, s in outsider_before[0] + outsider_before[1]} == {ReviewStatus.PENDING}

    # 6. The resident, on a phone, sees the returned entry with the comment, corrects it and resubmits.
    resident_page = phone(make_page)
    log_in(resident_page, first.user.email, from_home=True)
    expect(resident_page.locator("#home-log")).to_contain_text("1 returned by the mentor: please correct")
    shot(resident_page, "8-resident-home")
    resident_page.locator("#home-log").get_by_role("link", name="Open the log").click()
    expect(resident_page.get_by_role("heading", level=1)).to_have_text("My activity log")
    entry = resident_page.locator(f'#returned-entries li[data-entry="{returned.pk}"]')
    expect(entry).to_have_attribute("data-status", "returned")
    expect(entry).to_contain_text(f"Mentor's comment: {COMMENT}")
    no_horizontal_overflow(resident_page)
    shot(resident_page, "9-resident-returned")
    entry.get_by_role("link", name="Correct and resubmit").click()
    expect(resident_page.get_by_role("heading", level=1)).to_have_text("Edit activity")
    expect(resident_page.locator("#main")).to_contain_text(f"Mentor's comment: {COMMENT}")
    resident_page.get_by_label("Hours").fill("2")
    resident_page.get_by_label("Note").fill("Umbilical venous catheter, placed under the mentor's supervision.")
    shot(resident_page, "10-resident-edit")
    resident_page.get_by_role("button", name="Save and resubmit").click()
    expect(resident_page.get_by_role("alert")).to_have_text(
        "Changes saved. The entry awaits your mentor's confirmation.")
    expect(resident_page.locator("#returned-entries")).to_have_count(0)
    expect(resident_page.locator(f'#entries li[data-entry="{returned.pk}"]')).to_have_attribute("data-status",
                                                                                                 "pending")
    no_horizontal_overflow(resident_page)
    shot(resident_page, "11-resident-resubmitted")
    returned.refresh_from_db()
    assert returned.status == ReviewStatus.PENDING
    assert returned.hours == Decimal("2.0")
    assert returned.note.startswith("Umbilical venous catheter")
    assert page_problems(resident_page) == []

    # 7. Back in the mentor's queue (through the phone's menu), with the earlier comment.
    open_menu_item(page, "Confirmations")
    expect(page).to_have_url(re.compile(re.escape(queue_url) + "$"))
    item = page.locator(f'li[data-entry="{returned.pk}"]')
    expect(item).to_contain_text(f"Your earlier comment: {COMMENT}")
    expect(page.locator("#queue-size")).to_have_text("1 entry awaits your confirmation.")
    shot(page, "12-resubmitted-in-queue")
    assert page_problems(page) == []
