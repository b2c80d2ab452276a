"""Access-matrix rows for the survey pages of this part (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)). World keys for surveys: questionnaire,
section, item (a Likert item), campaign (open, about the mentor, the resident invited), closed_campaign
(closed, 5 released responses), comment (an Answer to the free-text item of closed_campaign), theme.
"""

LOGIN = 302
COORDINATOR_ONLY = (LOGIN, 404, 404, 200, 404)


def _closed(world):
    return {"pk": world["closed_campaign"].pk}


ROWS = {
    # Results, export and comments of a campaign: the coordinators of its department (closed: 5 >= k = 5).
    "surveys:campaign_results": (_closed, COORDINATOR_ONLY),
    "surveys:campaign_export": (lambda o: {**_closed(o), "fmt": "csv"}, COORDINATOR_ONLY),
    "surveys:campaign_comments": (_closed, COORDINATOR_ONLY),
    # POST-only: a GET is refused before anything is looked up; the POST scope is in tests/test_survey_themes.py.
    "surveys:comment_tag": (lambda o: {"pk": o["comment"].pk}, (LOGIN, 405, 405, 405, 405)),
    "surveys:themes": (lambda o: {"department_id": o["department"].pk}, COORDINATOR_ONLY),
    # Per-mentor pooled results: coordinators for their questionnaires; each mentor only their own page.
    "surveys:mentor_results": (lambda o: {"pk": o["questionnaire"].pk}, COORDINATOR_ONLY),
    "surveys:my_results": (lambda o: {}, (LOGIN, 404, 200, 404, 404)),
}
