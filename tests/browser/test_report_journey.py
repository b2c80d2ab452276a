"""A cohort report in Chromium (issue 7): the coordinator opens Reports from the navbar, asks for a cohort report,
watches the progress bar move to 100 % while a worker computes it, sees the charts, downloads the XLSX (which
opens with openpyxl, a sheet per section) and prints the report to PDF without the menu and the buttons.

The live server would compute the run inside the request (eager Celery), so the bar would never be seen moving:
here the request only queues the run's id, as with a real broker, and the test thread is the worker. It runs the
real task body (reports.services.report_execute) and, in the middle of the computation, checks that the page's
bar shows the progress the worker has reported so far.
"""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from mentoring.services import assignment_create
from reports import services
from reports.charts import chart_of
from reports.models import ReportRun
from reports.services import report_execute
from residents.models import Resident
from tests.browser.conftest import SCREENSHOTS, log_in, page_problems, shot


@pytest.fixture
def cohort(department, coordinator, make_mentor, make_resident):
    """A cohort of six residents (one on the support track, one on leave) with two mentors."""
    first = make_resident()
    residents = [first] + [make_resident(cohort=first.cohort) for _ in range(5)]
    mentors = [make_mentor(), make_mentor()]
    for i, resident in enumerate(residents):
        assignment_create(resident=resident, mentor=mentors[i % 2], by=coordinator)
    Resident.objects.filter(pk=residents[0].pk).update(track=Resident.Track.SUPPORT)
    Resident.objects.filter(pk=residents[1].pk).update(status=Resident.Status.ON_LEAVE)
    return first.cohort


@pytest.fixture
def queued(monkeypatch):
    """The ids the web process publishes, kept instead of run (the test thread is the worker)."""
    ids = []
    monkeypatch.setattr(services, "publish", lambda run_id, countdown=0: ids.append(run_id) or True)
    return ids


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_watches_a_cohort_report_reach_100_and_downloads_it(
        page, department, coordinator, cohort, queued, monkeypatch, tmp_path):
    log_in(page, coordinator.email)
    page.locator("#mainnav").get_by_role("button", name=department.name).click()
    page.locator("#mainnav").get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.locator("#report-history")).to_contain_text("No reports yet.")

    # 1. Ask for the cohort report: the page of the run, queued.
    form = page.locator("#ask-cohort-form")
    form.get_by_label("Cohort").select_option(str(cohort.pk))
    form.get_by_role("button", name="Ask for the report").click()
    expect(page).to_have_url(re.compile(r"/reports/runs/\d+/$"))
    run = ReportRun.objects.get()
    assert queued == [run.pk] and run.status == "pending"
    bar = page.get_by_role("progressbar", name="Progress of the report")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(page.locator("#report-progress-text")).to_have_text("Waiting for a worker…")
    shot(page, "1-queued")

    # 2. The worker computes it; halfway through, the page (polling every second) shows the progress so far.
    real_sections = services.sections_of
    seen = []

    def watched(kind):
        sections = real_sections(kind)
        middle = len(sections) // 2

        def check_the_page(context):
            expected = int(90 * middle / len(sections))
            expect(bar).to_have_attribute("aria-valuenow", str(expected), timeout=10_000)
            expect(page.locator("#report-progress-text")).to_have_text("Computing the report…")
            seen.append(expected)
            shot(page, "2-running")
            return sections[middle](context)

        return [*sections[:middle], check_the_page, *sections[middle + 1:]]

    monkeypatch.setattr(services, "sections_of", watched)
    assert report_execute(run_id=run.pk) == "done"
    assert len(seen) == 1 and 0 < seen[0] < 100

    # 3. The bar reaches 100 %, then the page reloads with the report. (The bar stays full for 1.2 s, longer than
    # expect's longest pause between two looks; page.wait_for_function would need eval, which the CSP refuses.)
    expect(bar).to_have_attribute("aria-valuenow", "100")
    run.refresh_from_db()
    expect(page.get_by_role("heading", level=1)).to_have_text(run.result["title"], timeout=15_000)
    # Every chart with something to draw is an SVG on the page (one with nothing says so instead).
    charts = sum(not chart_of(s, c).is_empty for s in run.result["sections"] for c in s["charts"])
    assert charts > 0
    expect(page.locator("figure.report-chart svg[role=img]")).to_have_count(charts)
    first = page.locator("figure.report-chart svg").first
    expect(first).to_be_visible()
    assert first.locator("rect[data-value]").count() > 0
    for section in run.result["sections"]:
        expect(page.locator(f"#section-{section['key']} h2")).to_have_text(section["title"])
    expect(page.get_by_role("button", name="Print / Save as PDF")).to_be_visible()
    shot(page, "3-done")

    # 4. The XLSX downloads and opens: the cover, a sheet per section, the codebook; the charts are in it.
    with page.expect_download() as download:
        page.locator("#download-xlsx").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == f"report-cohort-{run.pk}.xlsx"
    book = load_workbook(path)
    assert len(book.sheetnames) == 2 + len(run.result["sections"])
    assert (book.sheetnames[0], book.sheetnames[-1]) == ("Report", "codebook")
    assert book["Report"]["A1"].value == run.result["title"]
    assert sum(len(sheet._charts) for sheet in book) > 0

    # 5. Printed (Save as PDF): no menu, no buttons, the report and its charts.
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator(".report-actions")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(SCREENSHOTS / "test_report_journey-4-print.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
    assert page_problems(page) == []
