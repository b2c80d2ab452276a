"""The respondent's pages: my questionnaires, answering once after reading the guarantee; the home cards."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from mentoring.services import assignment_create, assignment_end
from surveys.models import Campaign, Participation, PendingSubmission
from tests.factories import UserFactory, today
from tests.factories_surveys import CampaignFactory, answer, answers_for, invite, questionnaire_with_items
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

GUARANTEE = ("Your answers are anonymous. We record only that you have answered — not when, and not which answers "
             "are yours. Nobody, not your mentor, not the coordinator, not the system administrators with full "
             "access to the database, can link your answers to you. Results are shown only for groups of at least "
             "5 people, and comments only after the questionnaire closes. You can answer once.")
THANKS = "Thank you: your answers have been recorded anonymously."
ALREADY = "You have already answered this questionnaire. Thank you."




@pytest.fixture
def campaign(department, resident):
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=True),
                               title="Satisfaction with the mentor")
    invite(campaign, [resident.user])
    return campaign


def messages_text(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(questionnaire):
    return {f"item_{pk}": value for pk, value in answers_for(questionnaire).items() if value != ""}


# --- answering -------------------------------------------------------------------------------------------------


def test_the_guarantee_comes_first_then_the_mentor_then_the_form(client, resident, mentor, campaign):
    client.force_login(resident.user)

    response = client.get(reverse("surveys:answer", args=[campaign.pk]))

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    subject = (f"These questions are about your current mentor, {mentor.user.full_name}. "
               "The system fills this in from your assignment.")
    assert GUARANTEE in html and subject in html
    assert html.index(GUARANTEE) < html.index(subject) < html.index('id="answer-form"')
    assert 'name="item_' in html


def test_answer_once(client, resident, mentor, campaign):
    client.force_login(resident.user)
    url = reverse("surveys:answer", args=[campaign.pk])

    response = client.post(url, form_data(campaign.questionnaire))

    assert response.status_code == 302 and response.url == reverse("surveys:my_questionnaires")
    assert THANKS in messages_text(response)
    assert Participation.objects.get(campaign=campaign, user=resident.user).completed
    (pending,) = PendingSubmission.objects.filter(campaign=campaign)
    assert pending.subject_id == mentor.pk  # from the assignment, never from the form

    second = client.post(url, form_data(campaign.questionnaire))
    assert second.status_code == 302 and ALREADY in messages_text(second)
    assert PendingSubmission.objects.filter(campaign=campaign).count() == 1
    page = client.get(url)
    assert ALREADY in page.content.decode() and 'id="answer-form"' not in page.content.decode()


def test_the_subject_cannot_be_chosen_by_the_respondent(client, resident, mentor, make_mentor, campaign):
    client.force_login(resident.user)
    other = make_mentor()

    client.post(reverse("surveys:answer", args=[campaign.pk]),
                form_data(campaign.questionnaire) | {"subject": other.pk, "mentor": other.pk})

    assert PendingSubmission.objects.get(campaign=campaign).subject_id == mentor.pk


def test_missing_answers_are_shown_and_nothing_is_recorded(client, resident, campaign):
    client.force_login(resident.user)
    data = form_data(campaign.questionnaire)
    first_required = next(k for k in data if k.startswith("item_"))
    del data[first_required]

    response = client.post(reverse("surveys:answer", args=[campaign.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors[first_required]
    assert not Participation.objects.get(campaign=campaign, user=resident.user).completed
    assert not PendingSubmission.objects.exists()


def test_not_invited_is_404(client, make_resident, mentor, campaign):
    stranger = make_resident()
    assignment_create(resident=stranger, mentor=mentor)
    client.force_login(stranger.user)

    assert client.get(reverse("surveys:answer", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("surveys:answer", args=[campaign.pk]),
                       form_data(campaign.questionnaire)).status_code == 404
    assert not PendingSubmission.objects.exists()


def test_closed_and_not_yet_open_show_a_message_and_no_form(client, resident, campaign):
    client.force_login(resident.user)
    url = reverse("surveys:answer", args=[campaign.pk])

    Campaign.objects.filter(pk=campaign.pk).update(status="closed")
    html = client.get(url).content.decode()
    assert "This questionnaire has closed; answers are no longer accepted." in html
    assert 'id="answer-form"' not in html
    response = client.post(url, form_data(campaign.questionnaire))
    assert response.status_code == 302 and not PendingSubmission.objects.exists()

    Campaign.objects.filter(pk=campaign.pk).update(status="open", opens_on=today() + timedelta(days=2),
                                                   closes_on=today() + timedelta(days=9))
    html = client.get(url).content.decode()
    assert "This questionnaire is not open yet. It opens on" in html and 'id="answer-form"' not in html


def test_about_the_mentor_without_a_mentor_explains_and_shows_no_form(client, resident, campaign):
    assignment_end(assignment=resident.assignments.get(), reason="Rotation ended")
    client.force_login(resident.user)

    html = client.get(reverse("surveys:answer", args=[campaign.pk])).content.decode()

    assert "you have no active mentor at the moment" in html
    assert 'id="answer-form"' not in html


def test_a_campaign_not_about_the_mentor_names_nobody(client, department, resident, mentor):
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=False))
    invite(campaign, [resident.user])
    client.force_login(resident.user)

    html = client.get(reverse("surveys:answer", args=[campaign.pk])).content.decode()

    assert mentor.user.full_name not in html and "about your current mentor" not in html
    client.post(reverse("surveys:answer", args=[campaign.pk]), form_data(campaign.questionnaire))
    assert PendingSubmission.objects.get(campaign=campaign).subject_id is None


# --- my questionnaires -----------------------------------------------------------------------------------------


def test_my_questionnaires_lists_open_then_answered_titles(client, department, resident, campaign):
    done = CampaignFactory(questionnaire=campaign.questionnaire, title="Last spring")
    answer(done, resident.user)
    CampaignFactory(questionnaire=campaign.questionnaire, title="Not for me")
    closed = CampaignFactory(questionnaire=campaign.questionnaire, title="Missed it", status="closed")
    invite(closed, [resident.user])
    client.force_login(resident.user)

    response = client.get(reverse("surveys:my_questionnaires"))

    html = response.content.decode()
    assert [p.campaign for p in response.context["open"]] == [campaign]
    assert [p.campaign for p in response.context["answered"]] == [done]
    assert reverse("surveys:answer", args=[campaign.pk]) in html
    assert "Satisfaction with the mentor" in html and "Last spring" in html
    assert "Not for me" not in html and "Missed it" not in html
    assert reverse("surveys:answer", args=[done.pk]) not in html


def test_my_questionnaires_for_anybody_logged_in(client):
    client.force_login(UserFactory())
    response = client.get(reverse("surveys:my_questionnaires"))
    assert response.status_code == 200 and "Nothing to answer at the moment." in response.content.decode()


def test_my_questionnaires_queries_do_not_grow_with_invitations(client, resident, campaign):
    client.force_login(resident.user)
    url = reverse("surveys:my_questionnaires")
    small = count_queries(client, url)
    for _ in range(9):
        invite(CampaignFactory(questionnaire=campaign.questionnaire), [resident.user])
    answer(CampaignFactory(questionnaire=campaign.questionnaire), resident.user)
    assert count_queries(client, url) == small


def test_answer_page_queries_do_not_grow_with_questions(client, resident, campaign):
    client.force_login(resident.user)
    url = reverse("surveys:answer", args=[campaign.pk])
    small = count_queries(client, url)
    section = campaign.questionnaire.sections.create(title="More", position=2)
    for position in range(1, 31):
        item = section.items.create(kind="single" if position % 2 else "likert", text=f"Question {position}",
                                    position=position, code=f"extra{position}")
        if item.kind == "single":
            for value in (1, 2, 3):
                item.options.create(label=f"Option {value}", value=value, position=value)
    assert count_queries(client, url) == small


# --- home cards ------------------------------------------------------------------------------------------------


def test_resident_home_card_links_to_the_answer_page(client, resident, campaign):
    client.force_login(resident.user)
    home = reverse("mentoring:resident_home")

    html = client.get(home).content.decode()
    assert 'id="home-questionnaires"' in html and reverse("surveys:answer", args=[campaign.pk]) in html

    answer(campaign, resident.user)
    assert 'id="home-questionnaires"' not in client.get(home).content.decode()


def test_mentor_home_card(client, department, mentor):
    for_mentors = questionnaire_with_items(department, about_mentor=False, intended_for="mentors")
    home = reverse("mentoring:mentor_home")
    client.force_login(mentor.user)
    assert 'id="home-questionnaires"' not in client.get(home).content.decode()

    campaign = CampaignFactory(questionnaire=for_mentors, audience="mentors")
    invite(campaign, [mentor.user])

    html = client.get(home).content.decode()
    assert 'id="home-questionnaires"' in html and reverse("surveys:answer", args=[campaign.pk]) in html


def test_dashboard_card_shows_open_campaigns_with_their_rate(client, coordinator, department, campaign, resident):
    answer(campaign, resident.user)
    invite(campaign, [UserFactory() for _ in range(3)])
    CampaignFactory(questionnaire=campaign.questionnaire, title="A draft", status="draft")
    client.force_login(coordinator)

    html = client.get(reverse("mentoring:dashboard", args=[department.pk])).content.decode()

    assert 'id="dashboard-surveys"' in html
    assert "1 of 4 answered; results hidden until 5" in html
    assert reverse("surveys:campaign_list", args=[department.pk]) in html
    assert "A draft" not in html


def test_home_pages_and_dashboard_stay_flat_with_the_cards(client, coordinator, department, resident, mentor,
                                                           campaign):
    for_mentors = questionnaire_with_items(department, about_mentor=False, intended_for="mentors")
    invite(CampaignFactory(questionnaire=for_mentors, audience="mentors"), [mentor.user])
    pages = [(resident.user, reverse("mentoring:resident_home")), (mentor.user, reverse("mentoring:mentor_home")),
             (coordinator, reverse("mentoring:dashboard", args=[department.pk]))]

    def counts():
        result = []
        for user, url in pages:
            client.force_login(user)
            result.append(count_queries(client, url))
        return result

    small = counts()
    for _ in range(9):
        invite(CampaignFactory(questionnaire=campaign.questionnaire), [resident.user, UserFactory()])
        invite(CampaignFactory(questionnaire=for_mentors, audience="mentors"), [mentor.user])
    assert counts() == small
