"""Report runs against real faults, with real processes: PostgreSQL, a Redis server of the test's own and a Celery
worker started as a process (tests/fault_worker.py: the product's worker with a probe section in the middle of
each report). The rules are in reports/services.py; here they are shown when things really break:

- a worker process killed with SIGKILL in the middle of a report: the run completes, once (attempt 2);
- the whole worker killed, a new worker started: the unacknowledged message comes back and the run completes once;
- Redis down when a coordinator asks for a report on the page: the page answers, the request is not lost; Redis
  back, the sweeper queues it again and it completes;
- a computation that raises: failed with the reason after exactly 3 attempts, and the worker is idle afterwards;
- the whole worker killed and the sweeper passing before the broker gives the message back: the run still
  completes, it is not failed; a copy of a message delivered while its run is running (the sweeper's copy of a
  message that was only waiting) starts no second computation (the running attempt's advisory lock).

The test process publishes through the same Redis (not eagerly), so every run goes through the broker.
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config.celery_app import app
from reports import services
from reports.models import MAX_ATTEMPTS, ReportFile, ReportRun
from reports.sections import sections_of
from reports.services import STUCK_PENDING, report_request, report_sweep
from reports.tasks import sweep_reports

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
WAIT = 60  # seconds: the longest any step may take on a loaded machine before the test fails
QUEUE = "celery"
RETRY_SECONDS = 1  # the workers' REPORTS_RETRY_SECONDS: attempt n is queued again after n seconds


def wait_for(condition, what: str, timeout: float = WAIT):
    """Poll until `condition()` is true (returns its value); fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of this test only (no persistence), so stopping it disturbs nothing else."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._answers, "redis-server to answer", timeout=20)

    def stop(self):
        """Gone at once, as a crash would be (nothing saved: its queue is lost with it)."""
        self.process.kill()
        self.process.wait(timeout=20)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def _answers(self) -> bool:
        try:
            return self.client().ping()
        except redis.ConnectionError:
            return False

    def held(self) -> dict:
        """What the broker holds: messages waiting in the queue, and delivered but not yet acknowledged."""
        client = self.client()
        return {"queued": client.llen(QUEUE), "unacked": client.hlen("unacked")}


class Worker:
    """`python -m tests.fault_worker` in its own process group; its log (stdout and stderr) in a file."""

    def __init__(self, env: dict, log: Path):
        self.log_path = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "tests.fault_worker"], cwd=ROOT, env=env,
                                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.process.pid

    def wait_ready(self):
        wait_for(lambda: " ready." in self.log() or self.process.poll() is not None, "the worker to start")
        assert self.process.poll() is None, f"the worker did not start:\n{self.log()}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def children(self) -> set[int]:
        """The pool's processes (the children of the worker's main process)."""
        found = set()
        for task in Path(f"/proc/{self.pid}/task").iterdir():
            found |= {int(pid) for pid in (task / "children").read_text().split()}
        return found

    def task_lines(self, task: str, event: str) -> list[str]:
        return [line for line in self.log().splitlines() if f"Task {task}[" in line and f"] {event}" in line]

    def kill(self):
        """SIGKILL to the whole worker, its pool included: a machine that dies."""
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=20)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.stop()


def use_broker(url: str):
    """Point the Celery app at `url`. Its connection and producer pools are made once, for the broker it had
    then, and kept (Celery drops them only after a fork), so they are dropped here too. They are not closed:
    something else may still hold the session's pool (closing it broke every later test that publishes, with
    "Acquire on closed pool"); dropped pools are garbage-collected."""
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def broker(redis_server):
    """The test process publishes through the test's Redis, for real (not eagerly)."""
    previous = app.conf.broker_url, app.conf.task_always_eager
    use_broker(redis_server.url)
    app.conf.task_always_eager = False
    yield redis_server
    use_broker(previous[0])
    app.conf.task_always_eager = previous[1]


def database_url() -> str:
    """pytest-django's test database, for the worker process (it must see the rows this test commits)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def probe_dir(tmp_path):
    path = tmp_path / "probe"
    path.mkdir()
    return path


@pytest.fixture
def start_worker(broker, probe_dir, tmp_path):
    """Start a real worker (prefork, one pool process unless told) on the test's Redis and database; all killed
    at the end."""
    started = []

    def start(*, mode: str = "", time_limit: int = 600, concurrency: int = 1) -> Worker:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url(),
               "REDIS_URL": broker.url, "CELERY_TASK_ALWAYS_EAGER": "false",
               "REPORTS_RETRY_SECONDS": str(RETRY_SECONDS), "CELERY_TASK_TIME_LIMIT": str(time_limit),
               "FAULT_DIR": str(probe_dir), "FAULT_MODE": mode, "FAULT_CONCURRENCY": str(concurrency)}
        worker = Worker(env, tmp_path / f"worker-{len(started) + 1}.log")
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for number, worker in enumerate(started, start=1):
        worker.kill()
        print(f"--- log of worker {number} (pid {worker.pid}) ---\n{worker.log()[-20000:]}")  # shown on failure


@pytest.fixture
def cohort(resident):
    return resident.cohort


@pytest.fixture
def ask(coordinator, department, cohort):
    """The coordinator asks for the cohort report of `resident`'s cohort (the service the page calls)."""

    def ask() -> ReportRun:
        return report_request(by=coordinator, kind="cohort", department=department, cohort=cohort)

    return ask


def probe_calls(probe_dir: Path) -> list[dict]:
    """One row per computation that reached the probe section (tests/fault_worker.py)."""
    path = probe_dir / "calls"
    lines = path.read_text().splitlines() if path.exists() else []
    return [dict(zip(("pid", "parent", "run", "attempt"), map(int, line.split()), strict=True)) for line in lines]


def run_of(run_id: int) -> ReportRun:
    return ReportRun.objects.get(pk=run_id)


def finished(run_id: int) -> ReportRun | None:
    run = run_of(run_id)
    return run if run.is_finished else None


def gone(pid: int) -> bool:
    """The process has exited (a zombie waiting to be reaped by init counts as gone)."""
    try:
        return "State:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True


def assert_done_once(run_id: int):
    run = run_of(run_id)
    assert (run.status, run.progress, run.attempts, run.error) == ("done", 100, 2, "")
    assert len(run.result["sections"]) == len(sections_of("cohort")) + 1, "every section, the probe included"
    probe = next(s for s in run.result["sections"] if s["key"] == "fault_probe")
    assert probe["tables"][0]["rows"] == [[2]], "the result is the one of attempt 2"
    files = ReportFile.objects.filter(run_id=run_id)
    assert sorted(files.values_list("fmt", flat=True)) == ["csv", "xlsx"]
    assert all(f.size == len(f.content) > 0 for f in files)
    assert ReportRun.objects.count() == 1, "no duplicate run"


def test_a_pool_process_killed_mid_report_the_run_completes_once(ask, start_worker, probe_dir, broker):
    worker = start_worker()
    (probe_dir / "hold").touch()
    run = ask()

    first = wait_for(lambda: probe_calls(probe_dir), "the report to reach its middle")[0]
    middle = run_of(run.pk)
    assert (middle.status, middle.attempts, middle.result) == ("running", 1, None)
    assert (first["parent"], first["run"], first["attempt"]) == (worker.pid, run.pk, 1)
    assert first["pid"] in worker.children(), "the report is computed in the worker's pool process"
    os.kill(first["pid"], signal.SIGKILL)
    (probe_dir / "hold").unlink()

    wait_for(lambda: finished(run.pk), "the run to finish")
    assert_done_once(run.pk)
    second = probe_calls(probe_dir)[1]
    assert second["pid"] != first["pid"] and (second["parent"], second["attempt"]) == (worker.pid, 2)
    log = worker.log()
    assert "signal 9 (SIGKILL)" in log and "WorkerLostError" in log
    # The message was put back (rejected, requeued) and delivered again once; then acknowledged: nothing left.
    assert len(worker.task_lines("reports.tasks.run_report", "received")) == 2
    wait_for(lambda: worker.task_lines("reports.tasks.run_report", "succeeded"), "the task to be acknowledged")
    assert [line.rsplit(": ", 1)[1] for line in worker.task_lines("reports.tasks.run_report", "succeeded")] == [
        "'done'"]
    wait_for(lambda: broker.held() == {"queued": 0, "unacked": 0}, "the broker to hold nothing")
    assert len(probe_calls(probe_dir)) == 2


# A short time limit for the workers, so the broker's visibility timeout (twice the time limit, as in
# config/settings.py) passes within the test.
SHORT_LIMIT = 6


def kill_whole_worker_mid_report(ask, start_worker, probe_dir, broker) -> tuple[ReportRun, float]:
    """A worker killed, pool and all, while it computes a report; returns the run and when the message was
    delivered (the broker keeps it aside, unacknowledged, until the visibility timeout passes)."""
    worker = start_worker(time_limit=SHORT_LIMIT)
    (probe_dir / "hold").touch()
    run = ask()
    first = wait_for(lambda: probe_calls(probe_dir), "the report to reach its middle")[0]
    assert (run_of(run.pk).status, first["parent"], first["attempt"]) == ("running", worker.pid, 1)
    worker.kill()
    wait_for(lambda: gone(first["pid"]), "the pool process to be gone")
    (probe_dir / "hold").unlink()
    assert broker.held() == {"queued": 0, "unacked": 1}
    assert run_of(run.pk).status == "running"
    delivered_at = broker.client().zrange("unacked_index", 0, 0, withscores=True)[0][1]
    return run, delivered_at


def wait_for_visibility_timeout(delivered_at: float):
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 2 * settings.CELERY_TASK_TIME_LIMIT
    visibility = 2 * SHORT_LIMIT  # the workers', by the same setting
    wait_for(lambda: time.time() > delivered_at + visibility + 0.5, "the visibility timeout")


def test_the_whole_worker_killed_mid_report_a_new_worker_completes_it_once(ask, start_worker, probe_dir, broker):
    run, delivered_at = kill_whole_worker_mid_report(ask, start_worker, probe_dir, broker)
    wait_for_visibility_timeout(delivered_at)

    second_worker = start_worker(time_limit=SHORT_LIMIT)  # restores the unacknowledged message when it starts
    wait_for(lambda: finished(run.pk), "the run to finish")
    assert_done_once(run.pk)
    second = probe_calls(probe_dir)[1]
    assert (second["parent"], second["attempt"]) == (second_worker.pid, 2)
    wait_for(lambda: broker.held() == {"queued": 0, "unacked": 0}, "the broker to hold nothing")
    assert len(second_worker.task_lines("reports.tasks.run_report", "received")) == 1
    assert len(probe_calls(probe_dir)) == 2


def test_redis_down_when_a_report_is_asked_for_the_request_is_not_lost(
        client, coordinator, department, cohort, start_worker, probe_dir, broker, settings, caplog):
    # The deployment's one Redis is the broker and the cache: both are down for the request.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": broker.url}}
    worker = start_worker()
    client.force_login(coordinator)
    broker.stop()

    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="reports.services"):
        response = client.post(reverse("reports:index", args=[department.pk]),
                               {"kind": "cohort", "cohort-cohort": cohort.pk})
    assert time.monotonic() - began < 15, "asking must not hang on a broker that is down"
    run = ReportRun.objects.get()
    assert (response.status_code, response.url) == (302, reverse("reports:run", args=[run.pk]))
    assert "the broker did not take it" in caplog.text
    status = client.get(reverse("reports:run_status", args=[run.pk])).json()
    assert (status["status"], status["attempts"]) == ("pending", 0)

    broker.start()  # empty: the message never reached it
    assert broker.held() == {"queued": 0, "unacked": 0}
    assert run_of(run.pk).status == "pending"
    # Later, the beat's sweeper (here: its task, through the broker) finds the run pending for too long.
    ReportRun.objects.filter(pk=run.pk).update(queued_at=timezone.now() - STUCK_PENDING - timedelta(seconds=1))
    sweep_reports.delay()

    wait_for(lambda: finished(run.pk), "the run to finish")
    status = client.get(reverse("reports:run_status", args=[run.pk])).json()
    assert (status["status"], status["attempts"], status["progress"]) == ("done", 1, 100)
    done = run_of(run.pk)
    assert [c["attempt"] for c in probe_calls(probe_dir)] == [1]
    assert sorted(ReportFile.objects.filter(run=done).values_list("fmt", flat=True)) == ["csv", "xlsx"]
    wait_for(lambda: worker.task_lines("reports.tasks.run_report", "succeeded"), "the task to be acknowledged")
    assert "{'requeued': 1, 'failed': 0}" in worker.task_lines("reports.tasks.sweep_reports", "succeeded")[0]
    assert len(worker.task_lines("reports.tasks.run_report", "received")) == 1


def test_a_raising_computation_fails_after_three_attempts_and_the_worker_is_idle(ask, start_worker, probe_dir,
                                                                                  broker):
    worker = start_worker(mode="raise")
    run = ask()

    wait_for(lambda: finished(run.pk), "the run to fail")
    failed = run_of(run.pk)
    assert (failed.status, failed.attempts) == ("failed", MAX_ATTEMPTS) == ("failed", 3)
    assert "RuntimeError: fault test: the computation raises (attempt 3)" in failed.error
    assert "3 attempts" in failed.error
    assert not ReportFile.objects.filter(run=failed).exists()
    wait_for(lambda: len(worker.task_lines("reports.tasks.run_report", "succeeded")) == 3,
             "the third attempt to be acknowledged")
    assert [line.rsplit(": ", 1)[1] for line in worker.task_lines("reports.tasks.run_report", "succeeded")] == [
        "'retry'", "'retry'", "'failed'"]

    # No loop: longer than the next retry would wait, nothing more happens, and the broker holds nothing.
    time.sleep(RETRY_SECONDS * MAX_ATTEMPTS + 1)
    assert [c["attempt"] for c in probe_calls(probe_dir)] == [1, 2, 3]
    assert len(worker.task_lines("reports.tasks.run_report", "received")) == 3
    assert broker.held() == {"queued": 0, "unacked": 0}
    assert run_of(run.pk).status == "failed"


def test_the_whole_worker_killed_the_sweeper_does_not_fail_a_run_the_broker_will_give_back(
        ask, start_worker, probe_dir, broker, settings, monkeypatch):
    """Production proportions, scaled down: the sweeper passes after the time limit and its margin (30 + 5 min),
    the broker gives an unacknowledged message back after its visibility timeout (60 min). Here 6 + 1 s and 12 s.
    A run whose whole worker was killed must still complete when its message comes back."""
    settings.CELERY_TASK_TIME_LIMIT = SHORT_LIMIT  # the sweeper (this process) and the workers agree
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * SHORT_LIMIT}
    monkeypatch.setattr(services, "STUCK_RUNNING_MARGIN", timedelta(seconds=1))
    run, delivered_at = kill_whole_worker_mid_report(ask, start_worker, probe_dir, broker)
    started_at = run_of(run.pk).started_at
    wait_for(lambda: timezone.now() > started_at + timedelta(seconds=SHORT_LIMIT + 1.5), "the sweeper's threshold")
    if time.time() > delivered_at + 2 * SHORT_LIMIT:  # the machine, not the product, was too slow
        pytest.fail("too slow: the sweeper was to pass before the message comes back")
    report_sweep()  # as beat would, every few minutes
    assert run_of(run.pk).status != "failed", "the sweeper failed a run whose message the broker gives back"

    wait_for_visibility_timeout(delivered_at)
    start_worker(time_limit=SHORT_LIMIT)
    wait_for(lambda: finished(run.pk), "the run to finish")
    wait_for(lambda: broker.held() == {"queued": 0, "unacked": 0}, "the broker to hold nothing")
    assert_done_once(run.pk)


def test_a_copy_delivered_while_the_run_is_running_computes_nothing(ask, start_worker, probe_dir, broker):
    """A backlog: the run's message waits in the queue longer than STUCK_PENDING, so the sweeper queues a copy.
    Two pool processes take both; the copy must not start a second computation of the run."""
    run = ask()  # no worker yet: the message waits
    assert report_sweep(now=timezone.now() + STUCK_PENDING + timedelta(seconds=1)) == {"requeued": 1, "failed": 0}
    assert broker.held() == {"queued": 2, "unacked": 0}
    (probe_dir / "hold").touch()
    worker = start_worker(concurrency=2)

    wait_for(lambda: len(worker.task_lines("reports.tasks.run_report", "received")) == 2, "both deliveries")
    wait_for(lambda: len(probe_calls(probe_dir)) == 2 or worker.task_lines("reports.tasks.run_report", "succeeded"),
             "the copy to be taken")
    (probe_dir / "hold").unlink()
    wait_for(lambda: finished(run.pk), "the run to finish")
    wait_for(lambda: broker.held() == {"queued": 0, "unacked": 0}, "the broker to hold nothing")
    assert len(probe_calls(probe_dir)) == 1, "one computation"
    done = run_of(run.pk)
    assert (done.status, done.attempts) == ("done", 1)
