"""Browser tests: Debian's Chromium driven through Playwright against pytest-django's live server.

Playwright cannot download browsers here, so the system Chromium is launched. Every request the page
makes to a host other than the live server's is aborted: the tests never leave 127.0.0.1.
"""

import os
import re
import weakref
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; the test itself still uses the ORM
# (factories, assertions), which Django would otherwise refuse. Test-only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import expect, sync_playwright  # noqa: E402

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent.parent / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

_test_names: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_problems: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def shot(page, step: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<test name>-<step>.png."""
    name = re.sub(r"[^\w.-]+", "_", f"{_test_names.get(page, 'page')}-{step}")
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


PASSWORD = "pass-word-123"  # the factories' password


def log_in(page, email, *, password=PASSWORD, from_home=False):
    """Log in through the form. `from_home`: start at / and check that an anonymous visitor is sent to log in."""
    if from_home:
        page.goto("/")
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
    else:
        page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def page_problems(page) -> list[str]:
    """JavaScript errors and failed same-origin requests (4xx/5xx) seen by the page so far."""
    return list(_problems.get(page, []))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _browser_settings(settings, live_server):
    host = urlsplit(live_server.url).hostname
    if host not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]


def _local_only(route):
    if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort("blockedbyclient")


@pytest.fixture
def make_page(browser, live_server, request):
    """make_page(viewport=PHONE, **context_options): a page in a fresh browser context, closed after the test."""
    contexts = []

    def make(viewport=DESKTOP, **options):
        options.setdefault("locale", "en-US")
        context = browser.new_context(viewport=viewport, base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        context.route("**/*", _local_only)
        contexts.append(context)
        page = context.new_page()
        _test_names[page] = request.node.name
        problems = _problems.setdefault(page, [])
        page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
        page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page):
    return make_page()


@pytest.fixture
def phone_page(make_page):
    return make_page(viewport=PHONE, has_touch=True, device_scale_factor=2)
