"""Anonymous questionnaires in a real browser (issue 5).

On a 390x844 phone a resident opens the questionnaire from the home page, reads the guarantee before any
question, answers every question with taps and sends. Three more residents of the same mentor answer. On a
desktop the coordinator closes the campaign and sees "4 of 4 answered; results hidden until 5": a mentor's four
residents can never be told apart by their answers, and no figure is shown.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from mentoring.services import assignment_create
from surveys.campaigns import campaign_launch, campaign_save
from surveys.models import Participation, Response
from surveys.shipped import questionnaire_install_shipped
from surveys.submission import response_submit
from tests.browser.conftest import PHONE, log_in, page_problems, shot
from tests.factories_surveys import answers_for

COMMENT = "Explains the reasons behind every decision on the round."



@pytest.fixture
def campaign(department, coordinator, make_mentor, make_resident):
    mentor = make_mentor()
    residents = [make_resident() for _ in range(4)]
    for resident in residents:
        assignment_create(resident=resident, mentor=mentor, by=coordinator)
    questionnaire = questionnaire_install_shipped(department=department, key="mentor_satisfaction", by=coordinator)
    today = timezone.localdate()
    campaign = campaign_save(by=coordinator, department=department, questionnaire=questionnaire,
                             title="Satisfaction with the clinical mentor, this term", opens_on=today,
                             closes_on=today + timedelta(days=14))
    campaign_launch(campaign=campaign, by=coordinator)
    campaign.refresh_from_db()
    return {"campaign": campaign, "mentor": mentor, "residents": residents, "coordinator": coordinator}


@pytest.mark.django_db(transaction=True)
def test_a_resident_answers_on_a_phone_and_the_coordinator_sees_results_hidden_until_k(make_page, campaign):
    survey, mentor, residents = campaign["campaign"], campaign["mentor"], campaign["residents"]

    # 1. The resident finds the questionnaire on the home page.
    page = make_page(viewport=PHONE, has_touch=True, device_scale_factor=2)
    log_in(page, residents[0].user.email)
    page.goto(reverse("mentoring:resident_home"))
    page.get_by_role("link", name=re.compile(survey.title)).first.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title)

    # 2. The guarantee comes first, before any question, and names the mentor the answers are about.
    guarantee = page.locator("#guarantee")
    expect(guarantee).to_contain_text("Your answers are anonymous")
    expect(guarantee).to_contain_text("not which answers are yours")
    expect(guarantee).to_contain_text("groups of at least 5 people")
    assert guarantee.bounding_box()["y"] < page.locator("#answer-form fieldset").first.bounding_box()["y"]
    expect(page.locator("#answer-subject")).to_contain_text(str(mentor))
    shot(page, "1-guarantee")

    # 3. Every question answered with taps: "Agree" on the scales, the first choice elsewhere; one comment.
    for fieldset in page.locator("#answer-form fieldset").all():
        labels = fieldset.locator("label")
        agree = fieldset.locator("label", has_text=re.compile(r"^Agree$"))
        (agree if agree.count() else labels.first).tap()
    page.locator("#answer-form textarea").first.fill(COMMENT)
    shot(page, "2-answered")
    page.get_by_role("button", name="Send my answers").tap()
    expect(page.locator(".alert-success, .alert-info").first).to_contain_text("recorded anonymously")
    shot(page, "3-thank-you")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The answer waits in the pool; only that the resident answered is recorded.
    assert Participation.objects.get(campaign=survey, user=residents[0].user).completed
    page.goto(reverse("surveys:answer", args=[survey.pk]))
    expect(page.locator("#answer-unavailable")).to_contain_text("already answered")

    # 4. The other three residents of the same mentor answer.
    for resident in residents[1:]:
        response_submit(campaign=survey, user=resident.user, answers=answers_for(survey.questionnaire))

    # 5. The coordinator closes the campaign and reads the results page: 4 of 4, hidden until 5.
    desk = make_page()
    log_in(desk, campaign["coordinator"].email)
    desk.goto(reverse("surveys:campaign_detail", args=[survey.pk]))
    expect(desk.locator("body")).to_contain_text("4 of 4 answered; results hidden until 5")
    desk.locator("#close summary").click()
    desk.get_by_role("button", name="Yes, close the campaign").click()
    desk.goto(reverse("surveys:campaign_results", args=[survey.pk]))
    expect(desk.locator("body")).to_contain_text("4 of 4 answered; results hidden until 5")
    expect(desk.locator("body")).not_to_contain_text(COMMENT)
    expect(desk.locator("svg")).to_have_count(0)
    shot(desk, "4-results-hidden")
    assert Response.objects.filter(campaign=survey).count() == 4  # released at close, shown to nobody
    assert page_problems(page) == [] and page_problems(desk) == []
