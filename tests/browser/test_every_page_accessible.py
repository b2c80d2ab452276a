"""Every page a person reaches, as each role, on a 390x844 phone and on a desktop (issue 8): axe-core finds no
serious or critical WCAG 2.x A/AA violation, every form control has a label, and the page has no JavaScript or
console error (a Content-Security-Policy violation is one) and no failed request, and the page itself never scrolls
sideways (a wide table scrolls in its own box).

The pages are the URL patterns of the access matrix (tests/test_access_matrix.py) that answer a GET with 200 for
some role, visited as each role that gets the 200, on the matrix's own world (a department with a coordinator, a
mentor and their resident, a curriculum, activity, observations, exams, questionnaires, programmes, meetings,
goals, a speed-mentoring event and finished reports). Two exceptions keep the run short without leaving a page
out: the other department's coordinator is not a visitor (every page it reaches, the coordinator reaches too), and
the password-reset pages, the same for everyone, are checked as the anonymous visitor they are for. A few URLs
answer with a file or data rather than a page (NOT_PAGES): they are fetched with the role's session and must
answer 200 with something other than HTML.

Each page is kept as test-artifacts/screenshots/a11y-<role>-<viewport>-<url name>.png.
"""

import pytest
from django.urls import reverse

from tests import test_access_matrix
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    axe_start,
    axe_violations,
    log_in,
    page_problems,
    unlabelled_controls,
)
from tests.test_access_matrix import MATRIX, ROLES

world = test_access_matrix.world  # the access matrix's fixture, as it is

VISITORS = ("anonymous", "resident", "mentor", "coordinator")
VIEWPORTS = {"phone": {"viewport": PHONE, "has_touch": True}, "desktop": {"viewport": DESKTOP}}
# Files, data and feeds: no page to check, but the role's GET must answer 200.
NOT_PAGES = {"health", "mentoring:roster_template", "mentoring:calendar_feed_ics", "assessments:exam_template",
             "surveys:campaign_export", "reports:run_file", "reports:run_chart", "reports:run_status"}
# The same page for everyone: checked as the anonymous visitor.
ANONYMOUS_ONLY = {"accounts:password_reset", "accounts:password_reset_done", "accounts:password_reset_confirm",
                  "accounts:password_reset_complete", "health", "mentoring:calendar_feed_ics"}


def reached_by_someone():
    return {name for name, (_kwargs, statuses) in MATRIX.items() if 200 in statuses}


def visits(role):
    """The URL names checked as this role: those the matrix answers with 200 for it."""
    index = ROLES.index(role)
    return sorted(name for name, (_kwargs, statuses) in MATRIX.items()
                  if statuses[index] == 200 and (role == "anonymous" or name not in ANONYMOUS_ONLY))


def test_the_visits_cover_every_page_someone_reaches():
    visited = {name for role in VISITORS for name in visits(role)}
    assert visited == reached_by_someone(), f"not visited: {sorted(reached_by_someone() - visited)}"
    assert NOT_PAGES <= visited


def check_file(page, url):
    response = page.request.get(url)
    if response.status != 200:
        return [f"HTTP {response.status}"]
    if "text/html" in response.headers.get("content-type", ""):
        return ["answers with a page: remove it from NOT_PAGES"]
    return []


def open_page(page, url):
    response = page.goto(url)
    if response.status != 200:
        return [f"HTTP {response.status}"]
    if "text/html" not in response.headers.get("content-type", ""):
        return [f"not a page ({response.headers.get('content-type')}): add it to NOT_PAGES"]
    axe_start(page)
    return []


def finish_page(page, role, viewport, name):
    found = [f"axe: {line}" for line in axe_violations(page)]
    found += [f"no label: {html}" for html in unlabelled_controls(page)]
    if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        found.append("the page scrolls sideways (WCAG 1.4.10): "
                     f"{page.evaluate('document.documentElement.scrollWidth')} px on a {viewport} screen")
    path = SCREENSHOTS / f"a11y-{role}-{viewport}-{name.replace(':', '-')}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return found


@pytest.mark.parametrize("role", VISITORS)
def test_every_page_of_the_role_is_accessible_on_a_phone_and_a_desktop(make_page, world, axe_available, role):
    pages = {viewport: make_page(**options) for viewport, options in VIEWPORTS.items()}
    if world["users"][role] is not None:
        for page in pages.values():
            log_in(page, world["users"][role].email)
    problems, checked = {}, []
    for name in visits(role):
        kwargs_of, _statuses = MATRIX[name]
        url = reverse(name, kwargs=kwargs_of(world))
        seen = {viewport: len(page_problems(page)) for viewport, page in pages.items()}
        if name in NOT_PAGES:
            found = {"any": check_file(pages["desktop"], url)}
        else:
            # Both pages load and start axe, then both are read: the two checks run at the same time.
            found = {viewport: open_page(page, url) for viewport, page in pages.items()}
            for viewport, page in pages.items():
                if not found[viewport]:
                    found[viewport] = finish_page(page, role, viewport, name)
        for viewport, page in pages.items():
            found.setdefault(viewport, []).extend(page_problems(page)[seen[viewport]:])
        for viewport, lines in found.items():
            if lines:
                problems[f"{name} {url} ({viewport})"] = lines
        checked.append(name)

    assert not problems, f"{role}:\n" + "\n".join(f"{where}:\n  " + "\n  ".join(lines)
                                                  for where, lines in problems.items())
    assert checked == visits(role)
