"""Access-matrix rows for the survey pages of this part (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)). World keys for surveys: questionnaire,
section, item (a Likert item), campaign (open, about the mentor, the resident invited), closed_campaign
(closed, 5 released responses), comment (an Answer to the free-text item of closed_campaign), theme.
"""

LOGIN = 302
COORDINATOR_ONLY = (LOGIN, 404, 404, 200, 404)

ROWS = {}
