"""The files of a finished run, made by the worker with the result (reports.services.report_execute calls
`run_files`), for SPSS and Excel users:

- XLSX: a cover sheet (title, as of, contents with links), a sheet per section (its notes, then its tables one
  under the other, each with its title, and each chart of the table as a native Excel chart beside it), and a
  codebook sheet (variable, label, type, section, table, sheet);
- CSV: every table in long format, one line per cell (section, table, row, variable, label, type, value), so it
  loads into SPSS, R or a pivot table without reshaping; the label and type on each line make it its own
  codebook, and the variable names are those of the XLSX codebook.

A figure not shown (None: too few people for the anonymity threshold, or no data) is an empty cell. Cells that
a spreadsheet would run as a formula (= + - @, a tab or a carriage return first) are neutralised in both files
(surveys.export.neutralise).
"""

import io
import re

from django.utils.translation import gettext as _

from surveys.export import CONTENT_TYPES, csv_bytes, neutralise

from .models import ReportRun

CSV_HEADER = ("section", "section_title", "table", "table_title", "row", "row_label", "variable", "label", "type",
              "value")
NUMBER_FORMATS = {"int": "#,##0", "num": "0.0", "pct": '0.0" %"'}
CHART_ROWS = 16  # the rows an Excel chart covers (7.5 cm high): a table with a chart takes at least this many


def file_stem(run: ReportRun) -> str:
    return f"report-{run.kind}-{run.pk}"


def type_labels() -> dict[str, str]:
    return {"text": _("text"), "int": _("integer"), "num": _("number"), "pct": _("percent (0-100)")}


def variable(section: dict, table: dict, column: dict) -> str:
    """The name of a column in the codebook and the CSV: unique in the report (section.table.column)."""
    return f"{section['key']}.{table['key']}.{column['key']}"


def sheet_title(number: int, section: dict) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\ ; the number keeps them unique."""
    title = re.sub(r"[\[\]:*?/\\']", " ", f"{number}. {section['title']}")
    return title[:31].strip()


def codebook_rows(result: dict) -> list[list]:
    types = type_labels()
    rows = [[_("variable"), _("label"), _("type"), _("section"), _("table"), _("sheet")]]
    for number, section in enumerate(result["sections"], start=1):
        for table in section["tables"]:
            rows += [[variable(section, table, column), column["label"], types[column["type"]], section["title"],
                      table["title"], sheet_title(number, section)] for column in table["columns"]]
    return rows


def csv_rows(result: dict) -> list[list]:
    """Long format: one line per cell of every table."""
    rows = [list(CSV_HEADER)]
    for section in result["sections"]:
        for table in section["tables"]:
            for number, cells in enumerate(table["rows"], start=1):
                row_label = cells[0] if cells else ""
                rows += [[section["key"], section["title"], table["key"], table["title"], number, row_label,
                          variable(section, table, column), column["label"], column["type"], value]
                         for column, value in zip(table["columns"], cells, strict=True)]
    return rows


def to_csv(rows) -> bytes:
    return csv_bytes(rows)


# --- XLSX ------------------------------------------------------------------------------------------------------


def _cover(sheet, result: dict, titles: list[str]) -> None:
    from openpyxl.styles import Font

    kinds = dict(ReportRun.Kind.choices)
    sheet.append([neutralise(result["title"])])
    sheet.append([neutralise(result["subtitle"])])
    sheet.append([])
    sheet.append([_("Kind"), str(kinds.get(result["kind"], result["kind"]))])
    sheet.append([_("Figures as of"), result["as_of"]])
    sheet.append([])
    sheet.append([_("Contents")])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    for number, (section, title) in enumerate(zip(result["sections"], titles, strict=True), start=1):
        sheet.append([number, neutralise(section["title"]), title])
        sheet.cell(sheet.max_row, 3).hyperlink = f"#'{title}'!A1"
        sheet.cell(sheet.max_row, 3).style = "Hyperlink"
    sheet.append([])
    for line in (_("Empty cells: not shown (fewer people than the anonymity threshold) or no data."),
                 _("Each chart is beside its table; the codebook sheet describes every variable.")):
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 60
    sheet.column_dimensions["C"].width = 34


def _excel_chart(chart: dict, table: dict, sheet, header_row: int, last_row: int):
    """A native Excel chart of `chart` over the table's cells (header_row: the labels; then its rows)."""
    from openpyxl.chart import BarChart, LineChart, Reference

    index = {c["key"]: n for n, c in enumerate(table["columns"], start=1)}
    if chart["type"] == "bar":
        excel = BarChart()
        excel.type = "bar"  # horizontal, like the page
        excel.grouping = "clustered"
        excel.x_axis.scaling.orientation = "maxMin"  # the table's order, top to bottom
    else:
        excel = LineChart()
    excel.title = neutralise(chart["title"])
    excel.height, excel.width = 7.5, 16
    excel.display_blanks = "gap"  # a figure not shown is a gap, never a zero
    keys = [*chart["values"], *([chart["reference"]] if chart.get("reference") else [])]
    for key in keys:
        excel.add_data(Reference(sheet, min_col=index[key], min_row=header_row, max_row=last_row),
                       titles_from_data=True)
    excel.set_categories(Reference(sheet, min_col=index[chart["label"]], min_row=header_row + 1, max_row=last_row))
    if chart.get("reference") and chart["type"] == "line":
        excel.series[-1].graphicalProperties.line.dashStyle = "dash"
    if chart.get("unit") == "%" or chart.get("max"):
        excel.y_axis.scaling.min = 0
        excel.y_axis.scaling.max = chart.get("max") or 100
    excel.x_axis.delete = False  # recent Excel hides the axes otherwise
    excel.y_axis.delete = False
    return excel


def _section_sheet(sheet, section: dict) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor="DDDDDD")
    sheet.append([neutralise(section["title"])])
    sheet["A1"].font = Font(bold=True, size=13)
    for note in section["notes"]:
        sheet.append([neutralise(note)])
    widest = 1
    for table in section["tables"]:
        columns = table["columns"]
        widest = max(widest, len(columns))
        title_row = sheet.max_row + 2
        sheet.cell(title_row, 1, neutralise(table["title"])).font = Font(bold=True)
        header_row = title_row + 1
        for n, column in enumerate(columns, start=1):
            cell = sheet.cell(header_row, n, neutralise(column["label"]))
            cell.font, cell.fill = Font(bold=True), header_fill
        for r, cells in enumerate(table["rows"], start=header_row + 1):
            for n, (column, value) in enumerate(zip(columns, cells, strict=True), start=1):
                cell = sheet.cell(r, n, neutralise(value))
                if column["type"] in NUMBER_FORMATS and isinstance(value, (int, float)):
                    cell.number_format = NUMBER_FORMATS[column["type"]]
        last_row = header_row + len(table["rows"])
        charts = [c for c in section["charts"] if c["table"] == table["key"]] if table["rows"] else []
        for k, chart in enumerate(charts):
            sheet.add_chart(_excel_chart(chart, table, sheet, header_row, last_row),
                            f"{get_column_letter(len(columns) + 2)}{title_row + k * CHART_ROWS}")
        end = max(last_row, title_row + len(charts) * CHART_ROWS - 1)
        if table["note"]:
            sheet.cell(last_row + 1, 1, neutralise(table["note"])).font = Font(italic=True)
            end = max(end, last_row + 1)
        if end > sheet.max_row:  # keep the room of the charts, so the next table starts below them
            sheet.cell(end, 1)
    sheet.column_dimensions["A"].width = 36
    for n in range(2, widest + 1):
        sheet.column_dimensions[get_column_letter(n)].width = 14


def to_xlsx(result: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    titles = [sheet_title(n, s) for n, s in enumerate(result["sections"], start=1)]
    _cover(workbook.create_sheet(_("Report")[:31]), result, titles)
    for section, title in zip(result["sections"], titles, strict=True):
        _section_sheet(workbook.create_sheet(title), section)
    codebook = workbook.create_sheet(_("codebook")[:31])
    for row in codebook_rows(result):
        codebook.append([neutralise(v) for v in row])
    for cell in codebook[1]:
        cell.font = Font(bold=True)
    codebook.freeze_panes = "A2"
    for letter, width in zip("ABCDEF", (34, 40, 16, 30, 30, 30), strict=True):
        codebook.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run_files(run: ReportRun, result: dict) -> list[tuple[str, str, str, bytes]]:
    """(format, file name, content type, content) of every export of the run."""
    stem = file_stem(run)
    return [
        ("xlsx", f"{stem}.xlsx", CONTENT_TYPES["xlsx"], to_xlsx(result)),
        ("csv", f"{stem}.csv", CONTENT_TYPES["csv"], to_csv(csv_rows(result))),
    ]
