"""Roster import: a department's mentors or residents from a CSV or XLSX file.

Every write goes through the services (`mentor_upsert`, `training_record`,
`resident_upsert`, `assignment_create`), so an import obeys the same rules as a
form. The import is all or nothing: each row runs in its own savepoint so that
every bad row can be reported, and if any row failed the whole import is rolled
back. Re-importing the same file changes nothing (people are matched by e-mail).
Reading the file and the all-or-nothing loop are `organization.tabular`'s.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization.models import AcademicYear, ClinicalSite, Department, Specialty
from organization.tabular import (
    FORMATS,
    Column,
    ImportRefused,
    ImportResult,
    cell_date,
    cell_text,
    import_rows,
    read_rows,
    template_file,
)
from residents.models import Resident
from residents.services import ResidentData, resident_upsert

from .models import Assignment, Mentor, MentorTraining
from .services import MentorData, assignment_create, mentor_upsert, training_record

MENTORS = "mentors"
RESIDENTS = "residents"
KINDS = {MENTORS: gettext_lazy("Mentors"), RESIDENTS: gettext_lazy("Residents")}
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


RosterRefused = ImportRefused  # the file as a whole cannot be imported (format, size, columns, row count)


# --- cell values -----------------------------------------------------------------------------------------------


def _integer(value, column: str, errors: dict) -> int | None:
    text = cell_text(value)
    if re.fullmatch(r"\d{1,4}", text):
        return int(text)
    errors[column] = _("“%(value)s” is not a whole number.") % {"value": text}
    return None


def _choice(value, choices, column: str, errors: dict, default: str) -> str:
    """A choice given by its value or its label, in any case; empty means the default."""
    text = " ".join(cell_text(value).lower().split())
    if not text:
        return default
    for choice_value, label in choices:
        if text in (choice_value, choice_value.replace("_", " "), str(label).lower()):
            return choice_value
    errors[column] = _("Unknown value “%(value)s”; use one of: %(choices)s.") % {
        "value": cell_text(value), "choices": ", ".join(v for v, _label in choices)}
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
        code = cell_text(value).upper()
        specialty = self.specialties.get(code)
        if specialty is None:
            if Specialty.objects.filter(code__iexact=code).exists():
                errors["specialty_code"] = _("The specialty %(code)s does not belong to this department.") % {
                    "code": code}
            else:
                errors["specialty_code"] = _("No specialty with code %(code)s.") % {"code": code}
        return specialty

    def site(self, value, errors: dict) -> ClinicalSite | None:
        name = " ".join(cell_text(value).split())
        site = self.sites.get(name.casefold())
        if site is None:
            if ClinicalSite.objects.filter(name__iexact=name).exists():
                errors["clinical_site"] = _("The clinical site %(site)s does not serve this department.") % {
                    "site": name}
            else:
                errors["clinical_site"] = _("No clinical site named “%(site)s”.") % {"site": name}
        return site

    def academic_year(self, value, errors: dict) -> AcademicYear | None:
        text = cell_text(value)
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
        if column.required and not cell_text(row.get(column.name)):
            errors[column.name] = _("This column needs a value.")
    return {
        "email": cell_text(row.get("email")).lower(),
        "first_name": cell_text(row.get("first_name")),
        "last_name": cell_text(row.get("last_name")),
        "middle_name": cell_text(row.get("middle_name")),
    }


def _mentor_row(row: dict, lookups: _Lookups, today: date) -> str:
    errors: dict = {}
    person = _person(row, MENTORS, errors)
    specialty = lookups.specialty(row.get("specialty_code"), errors) if "specialty_code" not in errors else None
    site = lookups.site(row.get("clinical_site"), errors) if "clinical_site" not in errors else None
    category_text = " ".join(cell_text(row.get("qualification_category")).lower().split())
    category = CATEGORY_NAMES.get(category_text)
    if category is None and "qualification_category" not in errors:
        errors["qualification_category"] = _("Unknown category “%(value)s”; use highest, first, second or none.") % {
            "value": cell_text(row.get("qualification_category"))}
    practice_started_on = cell_date(row.get("practice_started_on"), "practice_started_on", errors)
    certificate_expires_on = cell_date(row.get("certificate_expires_on"), "certificate_expires_on", errors)
    primary_on = cell_date(row.get("primary_training_on"), "primary_training_on", errors)
    refresher_on = cell_date(row.get("refresher_training_on"), "refresher_training_on", errors)
    if errors:
        raise ValidationError(errors)

    existing = lookups.mentors.get(person["email"])
    data = MentorData(
        **person, specialty=specialty, clinical_site=site, qualification_category=category,
        practice_started_on=practice_started_on, position=cell_text(row.get("position")),
        certificate_number=cell_text(row.get("certificate_number")), certificate_expires_on=certificate_expires_on,
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
    mentor_email = cell_text(row.get("mentor_email")).lower()
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
        current = Assignment.objects.filter(resident=resident, ended_on__isnull=True, kind="clinical").values_list(
            "mentor_id", flat=True).first()
        if current != mentor.pk:
            try:
                assignment_create(resident=resident, mentor=mentor, by=by)
            except ValidationError as exc:
                raise ValidationError({"mentor_email": exc.messages}) from None
            if outcome == "unchanged":
                outcome = "updated"
    return outcome


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
    rows = read_rows(file_name=file_name, content=content, columns=COLUMNS[kind], listing=lambda names: _(
        "The columns for %(kind)s are: %(columns)s.") % {"kind": KINDS[kind], "columns": names})

    def prepare():
        lookups = _Lookups(department)
        if kind == MENTORS:
            return lambda row: _mentor_row(row, lookups, today)
        return lambda row: _resident_row(row, lookups, by)

    return import_rows(
        rows, kind=kind, prepare=prepare, key=lambda row: cell_text(row.get("email")).lower(),
        duplicate=lambda email, line: _("email: %(email)s already appears on line %(line)d.") % {
            "email": email, "line": line},
        field_columns=FIELD_COLUMNS,
    )


def roster_template(kind: str, fmt: str) -> tuple[str, str, bytes]:
    """A template file for `kind` in `fmt` ("csv" or "xlsx"): the header row and one example row."""
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"unknown roster template {kind}.{fmt}")
    return template_file(COLUMNS[kind], fmt, filename=f"{kind}-roster-template.{fmt}", sheet_title=str(KINDS[kind]))
