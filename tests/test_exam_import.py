"""Exam results import (CSV / XLSX): all or nothing, idempotent, through exam_result_record's rules."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from assessments.exam_import import COLUMNS, ImportRefused, exam_import, exam_template
from assessments.models import ExamResult
from tests.factories import AcademicYearFactory, DepartmentFactory, ResidentFactory, SpecialtyFactory, today

pytestmark = pytest.mark.django_db

HEADER = ["resident_email", "stage", "academic_year", "held_on", "test_score", "osce_score"]


def to_csv(rows, header=HEADER, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row(resident, **overrides):
    values = {"resident_email": resident.user.email, "stage": "year_1", "academic_year": "2025-2026",
              "held_on": "2026-06-15", "test_score": "98.5", "osce_score": "97.5"}
    values.update(overrides)
    return [values[c] for c in HEADER]


@pytest.fixture
def year():
    return AcademicYearFactory(start_year=2025)


@pytest.fixture
def residents(make_resident, year):
    return [make_resident() for _ in range(3)]


def results():
    return sorted(ExamResult.objects.values_list("resident__user__email", "stage", "overall_score"))


# --- good files -----------------------------------------------------------------------------------------------


def test_good_csv_creates_results(department, residents, coordinator):
    content = to_csv([row(r, test_score=str(80 + n), osce_score="90") for n, r in enumerate(residents)])

    result = exam_import(department=department, file_name="exams.csv", content=content, by=coordinator)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    first = ExamResult.objects.get(resident=residents[0])
    assert (first.test_score, first.osce_score, first.overall_score, first.held_on, first.academic_year.start_year) \
        == (Decimal("80.00"), Decimal("90.00"), Decimal("85.00"), date(2026, 6, 15), 2025)
    assert first.recorded_by == coordinator and first.history.get().history_user == coordinator


def test_good_xlsx_with_numeric_and_date_cells(department, residents, coordinator):
    content = to_xlsx([
        [residents[0].user.email.upper(), "year_2", "2025-2026", date(2026, 6, 1), 98.5, 97.5],
        [residents[1].user.email, "final", "2025-2026", None, 64, 65.25],
        [residents[2].user.email, "1", "2025-2026", None, 100, 0],
    ])

    result = exam_import(department=department, file_name="EXAMS.XLSX", content=content, by=coordinator)

    assert result.ok, result.errors
    assert result.created == 3
    assert ExamResult.objects.get(resident=residents[0]).overall_score == Decimal("98.00")
    assert ExamResult.objects.get(resident=residents[1]).overall_score == Decimal("64.63")  # 64.625 half-up
    assert ExamResult.objects.get(resident=residents[2]).stage == "year_1"


def test_decimal_comma_in_a_semicolon_csv(department, residents, coordinator):
    content = to_csv([row(residents[0], test_score="98,5", osce_score="97,5", held_on="")], delimiter=";")

    result = exam_import(department=department, file_name="exams.csv", content=content, by=coordinator)

    assert result.ok, result.errors
    saved = ExamResult.objects.get()
    assert (saved.test_score, saved.overall_score, saved.held_on) == (Decimal("98.50"), Decimal("98.00"), None)


def test_decimal_comma_in_a_quoted_comma_csv(department, residents, coordinator):
    content = b'resident_email,stage,academic_year,test_score,osce_score\r\n' + \
        f'{residents[0].user.email},year_1,2025-2026,"88,25","91,75"\r\n'.encode()

    result = exam_import(department=department, file_name="exams.csv", content=content, by=coordinator)

    assert result.ok, result.errors
    assert ExamResult.objects.get().overall_score == Decimal("90.00")


# --- bad lines: all listed, nothing saved ------------------------------------------------------------------------


def test_every_bad_line_is_listed_and_nothing_is_saved(department, residents, coordinator, year):
    other_department_resident = ResidentFactory(specialty=SpecialtyFactory(department=DepartmentFactory()))
    rows = [
        row(residents[0]),                                            # line 2: good
        row(residents[1], resident_email="nobody@example.org"),       # 3: unknown e-mail
        row(other_department_resident),                               # 4: other department
        row(residents[1], stage="year_7"),                            # 5: bad stage
        row(residents[1], academic_year="2025"),                      # 6: bad year
        row(residents[1], stage="year_2", academic_year="2019-2020"),  # 7: year that does not exist
        row(residents[0]),                                            # 8: duplicate of line 2
        row(residents[2], test_score="101"),                          # 9: out of range
        row(residents[2], stage="year_2", osce_score="97.555"),       # 10: three decimals
        row(residents[2], stage="year_3", held_on=(today() + timedelta(days=5)).isoformat()),  # 11: future
        row(residents[2], stage="year_4"),                            # 12: beyond the specialty's 3 years
        row(residents[2], stage="final", test_score=""),              # 13: missing value
        row(residents[1], stage="final", held_on="15/06/2026"),       # 14: bad date
    ]

    result = exam_import(department=department, file_name="exams.csv", content=to_csv(rows), by=coordinator)

    by_line = {e.line: e.message for e in result.errors}
    assert sorted(by_line) == list(range(3, 15))
    assert "No resident with e-mail nobody@example.org" in by_line[3]
    assert "belongs to another department" in by_line[4]
    assert by_line[5].startswith("stage:") and "year_7" in by_line[5]
    assert by_line[6].startswith("academic_year:") and "2025" in by_line[6]
    assert "2019-2020 does not exist" in by_line[7]
    assert "line 2" in by_line[8]
    assert by_line[9].startswith("test_score:") and "between 0 and 100" in by_line[9]
    assert by_line[10].startswith("osce_score:") and "two decimals" in by_line[10]
    assert by_line[11].startswith("held_on:") and "future" in by_line[11]
    assert "lasts 3 years" in by_line[12]
    assert by_line[13] == "test_score: This column needs a value."
    assert by_line[14].startswith("held_on:") and "15/06/2026" in by_line[14]
    assert ExamResult.objects.count() == 0
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)


def test_one_bad_line_rolls_back_the_good_ones_and_their_history(department, residents, coordinator):
    rows = [row(residents[0]), row(residents[1]), row(residents[2], osce_score="abc")]

    result = exam_import(department=department, file_name="exams.csv", content=to_csv(rows), by=coordinator)

    assert [e.line for e in result.errors] == [4]
    assert ExamResult.objects.count() == 0
    assert ExamResult.history.count() == 0


def test_a_file_that_would_change_an_existing_result_changes_nothing_when_another_line_fails(
        department, residents, coordinator):
    exam_import(department=department, file_name="a.csv", content=to_csv([row(residents[0])]), by=coordinator)

    result = exam_import(department=department, file_name="b.csv", by=coordinator, content=to_csv(
        [row(residents[0], test_score="50"), row(residents[1], stage="nonsense")]))

    assert not result.ok
    assert ExamResult.objects.get().overall_score == Decimal("98.00")


# --- re-import -------------------------------------------------------------------------------------------------


def test_reimport_of_the_same_file_is_a_no_op(department, residents, coordinator):
    content = to_csv([row(r) for r in residents])
    exam_import(department=department, file_name="exams.csv", content=content, by=coordinator)
    stamps = dict(ExamResult.objects.values_list("pk", "updated_at"))
    history = ExamResult.history.count()

    again = exam_import(department=department, file_name="exams.csv", content=content, by=coordinator)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert dict(ExamResult.objects.values_list("pk", "updated_at")) == stamps
    assert ExamResult.history.count() == history == 3


def test_a_corrected_file_updates_without_duplicates(department, residents, coordinator):
    exam_import(department=department, file_name="exams.csv", content=to_csv([row(r) for r in residents]),
                by=coordinator)

    corrected = exam_import(department=department, file_name="exams.xlsx", by=coordinator, content=to_xlsx(
        [row(residents[0], test_score=60, osce_score=70)] + [row(r) for r in residents[1:]]))

    assert (corrected.created, corrected.updated, corrected.unchanged) == (0, 1, 2)
    assert ExamResult.objects.count() == 3
    assert ExamResult.objects.get(resident=residents[0]).overall_score == Decimal("65.00")
    assert ExamResult.objects.get(resident=residents[0]).history.count() == 2


# --- files refused as a whole ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "words"), [
    ("exams.txt", b"resident_email\n", ".csv or .xlsx"),
    ("exams.pdf", b"%PDF-1.4", ".csv or .xlsx"),
    ("exams.csv", b"", "empty"),
    ("exams.csv", b"resident_email,stage\nx@example.org,final\n", "Missing required columns"),
    ("exams.csv", b"resident_email,stage,academic_year,test_score,osce_score,grade\n", "Unknown columns: grade"),
    ("exams.csv", b"resident_email,stage,academic_year,test_score,osce_score\n", "no data rows"),
    ("exams.csv", "resident_email;stage\n".encode("utf-16"), "UTF-8"),
    ("exams.xlsx", b"not a zip", "Excel"),
])
def test_files_refused_as_a_whole(department, coordinator, name, content, words):
    with pytest.raises(ImportRefused) as exc:
        exam_import(department=department, file_name=name, content=content, by=coordinator)
    assert words in " ".join(exc.value.messages)


def test_too_large_and_too_many_rows_refused(department, residents, coordinator, settings):
    settings.ROSTER_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ImportRefused, match="larger"):
        exam_import(department=department, file_name="e.csv", by=coordinator,
                    content=to_csv([row(r) for r in residents]))
    settings.ROSTER_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    with pytest.raises(ImportRefused, match="more than"):
        exam_import(department=department, file_name="e.csv", by=coordinator,
                    content=to_csv([row(residents[0])] * 10_001))
    assert ExamResult.objects.count() == 0


# --- templates ------------------------------------------------------------------------------------------------


def test_templates_have_header_and_an_example_that_imports(department, make_resident, coordinator, year):
    name, content_type, content = exam_template("csv")
    assert name.endswith(".csv") and content_type.startswith("text/csv")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0] == [c.name for c in COLUMNS] == HEADER and len(lines) == 2

    name, _type, content = exam_template("xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]] == HEADER and sheet.max_row == 2
    with pytest.raises(ValueError):
        exam_template("ods")

    # The example row is a valid row once its resident exists.
    resident = make_resident()
    resident.user.email = lines[1][0]
    resident.user.save()
    assert exam_import(department=department, file_name=name, content=content, by=coordinator).ok


# --- the management command ------------------------------------------------------------------------------------


def test_command_imports_with_the_same_code(department, residents, coordinator, tmp_path):
    path = tmp_path / "exams.csv"
    path.write_bytes(to_csv([row(r) for r in residents]))
    out = io.StringIO()

    call_command("import_exam_results", str(department.pk), str(path), by=coordinator.email, stdout=out)
    call_command("import_exam_results", str(department.pk), str(path), stdout=out)

    assert "3 created" in out.getvalue() and "3 unchanged" in out.getvalue()
    assert ExamResult.objects.count() == 3
    assert ExamResult.objects.first().recorded_by == coordinator


def test_command_lists_bad_lines_and_fails(department, residents, tmp_path):
    path = tmp_path / "exams.csv"
    path.write_bytes(to_csv([row(residents[0]), row(residents[1], stage="year_9")]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command("import_exam_results", str(department.pk), str(path), stderr=err)

    assert "line 3" in err.getvalue() and "stage" in err.getvalue()
    assert ExamResult.objects.count() == 0
    with pytest.raises(CommandError, match="No department"):
        call_command("import_exam_results", "999999", str(path))


# --- the page --------------------------------------------------------------------------------------------------


def test_page_shows_columns_and_template_links(client, coordinator, department):
    client.force_login(coordinator)

    response = client.get(reverse("assessments:exam_import", args=[department.pk]))

    assert response.status_code == 200
    assert b"osce_score" in response.content
    for fmt in ("csv", "xlsx"):
        assert reverse("assessments:exam_template", args=[department.pk, fmt]).encode() in response.content


def test_page_import_redirects_with_counts(client, coordinator, department, residents):
    client.force_login(coordinator)
    url = reverse("assessments:exam_import", args=[department.pk])

    response = client.post(url, {"file": SimpleUploadedFile("e.csv", to_csv([row(r) for r in residents]))},
                           follow=True)

    assert response.redirect_chain[-1][0] == reverse("assessments:exam_results", args=[department.pk])
    assert "3 created" in response.content.decode()
    assert ExamResult.objects.count() == 3


def test_page_lists_every_bad_line(client, coordinator, department, residents):
    client.force_login(coordinator)
    content = to_csv([row(residents[0]), row(residents[1], test_score="x"), row(residents[2], stage="year_5")])

    response = client.post(reverse("assessments:exam_import", args=[department.pk]),
                           {"file": SimpleUploadedFile("e.csv", content)})

    assert response.status_code == 200
    errors = response.context["result"].errors
    assert [e.line for e in errors] == [3, 4]
    assert b"exam-import-errors" in response.content and b"Nothing was saved" in response.content
    assert ExamResult.objects.count() == 0


def test_page_refuses_wrong_type_and_size(client, coordinator, department, settings):
    client.force_login(coordinator)
    url = reverse("assessments:exam_import", args=[department.pk])

    response = client.post(url, {"file": SimpleUploadedFile("e.docx", b"PK\x03\x04")})
    assert ".csv or .xlsx" in response.content.decode()

    settings.ROSTER_MAX_UPLOAD_BYTES = 10
    response = client.post(url, {"file": SimpleUploadedFile("e.csv", b"x" * 100)})
    assert "larger than" in response.content.decode()
    assert ExamResult.objects.count() == 0


def test_template_download(client, coordinator, department):
    client.force_login(coordinator)

    response = client.get(reverse("assessments:exam_template", args=[department.pk, "xlsx"]))

    assert response.status_code == 200
    assert 'filename="exam-results-template.xlsx"' in response["Content-Disposition"]
    assert [c.value for c in load_workbook(io.BytesIO(response.content)).active[1]] == HEADER
    assert client.get(reverse("assessments:exam_template", args=[department.pk, "ods"])).status_code == 404
