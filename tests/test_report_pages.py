"""The report pages (reports/views): ask for a report (coordinator, mentor), the history, the run page while it is
computed, failed and done, its live status, "Run again", the downloads; scope (404 outside it) and query counts
that do not grow with the data."""

import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from reports.charts import chart_of
from reports.models import ReportFile, ReportRun
from reports.services import report_request
from tests.factories import (
    AcademicYearFactory,
    ClinicalSiteFactory,
    CohortFactory,
    CoordinatorFactory,
    DepartmentFactory,
    SpecialtyFactory,
)
from tests.queries import count_queries
from tests.report_samples import finish, sample_result

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def year():
    return AcademicYearFactory(start_year=2025)


@pytest.fixture
def cohort(resident):
    return resident.cohort


def ask_cohort(coordinator, cohort):
    return report_request(by=coordinator, kind="cohort", department=cohort.specialty.department, cohort=cohort)


def scripts(html: str) -> list[str]:
    return re.findall(r"<script[^>]*>", html)


# --- the department's reports: request forms and history ---------------------------------------------------


def test_the_forms_offer_only_the_departments_cohorts_mentors_and_sites(client, coordinator, department, cohort,
                                                                        mentor, year):
    other_department = DepartmentFactory()
    other_cohort = CohortFactory(specialty=SpecialtyFactory(department=other_department))
    ClinicalSiteFactory(name="Elsewhere hospital", departments=[other_department])
    client.force_login(coordinator)
    response = client.get(reverse("reports:index", args=[department.pk]))
    forms = response.context["forms"]
    assert list(forms["cohort"].fields["cohort"].queryset) == [cohort]
    assert other_cohort not in forms["cohort"].fields["cohort"].queryset
    assert list(forms["mentor"].fields["mentor"].queryset) == [mentor]
    assert list(forms["annual"].fields["clinical_site"].queryset) == [mentor.clinical_site]
    html = response.content.decode()
    for kind in ("cohort", "mentor", "annual"):
        assert f'id="ask-{kind}-form"' in html
    assert "Elsewhere hospital" not in html
    assert "No reports yet." in html


def test_asking_for_a_cohort_report_redirects_to_its_page_which_shows_the_result(
        client, coordinator, department, cohort, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:index", args=[department.pk]),
                               {"kind": "cohort", "cohort-cohort": cohort.pk})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:run", args=[run.pk])
    assert (run.kind, run.cohort, run.requested_by, run.status) == ("cohort", cohort, coordinator, "done")
    page = client.get(response.url)
    html = page.content.decode()
    assert "Report requested" in html
    assert run.result["title"] in html
    # Every section the sections compute is on the page, with its tables.
    for section in run.result["sections"]:
        assert f'id="section-{section["key"]}"' in html
        assert html.count('class="table table-sm report-table"') >= 1
    assert 'id="download-xlsx"' in html and 'id="download-csv"' in html


@pytest.mark.parametrize("kind", ["cohort", "mentor", "annual"])
def test_every_kind_of_real_run_is_drawn_whole(kind, client, coordinator, department, cohort, mentor, year,
                                               django_capture_on_commit_callbacks):
    """Whatever the sections compute, each section, table and chart with something to draw is on the page."""
    parameters = {"cohort": {"cohort": cohort}, "mentor": {"mentor": mentor, "academic_year": year},
                  "annual": {"academic_year": year}}[kind]
    with django_capture_on_commit_callbacks(execute=True):
        run = report_request(by=coordinator, kind=kind, department=department, **parameters)
    run.refresh_from_db()
    assert run.status == "done", run.error
    client.force_login(coordinator)
    html = client.get(reverse("reports:run", args=[run.pk])).content.decode()
    sections = run.result["sections"]
    for section in sections:
        assert f'id="section-{section["key"]}"' in html
        for table in section["tables"]:
            assert f'id="table-{section["key"]}-{table["key"]}"' in html
    drawn = sum(not chart_of(s, c).is_empty for s in sections for c in s["charts"])
    assert sections and html.count('class="report-svg"') == drawn


def test_a_choice_outside_the_department_is_refused_and_nothing_is_asked(client, coordinator, department, year):
    other_cohort = CohortFactory(specialty=SpecialtyFactory(department=DepartmentFactory()))
    client.force_login(coordinator)
    response = client.post(reverse("reports:index", args=[department.pk]),
                           {"kind": "cohort", "cohort-cohort": other_cohort.pk})
    assert response.status_code == 200
    assert response.context["forms"]["cohort"].errors["cohort"]
    assert not ReportRun.objects.exists()


def test_the_annual_and_mentor_forms_ask_with_their_parameters(client, coordinator, department, mentor, year,
                                                               django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    url = reverse("reports:index", args=[department.pk])
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url, {"kind": "annual", "annual-academic_year": year.pk,
                          "annual-clinical_site": mentor.clinical_site.pk})
        client.post(url, {"kind": "mentor", "mentor-mentor": mentor.pk, "mentor-academic_year": year.pk})
    annual, about_mentor = ReportRun.objects.order_by("pk")
    assert (annual.kind, annual.academic_year, annual.clinical_site) == ("annual", year, mentor.clinical_site)
    assert (about_mentor.kind, about_mentor.mentor, about_mentor.academic_year) == ("mentor", mentor, year)
    # A bad kind is refused.
    assert client.post(url, {"kind": "everything"}).status_code == 400


def test_the_history_lists_the_runs_with_status_who_asked_and_filters_by_kind(client, coordinator, department,
                                                                              cohort, mentor, year):
    cohort_run = finish(ask_cohort(coordinator, cohort))
    mentor_run = report_request(by=coordinator, kind="mentor", department=department, mentor=mentor,
                                academic_year=year)
    client.force_login(coordinator)
    url = reverse("reports:index", args=[department.pk])
    html = client.get(url).content.decode()
    assert f'data-run="{cohort_run.pk}"' in html and f'data-run="{mentor_run.pk}"' in html
    assert 'data-status="done"' in html and 'data-status="pending"' in html
    assert coordinator.full_name in html
    assert html.count(reverse("reports:rerun", args=[cohort_run.pk])) == 1  # only finished runs: "Run again"
    filtered = client.get(url, {"kind": "mentor"}).content.decode()
    assert f'data-run="{mentor_run.pk}"' in filtered and f'data-run="{cohort_run.pk}"' not in filtered


# --- the run page ---------------------------------------------------------------------------------------------


def test_a_pending_run_shows_a_live_progress_bar_without_inline_script(client, coordinator, cohort):
    run = ask_cohort(coordinator, cohort)
    ReportRun.objects.filter(pk=run.pk).update(status="running", progress=40, attempts=1)
    client.force_login(coordinator)
    html = client.get(reverse("reports:run", args=[run.pk])).content.decode()
    assert 'role="progressbar"' in html and 'aria-valuenow="40"' in html
    assert f'data-status-url="{reverse("reports:run_status", args=[run.pk])}"' in html
    assert scripts(html)[-1] == '<script src="/static/js/report_progress.js">'
    assert all("src=" in tag for tag in scripts(html))  # no inline script (CSP)
    assert "Computing the report" in html


def test_the_status_is_json_for_the_progress_bar(client, coordinator, cohort):
    run = ask_cohort(coordinator, cohort)
    client.force_login(coordinator)
    url = reverse("reports:run_status", args=[run.pk])
    assert client.get(url).json() == {
        "status": "pending", "status_label": "queued", "progress": 0, "attempts": 0, "max_attempts": 3,
        "error": "", "finished": False, "message": "Waiting for a worker…", "note": ""}
    # An attempt failed and the run waits for the next one: said in plain words.
    ReportRun.objects.filter(pk=run.pk).update(attempts=1, error="OperationalError: the database went away")
    state = client.get(url).json()
    assert state["note"] == ("Attempt 1 of 3 failed; it is tried again. OperationalError: the database went "
                             "away")
    finish(run)
    state = client.get(url).json()
    assert (state["status"], state["progress"], state["finished"]) == ("done", 100, True)


def test_a_failed_run_shows_the_reason_and_run_again(client, coordinator, cohort):
    run = ask_cohort(coordinator, cohort)
    ReportRun.objects.filter(pk=run.pk).update(status="failed", attempts=3,
                                               error="Failed after 3 attempts: ZeroDivisionError: no residents")
    client.force_login(coordinator)
    html = client.get(reverse("reports:run", args=[run.pk])).content.decode()
    assert 'id="report-failed"' in html and "ZeroDivisionError: no residents" in html
    assert reverse("reports:rerun", args=[run.pk]) in html
    assert 'role="progressbar"' not in html


def test_a_done_run_shows_sections_notes_tables_and_charts_as_svg(client, coordinator, cohort):
    run = finish(ask_cohort(coordinator, cohort))
    client.force_login(coordinator)
    html = client.get(reverse("reports:run", args=[run.pk])).content.decode()
    assert "Cohort report: Paediatrics, intake 2024-2025" in html
    assert "Mentors outside 3-4 residents are listed." in html and "Means of the residents with a result." in html
    assert html.count("<svg") == 2 and 'data-chart="bar"' in html and 'data-chart="line"' in html
    assert 'id="rt-load-residents_bar"' in html and 'id="rd-exams-trend"' in html
    # A figure not shown is a dash with a title, in the table and listed under the chart.
    assert '<td class="num report-missing" title="not shown">—</td>' in html
    assert "Not shown (too few people or no data): 2023-2024: Test, mean" in html
    # Downloads, print (hidden until the script shows it), run again; scripts from files only.
    assert reverse("reports:run_file", args=[run.pk, "xlsx"]) in html
    assert reverse("reports:run_chart", args=[run.pk, "load", "residents_bar"]) in html
    assert "data-report-print hidden" in html
    assert scripts(html)[-1] == '<script src="/static/js/report_print.js">'
    assert all("src=" in tag for tag in scripts(html))


def test_the_page_draws_any_result_of_the_schema_in_another_language(client, coordinator, cohort):
    """Numbers read in the reader's language, the SVG geometry stays in dots (a comma would break it)."""
    run = finish(ask_cohort(coordinator, cohort))
    client.force_login(coordinator)
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    html = client.get(reverse("reports:run", args=[run.pk])).content.decode()
    assert "71,2" in html  # the table, in Russian
    assert re.search(r'<rect x="0" y="[0-9.]+" width="[0-9]+(\.[0-9])?" height="18"', html)
    assert not re.search(r'(x|y|width|height)="[0-9]+,[0-9]', html)


def test_run_again_is_a_new_run_and_only_by_post(client, coordinator, cohort, django_capture_on_commit_callbacks):
    run = finish(ask_cohort(coordinator, cohort))
    client.force_login(coordinator)
    url = reverse("reports:rerun", args=[run.pk])
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url)
    again = ReportRun.objects.exclude(pk=run.pk).get()
    assert response.url == reverse("reports:run", args=[again.pk])
    assert (again.kind, again.cohort, again.status, again.requested_by) == ("cohort", cohort, "pending", coordinator)


# --- downloads ---------------------------------------------------------------------------------------------------


def test_the_files_download_as_stored(client, coordinator, cohort):
    run = finish(ask_cohort(coordinator, cohort))
    client.force_login(coordinator)
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("reports:run_file", args=[run.pk, fmt]))
        stored = ReportFile.objects.get(run=run, fmt=fmt)
        assert response.content == bytes(stored.content)
        assert response["Content-Type"] == stored.content_type
        assert response["Content-Disposition"] == f'attachment; filename="report-cohort-{run.pk}.{fmt}"'
    assert client.get(reverse("reports:run_file", args=[run.pk, "pdf"])).status_code == 404
    pending = ask_cohort(coordinator, cohort)
    assert client.get(reverse("reports:run_file", args=[pending.pk, "xlsx"])).status_code == 404


def test_a_chart_downloads_as_a_standalone_svg(client, coordinator, cohort):
    run = finish(ask_cohort(coordinator, cohort))
    client.force_login(coordinator)
    response = client.get(reverse("reports:run_chart", args=[run.pk, "exams", "trend"]))
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="report-cohort-{run.pk}-exams-trend.svg"'
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    svg = ElementTree.fromstring(response.content)  # well-formed XML, as an image file must be
    assert svg.tag == f"{SVG}svg" and svg.get("width") == "640"
    assert svg.find(f"{SVG}title").text == "Exam means by intake year"
    assert "2022-2023: Test, mean 71.2, OSCE, mean 68.0" in svg.find(f"{SVG}desc").text
    assert client.get(reverse("reports:run_chart", args=[run.pk, "exams", "nothing"])).status_code == 404
    assert client.get(reverse("reports:run_chart", args=[ask_cohort(coordinator, cohort).pk, "exams", "trend"])
                      ).status_code == 404


# --- a mentor's own reports, and the scope --------------------------------------------------------------------


def test_a_mentor_asks_for_their_own_report_and_sees_only_reports_about_themselves(
        client, coordinator, department, mentor, make_mentor, year, cohort, django_capture_on_commit_callbacks):
    other = make_mentor()
    about_other = finish(report_request(by=coordinator, kind="mentor", department=department, mentor=other,
                                        academic_year=year))
    cohort_run = finish(ask_cohort(coordinator, cohort))
    client.force_login(mentor.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:mine"), {"mentor-academic_year": year.pk})
    own = ReportRun.objects.get(mentor=mentor)
    assert response.url == reverse("reports:run", args=[own.pk])
    assert (own.kind, own.requested_by, own.academic_year, own.status) == ("mentor", mentor.user, year, "done")
    page = client.get(response.url)
    assert page.status_code == 200 and own.result["title"] in page.content.decode()
    assert reverse("reports:mine") in page.content.decode()  # the way back is "My reports"
    history = client.get(reverse("reports:mine")).content.decode()
    assert f'data-run="{own.pk}"' in history and f'data-run="{about_other.pk}"' not in history
    for run in (about_other, cohort_run):
        for name, args in (("reports:run", [run.pk]), ("reports:run_status", [run.pk]),
                           ("reports:run_file", [run.pk, "xlsx"]), ("reports:run_chart", [run.pk, "load",
                                                                                           "residents_bar"])):
            assert client.get(reverse(name, args=args)).status_code == 404, (name, run.kind)
        assert client.post(reverse("reports:rerun", args=[run.pk])).status_code == 404
    assert ReportRun.objects.count() == 3


def test_a_coordinator_of_another_department_sees_nothing(client, coordinator, cohort):
    run = finish(ask_cohort(coordinator, cohort))
    stranger = CoordinatorFactory(department=DepartmentFactory()).user
    client.force_login(stranger)
    for name, args in (("reports:index", [cohort.specialty.department_id]), ("reports:run", [run.pk]),
                       ("reports:run_status", [run.pk]), ("reports:run_file", [run.pk, "csv"])):
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert client.post(reverse("reports:rerun", args=[run.pk])).status_code == 404
    assert ReportRun.objects.count() == 1


def test_the_navbar_leads_to_the_reports(client, coordinator, department, mentor):
    client.force_login(coordinator)
    html = client.get(reverse("mentoring:dashboard", args=[department.pk])).content.decode()
    assert f'href="{reverse("reports:index", args=[department.pk])}">Reports</a>' in html
    client.force_login(mentor.user)
    html = client.get(reverse("mentoring:mentor_home")).content.decode()
    assert f'href="{reverse("reports:mine")}">My reports</a>' in html


# --- query counts ----------------------------------------------------------------------------------------------


def test_the_history_pages_do_not_grow_their_queries_with_the_runs(client, coordinator, department, cohort,
                                                                   mentor, year):
    def runs(n):
        for _ in range(n):
            finish(ask_cohort(coordinator, cohort))
            report_request(by=coordinator, kind="mentor", department=department, mentor=mentor, academic_year=year)

    runs(1)
    client.force_login(coordinator)
    index = reverse("reports:index", args=[department.pk])
    few = count_queries(client, index)
    runs(12)
    assert count_queries(client, index) == few
    client.force_login(mentor.user)
    few = count_queries(client, reverse("reports:mine"))
    runs(3)
    assert count_queries(client, reverse("reports:mine")) == few


def test_the_run_page_does_not_grow_its_queries_with_the_result(client, coordinator, cohort):
    small = finish(ask_cohort(coordinator, cohort), sample_result(rows=2))
    big = finish(ask_cohort(coordinator, cohort), sample_result(rows=80))
    client.force_login(coordinator)
    assert count_queries(client, reverse("reports:run", args=[small.pk])) == count_queries(
        client, reverse("reports:run", args=[big.pk]))
    assert len(big.result["sections"][0]["tables"][0]["rows"]) == 80
