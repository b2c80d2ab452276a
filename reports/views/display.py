"""A stored result (reports/result.py) as the run page shows it: each table with its cells as text (numbers in the
reader's language, "—" for a figure not shown) and, before it, the charts drawn from it."""

from dataclasses import dataclass, field

from ..charts import Chart, chart_of, figure

NUMERIC = ("int", "num", "pct")


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool
    missing: bool  # None in the result: too few people (anonymity) or no data


@dataclass
class TableView:
    key: str
    title: str
    note: str
    columns: list[dict]
    rows: list[list[Cell]]
    charts: list[tuple[Chart, str]] = field(default_factory=list)  # (geometry, unique id on the page)


@dataclass
class SectionView:
    key: str
    title: str
    notes: list[str]
    tables: list[TableView]

    @property
    def has_charts(self) -> bool:
        return any(not chart.is_empty for t in self.tables for chart, _uid in t.charts)


def cells(table: dict) -> list[list[Cell]]:
    types = [c["type"] for c in table["columns"]]
    return [[Cell(text=figure(value, type), numeric=type in NUMERIC, missing=value is None)
             for value, type in zip(row, types, strict=True)] for row in table["rows"]]


def sections(result: dict | None) -> list[SectionView]:
    out = []
    for section in (result or {}).get("sections", []):
        tables = [TableView(key=t["key"], title=t["title"], note=t.get("note", ""),
                            columns=[{**c, "numeric": c["type"] in NUMERIC} for c in t["columns"]], rows=cells(t))
                  for t in section["tables"]]
        by_key = {}
        for table in tables:
            by_key.setdefault(table.key, table)
        for chart in section["charts"]:
            by_key[chart["table"]].charts.append((chart_of(section, chart), f"{section['key']}-{chart['key']}"))
        out.append(SectionView(key=section["key"], title=section["title"], notes=section["notes"], tables=tables))
    return out
