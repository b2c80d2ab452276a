"""Report runs: the rules of asking, and the reliability of the computation (reports/services.py).

The real-process faults (a worker killed mid-report, the broker down) are in tests/test_report_faults.py; here the
same rules are shown in-process: the attempts are bounded, a duplicate delivery computes nothing twice, a stuck
run is swept, and computing a run again gives the same result.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports import services
from reports.models import MAX_ATTEMPTS, ReportFile, ReportRun
from reports.services import report_execute, report_request, report_rerun, report_sweep
from tests.factories import AcademicYearFactory, CoordinatorFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    return AcademicYearFactory(start_year=2025)


@pytest.fixture
def cohort(resident):
    return resident.cohort


def ask(coordinator, cohort, **kwargs):
    return report_request(by=coordinator, kind="cohort", department=cohort.specialty.department, cohort=cohort,
                          **kwargs)


def test_a_request_is_a_pending_row_queued_on_commit(coordinator, cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = ask(coordinator, cohort)
    assert (run.status, run.progress, run.attempts, run.requested_by) == ("pending", 0, 0, coordinator)
    assert len(callbacks) == 1  # nothing is published before the row is committed
    callbacks[0]()  # eager Celery: the worker runs it now
    run.refresh_from_db()
    assert (run.status, run.progress, run.attempts) == ("done", 100, 1)
    assert run.result["kind"] == "cohort" and run.result["as_of"] == timezone.localdate().isoformat()
    assert sorted(ReportFile.objects.filter(run=run).values_list("fmt", flat=True)) == ["csv", "xlsx"]


def test_only_the_departments_coordinator_asks_and_a_mentor_only_for_their_own_report(
        coordinator, cohort, mentor, make_mentor, year):
    other = CoordinatorFactory(department=DepartmentFactory()).user
    with pytest.raises(ValidationError):
        ask(other, cohort)
    with pytest.raises(ValidationError):
        ask(mentor.user, cohort)
    department = cohort.specialty.department
    own = report_request(by=mentor.user, kind="mentor", department=department, mentor=mentor, academic_year=year)
    assert own.mentor == mentor
    with pytest.raises(ValidationError):
        report_request(by=mentor.user, kind="mentor", department=department, mentor=make_mentor(),
                       academic_year=year)


def test_parameters_must_belong_to_the_department(coordinator, cohort, year):
    other_department = DepartmentFactory()
    CoordinatorFactory(department=other_department, user=coordinator)
    with pytest.raises(ValidationError) as refused:
        report_request(by=coordinator, kind="cohort", department=other_department, cohort=cohort)
    assert "cohort" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        report_request(by=coordinator, kind="mentor", department=cohort.specialty.department)
    assert set(refused.value.message_dict) == {"mentor", "academic_year"}
    assert not ReportRun.objects.exists()


def test_a_second_delivery_of_a_finished_run_does_nothing(coordinator, cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = ask(coordinator, cohort)
    run.refresh_from_db()
    finished_at = run.finished_at
    assert report_execute(run_id=run.pk) == "finished"
    run.refresh_from_db()
    assert (run.attempts, run.finished_at) == (1, finished_at)
    assert ReportFile.objects.filter(run=run).count() == 2


def test_computing_a_run_again_gives_the_same_result(coordinator, cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = ask(coordinator, cohort)
    run.refresh_from_db()
    first = run.result
    ReportRun.objects.filter(pk=run.pk).update(status="pending", result=None)
    assert report_execute(run_id=run.pk) == "done"
    run.refresh_from_db()
    assert run.result == first and run.attempts == 2


def test_a_raising_computation_fails_after_three_attempts_with_the_reason(
        coordinator, cohort, monkeypatch, django_capture_on_commit_callbacks):
    calls = []

    def broken(context):
        calls.append(context.run_id)
        raise ZeroDivisionError("no residents to divide by")

    monkeypatch.setattr(services, "sections_of", lambda kind: [broken])
    with django_capture_on_commit_callbacks(execute=True):
        run = ask(coordinator, cohort)
    run.refresh_from_db()
    assert len(calls) == MAX_ATTEMPTS == 3  # each failed attempt queued the next one; the third one stopped
    assert (run.status, run.attempts) == ("failed", 3)
    assert "ZeroDivisionError: no residents to divide by" in run.error and "3 attempts" in run.error
    assert report_execute(run_id=run.pk) == "finished"  # a late duplicate delivery: nothing more
    assert len(calls) == 3


def test_a_run_whose_worker_was_lost_is_the_next_attempt_and_gives_up_after_the_third(coordinator, cohort):
    run = ask(coordinator, cohort)
    # A worker claimed it and was killed twice (the message came back each time).
    ReportRun.objects.filter(pk=run.pk).update(status="running", attempts=2, started_at=timezone.now())
    assert report_execute(run_id=run.pk) == "done"
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == ("done", 3, "")
    lost = ask(coordinator, cohort)
    ReportRun.objects.filter(pk=lost.pk).update(status="running", attempts=3, started_at=timezone.now())
    assert report_execute(run_id=lost.pk) == "gave up"
    lost.refresh_from_db()
    assert lost.status == "failed" and "3 attempts" in lost.error


def test_the_sweeper_queues_stuck_pending_runs_again_and_fails_stuck_running_ones(
        coordinator, cohort, monkeypatch, settings):
    published = []
    monkeypatch.setattr(services, "publish", lambda run_id, countdown=0: published.append(run_id) or True)
    now = timezone.now()
    fresh = ask(coordinator, cohort)
    stuck = ask(coordinator, cohort)
    ReportRun.objects.filter(pk=stuck.pk).update(queued_at=now - timedelta(minutes=11))
    running = ask(coordinator, cohort)
    ReportRun.objects.filter(pk=running.pk).update(
        status="running", attempts=1,
        started_at=now - timedelta(seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
        - timedelta(minutes=6))
    # Past the time limit but not past the broker's visibility timeout: its message may still come back.
    waiting = ask(coordinator, cohort)
    ReportRun.objects.filter(pk=waiting.pk).update(
        status="running", attempts=1,
        started_at=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - timedelta(minutes=6))
    working = ask(coordinator, cohort)
    ReportRun.objects.filter(pk=working.pk).update(status="running", attempts=1, started_at=now)

    assert report_sweep(now=now) == {"requeued": 1, "failed": 1}
    assert published == [stuck.pk]
    statuses = dict(ReportRun.objects.values_list("pk", "status"))
    assert (statuses[fresh.pk], statuses[stuck.pk], statuses[running.pk], statuses[working.pk],
            statuses[waiting.pk]) == ("pending", "pending", "failed", "running", "running")
    assert "was lost" in ReportRun.objects.get(pk=running.pk).error
    assert report_sweep(now=now) == {"requeued": 0, "failed": 0}  # the swept run's clock restarted


def test_a_broker_that_does_not_answer_loses_nothing(coordinator, cohort, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    from reports import tasks

    def down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_report, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        run = ask(coordinator, cohort)  # no exception reaches the person who asked
    run.refresh_from_db()
    assert run.status == "pending"
    monkeypatch.undo()
    ReportRun.objects.filter(pk=run.pk).update(queued_at=timezone.now() - timedelta(minutes=11))
    assert report_sweep()["requeued"] == 1  # eager Celery: the sweeper's publish runs it
    run.refresh_from_db()
    assert run.status == "done"


def test_rerun_is_a_new_run_with_the_same_parameters(coordinator, cohort, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = ask(coordinator, cohort)
        again = report_rerun(run=first, by=coordinator)
    assert again.pk != first.pk and (again.kind, again.cohort) == (first.kind, first.cohort)
    assert ReportRun.objects.filter(status="done").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_while_another_attempt_holds_the_run_is_a_copy_and_computes_nothing(coordinator, cohort):
    """The advisory lock of the attempt computing a run (another database session here, as another worker
    process would be): a second delivery computes nothing; once the session ends, the run is free again."""
    from django.db import connections

    run = ask(coordinator, cohort)
    ReportRun.objects.filter(pk=run.pk).update(status="running", attempts=1, started_at=timezone.now())
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [services.LOCK_NAMESPACE, run.pk])
            assert cursor.fetchone()[0]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(services, "LOCK_WAIT_SECONDS", 0.3)
            with services._computing(run.pk, wait=0.3) as mine:
                assert not mine
        assert report_execute(run_id=run.pk) == "copy"
        assert ReportRun.objects.get(pk=run.pk).attempts == 1  # nothing claimed, nothing computed
    finally:
        other.close()  # the "worker" dies: its session's lock goes with it
    assert report_execute(run_id=run.pk) == "done"
    assert ReportRun.objects.get(pk=run.pk).attempts == 2


def test_the_task_settings_make_the_queue_reliable(settings):
    from reports.tasks import run_report

    assert run_report.acks_late and run_report.reject_on_worker_lost
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    assert settings.CELERY_TASK_TIME_LIMIT < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reports.tasks.sweep_reports", "reports.tasks.request_annual_monitoring"} <= tasks


def test_the_annual_monitoring_is_asked_once_per_department_for_the_year_just_ended(
        department, django_capture_on_commit_callbacks):
    from reports.scheduled import annual_monitoring_request

    ended = AcademicYearFactory(start_year=2024)
    today = ended.ends_on + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert annual_monitoring_request(today=today) == 1
    assert annual_monitoring_request(today=today) == 0
    run = ReportRun.objects.get()
    assert (run.kind, run.department, run.academic_year, run.requested_by, run.status) == (
        "annual", department, ended, None, "done")
