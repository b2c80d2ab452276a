"""Access-matrix rows for the assessments pages of this part (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)).
"""

LOGIN = 302
COORDINATOR_ONLY = (LOGIN, 404, 404, 200, 404)


def _department(world):
    return {"department_id": world["department"].pk}


ROWS = {
    # Exam results: the coordinators of the resident's department.
    "assessments:exam_results": (_department, COORDINATOR_ONLY),
    "assessments:exam_result_new": (_department, COORDINATOR_ONLY),
    "assessments:exam_result_edit": (lambda o: {"pk": o["exam_result"].pk}, COORDINATOR_ONLY),
    "assessments:exam_import": (_department, COORDINATOR_ONLY),
    "assessments:exam_template": (lambda o: {**_department(o), "fmt": "xlsx"}, COORDINATOR_ONLY),
    # Mentor evaluation: the coordinators of the mentor's department; the mentor reads it on their record.
    "assessments:mentor_evaluate": (lambda o: {"pk": o["mentor"].pk}, COORDINATOR_ONLY),
    "assessments:mentor_record": (lambda o: {}, (LOGIN, 404, 200, 404, 404)),
    # Track suggestions and decisions (POST-only: a GET is refused before anything is looked up).
    "assessments:track_suggestions": (_department, COORDINATOR_ONLY),
    "assessments:track_decide": (lambda o: {"pk": o["resident"].pk}, (LOGIN, 405, 405, 405, 405)),
}
