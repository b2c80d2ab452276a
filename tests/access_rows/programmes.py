"""Access-matrix rows for the programmes pages (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)).
`world(base)` adds this part's objects to the world fixture; `base` holds department, mentor, resident,
assignment (the resident under the mentor in the clinical programme), coordinator and the users.
"""

LOGIN = 302
COORDINATOR_ONLY = (LOGIN, 404, 404, 200, 404)


def _department(world):
    return {"department_id": world["department"].pk}


ROWS = {
    # Coordinator pages: the coordinators of the programme's department; everybody else 404.
    "mentoring:programme_list": (_department, COORDINATOR_ONLY),
    "mentoring:programme_create": (_department, COORDINATOR_ONLY),
    "mentoring:programme_overview": (_department, COORDINATOR_ONLY),
    "mentoring:programme_detail": (lambda o: {"pk": o["near_peer_programme"].pk}, COORDINATOR_ONLY),
    "mentoring:programme_edit": (lambda o: {"pk": o["group_programme"].pk}, COORDINATOR_ONLY),
    "mentoring:programme_assign": (lambda o: {"pk": o["group_programme"].pk}, COORDINATOR_ONLY),
    "mentoring:programme_assignment_end": (lambda o: {"pk": o["near_peer_assignment"].pk}, COORDINATOR_ONLY),
    # Own page: anyone with a mentor or resident profile (the world's coordinator has neither).
    "mentoring:my_programmes": (lambda o: {}, (LOGIN, 200, 200, 404, 404)),
}


def world(base):
    """A near-peer programme (a year-2 resident mentors the base resident) and a group programme (the base mentor
    leads a group with the base resident), each with one assignment, in the base department."""
    from mentoring.programmes import programme_create
    from mentoring.services import assignment_create
    from tests.factories import ResidentFactory

    department, resident = base["department"], base["resident"]
    near_peer = programme_create(department=department, by=base["coordinator"], kind="near_peer",
                                 name="Near-peer (access matrix)", min_per_mentor=1, max_per_mentor=2)
    group = programme_create(department=department, by=base["coordinator"], kind="group",
                             name="Group (access matrix)", min_per_mentor=4, max_per_mentor=8)
    senior = ResidentFactory(specialty=resident.specialty, clinical_site=resident.clinical_site,
                             year_of_study=resident.year_of_study + 1)
    return {
        "near_peer_programme": near_peer, "group_programme": group, "senior_resident": senior,
        "near_peer_assignment": assignment_create(resident=resident, peer=senior, programme=near_peer,
                                                  by=base["coordinator"]),
        "group_assignment": assignment_create(resident=resident, mentor=base["mentor"], programme=group,
                                              by=base["coordinator"]),
    }
