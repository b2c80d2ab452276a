"""Access-matrix rows for the survey pages of this part (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)). World keys for surveys: questionnaire,
section, item (a Likert item), campaign (open, about the mentor, the resident invited), closed_campaign
(closed, 5 released responses), comment (an Answer to the free-text item of closed_campaign), theme.

Builder pages: the coordinators of the questionnaire's department; everyone else gets 404. The world's
questionnaire is locked (its closed campaign has responses), so the GET of its edit pages sends the
coordinator back to the read-only builder page with the reason (302); the unlocked case is covered in
tests/test_survey_builder_pages.py. POST-only URLs refuse a GET with 405 before anything is looked up.
"""

LOGIN = 302
COORDINATOR_ONLY = (LOGIN, 404, 404, 200, 404)
LOCKED_EDIT = (LOGIN, 404, 404, 302, 404)
POST_ONLY = (LOGIN, 405, 405, 405, 405)


def _department(world):
    return {"department_id": world["department"].pk}


def _questionnaire(world):
    return {"pk": world["questionnaire"].pk}


def _section(world):
    return {"pk": world["section"].pk}


def _item(world):
    return {"pk": world["item"].pk}


ROWS = {
    "surveys:questionnaire_list": (_department, COORDINATOR_ONLY),
    "surveys:questionnaire_new": (_department, COORDINATOR_ONLY),
    "surveys:questionnaire_install": (_department, POST_ONLY),
    "surveys:questionnaire_detail": (_questionnaire, COORDINATOR_ONLY),
    "surveys:questionnaire_edit": (_questionnaire, LOCKED_EDIT),
    "surveys:questionnaire_copy": (_questionnaire, POST_ONLY),
    "surveys:questionnaire_preview": (_questionnaire, COORDINATOR_ONLY),
    "surveys:section_new": (_questionnaire, LOCKED_EDIT),
    "surveys:section_edit": (_section, LOCKED_EDIT),
    "surveys:section_delete": (_section, POST_ONLY),
    "surveys:section_move": (_section, POST_ONLY),
    "surveys:item_new": (_section, LOCKED_EDIT),
    "surveys:item_edit": (_item, LOCKED_EDIT),
    "surveys:item_delete": (_item, POST_ONLY),
    "surveys:item_move": (_item, POST_ONLY),
}
