"""The shape of a report's result (ReportRun.result, JSON), built by the section functions in reports/sections/.

    {"kind": "cohort", "title": str, "subtitle": str, "as_of": "YYYY-MM-DD",
     "sections": [section, ...]}

    section = {"key": str, "title": str, "notes": [str, ...], "tables": [table, ...], "charts": [chart, ...]}
    table   = {"key": str, "title": str, "columns": [column, ...], "rows": [[cell, ...], ...], "note": str}
    column  = {"key": str, "label": str, "type": "text" | "int" | "num" | "pct"}
    chart   = {"key": str, "type": "bar" | "line", "title": str, "table": table key,
               "label": column key (the categories / x axis), "values": [column key, ...] (one series each),
               "unit": "" | "%", "max": number | None, "reference": column key | None (an expected value)}

Cells are JSON scalars: str, int, float (rounded to 1 decimal; percentages 0-100) or None for "not shown" (too
few people, see the anonymity rules) or "no data". Labels are translated when the run is computed, in the
language of the person who asked (ReportRun.language), so the stored result reads the same every time it is
opened. The same JSON feeds the page, the SVG charts, the XLSX (a sheet per section, plus a codebook) and the CSV.
"""

from collections.abc import Iterable, Sequence

TYPES = ("text", "int", "num", "pct")
CHART_TYPES = ("bar", "line")


def column(key: str, label, type: str = "text") -> dict:
    assert type in TYPES, type
    return {"key": key, "label": str(label), "type": type}


def table(key: str, title, columns: Sequence[dict], rows: Iterable[Sequence], *, note="") -> dict:
    rows = [[_cell(v) for v in row] for row in rows]
    assert all(len(row) == len(columns) for row in rows), f"table {key}: row width differs from its columns"
    return {"key": key, "title": str(title), "columns": list(columns), "rows": rows, "note": str(note)}


def chart(key: str, type: str, title, *, table: str, label: str, values: Sequence[str], unit: str = "",
          max=None, reference: str | None = None) -> dict:
    assert type in CHART_TYPES, type
    return {"key": key, "type": type, "title": str(title), "table": table, "label": label, "values": list(values),
            "unit": unit, "max": max, "reference": reference}


def section(key: str, title, *, tables: Sequence[dict] = (), charts: Sequence[dict] = (),
            notes: Sequence = ()) -> dict:
    keys = {t["key"] for t in tables}
    for c in charts:
        assert c["table"] in keys, f"chart {c['key']} names a table not in section {key}"
    return {"key": key, "title": str(title), "notes": [str(n) for n in notes], "tables": list(tables),
            "charts": list(charts)}


def pct(part, whole) -> float | None:
    """part / whole as a percentage rounded to 1 decimal; None when there is no whole."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


def _cell(value):
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return round(value, 1)
    try:  # Decimal and friends
        return round(float(value), 1)
    except (TypeError, ValueError):
        return str(value)
