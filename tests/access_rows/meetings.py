"""Access-matrix rows for the meetings pages (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)).
`world(base)` adds this part's objects to the world fixture; `base` holds department, mentor, resident,
assignment (the resident under the mentor in the clinical programme), coordinator and the users.
"""

LOGIN = 302

ROWS = {}


def world(base):
    return {}
