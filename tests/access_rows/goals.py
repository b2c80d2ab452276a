"""Access-matrix rows for the goals pages (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)).
`world(base)` adds this part's objects to the world fixture; `base` holds department, mentor, resident,
assignment (the resident under the mentor in the clinical programme), coordinator and the users.

The resident and their mentor side write, the coordinators of the resident's department read (403 on the
write pages), anyone else gets 404. The POST matrix (403 for the coordinator, 404 outside the scope) is in
tests/test_goal_pages.py.
"""

from datetime import timedelta

from django.utils import timezone

LOGIN = 302


def _goal(o):
    return {"pk": o["goal"].pk}


ROWS = {
    # The resident's own action plan; the mentor's view over all mentees.
    "mentoring:my_goals": (lambda o: {}, (LOGIN, 200, 404, 404, 404)),
    "mentoring:mentee_goals": (lambda o: {}, (LOGIN, 404, 200, 404, 404)),
    # One resident's goals: the resident is sent to "My goals"; the mentor side writes; the coordinator reads.
    "mentoring:resident_goals": (lambda o: {"pk": o["resident"].pk}, (LOGIN, 302, 200, 200, 404)),
    "mentoring:goal_detail": (_goal, (LOGIN, 200, 200, 200, 404)),
    "mentoring:goal_edit": (_goal, (LOGIN, 200, 200, 403, 404)),
    # POST-only: a GET is refused before anything is looked up.
    "mentoring:goal_agree": (_goal, (LOGIN, 405, 405, 405, 405)),
    "mentoring:goal_note_add": (_goal, (LOGIN, 405, 405, 405, 405)),
}


def world(base):
    """A goal of the base resident, proposed and so agreed by the base mentor two months ago, overdue since
    ten days."""
    from mentoring.goals import goal_create

    today = timezone.localdate()
    goal = goal_create(resident=base["resident"], by=base["mentor"].user, title="Lead a neonatal resuscitation",
                       description="Under supervision in the delivery room.", due_on=today - timedelta(days=10),
                       today=today - timedelta(days=60))
    return {"goal": goal}
