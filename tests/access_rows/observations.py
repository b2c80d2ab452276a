"""Access-matrix rows for the assessments pages of this part (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)).
"""

LOGIN = 302

ROWS = {
    # The mentor logs observations of their active residents and lists their own.
    "assessments:observe": (lambda o: {}, (LOGIN, 404, 200, 404, 404)),
    "assessments:mentor_observations": (lambda o: {}, (LOGIN, 404, 200, 404, 404)),
    # The resident reads and acknowledges their own (POST only: the scope is checked in test_observation_pages).
    "assessments:my_observations": (lambda o: {}, (LOGIN, 200, 404, 404, 404)),
    "assessments:observation_acknowledge": (lambda o: {"pk": o["observation"].pk}, (LOGIN, 405, 405, 405, 405)),
    # The department's coordinators keep the EPA catalogue.
    "assessments:catalogue": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
    "assessments:epa_create": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
    "assessments:epa_edit": (lambda o: {"pk": o["epa"].pk}, (LOGIN, 404, 404, 200, 404)),
}
