"""The exports of a run (reports/exports.py): the XLSX (cover, a sheet per section with native charts beside
their tables, codebook) and the long CSV, formula-looking cells neutralised in both; the same through a real
run's stored files."""

import csv
import io

import pytest
from openpyxl import load_workbook

from reports.exports import csv_rows, run_files, to_csv, to_xlsx
from reports.models import ReportFile
from reports.result import chart, column, section, table
from reports.services import report_request
from tests.report_samples import FORMULA, sample_result

pytestmark = pytest.mark.django_db


def workbook(result):
    return load_workbook(io.BytesIO(to_xlsx(result)))


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_workbook_has_a_cover_a_sheet_per_section_and_a_codebook():
    book = workbook(sample_result())
    assert book.sheetnames == ["Report", "1. Mentor load", "2. Exam results", "codebook"]
    cover = [row for row in book["Report"].iter_rows(values_only=True)]
    assert cover[0][0] == "Cohort report: Paediatrics, intake 2024-2025"
    assert ("Figures as of", "2026-01-15", None) in cover
    assert (1, "Mentor load", "1. Mentor load") in cover and (2, "Exam results", "2. Exam results") in cover
    assert book["Report"]["C9"].hyperlink.location == "'2. Exam results'!A1" or \
        book["Report"]["C9"].hyperlink.target == "#'2. Exam results'!A1"
    codebook = list(book["codebook"].iter_rows(values_only=True))
    assert codebook[0] == ("variable", "label", "type", "section", "table", "sheet")
    assert ("load.load.agree", "Agreeing", "percent (0-100)", "Mentor load", "Residents per mentor",
            "1. Mentor load") in codebook
    assert len(codebook) == 1 + 4 + 4  # every column of every table


def test_a_section_sheet_has_its_notes_and_tables_with_titles_and_native_charts():
    book = workbook(sample_result(rows=3))
    load = list(book["1. Mentor load"].iter_rows(values_only=True))
    assert load[0][0] == "Mentor load" and load[1][0] == "Mentors outside 3-4 residents are listed."
    header = load.index(("Mentor", "Residents", "Agreeing", "Expected"))
    assert load[header - 1][0] == "Residents per mentor"
    assert load[header + 1] == ("Mentor 0", 1, None, 3.5)  # a figure not shown is an empty cell
    assert load[header + 2] == ("Mentor 1", 2, 25.0, 3.5)
    exams = book["2. Exam results"]
    assert [c.value for c in exams[5]][:3] == ["2022-2023", 71.2, 68]
    assert exams["B5"].number_format == "0.0"
    assert book["1. Mentor load"]["C7"].number_format == '0.0" %"'
    # Each chart is a native Excel chart over the table's cells, beside the table.
    (bar,) = book["1. Mentor load"]._charts
    (trend,) = exams._charts
    assert type(bar).__name__ == "BarChart" and bar.type == "bar"
    assert type(trend).__name__ == "LineChart"
    assert len(bar.series) == 2 and len(trend.series) == 2  # residents + the expected value; test + OSCE
    refs = [s.val.numRef.f for s in trend.series]
    assert refs == ["'2. Exam results'!$B$5:$B$7", "'2. Exam results'!$C$5:$C$7"]
    assert trend.series[0].cat.numRef.f == "'2. Exam results'!$A$5:$A$7" or \
        trend.series[0].cat.strRef.f == "'2. Exam results'!$A$5:$A$7"
    assert trend.anchor._from.col == 5  # column F: two columns right of the table's four


def test_formula_cells_are_neutralised_in_the_workbook_and_the_csv():
    result = sample_result()
    result["title"] = "=cmd|' /C calc'!A0"
    result["sections"][0]["tables"][0]["rows"][0][0] = "+1+1"
    book = workbook(result)
    assert book["Report"]["A1"].value == "'=cmd|' /C calc'!A0"
    texts = [c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert f"'{FORMULA}" in texts and "'-2 below" in texts and "'@home" in texts and "'+1+1" in texts
    rows = read_csv(to_csv(csv_rows(result)))
    cells = [cell for row in rows for cell in row]
    assert f"'{FORMULA}" in cells and "'+1+1" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_the_csv_is_long_one_line_per_cell_with_label_and_type():
    result = sample_result(rows=2)
    rows = read_csv(to_csv(csv_rows(result)))
    assert rows[0] == ["section", "section_title", "table", "table_title", "row", "row_label", "variable", "label",
                       "type", "value"]
    assert len(rows) == 1 + 2 * 4 + 3 * 4  # every cell of both tables
    assert ["load", "Mentor load", "load", "Residents per mentor", "1", "Mentor 0", "load.load.agree", "Agreeing",
            "pct", ""] in rows  # not shown: empty
    assert ["exams", "Exam results", "years", "Exam results by intake year", "1", "2022-2023", "exams.years.test",
            "Test, mean", "num", "71.2"] in rows
    codebook_names = {row[0] for row in list(workbook(result)["codebook"].iter_rows(values_only=True))[1:]}
    assert {row[6] for row in rows[1:]} == codebook_names


def test_a_section_without_rows_or_charts_still_exports():
    empty = section("nothing", "Nothing yet", tables=[table("t", "Empty", [column("a", "A"),
                                                                        column("n", "N", "int")], [])],
                    charts=[chart("c", "bar", "Empty chart", table="t", label="a", values=["n"])])
    result = {**sample_result(), "sections": [empty]}
    book = workbook(result)
    assert book.sheetnames == ["Report", "1. Nothing yet", "codebook"]
    assert book["1. Nothing yet"]._charts == []  # no rows: no chart to draw
    assert read_csv(to_csv(csv_rows(result))) == [list(read_csv(to_csv(csv_rows(result)))[0])]


def test_a_real_runs_files_open_with_a_sheet_per_section(coordinator, resident, django_capture_on_commit_callbacks):
    cohort = resident.cohort
    with django_capture_on_commit_callbacks(execute=True):
        run = report_request(by=coordinator, kind="cohort", department=cohort.specialty.department, cohort=cohort)
    run.refresh_from_db()
    assert run.status == "done"
    stored = ReportFile.objects.get(run=run, fmt="xlsx")
    book = load_workbook(io.BytesIO(bytes(stored.content)))
    sections = run.result["sections"]
    assert len(book.sheetnames) == 2 + len(sections)
    assert book.sheetnames[0] == "Report" and book.sheetnames[-1] == "codebook"
    assert sum(len(ws._charts) for ws in book) == sum(len(s["charts"]) for s in sections if any(
        t["rows"] for t in s["tables"]))
    rows = read_csv(bytes(ReportFile.objects.get(run=run, fmt="csv").content))
    assert len(rows) - 1 == sum(len(t["rows"]) * len(t["columns"]) for s in sections for t in s["tables"])
    assert [f[0] for f in run_files(run, run.result)] == ["xlsx", "csv"]
