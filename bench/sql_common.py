"""Helpers of the hand-written SQL baselines (bench/sql_*.py, used by bench/report_vs_sql.py)."""


def rows_of(section: dict, key: str) -> list:
    """The rows of table `key` of a computed section."""
    return next(t for t in section["tables"] if t["key"] == key)["rows"]


def num(value):
    """A figure rounded as both sides are compared: one decimal, None kept."""
    return None if value is None else round(float(value), 1)
