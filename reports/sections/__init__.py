"""The sections of each kind of report, in the order they are shown.

Each section is a function `(ReportContext) -> dict` (reports/result.py) that computes its figures in the
database with a fixed number of aggregate queries: no Python loop over residents or observations, and the
number of queries does not grow with the data (tests/test_report_queries.py).
"""

from collections.abc import Callable

from ..context import ReportContext

Section = Callable[[ReportContext], dict]


def sections_of(kind: str) -> list[Section]:
    from . import annual, cohort, mentor

    return {"cohort": cohort.SECTIONS, "mentor": mentor.SECTIONS, "annual": annual.SECTIONS}[kind]
