"""A real Celery worker for the fault tests (tests/test_report_faults.py): `python -m tests.fault_worker`.

Before the worker starts, `reports.services.sections_of` is wrapped in this process only (the pool's children are
forked from it): every report gets one more section, `fault_probe`, in the middle of its real sections. The probe
makes the middle of a report observable and controllable from the test, through files in FAULT_DIR:
- it appends one line per call to FAULT_DIR/calls: "<pid> <parent pid> <run id> <attempt>" (the run's attempts
  when the probe runs), so the test knows which process computes which attempt, and how many computations there
  were;
- while FAULT_DIR/hold exists it waits, so the test can kill the process in the middle of the report;
- with FAULT_MODE=raise it raises, as a computation with a bug would.
The hooks stay here, out of the product code. Everything else is the product's: settings from the environment
(DATABASE_URL, REDIS_URL, CELERY_TASK_TIME_LIMIT, REPORTS_RETRY_SECONDS), the tasks and the services.
"""

import os
import sys
import time
from pathlib import Path

HOLD_AT_MOST = 120  # seconds: a probe left holding by a failed test does not hang the worker for ever


def fault_dir() -> Path:
    return Path(os.environ["FAULT_DIR"])


def probe(context) -> dict:
    from reports.models import ReportRun
    from reports.result import column, section, table

    attempt = ReportRun.objects.filter(pk=context.run_id).values_list("attempts", flat=True).get()
    with open(fault_dir() / "calls", "a") as calls:
        calls.write(f"{os.getpid()} {os.getppid()} {context.run_id} {attempt}\n")
    deadline = time.monotonic() + HOLD_AT_MOST
    while (fault_dir() / "hold").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    if os.environ.get("FAULT_MODE") == "raise":
        raise RuntimeError(f"fault test: the computation raises (attempt {attempt})")
    return section("fault_probe", "Fault probe", tables=[
        table("probe", "Probe", [column("attempt", "Attempt", "int")], [[attempt]])])


def with_probe(sections_of):
    def sections_with_probe(kind: str) -> list:
        real = list(sections_of(kind))
        middle = len(real) // 2
        return [*real[:middle], probe, *real[middle:]]

    return sections_with_probe


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from config.celery_app import app
    from reports import services

    services.sections_of = with_probe(services.sections_of)
    app.worker_main(["worker", "--pool=prefork", f"--concurrency={os.environ.get('FAULT_CONCURRENCY', '1')}",
                     "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
