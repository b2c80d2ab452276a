"""Access-matrix rows for the assessments pages of this part (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)).
"""

LOGIN = 302


def _pair(o):
    return {"resident_pk": o["resident"].pk, "epa_pk": o["epa"].pk}


ROWS = {
    # The resident's own progress.
    "assessments:my_progress": (lambda o: {}, (LOGIN, 200, 404, 404, 404)),
    # One resident's progress and one EPA: the resident, the active mentor, the coordinator of the department.
    "assessments:resident_progress": (lambda o: {"pk": o["resident"].pk}, (LOGIN, 200, 200, 200, 404)),
    "assessments:epa_progress": (_pair, (LOGIN, 200, 200, 200, 404)),
    # POST-only (the POST matrix, 403 for the mentor and resident, 404 outside: tests/test_entrustment.py).
    "assessments:entrustment_decide": (_pair, (LOGIN, 405, 405, 405, 405)),
    # Coordinator pages, per department.
    "assessments:cohort_grid": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
    "assessments:proposals": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
}
