"""Access-matrix rows for the assessments pages of this part (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)).
"""

LOGIN = 302

ROWS = {}
