"""Access-matrix rows for the survey pages of this part (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)). World keys for surveys: questionnaire,
section, item (a Likert item), campaign (open, about the mentor, the resident invited), closed_campaign
(closed, 5 released responses), comment (an Answer to the free-text item of closed_campaign), theme.
"""

LOGIN = 302
COORDINATOR_ONLY = (LOGIN, 404, 404, 200, 404)
POST_ONLY = (LOGIN, 405, 405, 405, 405)


def _department(world):
    return {"department_id": world["department"].pk}


def _campaign(world):
    return {"pk": world["campaign"].pk}


def _draft(world):
    """A draft campaign of the world's questionnaire: only a draft has an edit page."""
    from surveys.models import Campaign
    from tests.factories_surveys import CampaignFactory

    return {"pk": CampaignFactory(questionnaire=world["questionnaire"], status=Campaign.Status.DRAFT).pk}


ROWS = {
    # Coordinator pages of the campaign's department.
    "surveys:campaign_list": (_department, COORDINATOR_ONLY),
    "surveys:campaign_new": (_department, COORDINATOR_ONLY),
    "surveys:campaign_detail": (_campaign, COORDINATOR_ONLY),
    "surveys:campaign_edit": (_draft, COORDINATOR_ONLY),
    # POST-only: a GET is refused before anything is looked up (the POST scope: tests/test_survey_campaign_pages.py).
    "surveys:campaign_launch": (_campaign, POST_ONLY),
    "surveys:campaign_close": (_campaign, POST_ONLY),
    "surveys:campaign_remind": (_campaign, POST_ONLY),
    # Respondents: anyone logged in has a list (maybe empty); only the invited resident reaches the answer page.
    "surveys:my_questionnaires": (lambda world: {}, (LOGIN, 200, 200, 200, 200)),
    "surveys:answer": (_campaign, (LOGIN, 200, 404, 404, 404)),
}
