"""Security review (issue 8): check --deploy, security headers and the Content-Security-Policy without inline
script, cookie flags in production. CSRF on every POST and the 404s outside the scope are in
tests/test_access_matrix.py; the lockout in tests/test_accounts.py; uploads in tests/test_roster_import*.py and
tests/test_upload_safety.py; formula neutralisation in tests/test_survey_export.py and tests/test_report_exports.py."""

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {"DEBUG": "false", "ALLOWED_HOSTS": "residency.example.org", "DATABASE_URL": "sqlite:///:memory:"}


def production(*args: str) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, **PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50)}
    # Not a server's: the browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright (check --deploy
    # rightly refuses it), and the tests' Redis.
    for test_only in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(test_only, None)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    done = production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_cookies_are_secure_http_only_and_same_site():
    script = ("import django, json; from django.conf import settings as s; django.setup(); print(json.dumps({k: "
              "getattr(s, k) for k in ('SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
              " 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_SAMESITE', 'LANGUAGE_COOKIE_SECURE', 'LANGUAGE_COOKIE_SAMESITE', "
              "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_EXPIRE_AT_BROWSER_CLOSE')}))")
    done = production("-c", f"import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); {script}")
    assert done.returncode == 0, done.stderr
    flags = json.loads(done.stdout.strip().splitlines()[-1])
    assert flags == {"SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax",
                     "CSRF_COOKIE_SECURE": True, "CSRF_COOKIE_SAMESITE": "Lax", "LANGUAGE_COOKIE_SECURE": True,
                     "LANGUAGE_COOKIE_SAMESITE": "Lax", "SECURE_SSL_REDIRECT": True,
                     "SECURE_HSTS_SECONDS": 31536000, "SESSION_EXPIRE_AT_BROWSER_CLOSE": True}


def test_the_session_cookie_set_at_login_carries_the_flags(client, settings):
    from tests.factories import UserFactory

    settings.SESSION_COOKIE_SECURE = True  # as in production (test above)
    user = UserFactory(email="flags@example.org")
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "pass-word-123"},
                           secure=True)
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.parametrize("path", ["/accounts/login/", "/health/", "/no-such-page/", "/admin/login/",
                                  "/calendar/unknown-token.ics"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval, no other origin
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and directives["form-action"] == "'self'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def product_sources():
    for folder in ("templates", "accounts", "organization", "residents", "mentoring", "assessments", "surveys",
                   "reports", "config"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".html", ".py", ".txt", ".svg") and "migrations" not in path.parts:
                yield path


def test_no_inline_script_event_handler_or_javascript_url_anywhere_in_the_product():
    """What the policy would block must not be written in the first place (the browser journeys also fail on
    any console error, which a CSP violation is)."""
    found = []
    for path in product_sources():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)[:60]}" for m in pattern.finditer(text)]
    assert not found


def test_scripts_come_only_from_our_static_files(client, coordinator, department):
    client.force_login(coordinator)
    html = client.get(reverse("mentoring:dashboard", args=[department.pk])).content.decode()
    sources = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    assert sources and all(s.startswith(settings.STATIC_URL) for s in sources)
