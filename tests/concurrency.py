"""Run jobs at the same moment on separate database connections (for the PostgreSQL concurrency tests)."""

import threading

from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import translation


def run_concurrently(jobs, *, language="en"):
    """Start every job at once, each in its own thread and connection.

    Returns one ("ok", result) / ("refused", first message of a ValidationError) / ("error", repr) per job.
    """
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(i, job):
        try:
            with translation.override(language):
                barrier.wait()
                results[i] = ("ok", job())
        except ValidationError as exc:
            results[i] = ("refused", exc.messages[0])
        except Exception as exc:  # noqa: BLE001 - any other outcome is a failure the test reports
            results[i] = ("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results
