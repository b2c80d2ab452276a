"""Roster import: a department's mentors or residents from a CSV or XLSX file.

Every write goes through the services (`mentor_upsert`, `training_record`,
`resident_upsert`, `assignment_create`), so an import obeys the same rules as a
form. The import is all or nothing: each row runs in its own savepoint so that
every bad row can be reported, and if any row failed the whole import is rolled
back. Re-importing the same file changes nothing (people are matched by e-mail).
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization.models import AcademicYear, ClinicalSite, Department, Specialty
from residents.models import Resident
from residents.services import ResidentData, resident_upsert

from .models import Assignment, Mentor, MentorTraining
from .services import MentorData, assignment_create, mentor_upsert, training_record

MENTORS = "mentors"
RESIDENTS = "residents"
KINDS = {MENTORS: gettext_lazy("Mentors"), RESIDENTS: gettext_lazy("Residents")}
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


COLUMNS = {
    MENTORS: [
        Column("email", True, gettext_lazy("E-mail address; identifies the person."), "a.nurlanova@example.org"),
        Column("last_name", True, gettext_lazy("Last name."), "Nurlanova"),
        Column("first_name", True, gettext_lazy("First name."), "Aigerim"),
        Column("middle_name", False, gettext_lazy("Middle name (patronymic)."), "Serikovna"),
        Column("specialty_code", True, gettext_lazy("Code of a specialty of the department, e.g. 7R011114."),
               "7R011114"),
        Column("clinical_site", True, gettext_lazy("Name of a clinical site serving the department."),
               "City Perinatal Centre"),
        Column("qualification_category", True,
               gettext_lazy("highest, first, second or none (Russian and Kazakh names are accepted too)."),
               "highest"),
        Column("practice_started_on", True, gettext_lazy("Date practice in the specialty began."),
               date(2012, 9, 1)),
        Column("position", False, gettext_lazy("Position at the clinical site."), "Head of the neonatal unit"),
        Column("certificate_number", False, gettext_lazy("Specialist certificate number."), "KZ-0012345"),
        Column("certificate_expires_on", False,
               gettext_lazy("Certificate valid until; required when a certificate number is given."),
               date(2028, 6, 30)),
        Column("primary_training_on", False, gettext_lazy("Date the primary mentor training was completed."),
               date(2024, 2, 15)),
        Column("refresher_training_on", False, gettext_lazy("Date of the latest refresher training."), ""),
    ],
    RESIDENTS: [
        Column("email", True, gettext_lazy("E-mail address; identifies the person."), "d.akhmetov@example.org"),
        Column("last_name", True, gettext_lazy("Last name."), "Akhmetov"),
        Column("first_name", True, gettext_lazy("First name."), "Daniyar"),
        Column("middle_name", False, gettext_lazy("Middle name (patronymic)."), "Bolatovich"),
        Column("specialty_code", True, gettext_lazy("Code of a specialty of the department, e.g. 7R011114."),
               "7R011114"),
        Column("intake_year", True, gettext_lazy("Academic year of intake, e.g. 2024 or 2024-2025."), "2024-2025"),
        Column("year_of_study", True, gettext_lazy("Current year of study, from 1 to the length of the specialty."),
               1),
        Column("clinical_site", True, gettext_lazy("Name of a clinical site serving the department."),
               "City Perinatal Centre"),
        Column("status", False, gettext_lazy("active (default), on_leave, graduated or withdrawn."), "active"),
        Column("track", False, gettext_lazy("standard (default), support or research."), "standard"),
        Column("mentor_email", False,
               gettext_lazy("E-mail of a mentor of the department; the resident is assigned to that mentor."),
               "a.nurlanova@example.org"),
    ],
}

CATEGORY_NAMES = {
    "highest": "highest", "first": "first", "second": "second", "none": "none",
    "высшая": "highest", "первая": "first", "вторая": "second", "без категории": "none",
    "жоғары": "highest", "бірінші": "first", "екінші": "second", "санатсыз": "none",
}

# Service field names shown as the column a coordinator knows.
FIELD_COLUMNS = {"specialty": "specialty_code"}


class RosterRefused(ValidationError):
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


# --- reading the file ------------------------------------------------------------------------------------------


def _normalise_header(value) -> str:
    return re.sub(r"[\s\-]+", "_", str(value or "").strip().lstrip("\ufeff").lower())


def _is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _read_csv(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterRefused(_("The CSV file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")) from None
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise RosterRefused(_("The CSV file could not be read: %(error)s") % {"error": exc}) from None


def _read_xlsx(content: bytes):
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise RosterRefused(_("The file could not be read as an Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def _read_rows(*, kind: str, file_name: str, content: bytes) -> list[tuple[int, dict]]:
    """The data rows as (line, {column: raw value}); refuses a file that cannot be imported as a whole."""
    extension = PurePath(file_name or "").suffix.lower().lstrip(".")
    if extension not in FORMATS:
        raise RosterRefused(_("Upload a .csv or .xlsx file; “%(name)s” is neither.") % {"name": file_name})
    if not content:
        raise RosterRefused(_("The file is empty."))
    limit = settings.ROSTER_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise RosterRefused(_("The file is larger than %(size)d KB.") % {"size": limit // 1024})

    reader = _read_csv(content) if extension == "csv" else _read_xlsx(content)
    header = None
    rows = []
    for line, values in enumerate(reader, start=1):
        values = list(values)
        if header is None:
            if line == 1 and _is_blank(values):
                raise RosterRefused(_("The first line must be the header row with the column names."))
            header = _check_header(kind, values)
            continue
        if _is_blank(values):
            continue
        if len(rows) >= MAX_ROWS:
            raise RosterRefused(_("The file has more than %(max)d rows; split it into smaller files.") % {
                "max": MAX_ROWS})
        rows.append((line, {name: values[i] if i < len(values) else None for i, name in header if name}))
    if header is None:
        raise RosterRefused(_("The file is empty."))
    if not rows:
        raise RosterRefused(_("The file has a header row but no data rows."))
    return rows


def _check_header(kind: str, values) -> list[tuple[int, str]]:
    known = {c.name for c in COLUMNS[kind]}
    names = [_normalise_header(v) for v in values]
    unknown = [str(v).strip() for v, n in zip(values, names, strict=True) if n and n not in known]
    duplicated = sorted({n for n in names if n and names.count(n) > 1})
    missing = [c.name for c in COLUMNS[kind] if c.required and c.name not in names]
    problems = []
    if missing:
        problems.append(_("Missing required columns: %(columns)s.") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if duplicated:
        problems.append(_("Columns given more than once: %(columns)s.") % {"columns": ", ".join(duplicated)})
    if problems:
        problems.append(_("The columns for %(kind)s are: %(columns)s.") % {
            "kind": KINDS[kind], "columns": ", ".join(c.name for c in COLUMNS[kind])})
        raise RosterRefused(" ".join(problems))
    return list(enumerate(names))


# --- cell values -----------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value, column: str, errors: dict) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    errors[column] = _("“%(value)s” is not a date; use YYYY-MM-DD or DD.MM.YYYY.") % {"value": text}
    return None


def _integer(value, column: str, errors: dict) -> int | None:
    text = _text(value)
    if re.fullmatch(r"\d{1,4}", text):
        return int(text)
    errors[column] = _("“%(value)s” is not a whole number.") % {"value": text}
    return None


def _choice(value, choices, column: str, errors: dict, default: str) -> str:
    """A choice given by its value or its label, in any case; empty means the default."""
    text = " ".join(_text(value).lower().split())
    if not text:
        return default
    for choice_value, label in choices:
        if text in (choice_value, choice_value.replace("_", " "), str(label).lower()):
            return choice_value
    errors[column] = _("Unknown value “%(value)s”; use one of: %(choices)s.") % {
        "value": _text(value), "choices": ", ".join(v for v, _label in choices)}
    return default


# --- lookups, cached per import ---------------------------------------------------------------------------------


class _Lookups:
    def __init__(self, department: Department):
        self.department = department
        self.specialties = {s.code.upper(): s for s in Specialty.objects.filter(department=department)}
        self.sites = {s.name.casefold(): s for s in ClinicalSite.objects.filter(departments=department)}
        self.years = {y.start_year: y for y in AcademicYear.objects.all()}
        self.mentors = {
            m.user.email.lower(): m
            for m in Mentor.objects.filter(specialty__department=department).select_related("user", "specialty")
        }

    def specialty(self, value, errors: dict) -> Specialty | None:
        code = _text(value).upper()
        specialty = self.specialties.get(code)
        if specialty is None:
            if Specialty.objects.filter(code__iexact=code).exists():
                errors["specialty_code"] = _("The specialty %(code)s does not belong to this department.") % {
                    "code": code}
            else:
                errors["specialty_code"] = _("No specialty with code %(code)s.") % {"code": code}
        return specialty

    def site(self, value, errors: dict) -> ClinicalSite | None:
        name = " ".join(_text(value).split())
        site = self.sites.get(name.casefold())
        if site is None:
            if ClinicalSite.objects.filter(name__iexact=name).exists():
                errors["clinical_site"] = _("The clinical site %(site)s does not serve this department.") % {
                    "site": name}
            else:
                errors["clinical_site"] = _("No clinical site named “%(site)s”.") % {"site": name}
        return site

    def academic_year(self, value, errors: dict) -> AcademicYear | None:
        text = _text(value)
        match = re.fullmatch(r"(\d{4})(?:\s*[-/–]\s*(\d{4}))?", text)
        if match is None or (match[2] and int(match[2]) != int(match[1]) + 1):
            errors["intake_year"] = _("“%(value)s” is not an academic year; write e.g. 2024 or 2024-2025.") % {
                "value": text}
            return None
        year = self.years.get(int(match[1]))
        if year is None:
            errors["intake_year"] = _("The academic year %(start)s-%(end)s does not exist; ask an administrator "
                                      "to add it.") % {"start": match[1], "end": int(match[1]) + 1}
        return year


# --- rows ------------------------------------------------------------------------------------------------------


def _person(row: dict, kind: str, errors: dict) -> dict:
    for column in COLUMNS[kind]:
        if column.required and not _text(row.get(column.name)):
            errors[column.name] = _("This column needs a value.")
    return {
        "email": _text(row.get("email")).lower(),
        "first_name": _text(row.get("first_name")),
        "last_name": _text(row.get("last_name")),
        "middle_name": _text(row.get("middle_name")),
    }


def _mentor_row(row: dict, lookups: _Lookups, today: date) -> str:
    errors: dict = {}
    person = _person(row, MENTORS, errors)
    specialty = lookups.specialty(row.get("specialty_code"), errors) if "specialty_code" not in errors else None
    site = lookups.site(row.get("clinical_site"), errors) if "clinical_site" not in errors else None
    category_text = " ".join(_text(row.get("qualification_category")).lower().split())
    category = CATEGORY_NAMES.get(category_text)
    if category is None and "qualification_category" not in errors:
        errors["qualification_category"] = _("Unknown category “%(value)s”; use highest, first, second or none.") % {
            "value": _text(row.get("qualification_category"))}
    practice_started_on = _date(row.get("practice_started_on"), "practice_started_on", errors)
    certificate_expires_on = _date(row.get("certificate_expires_on"), "certificate_expires_on", errors)
    primary_on = _date(row.get("primary_training_on"), "primary_training_on", errors)
    refresher_on = _date(row.get("refresher_training_on"), "refresher_training_on", errors)
    if errors:
        raise ValidationError(errors)

    existing = lookups.mentors.get(person["email"])
    data = MentorData(
        **person, specialty=specialty, clinical_site=site, qualification_category=category,
        practice_started_on=practice_started_on, position=_text(row.get("position")),
        certificate_number=_text(row.get("certificate_number")), certificate_expires_on=certificate_expires_on,
        # The roster says nothing about activity: keep what the department decided.
        is_active=existing.is_active if existing is not None else True,
    )
    mentor, outcome = mentor_upsert(department=lookups.department, data=data, today=today)
    for column, kind, completed_on in (("primary_training_on", MentorTraining.Kind.PRIMARY, primary_on),
                                       ("refresher_training_on", MentorTraining.Kind.REFRESHER, refresher_on)):
        if completed_on is None:
            continue
        try:
            _training, created = training_record(mentor=mentor, kind=kind, completed_on=completed_on, today=today)
        except ValidationError as exc:
            raise ValidationError({column: exc.messages}) from None
        if created and outcome == "unchanged":
            outcome = "updated"
    return outcome


def _resident_row(row: dict, lookups: _Lookups, by) -> str:
    errors: dict = {}
    person = _person(row, RESIDENTS, errors)
    specialty = lookups.specialty(row.get("specialty_code"), errors) if "specialty_code" not in errors else None
    site = lookups.site(row.get("clinical_site"), errors) if "clinical_site" not in errors else None
    intake_year = lookups.academic_year(row.get("intake_year"), errors) if "intake_year" not in errors else None
    year_of_study = _integer(row.get("year_of_study"), "year_of_study", errors) if "year_of_study" not in errors \
        else None
    status = _choice(row.get("status"), Resident.Status.choices, "status", errors, Resident.Status.ACTIVE)
    track = _choice(row.get("track"), Resident.Track.choices, "track", errors, Resident.Track.STANDARD)
    mentor_email = _text(row.get("mentor_email")).lower()
    mentor = None
    if mentor_email:
        mentor = lookups.mentors.get(mentor_email)
        if mentor is None:
            errors["mentor_email"] = _("No mentor with e-mail %(email)s in this department.") % {"email": mentor_email}
    if errors:
        raise ValidationError(errors)

    data = ResidentData(**person, specialty=specialty, intake_year=intake_year, year_of_study=year_of_study,
                        clinical_site=site, status=status, track=track)
    resident, outcome = resident_upsert(department=lookups.department, data=data)
    if mentor is not None:
        current = Assignment.objects.filter(resident=resident, ended_on__isnull=True).values_list(
            "mentor_id", flat=True).first()
        if current != mentor.pk:
            try:
                assignment_create(resident=resident, mentor=mentor, by=by)
            except ValidationError as exc:
                raise ValidationError({"mentor_email": exc.messages}) from None
            if outcome == "unchanged":
                outcome = "updated"
    return outcome


def _render(exc: ValidationError) -> str:
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for name, errors in exc.error_dict.items():
        for message in ValidationError(errors).messages:
            parts.append(message if name == NON_FIELD_ERRORS else f"{FIELD_COLUMNS.get(name, name)}: {message}")
    # Each message is a sentence of its own; a separator would double the punctuation.
    return " ".join(parts)


# --- public API ------------------------------------------------------------------------------------------------


def roster_import(*, department: Department, kind: str, file_name: str, content: bytes, by=None,
                  today: date | None = None) -> ImportResult:
    """Import a roster of `kind` ("mentors" or "residents") into `department`, all or nothing.

    Every row goes through the services, so the rules of DESIGN.md section 2 hold as for a form
    (mentor eligibility and capacity on assignment, one active mentor per resident). Raises
    `RosterRefused` when the file cannot be imported at all; otherwise returns the counts, or,
    when any row failed, every bad row with its line and reason and nothing saved.
    """
    if kind not in KINDS:
        raise RosterRefused(_("Unknown roster kind: %(kind)s.") % {"kind": kind})
    today = today or timezone.localdate()
    rows = _read_rows(kind=kind, file_name=file_name, content=content)
    result = ImportResult(kind=kind)
    seen: dict[str, int] = {}
    with transaction.atomic():
        lookups = _Lookups(department)
        for line, row in rows:
            email = _text(row.get("email")).lower()
            if email and email in seen:
                result.errors.append(RowError(line, _("email: %(email)s already appears on line %(line)d.") % {
                    "email": email, "line": seen[email]}))
                continue
            if email:
                seen[email] = line
            try:
                with transaction.atomic():
                    if kind == MENTORS:
                        outcome = _mentor_row(row, lookups, today)
                    else:
                        outcome = _resident_row(row, lookups, by)
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


def roster_template(kind: str, fmt: str) -> tuple[str, str, bytes]:
    """A template file for `kind` in `fmt` ("csv" or "xlsx"): the header row and one example row."""
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"unknown roster template {kind}.{fmt}")
    columns = COLUMNS[kind]
    filename = f"{kind}-roster-template.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.name for c in columns])
        writer.writerow([_text(c.example) for c in columns])
        # The BOM lets Excel open the file as UTF-8 (Cyrillic names survive).
        return filename, FORMATS[fmt], out.getvalue().encode("utf-8-sig")

    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(KINDS[kind])[:31]
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
