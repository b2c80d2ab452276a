"""Data for the results tests (no tests here): closed campaigns whose answers went through the services.

Answers reach the database only through `surveys.submission.response_submit` and `surveys.release.release_pending`;
a campaign is then closed by moving its dates into the past (the campaign services are another part's tests).
"""

from datetime import date, timedelta

from mentoring.services import assignment_create
from organization.models import MentoringPolicy
from surveys.models import Campaign, Item
from surveys.release import release_pending
from surveys.submission import response_submit
from tests.factories import UserFactory
from tests.factories_surveys import CampaignFactory, answer_and_release, answers_for, invite


def roomy_mentors(department, residents=60):
    """Let mentors take many residents, so a test can have many answers about one mentor in one campaign."""
    MentoringPolicy.objects.filter(department=department).update(max_residents_per_mentor=residents)


def close(campaign, closes_on: date) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED,
                                                   opens_on=closes_on - timedelta(days=30), closes_on=closes_on)
    campaign.refresh_from_db()
    return campaign


def closed_about_mentors(questionnaire, counts: dict, make_resident, *, closes_on: date, threshold=5, title=None,
                         **answer_kwargs) -> Campaign:
    """A closed campaign about the mentor with `counts` {mentor: residents answering about them}."""
    campaign = CampaignFactory(questionnaire=questionnaire, threshold=threshold, about_mentor=True,
                               **({"title": title} if title else {}))
    users = []
    for mentor, n in counts.items():
        for _ in range(n):
            resident = make_resident()
            assignment_create(resident=resident, mentor=mentor)
            users.append(resident.user)
    answer_and_release(campaign, users, **answer_kwargs)
    return close(campaign, closes_on)


def closed_general(questionnaire, n: int, *, closes_on=None, threshold=5, **answer_kwargs) -> Campaign:
    """A closed campaign about nobody in particular, answered by `n` people with the same answers."""
    campaign = CampaignFactory(questionnaire=questionnaire, threshold=threshold, about_mentor=False)
    answer_and_release(campaign, [UserFactory() for _ in range(n)], **answer_kwargs)
    return close(campaign, closes_on or date.today() - timedelta(days=1))


def by_code(questionnaire) -> dict[str, Item]:
    return {i.code: i for i in Item.objects.filter(section__questionnaire=questionnaire).prefetch_related("options")}


def submit(campaign, answers_by_code: dict, questionnaire=None):
    """One person's answers given by item code (options by their label), through the service."""
    items = by_code(questionnaire or campaign.questionnaire)
    answers = {}
    for code, value in answers_by_code.items():
        item = items[code]
        if item.kind in ("single", "multiple"):
            ids = {o.label: o.pk for o in item.options.all()}
            value = ids[value] if item.kind == "single" else [ids[v] for v in value]
        answers[item.pk] = value
    user = UserFactory()
    invite(campaign, [user])
    response_submit(campaign=campaign, user=user, answers=answers)


def release_and_close(campaign, closes_on=None) -> Campaign:
    release_pending(campaign_id=campaign.pk, final=True)
    return close(campaign, closes_on or date.today() - timedelta(days=1))


__all__ = ["answers_for", "by_code", "close", "closed_about_mentors", "closed_general", "release_and_close",
           "roomy_mentors", "submit"]
