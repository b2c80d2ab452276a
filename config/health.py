"""GET /health/: whether this web process can reach its database and its Celery broker, for monitoring and load
balancers.

200 with {"status": "ok", ...} when both answer, 503 with {"status": "failing", ...} when one does not. The body
names only the component and "ok", "failing" or "not used" (tasks in-process, no broker): never an error message,
a host or a password, because the address is public (no login, so a probe can call it). Each check has a short
timeout so a hung dependency answers "failing" instead of hanging the probe.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "failing"; the log says which
        logger.warning("health: the database did not answer", exc_info=True)
        return False


def broker_state() -> str:
    """"ok", "failing", or "not used" when tasks run in-process (CELERY_TASK_ALWAYS_EAGER, no broker)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not used"
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return "ok"
    except Exception:  # refused, timed out, unknown host: "failing"; the log says which
        logger.warning("health: the broker did not answer", exc_info=True)
        return "failing"


@never_cache
@require_GET
def health(request):
    checks = {"database": "ok" if database_ok() else "failing", "broker": broker_state()}
    healthy = all(state != "failing" for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", **checks}, status=200 if healthy else 503)
