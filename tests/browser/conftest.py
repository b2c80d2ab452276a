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
ROOT = HERE.parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # `make install` runs `npm ci` (package-lock.json)
AXE_URL = "/__test-only__/axe.min.js"  # answered by the browser context from AXE, never by the server
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = {"serious", "critical"}
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
    """JavaScript errors, console errors (a Content-Security-Policy violation is one) and failed same-origin
    requests (4xx/5xx) seen by the page so far."""
    return list(_problems.get(page, []))


def axe_start(page):
    """Start axe-core on the page without waiting for it (axe_violations waits): two pages, two processes, checked
    at the same time.

    axe-core comes from the npm registry (package.json, node_modules/). The product's Content-Security-Policy
    allows scripts from the site itself only (config/security.py), so `add_script_tag(path=...)` (an inline script)
    would be refused, and a `bypass_csp=True` context would run the page without the policy, so that a violation
    of it would go unseen. Instead the browser context answers the same-origin address AXE_URL with the file
    (make_page routes it; the server never sees it) and the page loads it as an ordinary script of its own origin:
    the policy stays in force while axe runs.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    page.evaluate("tags => { window.__axeRun = axe.run(document, "
                  "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}); }", AXE_TAGS)


def axe_violations(page) -> list[str]:
    """Wait for the run axe_start began; the serious and critical violations, one line each (rule, impact, how
    many elements, help, the first three elements)."""
    results = page.evaluate("() => window.__axeRun")
    found = []
    for violation in results["violations"]:
        if violation["impact"] in SERIOUS:
            targets = ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:3])
            found.append(f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x): "
                         f"{violation['help']} — {targets}")
    return found


def axe_check(page) -> list[str]:
    """The serious and critical WCAG 2.0/2.1/2.2 A and AA violations axe-core finds on the page, one line each;
    [] when none. How axe gets into the page despite the Content-Security-Policy: axe_start."""
    axe_start(page)
    return axe_violations(page)


UNLABELLED_CONTROLS = """() => {
  const controls = document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]),'
    + 'select, textarea');
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
    && getComputedStyle(el).visibility !== 'hidden';
  const named = el => (el.labels && [...el.labels].some(l => l.textContent.trim()))
    || (el.getAttribute('aria-label') || '').trim()
    || (el.getAttribute('aria-labelledby') || '').split(/\\s+/).some(id => {
         const ref = id && document.getElementById(id); return ref && ref.textContent.trim(); });
  return [...controls].filter(el => !named(el))
    .map(el => el.outerHTML.slice(0, 160));
}"""


def unlabelled_controls(page) -> list[str]:
    """Visible form controls (inputs other than hidden and buttons, selects, text areas) without an accessible
    name: no non-empty <label> (wrapping or for=), aria-label or aria-labelledby. axe's "label" rule says the same;
    this check keeps the promise "every form control has a label" visible on its own."""
    return page.evaluate(UNLABELLED_CONTROLS)


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


def _axe_script(route):
    if not AXE.exists():
        route.abort("filenotfound")
        return
    route.fulfill(status=200, content_type="text/javascript", body=AXE.read_bytes())


@pytest.fixture(scope="session")
def axe_available():
    """axe-core must be installed (`make install` runs `npm ci`): CI fails without it, a laptop skips."""
    if not AXE.exists():
        message = f"needs axe-core at {AXE} (npm ci)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def make_page(browser, live_server, request):
    """make_page(viewport=PHONE, **context_options): a page in a fresh browser context, closed after the test."""
    contexts = []

    def make(viewport=DESKTOP, **options):
        options.setdefault("locale", "en-US")
        context = browser.new_context(viewport=viewport, base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        context.route("**/*", _local_only)
        context.route(f"**{AXE_URL}", _axe_script)  # the later route is tried first
        contexts.append(context)
        page = context.new_page()
        _test_names[page] = request.node.name
        problems = _problems.setdefault(page, [])
        page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
        page.on("console", lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None)
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
