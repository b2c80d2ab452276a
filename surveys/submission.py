"""Answering a campaign: one answer per invited person, stored without the person (DESIGN.md section 3)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.models import Assignment

from .answers import items_of, normalize_answers
from .models import Campaign, Participation, PendingSubmission, Questionnaire


def accepting_answers(campaign: Campaign, today=None) -> bool:
    today = today or timezone.localdate()
    return campaign.status == Campaign.Status.OPEN and campaign.opens_on <= today <= campaign.closes_on


def current_mentor_id(user) -> int | None:
    """The respondent's mentor for a campaign about the mentor: always the active assignment, never a choice."""
    return (Assignment.objects.filter(resident__user=user, ended_on__isnull=True, kind="clinical")
            .values_list("mentor_id", flat=True).first())


def response_submit(*, campaign: Campaign, user, answers: dict, today=None) -> None:
    """Record `user`'s answers to `campaign`.

    Rules: the campaign is open today; the user was invited and has not answered (the participation
    flips by a conditional UPDATE, so concurrent submissions give exactly one answer); answers fit the
    questionnaire. The answers go to the pending pool with no trace of the user, the time or the request;
    the participation row records only that the user answered. The pool is released later
    (`surveys.release.release_pending`) in shuffled batches of at least k.
    """
    if not accepting_answers(campaign, today):
        raise ValidationError(_("This questionnaire is not open for answers."))
    subject_id = None
    if campaign.about_mentor:
        subject_id = current_mentor_id(user)
        if subject_id is None:
            raise ValidationError(_("This questionnaire is about your current mentor, and you have none."))
    with transaction.atomic():
        # The builder locks this row before it changes a questionnaire and then checks for answers, so the two
        # take turns: the answers are checked against the questionnaire as it is when they are stored.
        questionnaire = Questionnaire.objects.select_for_update().get(pk=campaign.questionnaire_id)
        payload = normalize_answers(items_of(questionnaire), answers)
        answered = Participation.objects.filter(campaign=campaign, user=user, completed=False).update(completed=True)
        if not answered:
            if Participation.objects.filter(campaign=campaign, user=user).exists():
                raise ValidationError(_("You have already answered this questionnaire. Thank you."))
            raise ValidationError(_("You are not invited to this questionnaire."))
        PendingSubmission.objects.create(campaign=campaign, subject_id=subject_id, answers=payload)
        transaction.on_commit(lambda: _queue_release(campaign.pk))


def _queue_release(campaign_id: int) -> None:
    from .tasks import release_campaign_pool

    release_campaign_pool.delay(campaign_id)
