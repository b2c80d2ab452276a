"""Settings come from the environment, with safe laptop defaults; front-end assets are served locally."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def settings_in_subprocess(env_overrides: dict, expression: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {
        "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_URL"}}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="config.settings")
    code = f"import django; django.setup(); from django.conf import settings as s; print(repr(({expression})))"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_no_environment_means_sqlite_eager_celery_console_mail():
    result = settings_in_subprocess({}, "s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, "
                                        "s.EMAIL_BACKEND")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("('django.db.backends.sqlite3', True, "
                                     "'django.core.mail.backends.console.EmailBackend')")


def test_environment_selects_postgres_redis_and_hosts():
    result = settings_in_subprocess(
        {"DATABASE_URL": "postgres://u:p@db.example:5432/residency", "REDIS_URL": "redis://cache:6379/0",
         "ALLOWED_HOSTS": "residency.example.org", "SECRET_KEY": "x" * 60, "DEBUG": "false"},
        "s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, s.ALLOWED_HOSTS, "
        "s.SESSION_COOKIE_SECURE")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("('django.db.backends.postgresql', 'redis://cache:6379/0', False, "
                                     "['residency.example.org'], True)")


def test_production_without_secret_key_refuses_to_start():
    result = settings_in_subprocess({"DEBUG": "false"}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_pages_load_assets_locally_and_they_exist(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert any("bootstrap.min.css" in a for a in assets) and any("bootstrap.bundle.min.js" in a for a in assets)
    for url in assets:
        assert url.startswith("/static/"), f"asset not served locally: {url}"
        assert finders.find(url.removeprefix("/static/")), f"missing static file: {url}"
