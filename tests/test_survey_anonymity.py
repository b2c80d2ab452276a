"""The anonymity guarantee of DESIGN.md section 3, in the data model and the release of the pool.

These tests read the database the way an administrator with a full dump would.
"""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from mentoring.services import assignment_create
from surveys.models import Answer, Participation, PendingSubmission, Response
from surveys.release import release_pending
from surveys.submission import response_submit
from tests.factories import UserFactory
from tests.factories_surveys import CampaignFactory, answer, answers_for, invite, questionnaire_with_items

pytestmark = pytest.mark.django_db

# Field names that would tie a row to a person, a session, a request or a moment.
IDENTIFYING = ("user", "person", "resident", "respondent", "participant", "participation", "session", "ip",
               "agent", "address", "host", "created", "updated", "modified", "submitted", "time", "date", "at",
               "when", "seq", "order", "position", "index", "token")


def _suspicious(name):
    parts = name.lower().split("_")
    return [p for p in parts if p in IDENTIFYING]


@pytest.mark.parametrize("model", [Response, Answer, PendingSubmission])
def test_anonymous_rows_have_nothing_that_points_to_a_person_a_session_or_a_time(model):
    fields = model._meta.get_fields()
    for field in fields:
        assert not _suspicious(field.name), f"{model.__name__}.{field.name} could identify a respondent"
        assert not isinstance(field, models.DateField | models.DateTimeField | models.TimeField), field.name
        if field.is_relation and field.related_model is not None:
            # Allowed links: the campaign (no finer than the campaign), the mentor the answers are about (filled
            # in by the server), the questionnaire's item and option, the response itself, coordinators' themes.
            assert field.related_model.__name__ in {"Campaign", "Mentor", "Item", "Option", "Response", "Answer",
                                                    "Theme"}, f"{model.__name__}.{field.name}"
            assert field.related_model.__name__ not in {"User", "Participation", "Session"}


@pytest.mark.parametrize("model", [Response, Answer, PendingSubmission])
def test_anonymous_rows_have_random_keys(model):
    pk = model._meta.pk
    assert isinstance(pk, models.UUIDField)
    assert pk.default is uuid.uuid4  # version 4: random, no clock, no node, no sequence


def test_participation_records_only_that_a_person_answered():
    names = {f.name for f in Participation._meta.get_fields()}
    assert names == {"id", "campaign", "user", "completed", "invited"}


def test_one_answer_per_invited_person(department, make_resident):
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=False))
    user = make_resident().user
    answer(campaign, user)
    with pytest.raises(ValidationError, match="already answered"):
        answer(campaign, user)
    assert PendingSubmission.objects.filter(campaign=campaign).count() == 1


def test_someone_not_invited_cannot_answer(department):
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=False))
    with pytest.raises(ValidationError, match="not invited"):
        response_submit(campaign=campaign, user=UserFactory(), answers=answers_for(campaign.questionnaire))
    assert not PendingSubmission.objects.exists()


def test_a_bad_answer_saves_nothing_and_leaves_the_invitation_open(department):
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=False))
    user = UserFactory()
    invite(campaign, [user])
    with pytest.raises(ValidationError):
        response_submit(campaign=campaign, user=user, answers=answers_for(campaign.questionnaire, likert=7))
    assert not Participation.objects.get(campaign=campaign, user=user).completed
    assert not PendingSubmission.objects.exists()


def test_the_pool_is_released_only_in_batches_of_at_least_k(department, django_capture_on_commit_callbacks):
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=False), threshold=5)
    users = [UserFactory() for _ in range(7)]
    with django_capture_on_commit_callbacks(execute=True):
        for user in users[:4]:
            answer(campaign, user)
    assert Response.objects.filter(campaign=campaign).count() == 0
    assert PendingSubmission.objects.filter(campaign=campaign).count() == 4

    with django_capture_on_commit_callbacks(execute=True):
        answer(campaign, users[4])  # the fifth: a batch of 5 is released at once
    assert Response.objects.filter(campaign=campaign).count() == 5
    assert not PendingSubmission.objects.filter(campaign=campaign).exists()

    with django_capture_on_commit_callbacks(execute=True):
        answer(campaign, users[5])
        answer(campaign, users[6])
    assert Response.objects.filter(campaign=campaign).count() == 5  # 2 waiting: fewer than k
    assert release_pending(campaign_id=campaign.pk, final=True) == 2  # at close, whatever is left
    assert Response.objects.filter(campaign=campaign).count() == 7
    assert not PendingSubmission.objects.exists()


def test_answers_are_stored_as_given(department):
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    campaign = CampaignFactory(questionnaire=questionnaire)
    answer(campaign, UserFactory(), likert=2, text="Clear explanations at the bedside.")
    release_pending(campaign_id=campaign.pk, final=True)
    stored = {a.item.code: a for a in Answer.objects.filter(response__campaign=campaign).select_related("item",
                                                                                                   "option")}
    assert stored["q1"].number == 2
    assert stored["q2"].option.label == "Daily"
    assert Answer.objects.filter(response__campaign=campaign, item__code="q3").count() == 2  # two options chosen
    assert stored["q4"].number == 1
    assert stored["q5"].number == 5
    assert stored["q6"].text == "Clear explanations at the bedside."


def test_the_mentor_is_filled_in_from_the_assignment(department, make_mentor, make_resident):
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=True))
    mentor = make_mentor()
    residents = [make_resident() for _ in range(3)]
    for resident in residents:
        assignment_create(resident=resident, mentor=mentor)
        answer(campaign, resident.user)
    release_pending(campaign_id=campaign.pk, final=True)
    assert list(Response.objects.filter(campaign=campaign).values_list("subject_id", flat=True)) == [mentor.pk] * 3


def test_a_resident_without_a_mentor_cannot_answer_a_questionnaire_about_the_mentor(department, make_resident):
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=True))
    user = make_resident().user
    invite(campaign, [user])
    with pytest.raises(ValidationError, match="you have none"):
        response_submit(campaign=campaign, user=user, answers=answers_for(campaign.questionnaire))
    assert not Participation.objects.get(user=user).completed


def test_a_lone_answer_about_a_mentor_waits_and_is_released_without_the_mentor(
        department, make_mentor, make_resident):
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=True), threshold=3)
    lonely, busy = make_mentor(), make_mentor()
    residents = [make_resident() for _ in range(4)]
    assignment_create(resident=residents[0], mentor=lonely)
    for resident in residents[1:]:
        assignment_create(resident=resident, mentor=busy)
    for resident in residents:
        answer(campaign, resident.user)

    assert release_pending(campaign_id=campaign.pk) == 3  # the lone answer about `lonely` is held back
    assert PendingSubmission.objects.filter(campaign=campaign).count() == 1
    assert release_pending(campaign_id=campaign.pk, final=True) == 1
    subjects = sorted(Response.objects.filter(campaign=campaign).values_list("subject_id", flat=True),
                      key=lambda s: (s is None, s))
    assert subjects == [busy.pk, busy.pk, busy.pk, None]  # nobody can tie it to the lonely mentor's only resident


def test_a_release_rewrites_every_response_of_the_campaign_with_their_answers(department):
    campaign = CampaignFactory(questionnaire=questionnaire_with_items(department, about_mentor=False), threshold=3)
    for _ in range(3):
        answer(campaign, UserFactory(), text="Good.")
    release_pending(campaign_id=campaign.pk)
    first = set(Response.objects.filter(campaign=campaign).values_list("id", flat=True))
    answers_before = Answer.objects.filter(response__campaign=campaign).count()
    for _ in range(3):
        answer(campaign, UserFactory(), text="Good.")
    release_pending(campaign_id=campaign.pk)
    after = set(Response.objects.filter(campaign=campaign).values_list("id", flat=True))
    assert first < after and len(after) == 6
    assert Answer.objects.filter(response__campaign=campaign).count() == 2 * answers_before
