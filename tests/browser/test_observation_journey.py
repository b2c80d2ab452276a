"""A mentor logs EPA observations on a 390x844 phone and the resident sees and acknowledges them (issue 4).

From the resident's page (`?resident=`) the common case is three taps: EPA, level, save. Without a preselected
resident it is four: resident, EPA, level, save. The test counts every tap the page receives (trusted pointer
events, across the page load after saving), so an extra tap the form needed would fail it; typing the
feedback is not counted."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Observation
from mentoring.services import assignment_create
from tests.browser.conftest import PHONE, log_in, page_problems, shot
from tests.factories_assessments import EPAFactory, ObservationFactory

WENT_WELL = "Calm, systematic examination; explained the feeding plan to the mother."
TO_IMPROVE = "Check the hip examination before discharge."
MAX_TAPS = 4
# Counts the taps the page receives. sessionStorage keeps the count across the page load that follows the save.
COUNT_TAPS = """
document.addEventListener('pointerdown', (event) => {
  if (event.isTrusted) sessionStorage.setItem('taps', String(Number(sessionStorage.getItem('taps') || 0) + 1));
}, true);
"""

TITLES = ["Care of the healthy term newborn from birth to discharge", "Resuscitation and stabilisation at birth",
          "Assessment and management of neonatal jaundice", "Management of the newborn at risk of sepsis",
          "Feeding support and assessment of growth", "Counselling parents and discharge planning"]


@pytest.fixture
def journey(coordinator, make_mentor, make_resident):
    mentor, other_mentor = make_mentor(), make_mentor()
    first = make_resident(user__last_name="Abenova", user__first_name="Aigerim")
    second = make_resident(user__last_name="Bekov", user__first_name="Daniyar")
    outsider = make_resident(user__last_name="Zhumabayeva", user__first_name="Saule")
    for resident, its_mentor in ((first, mentor), (second, mentor), (outsider, other_mentor)):
        assignment_create(resident=resident, mentor=its_mentor, by=coordinator)
    epas = [EPAFactory(specialty=first.specialty, code=f"EPA {n}", title=title) for n, title in enumerate(TITLES, 1)]
    # The mentor observed EPA 4 last week: it comes first.
    ObservationFactory(resident=second, epa=epas[3], mentor=mentor, observed_on=timezone.localdate() - timedelta(7),
                       acknowledged_at=timezone.now())
    return {"mentor": mentor, "first": first, "second": second, "outsider": outsider, "epas": epas}


def phone(make_page):
    page = make_page(viewport=PHONE, has_touch=True, device_scale_factor=2)
    page.context.add_init_script(COUNT_TAPS)
    return page



def no_horizontal_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")


class Taps:
    """Taps the test makes, checked against the taps the page counted."""

    def __init__(self, page):
        self.page, self.made = page, 0
        page.evaluate("sessionStorage.setItem('taps', '0')")

    def tap(self, locator):
        locator.tap()
        self.made += 1

    @property
    def counted(self) -> int:
        return int(self.page.evaluate("sessionStorage.getItem('taps')"))


@pytest.mark.django_db(transaction=True)
def test_mentor_logs_in_at_most_four_taps_and_the_resident_acknowledges(make_page, journey):
    mentor, first, second, outsider, epas = (journey[k] for k in ("mentor", "first", "second", "outsider", "epas"))

    # 1. The mentor opens the form from the first resident's page: the resident is preselected.
    page = phone(make_page)
    log_in(page, mentor.user.email)
    page.goto(f"{reverse('assessments:observe')}?resident={first.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log an observation")
    expect(page.get_by_role("radio", name=str(first))).to_be_checked()
    expect(page.locator("#residents")).not_to_contain_text(str(outsider))
    epa_labels = page.locator("#epas label")
    expect(epa_labels).to_have_count(6)
    expect(epa_labels.first).to_contain_text("EPA 4")  # used most recently by this mentor
    expect(epa_labels.first).to_contain_text("recent")
    expect(epa_labels.nth(1)).to_contain_text("EPA 1")  # then the catalogue's order
    levels = page.locator("#levels label")
    expect(levels).to_have_count(5)
    expect(levels.nth(2)).to_contain_text("3 · Supervision at a distance")
    expect(levels.nth(2)).to_contain_text("Acts with the mentor reachable at a distance")
    expect(page.get_by_label("Date of the encounter")).to_have_value(f"{timezone.localdate():%Y-%m-%d}")
    for label in (*[epa_labels.nth(i) for i in range(6)], *[levels.nth(i) for i in range(5)]):
        box = label.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300, box  # thumb-sized targets
    no_horizontal_overflow(page)
    shot(page, "1-observe-form")

    # 2. EPA, level, save: three taps, plus typing the feedback.
    taps = Taps(page)
    taps.tap(page.locator("#epas label", has_text="EPA 2"))
    taps.tap(levels.nth(2))
    page.get_by_label("What went well").fill(WENT_WELL)
    page.get_by_label("What to improve").fill(TO_IMPROVE)
    shot(page, "2-observe-filled")
    taps.tap(page.get_by_role("button", name="Save observation"))
    expect(page.locator(".alert-success")).to_have_text(
        f"Observation saved for {first}: EPA 2 {TITLES[1]}, level 3 (Supervision at a distance).")
    assert taps.counted == taps.made == 3
    assert taps.counted <= MAX_TAPS
    expect(page).to_have_url(re.compile(re.escape(f"{reverse('assessments:observe')}?resident={first.pk}") + "$"))
    expect(page.get_by_role("radio", name=str(first))).to_be_checked()  # ready for the next one
    expect(page.locator("#progress-link a")).to_have_text(f"Progress of {first}")
    expect(page.locator("#progress-link a")).to_have_attribute(
        "href", reverse("assessments:resident_progress", args=[first.pk]))
    observation = Observation.objects.get(resident=first)
    assert (observation.epa, observation.level, observation.mentor, observation.observed_on) == (
        epas[1], 3, mentor, timezone.localdate())
    assert (observation.went_well, observation.to_improve, observation.is_late) == (WENT_WELL, TO_IMPROVE, False)
    no_horizontal_overflow(page)
    shot(page, "3-saved")

    # 3. Without a preselected resident (two residents): resident, EPA, level, save = four taps.
    page.goto(reverse("assessments:observe"))
    expect(page.locator("#residents input:checked")).to_have_count(0)
    expect(page.locator("#epas label").first).to_contain_text("EPA 2")  # just used: now first
    taps = Taps(page)
    taps.tap(page.locator("#residents label", has_text=str(second)))
    taps.tap(page.locator("#epas label", has_text="EPA 5"))
    taps.tap(page.locator("#levels label").nth(3))
    taps.tap(page.get_by_role("button", name="Save observation"))
    expect(page.locator(".alert-success")).to_have_text(
        f"Observation saved for {second}: EPA 5 {TITLES[4]}, level 4 (Without a mentor).")
    assert taps.counted == taps.made == MAX_TAPS
    assert Observation.objects.filter(resident=second, epa=epas[4], level=4).exists()
    no_horizontal_overflow(page)
    shot(page, "4-saved-second")
    assert page_problems(page) == []

    # 4. The resident, on their own phone, sees the observation at once with the feedback and acknowledges it.
    resident_page = phone(make_page)
    log_in(resident_page, first.user.email)
    resident_page.goto(reverse("assessments:my_observations"))
    expect(resident_page.get_by_role("heading", level=1)).to_have_text("My observations")
    expect(resident_page.locator("#unacknowledged-count")).to_have_text("1 new observation to acknowledge")
    card = resident_page.locator(f'[data-observation="{observation.pk}"]')
    expect(card).to_contain_text(f"EPA 2 {TITLES[1]}")
    expect(card).to_contain_text("Level 3 · Acts with the mentor reachable at a distance")
    expect(card).to_contain_text(f"Observed by {mentor}")
    expect(card.locator(".went-well")).to_have_text(WENT_WELL)
    expect(card.locator(".to-improve")).to_have_text(TO_IMPROVE)
    expect(card).to_have_attribute("data-acknowledged", "no")
    expect(resident_page.locator("[data-observation]")).to_have_count(1)  # the other resident's are not here
    no_horizontal_overflow(resident_page)
    shot(resident_page, "5-resident-new")
    card.get_by_role("button", name="Acknowledge").tap()
    expect(resident_page.locator(".alert-success")).to_contain_text("Acknowledged: EPA 2")
    card = resident_page.locator(f'[data-observation="{observation.pk}"]')
    expect(card).to_have_attribute("data-acknowledged", "yes")
    expect(card).to_contain_text("Acknowledged on")
    expect(card.get_by_role("button", name="Acknowledge")).to_have_count(0)
    expect(resident_page.locator("#unacknowledged-count")).to_have_text("You have acknowledged every observation.")
    no_horizontal_overflow(resident_page)
    shot(resident_page, "6-resident-acknowledged")
    observation.refresh_from_db()
    assert observation.acknowledged_at is not None
    assert page_problems(resident_page) == []
