"""The demo's surveys (surveys.demo, called by seed_demo): every part of issue 5 has something to show."""

import pytest

from accounts.models import User
from mentoring.demo import seed_demo
from surveys.models import Answer, Campaign, Participation, PendingSubmission, Questionnaire, Response
from surveys.selectors import open_participations
from surveys.shipped import SHIPPED

pytestmark = pytest.mark.django_db




def test_the_three_shipped_questionnaires_are_installed(seeded):
    assert set(Questionnaire.objects.values_list("shipped_key", flat=True)) == set(SHIPPED)


def test_three_closed_and_two_open_campaigns_with_everything_released_at_close(seeded):
    closed = Campaign.objects.filter(status="closed")
    assert closed.count() == 3 and Campaign.objects.filter(status="open").count() == 2
    assert not PendingSubmission.objects.filter(campaign__in=closed).exists()
    for campaign in closed:
        answered = Participation.objects.filter(campaign=campaign, completed=True).count()
        assert Response.objects.filter(campaign=campaign).count() == answered >= campaign.threshold


def test_the_demo_resident_and_the_coordinator_have_a_questionnaire_waiting(seeded):
    for role in ("resident", "coordinator"):
        user = User.objects.get(email=seeded[role]["email"])
        assert open_participations(user).exists(), role


def test_mentors_are_rated_in_two_past_campaigns_so_results_can_pool(seeded):
    about_mentor = Campaign.objects.filter(status="closed", about_mentor=True)
    assert about_mentor.count() == 2
    assert Response.objects.filter(campaign__in=about_mentor, subject__isnull=False).count() >= 20
    assert Answer.objects.filter(response__campaign__in=about_mentor, item__kind="text").exclude(text="").exists()


def test_seeding_again_changes_nothing(seeded):
    before = (Campaign.objects.count(), Participation.objects.count(), Response.objects.count(),
              Answer.objects.count(), Questionnaire.objects.count())
    seed_demo()
    after = (Campaign.objects.count(), Participation.objects.count(), Response.objects.count(),
             Answer.objects.count(), Questionnaire.objects.count())
    assert after == before
