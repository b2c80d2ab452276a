"""Roster import (mentors and residents from CSV / XLSX): all or nothing, idempotent, through the services."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import User
from mentoring.models import Assignment, Mentor, MentorTraining
from mentoring.roster import COLUMNS, RosterRefused, roster_import, roster_template
from mentoring.services import assignment_create
from residents.models import Resident
from tests.factories import (
    AcademicYearFactory,
    ClinicalSiteFactory,
    CoordinatorFactory,
    DepartmentFactory,
    SpecialtyFactory,
    today,
)

pytestmark = pytest.mark.django_db

MENTOR_HEADER = ["email", "last_name", "first_name", "middle_name", "specialty_code", "clinical_site",
                 "qualification_category", "practice_started_on", "position", "certificate_number",
                 "certificate_expires_on", "primary_training_on", "refresher_training_on"]
RESIDENT_HEADER = ["email", "last_name", "first_name", "specialty_code", "intake_year", "year_of_study",
                   "clinical_site", "status", "track", "mentor_email"]


def to_csv(header, rows, delimiter=",", bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def mentor_row(n, specialty, site, **overrides):
    values = {
        "email": f"mentor{n}@example.org", "last_name": f"Mentorova{n}", "first_name": "Aigerim",
        "middle_name": "", "specialty_code": specialty.code, "clinical_site": site.name,
        "qualification_category": "highest", "practice_started_on": "2010-09-01", "position": "Neonatologist",
        "certificate_number": f"KZ-{n:05d}", "certificate_expires_on": (today() + timedelta(days=900)).isoformat(),
        "primary_training_on": (today() - timedelta(days=300)).isoformat(), "refresher_training_on": "",
    }
    values.update(overrides)
    return [values[c] for c in MENTOR_HEADER]


def resident_row(n, specialty, site, **overrides):
    values = {
        "email": f"resident{n}@example.org", "last_name": f"Residentov{n}", "first_name": "Daniyar",
        "specialty_code": specialty.code, "intake_year": "2024-2025", "year_of_study": "1",
        "clinical_site": site.name, "status": "", "track": "", "mentor_email": "",
    }
    values.update(overrides)
    return [values[c] for c in RESIDENT_HEADER]


@pytest.fixture
def year():
    return AcademicYearFactory(start_year=2024)


def counts():
    return User.objects.count(), Mentor.objects.count(), Resident.objects.count(), Assignment.objects.count()


# --- the service ---------------------------------------------------------------------------------------------


def test_mentors_csv_creates_mentors_with_trainings(department, specialty, site):
    content = to_csv(MENTOR_HEADER, [mentor_row(1, specialty, site), mentor_row(2, specialty, site)])

    result = roster_import(department=department, kind="mentors", file_name="mentors.csv", content=content)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    mentor = Mentor.objects.get(user__email="mentor1@example.org")
    assert mentor.qualification_category == "highest"
    assert mentor.trainings.filter(kind=MentorTraining.Kind.PRIMARY).count() == 1


def test_one_bad_row_saves_nothing_and_names_line_and_reason(department, specialty, site):
    rows = [mentor_row(1, specialty, site), mentor_row(2, specialty, site, clinical_site="Nowhere Hospital"),
            mentor_row(3, specialty, site)]
    before = counts()

    result = roster_import(department=department, kind="mentors", file_name="m.csv",
                           content=to_csv(MENTOR_HEADER, rows))

    assert not result.ok
    assert len(result.errors) == 1 and result.errors[0].line == 3
    assert "clinical_site" in result.errors[0].message and "Nowhere Hospital" in result.errors[0].message
    assert counts() == before
    assert MentorTraining.objects.count() == 0
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)


def test_several_bad_rows_all_listed(department, specialty, site, year):
    other_site = ClinicalSiteFactory()  # serves no department of ours
    rows = [
        resident_row(1, specialty, site),
        resident_row(2, specialty, site, intake_year="2019"),
        resident_row(3, specialty, site, year_of_study="9"),
        resident_row(4, specialty, other_site),
        resident_row(5, specialty, site, email="not-an-email"),
        resident_row(1, specialty, site),  # duplicate of line 2
        resident_row(7, specialty, site, specialty_code="XX000"),
        resident_row(8, specialty, site, mentor_email="nobody@example.org"),
    ]
    before = counts()

    result = roster_import(department=department, kind="residents", file_name="r.csv",
                           content=to_csv(RESIDENT_HEADER, rows))

    by_line = {e.line: e.message for e in result.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9]
    assert "intake_year" in by_line[3] and "2019" in by_line[3]
    assert by_line[4].startswith("year_of_study:")
    assert "does not serve this department" in by_line[5]
    assert by_line[6].startswith("email:")
    assert "line 2" in by_line[7]
    assert "XX000" in by_line[8]
    assert "nobody@example.org" in by_line[9]
    assert counts() == before


def test_reimport_is_a_no_op(department, specialty, site, year):
    mentors = to_csv(MENTOR_HEADER, [mentor_row(1, specialty, site), mentor_row(2, specialty, site)])
    residents = to_csv(RESIDENT_HEADER, [resident_row(n, specialty, site) for n in range(3)])
    roster_import(department=department, kind="mentors", file_name="m.csv", content=mentors)
    roster_import(department=department, kind="residents", file_name="r.csv", content=residents)
    stamps = dict(Mentor.objects.values_list("pk", "updated_at")) | {
        -pk: t for pk, t in Resident.objects.values_list("pk", "updated_at")}
    before = counts(), MentorTraining.objects.count()

    again_m = roster_import(department=department, kind="mentors", file_name="m.csv", content=mentors)
    again_r = roster_import(department=department, kind="residents", file_name="r.csv", content=residents)

    assert (again_m.created, again_m.updated, again_m.unchanged) == (0, 0, 2)
    assert (again_r.created, again_r.updated, again_r.unchanged) == (0, 0, 3)
    assert (counts(), MentorTraining.objects.count()) == before
    assert dict(Mentor.objects.values_list("pk", "updated_at")) | {
        -pk: t for pk, t in Resident.objects.values_list("pk", "updated_at")} == stamps


def test_change_in_file_updates_and_emails_match_case_insensitively(department, specialty, site, year):
    roster_import(department=department, kind="residents", file_name="r.csv",
                  content=to_csv(RESIDENT_HEADER, [resident_row(1, specialty, site)]))

    result = roster_import(department=department, kind="residents", file_name="r.csv", content=to_csv(
        RESIDENT_HEADER, [resident_row(1, specialty, site, email="RESIDENT1@Example.org", year_of_study="2")]))

    assert (result.created, result.updated) == (0, 1)
    assert Resident.objects.get().year_of_study == 2


def test_semicolon_bom_dotted_dates_and_russian_category(department, specialty, site):
    header = [h.upper() for h in MENTOR_HEADER]
    row = mentor_row(1, specialty, site, qualification_category="Высшая", practice_started_on="01.09.2010",
                     certificate_expires_on=(today() + timedelta(days=800)).strftime("%d.%m.%Y"))
    kazakh = mentor_row(2, specialty, site, qualification_category="бірінші")

    result = roster_import(department=department, kind="mentors", file_name="M.CSV",
                           content=to_csv(header, [row, kazakh], delimiter=";", bom=True))

    assert result.ok, result.errors
    assert Mentor.objects.get(user__email="mentor1@example.org").practice_started_on == date(2010, 9, 1)
    assert Mentor.objects.get(user__email="mentor2@example.org").qualification_category == "first"


@pytest.mark.parametrize(("name", "content", "words"), [
    ("roster.txt", b"email\n", ".csv or .xlsx"),
    ("roster.csv", b"", "empty"),
    ("roster.csv", b"email,last_name\nx@example.org,X\n", "Missing required columns"),
    ("roster.xlsx", b"not a zip", "Excel"),
])
def test_files_refused_as_a_whole(department, name, content, words):
    with pytest.raises(RosterRefused) as exc:
        roster_import(department=department, kind="mentors", file_name=name, content=content)
    assert words in " ".join(exc.value.messages)


def test_too_large_and_too_many_rows_refused(department, specialty, site, settings):
    settings.ROSTER_MAX_UPLOAD_BYTES = 100
    with pytest.raises(RosterRefused, match="larger"):
        roster_import(department=department, kind="mentors", file_name="m.csv",
                      content=to_csv(MENTOR_HEADER, [mentor_row(n, specialty, site) for n in range(3)]))
    settings.ROSTER_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    with pytest.raises(RosterRefused, match="more than"):
        roster_import(department=department, kind="mentors", file_name="m.csv",
                      content=to_csv(MENTOR_HEADER, [["x"] * len(MENTOR_HEADER)] * 10_001))
    assert Mentor.objects.count() == 0


def test_2000_residents_csv_imports(department, specialty, site, year):
    # Speed is not asserted here (a timed test flakes on a busy machine); this proves a file of this size imports.
    rows = [resident_row(n, specialty, site, year_of_study=str(n % 3 + 1)) for n in range(2000)]
    content = to_csv(RESIDENT_HEADER, rows)

    result = roster_import(department=department, kind="residents", file_name="r.csv", content=content)

    assert result.ok, result.errors[:3]
    assert result.created == 2000
    assert Resident.objects.filter(specialty=specialty).count() == 2000


def test_xlsx_round_trip_with_date_cells(department, specialty, site, year):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([h.replace("_", " ").title() for h in MENTOR_HEADER])  # "Practice Started On" etc.
    sheet.append(["mentor1@example.org", "Mentorova", "Aigerim", None, specialty.code, site.name, "первая",
                  date(2011, 3, 14), None, 12345, today() + timedelta(days=700), today() - timedelta(days=100), None])
    out = io.BytesIO()
    workbook.save(out)

    result = roster_import(department=department, kind="mentors", file_name="mentors.xlsx", content=out.getvalue())

    assert result.ok, result.errors
    mentor = Mentor.objects.get()
    assert (mentor.practice_started_on, mentor.certificate_number, mentor.qualification_category) == (
        date(2011, 3, 14), "12345", "first")
    again = roster_import(department=department, kind="mentors", file_name="mentors.xlsx", content=out.getvalue())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_residents_xlsx_with_numeric_cells(department, specialty, site, year):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(RESIDENT_HEADER)
    sheet.append(["r1@example.org", "Akhmetov", "Daniyar", specialty.code, 2024, 2, site.name, None, "research", None])
    out = io.BytesIO()
    workbook.save(out)

    result = roster_import(department=department, kind="residents", file_name="r.xlsx", content=out.getvalue())

    assert result.ok, result.errors
    resident = Resident.objects.get()
    assert (resident.year_of_study, resident.track, resident.cohort.intake_year) == (2, "research", year)


def test_mentor_email_assigns_through_the_service_and_reimport_does_not_duplicate(
        department, specialty, site, year, make_mentor, coordinator):
    mentor = make_mentor()
    content = to_csv(RESIDENT_HEADER, [resident_row(n, specialty, site, mentor_email=mentor.user.email.upper())
                                       for n in range(3)])

    first = roster_import(department=department, kind="residents", file_name="r.csv", content=content,
                          by=coordinator)
    second = roster_import(department=department, kind="residents", file_name="r.csv", content=content,
                           by=coordinator)

    assert first.ok and second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assignments = Assignment.objects.filter(mentor=mentor, ended_on__isnull=True)
    assert assignments.count() == 3
    assert set(assignments.values_list("created_by", flat=True)) == {coordinator.pk}


def test_resident_assigned_to_another_mentor_is_an_error(department, specialty, site, year, make_mentor):
    first, other = make_mentor(), make_mentor()
    roster_import(department=department, kind="residents", file_name="r.csv",
                  content=to_csv(RESIDENT_HEADER, [resident_row(1, specialty, site, mentor_email=first.user.email)]))

    result = roster_import(department=department, kind="residents", file_name="r.csv", content=to_csv(
        RESIDENT_HEADER, [resident_row(1, specialty, site, mentor_email=other.user.email)]))

    assert [e.line for e in result.errors] == [2]
    assert "already has a mentor" in result.errors[0].message
    assert Assignment.objects.get().mentor == first


def test_assignment_to_full_mentor_fails_the_whole_import(department, specialty, site, year, make_mentor,
                                                         make_resident):
    mentor = make_mentor()
    for _ in range(4):
        assignment_create(resident=make_resident(), mentor=mentor)
    before = counts()
    rows = [resident_row(1, specialty, site), resident_row(2, specialty, site, mentor_email=mentor.user.email)]

    result = roster_import(department=department, kind="residents", file_name="r.csv",
                           content=to_csv(RESIDENT_HEADER, rows))

    assert [e.line for e in result.errors] == [3]
    assert "mentor_email:" in result.errors[0].message and "maximum is 4" in result.errors[0].message
    assert counts() == before


def test_capacity_counts_rows_of_the_same_file(department, specialty, site, year, make_mentor):
    mentor = make_mentor()
    rows = [resident_row(n, specialty, site, mentor_email=mentor.user.email) for n in range(5)]

    result = roster_import(department=department, kind="residents", file_name="r.csv",
                           content=to_csv(RESIDENT_HEADER, rows))

    assert [e.line for e in result.errors] == [6]
    assert Assignment.objects.count() == 0 and Resident.objects.count() == 0


def test_assignment_to_ineligible_mentor_fails_with_the_reason(department, specialty, site, year, make_mentor):
    mentor = make_mentor(trained=False)
    before = counts()

    result = roster_import(department=department, kind="residents", file_name="r.csv", content=to_csv(
        RESIDENT_HEADER, [resident_row(1, specialty, site, mentor_email=mentor.user.email)]))

    assert [e.line for e in result.errors] == [2]
    assert "Primary mentor training not completed" in result.errors[0].message
    assert counts() == before


def test_refresher_without_primary_is_a_row_error(department, specialty, site):
    row = mentor_row(1, specialty, site, primary_training_on="",
                     refresher_training_on=(today() - timedelta(days=10)).isoformat())

    result = roster_import(department=department, kind="mentors", file_name="m.csv",
                           content=to_csv(MENTOR_HEADER, [row]))

    assert result.errors[0].message.startswith("refresher_training_on:")
    assert Mentor.objects.count() == 0


def test_templates_have_header_and_example(department):
    name, content_type, content = roster_template("residents", "csv")
    assert name.endswith(".csv") and content_type.startswith("text/csv")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0] == [c.name for c in COLUMNS["residents"]] and len(lines) == 2

    name, _type, content = roster_template("mentors", "xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]] == [c.name for c in COLUMNS["mentors"]]
    assert sheet.max_row == 2
    with pytest.raises(ValueError):
        roster_template("mentors", "ods")


# --- the management command ----------------------------------------------------------------------------------


def test_command_imports_and_prints_counts(department, specialty, site, tmp_path):
    path = tmp_path / "mentors.csv"
    path.write_bytes(to_csv(MENTOR_HEADER, [mentor_row(1, specialty, site)]))
    out = io.StringIO()

    call_command("import_roster", str(path), department=department.name, kind="mentors", stdout=out)

    assert "1 created" in out.getvalue()
    assert Mentor.objects.count() == 1
    call_command("import_roster", str(path), department=str(department.pk), kind="mentors", stdout=out)
    assert "1 unchanged" in out.getvalue()


def test_command_lists_bad_rows_and_fails(department, specialty, site, tmp_path):
    path = tmp_path / "mentors.csv"
    path.write_bytes(to_csv(MENTOR_HEADER, [mentor_row(1, specialty, site),
                                            mentor_row(2, specialty, site, qualification_category="great")]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command("import_roster", str(path), department=department.name, kind="mentors", stderr=err)

    assert "line 3" in err.getvalue() and "qualification_category" in err.getvalue()
    assert Mentor.objects.count() == 0
    with pytest.raises(CommandError, match="No department"):
        call_command("import_roster", str(path), department="Nope", kind="mentors")


# --- the page ------------------------------------------------------------------------------------------------


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_page_get_for_coordinator(client, coordinator, department):
    client.force_login(coordinator)

    response = client.get(reverse("mentoring:roster_import", args=[department.pk]))

    assert response.status_code == 200
    assert b"qualification_category" in response.content
    assert reverse("mentoring:roster_template", args=[department.pk, "mentors", "xlsx"]).encode() in response.content


def test_page_post_success_redirects_and_creates(client, coordinator, department, specialty, site):
    client.force_login(coordinator)
    url = reverse("mentoring:roster_import", args=[department.pk])

    response = client.post(url, {"kind": "mentors", "file": upload(
        "m.csv", to_csv(MENTOR_HEADER, [mentor_row(1, specialty, site)]))})

    assert response.status_code == 302 and response["Location"] == url
    assert Mentor.objects.count() == 1
    page = client.get(url)
    assert "1 created" in page.content.decode()


def test_page_post_bad_file_lists_lines_and_saves_nothing(client, coordinator, department, specialty, site):
    client.force_login(coordinator)
    content = to_csv(MENTOR_HEADER, [mentor_row(1, specialty, site),
                                     mentor_row(2, specialty, site, practice_started_on="soon")])

    response = client.post(reverse("mentoring:roster_import", args=[department.pk]),
                           {"kind": "mentors", "file": upload("m.csv", content)})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html and "<td>3</td>" in html and "practice_started_on" in html
    assert Mentor.objects.count() == 0


def test_page_post_refused_file_shows_form_error(client, coordinator, department):
    client.force_login(coordinator)

    response = client.post(reverse("mentoring:roster_import", args=[department.pk]),
                           {"kind": "mentors", "file": upload("m.pdf", b"%PDF")})

    assert response.status_code == 200
    assert ".csv or .xlsx" in response.content.decode()


def test_other_departments_coordinator_gets_404(client, department, specialty, site):
    outsider = CoordinatorFactory(department=DepartmentFactory()).user
    client.force_login(outsider)

    assert client.get(reverse("mentoring:roster_import", args=[department.pk])).status_code == 404
    response = client.post(reverse("mentoring:roster_import", args=[department.pk]), {
        "kind": "mentors", "file": upload("m.csv", to_csv(MENTOR_HEADER, [mentor_row(1, specialty, site)]))})
    assert response.status_code == 404
    assert client.get(reverse("mentoring:roster_template", args=[department.pk, "mentors", "csv"])).status_code == 404
    assert Mentor.objects.count() == 0


def test_anonymous_is_sent_to_login(client, department):
    response = client.get(reverse("mentoring:roster_import", args=[department.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_download(client, coordinator, department, fmt):
    client.force_login(coordinator)

    response = client.get(reverse("mentoring:roster_template", args=[department.pk, "residents", fmt]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="residents-roster-template.{fmt}"'
    assert response.content


def test_template_download_unknown_kind_or_format_is_404(client, coordinator, department):
    client.force_login(coordinator)

    assert client.get(reverse("mentoring:roster_template", args=[department.pk, "deans", "csv"])).status_code == 404
    assert client.get(reverse("mentoring:roster_template", args=[department.pk, "mentors", "ods"])).status_code == 404


def test_specialty_of_another_department_is_named(department, site):
    foreign = SpecialtyFactory(department=DepartmentFactory())

    result = roster_import(department=department, kind="mentors", file_name="m.csv",
                           content=to_csv(MENTOR_HEADER, [mentor_row(1, foreign, site)]))

    expected = f"specialty_code: The specialty {foreign.code} does not belong to this department."
    assert result.errors[0].message == expected
