"""Tabular imports: a table of rows from a CSV or XLSX file, and the template files to fill in.

What the imports of the apps above share (the roster in `mentoring.roster`, exam results in
`assessments.exam_import`): reading the file (CSV in UTF-8 with comma or semicolon, XLSX, size and row limits,
blank lines) into rows with their line numbers, checking the header against a list of `Column`, running the rows
all or nothing, writing a template file, the upload form and the command line. What a row means stays with each
import.
"""

import csv
import io
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ROWS = 10_000


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str
    example: object = ""


class ImportRefused(ValidationError):
    """The file as a whole cannot be imported (format, size, columns, row count)."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def counts(self) -> dict[str, int]:
        """The counts by outcome, for the messages that report them."""
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


# --- reading the file ------------------------------------------------------------------------------------------


def normalise_header(value) -> str:
    return re.sub(r"[\s\-]+", "_", str(value or "").strip().lstrip("\ufeff").lower())


def is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_csv(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_("The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")) from None
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise ImportRefused(_("The CSV file could not be read: %(error)s") % {"error": exc}) from None


def read_xlsx(content: bytes):
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportRefused(_("The file could not be read as an Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def read_rows(*, file_name: str, content: bytes, columns: list[Column],
              listing: Callable[[str], str]) -> list[tuple[int, dict]]:
    """The data rows as (line, {column: raw value}); refuses a file that cannot be imported as a whole.

    `listing(names)` is the sentence that names the expected columns, said when the header is wrong.
    """
    extension = PurePath(file_name or "").suffix.lower().lstrip(".")
    if extension not in FORMATS:
        raise ImportRefused(_("Upload a .csv or .xlsx file; “%(name)s” is neither.") % {"name": file_name})
    if not content:
        raise ImportRefused(_("The file is empty."))
    limit = settings.ROSTER_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise ImportRefused(_("The file is larger than %(size)d KB.") % {"size": limit // 1024})

    reader = read_csv(content) if extension == "csv" else read_xlsx(content)
    header = None
    rows = []
    for line, values in enumerate(reader, start=1):
        values = list(values)
        if header is None:
            if is_blank(values):
                raise ImportRefused(_("The first line must be the header row with the column names."))
            header = check_header(values, columns, listing)
            continue
        if is_blank(values):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(_("The file has more than %(max)d rows; split it into smaller files.") % {
                "max": MAX_ROWS})
        rows.append((line, {name: values[i] if i < len(values) else None for i, name in header if name}))
    if header is None:
        raise ImportRefused(_("The file is empty."))
    if not rows:
        raise ImportRefused(_("The file has a header row but no data rows."))
    return rows


def check_header(values, columns: list[Column], listing: Callable[[str], str]) -> list[tuple[int, str]]:
    """The header row as (index, column name); refuses missing, unknown or repeated columns."""
    known = {c.name for c in columns}
    names = [normalise_header(v) for v in values]
    unknown = [str(v).strip() for v, n in zip(values, names, strict=True) if n and n not in known]
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    missing = [c.name for c in columns if c.required and c.name not in names]
    problems = []
    if missing:
        problems.append(_("Missing required columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if duplicated:
        problems.append(_("Columns given more than once: %(columns)s.") % {"columns": ", ".join(duplicated)})
    if problems:
        problems.append(listing(", ".join(c.name for c in columns)))
        raise ImportRefused(" ".join(problems))
    return list(enumerate(names))


# --- cell values -----------------------------------------------------------------------------------------------


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_date(value, column: str, errors: dict) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    errors[column] = _("“%(value)s” is not a date; use YYYY-MM-DD or DD.MM.YYYY.") % {"value": text}
    return None


# --- rows ------------------------------------------------------------------------------------------------------


def render_error(exc: ValidationError, field_columns: dict[str, str] | None = None) -> str:
    """A row's ValidationError as one line; `field_columns` names a service field by the column a coordinator knows."""
    field_columns = field_columns or {}
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for name, errors in exc.error_dict.items():
        for message in ValidationError(errors).messages:
            parts.append(message if name == NON_FIELD_ERRORS else f"{field_columns.get(name, name)}: {message}")
    # Each message is a sentence of its own; a separator would double the punctuation.
    return " ".join(parts)


def import_rows(rows: Iterable[tuple[int, dict]], *, kind: str, prepare: Callable[[], Callable[[dict], str]],
                key: Callable[[dict], Hashable] | None = None, duplicate: Callable[[Hashable, int], str] | None = None,
                field_columns: dict[str, str] | None = None) -> ImportResult:
    """Saves `rows` all or nothing and counts the outcomes.

    `prepare()` runs inside the transaction and returns the function that saves one row and returns its outcome
    ("created", "updated" or "unchanged"), or raises ValidationError. Each row runs in its own savepoint so that
    every bad row is reported with its line; if any row failed, the whole import is rolled back and the counts are
    zero. `key(row)` identifies a row (a false value: it cannot tell); a row with the key of an earlier row is not
    saved but reported with `duplicate(key, line of the earlier row)`.
    """
    result = ImportResult(kind=kind)
    seen: dict = {}
    with transaction.atomic():
        save_row = prepare()
        for line, row in rows:
            row_key = key(row) if key is not None else None
            if row_key and row_key in seen:
                result.errors.append(RowError(line, duplicate(row_key, seen[row_key])))
                continue
            if row_key:
                seen[row_key] = line
            try:
                with transaction.atomic():
                    outcome = save_row(row)
            except ValidationError as exc:
                result.errors.append(RowError(line, render_error(exc, field_columns)))
            except IntegrityError:
                result.errors.append(RowError(line, _("This row conflicts with data already saved.")))
            else:
                setattr(result, outcome, getattr(result, outcome) + 1)
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = result.unchanged = 0
    return result


# --- template files --------------------------------------------------------------------------------------------


def template_file(columns: list[Column], fmt: str, *, filename: str, sheet_title: str) -> tuple[str, str, bytes]:
    """A template file in `fmt` ("csv" or "xlsx"): the header row and one example row, as (name, type, content)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.name for c in columns])
        writer.writerow([cell_text(c.example) for c in columns])
        # The BOM lets Excel open the file as UTF-8 (Cyrillic names survive).
        return filename, FORMATS[fmt], out.getvalue().encode("utf-8-sig")

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([c.name for c in columns])
    sheet.append([c.example if c.example != "" else None for c in columns])
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        if isinstance(column.example, date):
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(14, len(column.name) + 4)
    out = io.BytesIO()
    workbook.save(out)
    return filename, FORMATS[fmt], out.getvalue()


def file_response(filename: str, content_type: str, content: bytes) -> HttpResponse:
    """A file to download, e.g. `file_response(*template_file(...))`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the upload form and the command line -----------------------------------------------------------------------


def upload_field(label) -> forms.FileField:
    """The file field of an `UploadForm`, declared by each form with its own label."""
    return forms.FileField(
        label=label,
        help_text=gettext_lazy("A .csv (UTF-8, comma or semicolon separated) or .xlsx file with a header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class UploadForm(forms.Form):
    """The form of a tabular import: subclasses declare `file = upload_field(label)` and any other fields."""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ROSTER_MAX_UPLOAD_BYTES
        # Checked before the upload is read into memory; the import checks again for other callers.
        if upload.size > limit:
            raise forms.ValidationError(gettext_lazy("The file is larger than %(size)d KB."),
                                        params={"size": limit // 1024})
        return upload

    def import_file(self, run: Callable[..., ImportResult]) -> ImportResult | None:
        """`run(file_name=..., content=...)` on the valid upload; a refused file becomes an error of the field."""
        upload = self.cleaned_data["file"]
        try:
            return run(file_name=upload.name, content=upload.read())
        except ImportRefused as exc:
            self.add_error("file", exc.messages)
            return None


def import_path(command: BaseCommand, path: str, run: Callable[..., ImportResult]) -> ImportResult:
    """For an import command: `run(file_name=..., content=...)` on the file at `path`.

    A file that cannot be read or imported, or a row with a problem, stops the command with a CommandError
    (each bad row is written to stderr first); otherwise the result is returned for the command to report.
    """
    file = Path(path)
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from None
    try:
        result = run(file_name=file.name, content=content)
    except ImportRefused as exc:
        raise CommandError(" ".join(exc.messages)) from None
    if not result.ok:
        for error in result.errors:
            command.stderr.write(_("line %(line)d: %(message)s") % {"line": error.line, "message": error.message})
        raise CommandError(_("Nothing was saved: %(count)d rows have problems.") % {"count": len(result.errors)})
    return result
