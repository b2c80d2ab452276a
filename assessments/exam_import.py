"""Exam results of a department from a CSV or XLSX file, all or nothing, like the roster import.

Reading the file (CSV in UTF-8 with comma or semicolon, XLSX, size and row limits, blank lines) and the
all-or-nothing loop are `organization.tabular`'s, as for the roster import. Every row goes through
`exam_result_save`, so an import obeys the same rules as the page. Each row runs in its own savepoint so that
every bad row is reported with its line; if any row failed, the whole import is rolled back. Re-importing the
same file changes nothing: a resident's result is matched by (e-mail, stage) and an identical row is left untouched.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from organization.models import AcademicYear, Department
from organization.tabular import (
    FORMATS,
    Column,
    ImportResult,
    cell_date,
    cell_text,
    import_rows,
    read_rows,
    template_file,
)
from organization.tabular import ImportRefused as ImportRefused  # the file as a whole cannot be imported
from residents.models import Resident

from .exams import exam_result_save
from .models import ExamStage

KIND = "exam_results"

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


# --- cell values -----------------------------------------------------------------------------------------------


def _stage(value, errors: dict) -> str:
    """A stage by its value, its label, its year ("1", "year 1") or "final"."""
    text = " ".join(cell_text(value).lower().split())
    if re.fullmatch(r"(?:year\s*)?\d", text):
        text = f"year_{text[-1]}"
    for choice, label in ExamStage.choices:
        if text in (choice, choice.replace("_", " "), str(label).lower()):
            return choice
    errors["stage"] = _("Unknown stage “%(value)s”; use one of: %(stages)s.") % {
        "value": cell_text(value), "stages": ", ".join(ExamStage.values)}
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
        email = cell_text(value).lower()
        resident = self.residents.get(email)
        if resident is None:
            if Resident.objects.filter(user__email__iexact=email).exists():
                errors["resident_email"] = _("The resident %(email)s belongs to another department.") % {
                    "email": email}
            else:
                errors["resident_email"] = _("No resident with e-mail %(email)s.") % {"email": email}
        return resident

    def academic_year(self, value, errors: dict) -> AcademicYear | None:
        text = cell_text(value)
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
        if column.required and not cell_text(row.get(column.name)):
            errors[column.name] = _("This column needs a value.")
    resident = lookups.resident(row.get("resident_email"), errors) if "resident_email" not in errors else None
    stage = _stage(row.get("stage"), errors) if "stage" not in errors else ""
    year = lookups.academic_year(row.get("academic_year"), errors) if "academic_year" not in errors else None
    held_on = cell_date(row.get("held_on"), "held_on", errors)
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
    rows = read_rows(file_name=file_name, content=content, columns=COLUMNS, listing=lambda names: _(
        "The columns for exam results are: %(columns)s.") % {"columns": names})

    def key(row):
        email_stage = (cell_text(row.get("resident_email")).lower(), _stage(row.get("stage"), {}))
        return email_stage if all(email_stage) else None

    def prepare():
        lookups = _Lookups(department)
        return lambda row: _row(row, lookups, by, today)

    return import_rows(rows, kind=KIND, prepare=prepare, key=key, duplicate=lambda key, line: _(
        "%(email)s, %(stage)s: already appears on line %(line)d.") % {"email": key[0], "stage": key[1], "line": line})


def exam_template(fmt: str) -> tuple[str, str, bytes]:
    """A template file in `fmt` ("csv" or "xlsx"): the header row and one example row."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown exam template format {fmt}")
    return template_file(COLUMNS, fmt, filename=f"exam-results-template.{fmt}", sheet_title="exam_results")
