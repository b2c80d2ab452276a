"""Celery through the real Redis broker: a worker picks up an app task queued on commit and runs it."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from accounts.tasks import send_email
from config.celery_app import app


def test_app_discovers_project_tasks():
    app.loader.import_default_modules()
    assert "accounts.tasks.send_email" in app.tasks


@pytest.mark.redis
def test_worker_runs_task_from_redis(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    url = os.environ["REDIS_URL"]
    assert app.conf.broker_url == url, "the Celery app must use REDIS_URL as its broker"
    app.conf.task_always_eager = False
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"):
        result = send_email.delay(subject="Ping", body="through Redis", to=["someone@example.org"])
        assert result.get(timeout=20) == 1
    assert [m.subject for m in mail.outbox] == ["Ping"]
