"""Operations (issue 8): the health endpoint for monitoring and logs without personal data."""

import logging
import socket

import pytest
from django.urls import reverse

from config.log_filters import RedactPersonalData, redact

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_health_answers_ok_without_login_when_tasks_run_in_process(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # as on a laptop (CI sets REDIS_URL)
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "not used"}
    assert "no-cache" in response["Cache-Control"]


def test_health_says_failing_with_503_when_the_broker_is_down_and_tells_nothing_else(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://:s3cret@127.0.0.1:{closed_port()}/0"
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "ok", "broker": "failing"}
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


def test_health_says_failing_when_the_database_does_not_answer(client, monkeypatch):
    from config import health

    def broken_cursor(*args, **kwargs):
        raise RuntimeError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "failing" and response.json()["status"] == "failing"


def test_health_refuses_other_methods(client):
    assert client.post(reverse("health")).status_code == 405
    assert client.delete(reverse("health")).status_code == 405


@pytest.mark.redis
def test_health_reaches_the_real_broker(client, settings):
    import os

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


# --- logs ------------------------------------------------------------------------------------------------------


def test_redact_removes_addresses_and_secret_tokens():
    line = ("login of aigerim.sadykova+x@kaznmu.edu.kz from 10.2.33.4 and fe80::1ff:fe23:4567:890a; "
            'Not Found: /calendar/Zx9_kQ-31abc.ics "GET /calendar/Zx9_kQ-31abc.ics HTTP/1.1"')
    cleaned = redact(line)
    for secret in ("aigerim", "kaznmu", "10.2.33.4", "fe80::1ff", "Zx9_kQ-31abc"):
        assert secret not in cleaned
    assert cleaned.count("[e-mail]") == 1 and cleaned.count("[ip]") == 2 and "/calendar/[token].ics" in cleaned
    # Ids, dates, times and version numbers stay readable.
    kept = "report run 12 attempt 2 at 2026-11-23 05:53:45,984 took 1.25 s (v 1.2.3)"
    assert redact(kept) == kept


def _handler_output(caplog_records) -> str:
    formatter = logging.Formatter("%(name)s %(message)s")
    return "\n".join(formatter.format(r) for r in caplog_records)


def test_the_configured_handlers_apply_the_filter():
    from django.conf import settings

    assert "no_personal_data" in settings.LOGGING["handlers"]["console"]["filters"]
    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, RedactPersonalData) for f in handler.filters)


def test_what_the_product_logs_on_failed_logins_lockouts_and_unknown_feeds_has_no_personal_data(client, caplog):
    from tests.factories import UserFactory

    user = UserFactory(email="nurlan.seitkali@example.org", first_name="Nurlan", last_name="Seitkali")
    with caplog.at_level(logging.DEBUG):
        for _ in range(6):  # failures, then the lockout
            client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong"},
                        REMOTE_ADDR="203.0.113.77")
        client.get("/calendar/Secret-Token-123.ics")
    handler_filter = RedactPersonalData()
    records = [r for r in caplog.records if handler_filter.filter(r)]
    assert records, "the flows above log something (axes, django.request)"
    text = _handler_output(records)
    for personal in ("nurlan", "Nurlan", "Seitkali", "example.org", "203.0.113.77", "Secret-Token-123"):
        assert personal not in text, text
