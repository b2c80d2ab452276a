"""The deployment guide (docs/deployment.md) names every environment variable the settings read, and the
commands it gives point at things that exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")


def variables_read_by_the_settings() -> set[str]:
    names = set()
    for path in (ROOT / "config").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"\benv(?:\.[a-z_]+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"os\.environ(?:\.get)?[\[(]\s*\"([A-Z][A-Z0-9_]+)\"", text))
    return names - {"DJANGO_SETTINGS_MODULE"}


def documented() -> set[str]:
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", GUIDE, re.M))


def test_every_environment_variable_is_documented():
    read = variables_read_by_the_settings()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "EMAIL_URL"} <= read  # the scan works
    assert not read - documented(), f"not in docs/deployment.md: {sorted(read - documented())}"
    assert not documented() - read, f"documented but never read: {sorted(documented() - read)}"


def test_the_guide_points_at_things_that_exist():
    import importlib

    assert importlib.import_module("config.wsgi").application
    assert importlib.import_module("config.celery_app").app.main == "residency"
    for script in ("ops/backup.sh", "ops/restore.sh"):
        assert script in GUIDE and (ROOT / script).stat().st_mode & 0o111
    for part in ("gunicorn config.wsgi", "celery -A config worker", "celery -A config beat", "proxy_pass",
                 "X-Forwarded-Proto", "/health/"):
        assert part in GUIDE


def test_the_access_logs_of_the_guide_leave_out_client_addresses():
    gunicorn = re.search(r"--access-logformat '([^']+)'", GUIDE).group(1)
    assert "%%(h)s" not in gunicorn and "%%({x-forwarded-for}i)s" not in gunicorn
    nginx = re.search(r"log_format combined_no_ip '([^']+)'", GUIDE).group(1)
    assert "$remote_addr" not in nginx and "$http_user_agent" not in nginx
