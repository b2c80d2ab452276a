"""Exam results of a department from a CSV or XLSX file, all or nothing, like the roster import.

Reading the file (CSV in UTF-8 with comma or semicolon, XLSX, size and row limits, blank lines) reuses the
roster import's readers in `mentoring.roster`. Every row goes through `exam_result_save`, so an import obeys
the same rules as the page. Each row runs in its own savepoint so that every bad row is reported with its
line; if any row failed, the whole import is rolled back. Re-importing the same file changes nothing: a
resident's result is matched by (e-mail, stage) and an identical row is left untouched.
"""

import csv
import io
import re
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from mentoring.roster import (
    FORMATS,
    MAX_ROWS,
    Column,
    ImportResult,
    RosterRefused,
    RowError,
    _date,
    _is_blank,
    _normalise_header,
    _read_csv,
    _read_xlsx,
    _render,
    _text,
)
from organization.models import AcademicYear, Department
from residents.models import Resident

from .exams import exam_result_save
from .models import ExamStage

KIND = "exam_results"
ImportRefused = RosterRefused  # the file as a whole cannot be imported

COLUMNS = [
    Column("resident_email", True, gettext_lazy("E-mail address of a resident of the department."),
           "d.akhmetov@example.org"),
    Column("stage", True, gettext_lazy("year_1 … year_5 (intermediate certification of that year) or final."),
           "year_1"),
    Column("academic_year", True, gettext_lazy("Academic year of the exam, e.g. 2025-2026."), "2025-2026"),
    Column("held_on", False, gettext_lazy("Date of the exam, YYYY-MM-DD."), date(2026, 6, 15)),
    Column("test_score", True, gettext_lazy("Test score from 0 to 100, at most two decimals (98.5 or 98,5)."),
           98.5),
    Column("osce_score", True, gettext_lazy("OSCE score from 0 to 100, at most two decimals."), 97.5),
]


# --- reading the file ------------------------------------------------------------------------------------------


def _check_header(values) -> list[tuple[int, str]]:
    known = {c.name for c in COLUMNS}
    names = [_normalise_header(v) for v in values]
    unknown = [str(v).strip() for v, n in zip(values, names, strict=True) if n and n not in known]
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    missing = [c.name for c in COLUMNS if c.required and c.name not in names]
    problems = []
    if missing:
        problems.append(_("Missing required columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if duplicated:
        problems.append(_("Columns given more than once: %(columns)s.") % {"columns": ", ".join(duplicated)})
    if problems:
        problems.append(_("The columns for exam results are: %(columns)s.") % {
            "columns": ", ".join(c.name for c in COLUMNS)})
        raise ImportRefused(" ".join(problems))
    return list(enumerate(names))


def _read_rows(file_name: str, content: bytes) -> list[tuple[int, dict]]:
    """The data rows as (line, {column: raw value}); refuses a file that cannot be imported as a whole."""
    extension = PurePath(file_name or "").suffix.lower().lstrip(".")
    if extension not in FORMATS:
        raise ImportRefused(_("Upload a .csv or .xlsx file; “%(name)s” is neither.") % {"name": file_name})
    if not content:
        raise ImportRefused(_("The file is empty."))
    limit = settings.ROSTER_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise ImportRefused(_("The file is larger than %(size)d KB.") % {"size": limit // 1024})
    header = None
    rows = []
    for line, values in enumerate(_read_csv(content) if extension == "csv" else _read_xlsx(content), start=1):
        values = list(values)
        if header is None:
            if _is_blank(values):
                raise ImportRefused(_("The first line must be the header row with the column names."))
            header = _check_header(values)
        elif not _is_blank(values):
            if len(rows) >= MAX_ROWS:
                raise ImportRefused(_("The file has more than %(max)d rows; split it into smaller files.") % {
                    "max": MAX_ROWS})
            rows.append((line, {name: values[i] if i < len(values) else None for i, name in header if name}))
    if header is None:
        raise ImportRefused(_("The file is empty."))
    if not rows:
        raise ImportRefused(_("The file has a header row but no data rows."))
    return rows


# --- cell values -----------------------------------------------------------------------------------------------


def _stage(value, errors: dict) -> str:
    """A stage by its value, its label, its year ("1", "year 1") or "final"."""
    text = " ".join(_text(value).lower().split())
    if re.fullmatch(r"(?:year\s*)?\d", text):
        text = f"year_{text[-1]}"
    for choice, label in ExamStage.choices:
        if text in (choice, choice.replace("_", " "), str(label).lower()):
            return choice
    errors["stage"] = _("Unknown stage “%(value)s”; use one of: %(stages)s.") % {
        "value": _text(value), "stages": ", ".join(ExamStage.values)}
    return ""


class _Lookups:
    def __init__(self, department: Department):
        self.residents = {
            r.user.email.lower(): r
            for r in Resident.objects.filter(specialty__department=department)
            .select_related("user", "specialty__department")
        }
        self.years = {y.start_year: y for y in AcademicYear.objects.all()}

    def resident(self, value, errors: dict) -> Resident | None:
        email = _text(value).lower()
        resident = self.residents.get(email)
        if resident is None:
            if Resident.objects.filter(user__email__iexact=email).exists():
                errors["resident_email"] = _("The resident %(email)s belongs to another department.") % {
                    "email": email}
            else:
                errors["resident_email"] = _("No resident with e-mail %(email)s.") % {"email": email}
        return resident

    def academic_year(self, value, errors: dict) -> AcademicYear | None:
        text = _text(value)
        match = re.fullmatch(r"(\d{4})\s*[-/–]\s*(\d{4})", text)
        if match is None or int(match[2]) != int(match[1]) + 1:
            errors["academic_year"] = _("“%(value)s” is not an academic year; write e.g. 2025-2026.") % {
                "value": text}
            return None
        year = self.years.get(int(match[1]))
        if year is None:
            errors["academic_year"] = _("The academic year %(year)s does not exist; ask an administrator to add "
                                        "it.") % {"year": text}
        return year


def _row(row: dict, lookups: _Lookups, by: User | None, today: date) -> str:
    errors: dict = {}
    for column in COLUMNS:
        if column.required and not _text(row.get(column.name)):
            errors[column.name] = _("This column needs a value.")
    resident = lookups.resident(row.get("resident_email"), errors) if "resident_email" not in errors else None
    stage = _stage(row.get("stage"), errors) if "stage" not in errors else ""
    year = lookups.academic_year(row.get("academic_year"), errors) if "academic_year" not in errors else None
    held_on = _date(row.get("held_on"), "held_on", errors)
    if errors:
        raise ValidationError(errors)
    return exam_result_save(resident=resident, stage=stage, academic_year=year, test_score=row.get("test_score"),
                            osce_score=row.get("osce_score"), held_on=held_on, by=by, today=today).outcome


# --- public API ------------------------------------------------------------------------------------------------


def exam_import(*, department: Department, file_name: str, content: bytes, by: User | None = None,
                today: date | None = None) -> ImportResult:
    """Import exam results into `department`, all or nothing.

    Every row goes through `exam_result_save` (the rules of `exam_result_record`); residents must belong to
    the department. Raises `ImportRefused` when the file cannot be imported at all; otherwise returns the
    counts, or, when any row failed, every bad row with its line and reason and nothing saved.
    """
    today = today or timezone.localdate()
    rows = _read_rows(file_name, content)
    result = ImportResult(kind=KIND)
    seen: dict[tuple[str, str], int] = {}
    with transaction.atomic():
        lookups = _Lookups(department)
        for line, row in rows:
            key = (_text(row.get("resident_email")).lower(), _stage(row.get("stage"), {}))
            if all(key) and key in seen:
                result.errors.append(RowError(line, _(
                    "%(email)s, %(stage)s: already appears on line %(line)d.") % {
                    "email": key[0], "stage": key[1], "line": seen[key]}))
                continue
            seen.setdefault(key, line)
            try:
                with transaction.atomic():
                    outcome = _row(row, lookups, by, today)
            except ValidationError as exc:
                result.errors.append(RowError(line, _render(exc)))
            except IntegrityError:
                result.errors.append(RowError(line, _("This row conflicts with data already saved.")))
            else:
                setattr(result, outcome, getattr(result, outcome) + 1)
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = result.unchanged = 0
    return result


def exam_template(fmt: str) -> tuple[str, str, bytes]:
    """A template file in `fmt` ("csv" or "xlsx"): the header row and one example row."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown exam template format {fmt}")
    filename = f"exam-results-template.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.name for c in COLUMNS])
        writer.writerow([_text(c.example) for c in COLUMNS])
        # The BOM lets Excel open the file as UTF-8.
        return filename, FORMATS[fmt], out.getvalue().encode("utf-8-sig")

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "exam_results"
    sheet.append([c.name for c in COLUMNS])
    sheet.append([c.example for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        if isinstance(column.example, date):
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(14, len(column.name) + 4)
    out = io.BytesIO()
    workbook.save(out)
    return filename, FORMATS[fmt], out.getvalue()
