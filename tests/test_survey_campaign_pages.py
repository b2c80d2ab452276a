"""The coordinator's campaign pages: list, new / edit, detail with launch, reminders and close; query counts."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils.formats import date_format

from mentoring.services import assignment_create
from surveys.models import Campaign, Participation, PendingSubmission, Response
from surveys.submission import response_submit
from tests.factories import (
    CoordinatorFactory,
    DepartmentFactory,
    SpecialtyFactory,
    UserFactory,
    today,
    uncommonly_named,
)
from tests.factories_surveys import CampaignFactory, answers_for, invite, questionnaire_with_items
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(department):
    return questionnaire_with_items(department, about_mentor=True)



@pytest.fixture
def logged_in(client, coordinator):
    client.force_login(coordinator)
    return client


def messages_text(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def mentored_residents(make_resident, make_mentor, n):
    residents, mentor = [], None
    for i in range(n):
        if i % 4 == 0:
            mentor = make_mentor()
        resident = make_resident()
        assignment_create(resident=resident, mentor=mentor)
        residents.append(resident)
    return residents


def answered_by(campaign, users):
    invite(campaign, users)
    for u in users:
        response_submit(campaign=campaign, user=u, answers=answers_for(campaign.questionnaire))


# --- the list --------------------------------------------------------------------------------------------------


def test_list_shows_status_dates_and_response_rate(logged_in, department, questionnaire):
    plain = questionnaire_with_items(department, about_mentor=False)
    open_one = CampaignFactory(questionnaire=plain, title="Spring survey")
    answered_by(open_one, [UserFactory() for _ in range(4)])
    draft = CampaignFactory(questionnaire=questionnaire, title="Autumn survey", status="draft")
    elsewhere = CampaignFactory(title="Not ours")

    response = logged_in.get(reverse("surveys:campaign_list", args=[department.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Spring survey" in html and "Autumn survey" in html and "Not ours" not in html
    assert "4 of 4 answered; results hidden until 5" in html
    assert "Not launched yet" in html
    assert date_format(open_one.opens_on, "SHORT_DATE_FORMAT") in html
    assert date_format(open_one.closes_on, "SHORT_DATE_FORMAT") in html
    assert reverse("surveys:campaign_detail", args=[draft.pk]) in html
    assert reverse("surveys:campaign_new", args=[department.pk]) in html
    assert elsewhere.pk not in [c.pk for c in response.context["page"]]


def test_response_rate_wording_once_k_is_reached(logged_in, department):
    plain = questionnaire_with_items(department, about_mentor=False)
    campaign = CampaignFactory(questionnaire=plain)
    answered_by(campaign, [UserFactory() for _ in range(5)])
    invite(campaign, [UserFactory()])
    url = reverse("surveys:campaign_detail", args=[campaign.pk])

    assert "5 of 6 answered; results appear when the questionnaire closes" in logged_in.get(url).content.decode()
    Campaign.objects.filter(pk=campaign.pk).update(status="closed")
    assert '<span class="response-rate">5 of 6 answered</span>' in logged_in.get(url).content.decode()


def test_list_queries_do_not_grow_with_campaigns(logged_in, department, questionnaire):
    url = reverse("surveys:campaign_list", args=[department.pk])
    for _ in range(2):
        invite(CampaignFactory(questionnaire=questionnaire), [UserFactory()])
    small = count_queries(logged_in, url)
    for _ in range(18):
        invite(CampaignFactory(questionnaire=questionnaire), [UserFactory(), UserFactory()])
    assert count_queries(logged_in, url) == small


# --- new and edit ----------------------------------------------------------------------------------------------


def test_new_campaign_form_offers_only_the_coordinators_choices(logged_in, department, questionnaire):
    other = DepartmentFactory()
    foreign = questionnaire_with_items(other)
    SpecialtyFactory(department=other)

    url = reverse("surveys:campaign_new", args=[department.pk])
    response = logged_in.get(url, {"questionnaire": questionnaire.pk})

    form = response.context["form"]
    assert list(form.fields["questionnaire"].queryset) == [questionnaire]
    assert foreign not in form.fields["questionnaire"].queryset
    assert list(form.fields["departments"].queryset) == [department]
    assert {s.department_id for s in form.fields["specialties"].queryset} <= {department.pk}
    assert form.initial["questionnaire"] == str(questionnaire.pk) and form.initial["threshold"] == 5
    html = response.content.decode()
    assert "At least 3." in html
    for label in ("Questionnaire", "Title", "Audience", "Cohorts", "Specialties", "Departments", "Opens on",
                  "Closes on", "Anonymity threshold k", "The questions are about"):
        assert label in html


def campaign_form(questionnaire, **overrides):
    return {"questionnaire": questionnaire.pk, "title": "Mentor satisfaction", "audience": "residents",
            "about_mentor": "", "opens_on": today().isoformat(),
            "closes_on": (today() + timedelta(days=14)).isoformat(), "threshold": "5"} | overrides


def test_new_campaign_saves_a_draft(logged_in, department, questionnaire):
    response = logged_in.post(reverse("surveys:campaign_new", args=[department.pk]), campaign_form(questionnaire))

    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == reverse("surveys:campaign_detail", args=[campaign.pk])
    assert campaign.status == "draft" and campaign.about_mentor is True and campaign.threshold == 5
    assert "Draft campaign saved. Check the audience, then launch it." in messages_text(response)


def test_new_campaign_refuses_a_threshold_below_three(logged_in, department, questionnaire):
    response = logged_in.post(reverse("surveys:campaign_new", args=[department.pk]),
                              campaign_form(questionnaire, threshold="2"))

    assert response.status_code == 200
    assert "threshold" in response.context["form"].errors
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("field", ["departments", "specialties", "cohorts"])
@pytest.mark.parametrize("value", ["9223372036854775808", "-9223372036854775809", str(10 ** 30)])
def test_new_campaign_refuses_an_id_beyond_the_integer_range(logged_in, department, questionnaire, field, value):
    """Found by tests/test_fuzz_forms.py: such an id reached the `IN (...)` query and SQLite failed (500)."""
    response = logged_in.post(reverse("surveys:campaign_new", args=[department.pk]),
                              campaign_form(questionnaire, **{field: [value]}))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        f"Select a valid choice. {value} is not one of the available choices."]
    assert not Campaign.objects.exists()


def test_new_campaign_shows_the_services_refusal_on_the_field(logged_in, department, questionnaire):
    response = logged_in.post(reverse("surveys:campaign_new", args=[department.pk]),
                              campaign_form(questionnaire, audience="mentors", about_mentor="mentor"))

    errors = response.context["form"].errors
    assert "Only residents answer about their current mentor." in errors["about_mentor"]
    assert not Campaign.objects.exists()


def test_edit_a_draft(logged_in, questionnaire):
    campaign = CampaignFactory(questionnaire=questionnaire, status="draft")
    url = reverse("surveys:campaign_edit", args=[campaign.pk])
    assert logged_in.get(url).context["form"].initial["title"] == campaign.title

    response = logged_in.post(url, campaign_form(questionnaire, title="Renamed", about_mentor="none", threshold="6"))

    campaign.refresh_from_db()
    assert response.status_code == 302
    assert (campaign.title, campaign.about_mentor, campaign.threshold) == ("Renamed", False, 6)
    assert "Changes saved." in messages_text(response)


def test_edit_after_launch_goes_back_to_the_detail(logged_in, questionnaire):
    campaign = CampaignFactory(questionnaire=questionnaire)
    url = reverse("surveys:campaign_edit", args=[campaign.pk])

    for response in (logged_in.get(url), logged_in.post(url, campaign_form(questionnaire, title="Changed"))):
        assert response.status_code == 302
        assert response.url == reverse("surveys:campaign_detail", args=[campaign.pk])
        assert "This campaign has been launched: it can no longer be changed." in messages_text(response)
    assert Campaign.objects.get(pk=campaign.pk).title != "Changed"


# --- detail, launch, reminders, close --------------------------------------------------------------------------


def test_draft_detail_says_who_would_be_invited_and_why_not(logged_in, questionnaire, make_mentor, make_resident):
    mentored_residents(make_resident, make_mentor, 2)
    make_resident()  # no mentor
    campaign = CampaignFactory(questionnaire=questionnaire, status="draft")

    html = logged_in.get(reverse("surveys:campaign_detail", args=[campaign.pk])).content.decode()

    assert "Launching now would invite 2 people." in html
    assert "1 resident has no active mentor and would not be invited: the questions are about the mentor." in html
    assert "Fewer people than the threshold k = 5" in html
    assert reverse("surveys:campaign_launch", args=[campaign.pk]) in html
    assert reverse("surveys:campaign_edit", args=[campaign.pk]) in html
    assert reverse("surveys:campaign_close", args=[campaign.pk]) not in html
    assert reverse("surveys:campaign_results", args=[campaign.pk]) not in html


def test_open_detail_shows_the_rate_and_the_actions(logged_in, questionnaire, make_mentor, make_resident):
    campaign = CampaignFactory(questionnaire=questionnaire)
    residents = mentored_residents(uncommonly_named(make_resident), make_mentor, 4)
    answered_by(campaign, [r.user for r in residents])

    html = logged_in.get(reverse("surveys:campaign_detail", args=[campaign.pk])).content.decode()

    assert "4 of 4 answered; results hidden until 5" in html
    assert reverse("surveys:questionnaire_detail", args=[questionnaire.pk]) in html
    assert reverse("surveys:campaign_results", args=[campaign.pk]) in html
    assert reverse("surveys:mentor_results", args=[questionnaire.pk]) in html
    assert reverse("surveys:campaign_remind", args=[campaign.pk]) in html
    assert reverse("surveys:campaign_close", args=[campaign.pk]) in html
    assert reverse("surveys:campaign_launch", args=[campaign.pk]) not in html
    for r in residents:  # never who answered
        assert r.user.last_name not in html and r.user.email not in html


def test_launch(logged_in, questionnaire, make_mentor, make_resident, django_capture_on_commit_callbacks):
    residents = mentored_residents(make_resident, make_mentor, 3)
    make_resident()
    campaign = CampaignFactory(questionnaire=questionnaire, status="draft")

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(reverse("surveys:campaign_launch", args=[campaign.pk]))

    assert response.status_code == 302 and response.url == reverse("surveys:campaign_detail", args=[campaign.pk])
    assert messages_text(response) == [
        "Campaign launched: 3 people invited.",
        "1 resident without an active mentor was not invited: the questions are about the mentor."]
    assert Campaign.objects.get(pk=campaign.pk).status == "open"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in residents)


def test_launch_refused_shows_the_reason(logged_in, questionnaire, make_resident):
    make_resident()
    campaign = CampaignFactory(questionnaire=questionnaire, status="draft")

    response = logged_in.post(reverse("surveys:campaign_launch", args=[campaign.pk]))

    assert messages_text(response) == ["Nobody to invite: none of the chosen residents has an active mentor."]
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"


def test_remind(logged_in, questionnaire, make_mentor, make_resident, django_capture_on_commit_callbacks):
    campaign = CampaignFactory(questionnaire=questionnaire)
    residents = mentored_residents(make_resident, make_mentor, 3)
    answered_by(campaign, [residents[0].user])
    invite(campaign, [r.user for r in residents[1:]])

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(reverse("surveys:campaign_remind", args=[campaign.pk]))

    assert messages_text(response) == ["A reminder is on its way to each of the 2 people who have not answered."]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in residents[1:])
    assert Campaign.objects.get(pk=campaign.pk).reminders_sent == 1


def test_close_releases_and_says_so(logged_in, questionnaire, make_mentor, make_resident,
                                    django_capture_on_commit_callbacks):
    campaign = CampaignFactory(questionnaire=questionnaire)
    answered_by(campaign, [r.user for r in mentored_residents(make_resident, make_mentor, 4)])

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(reverse("surveys:campaign_close", args=[campaign.pk]))

    assert messages_text(response) == ["Campaign closed. Results are shown where at least 5 people answered."]
    assert Campaign.objects.get(pk=campaign.pk).status == "closed"
    assert Response.objects.filter(campaign=campaign).count() == 4
    assert not PendingSubmission.objects.exists()
    again = logged_in.post(reverse("surveys:campaign_close", args=[campaign.pk]))
    assert messages_text(again)[-1] == "Only an open campaign can be closed."


@pytest.mark.parametrize("name", ["surveys:campaign_launch", "surveys:campaign_close", "surveys:campaign_remind"])
def test_posts_outside_the_scope_are_404_and_change_nothing(name, client, questionnaire, make_mentor, make_resident):
    residents = mentored_residents(make_resident, make_mentor, 1)
    if name == "surveys:campaign_launch":
        campaign = CampaignFactory(questionnaire=questionnaire, status="draft")
    else:
        campaign = CampaignFactory(questionnaire=questionnaire)
        invite(campaign, [residents[0].user])
    outsiders = [residents[0].user, make_mentor().user, CoordinatorFactory(department=DepartmentFactory()).user]

    for user in outsiders:
        client.force_login(user)
        assert client.post(reverse(name, args=[campaign.pk])).status_code == 404

    after = Campaign.objects.get(pk=campaign.pk)
    assert (after.status, after.reminders_sent) == (campaign.status, 0)
    assert Participation.objects.filter(campaign=campaign).count() == (1 if campaign.status == "open" else 0)
    assert mail.outbox == []


def test_detail_queries_do_not_grow_with_invitations(logged_in, department, questionnaire):
    campaign = CampaignFactory(questionnaire=questionnaire)
    url = reverse("surveys:campaign_detail", args=[campaign.pk])
    invite(campaign, [UserFactory()])
    small = count_queries(logged_in, url)
    invite(campaign, [UserFactory() for _ in range(9)])
    some = list(Participation.objects.filter(campaign=campaign).values_list("pk", flat=True)[:3])
    Participation.objects.filter(pk__in=some).update(completed=True)
    assert count_queries(logged_in, url) == small


def test_draft_detail_queries_do_not_grow_with_the_audience(logged_in, questionnaire, make_mentor, make_resident):
    campaign = CampaignFactory(questionnaire=questionnaire, status="draft")
    url = reverse("surveys:campaign_detail", args=[campaign.pk])
    mentored_residents(make_resident, make_mentor, 1)
    small = count_queries(logged_in, url)
    mentored_residents(make_resident, make_mentor, 9)
    make_resident()
    assert count_queries(logged_in, url) == small
