"""Every write on report runs, with its rules (DESIGN.md section 4).

Reliability, in one place:
- a run is a row; the queue carries its id only, published on commit (`_queue`), so a worker never looks for a
  row that is not there yet, and a broker that is down loses nothing: the run stays pending and the sweeper
  queues it again;
- `report_execute` claims the run under a row lock and counts the attempt before computing; a delivery for a
  finished run does nothing, so a message delivered twice (a lost worker, a redelivery) computes the run once;
- the attempt computing a run holds a PostgreSQL advisory lock on it for as long as its database session lives
  (`_computing`); a worker killed mid-run loses its session and the lock with it. So a delivery that finds the
  lock free while the run is "running" is a redelivery after a lost worker (the next attempt), and one that
  finds it held is a copy (e.g. the sweeper's copy of a message that was only waiting in a backlog): it
  computes nothing;
- a computation that raises is tried again (queued anew) until MAX_ATTEMPTS, then the run is failed with the
  reason; a worker killed mid-run leaves the message unacknowledged (acks_late, reject_on_worker_lost) and the
  next delivery is the next attempt; an attempt that finds MAX_ATTEMPTS used fails the run: never a loop;
- results depend only on the database and the run's parameters (figures are "as of" the day it was requested),
  so running a run again gives the same result.
"""

import logging
import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mentoring.models import Mentor
from organization.models import AcademicYear, ClinicalSite, Department
from organization.selectors import coordinates
from residents.models import Cohort

from .context import ReportContext
from .models import MAX_ATTEMPTS, ReportFile, ReportRun
from .sections import sections_of

logger = logging.getLogger(__name__)

# A pending run whose message has not been picked up for this long is queued again by the sweeper.
STUCK_PENDING = timedelta(minutes=10)
# A run "running" for longer than the broker's visibility timeout (plus a margin) has lost its worker for good:
# the time limit would have stopped a live attempt, and the broker would have given a lost one's message back.
STUCK_RUNNING_MARGIN = timedelta(minutes=5)
# The advisory-lock namespace of report runs (pg_try_advisory_lock(namespace, run id)).
LOCK_NAMESPACE = 7007
# How long a delivery waits for the lock before it takes the run for a copy: a killed worker's database session
# ends a moment after the process (its message may be back first).
LOCK_WAIT_SECONDS = 5.0


def _language(user) -> str:
    return (getattr(user, "language", "") or translation.get_language() or settings.LANGUAGE_CODE)[:8]


@transaction.atomic
def report_request(*, by, kind: str, department: Department, cohort: Cohort | None = None,
                   mentor: Mentor | None = None, academic_year: AcademicYear | None = None,
                   clinical_site: ClinicalSite | None = None, language: str | None = None) -> ReportRun:
    """Ask for a report. Rules: a coordinator asks for any kind in their departments; a mentor only for their own
    mentor report; the parameters belong to the department (the cohort's specialty, the mentor's specialty, the
    clinical site). The run is queued when the transaction commits. `by=None` is the scheduler (Celery beat)."""
    if kind not in ReportRun.Kind.values:
        raise ValidationError(_("Unknown kind of report."))
    if by is not None and not coordinates(by, department.pk):
        own_mentor = kind == ReportRun.Kind.MENTOR and mentor is not None and mentor.user_id == by.pk
        if not own_mentor:
            raise ValidationError(_("You can ask for reports of your departments only, and a mentor for their own "
                                    "mentor report."))
    errors = {}
    if kind == ReportRun.Kind.COHORT:
        if cohort is None:
            errors["cohort"] = _("Choose the cohort.")
        elif cohort.specialty.department_id != department.pk:
            errors["cohort"] = _("This cohort belongs to another department.")
        mentor = academic_year = clinical_site = None
    elif kind == ReportRun.Kind.MENTOR:
        if mentor is None:
            errors["mentor"] = _("Choose the mentor.")
        elif mentor.specialty.department_id != department.pk:
            errors["mentor"] = _("This mentor belongs to another department.")
        if academic_year is None:
            errors["academic_year"] = _("Choose the academic year.")
        cohort = clinical_site = None
    else:
        if academic_year is None:
            errors["academic_year"] = _("Choose the academic year.")
        if clinical_site is not None and not clinical_site.departments.filter(pk=department.pk).exists():
            errors["clinical_site"] = _("This clinical site does not work with the department.")
        cohort = mentor = None
    if errors:
        raise ValidationError(errors)
    run = ReportRun.objects.create(
        kind=kind, department=department, cohort=cohort, mentor=mentor, academic_year=academic_year,
        clinical_site=clinical_site, requested_by=by, language=language or _language(by), queued_at=timezone.now())
    _queue(run.pk)
    return run


def report_rerun(*, run: ReportRun, by) -> ReportRun:
    """The same report asked for again (a new run with the same parameters, figures as of today); the earlier run
    stays in the history."""
    return report_request(by=by, kind=run.kind, department=run.department, cohort=run.cohort, mentor=run.mentor,
                          academic_year=run.academic_year, clinical_site=run.clinical_site)


def _queue(run_id: int) -> None:
    transaction.on_commit(lambda: publish(run_id))


def publish(run_id: int, *, countdown: int = 0) -> bool:
    """Put the run's id on the queue. A broker that does not answer is logged, not raised: the run stays pending
    and the sweeper queues it again, so the request is not lost."""
    from .tasks import run_report

    try:
        run_report.apply_async((run_id,), countdown=countdown or None, retry=True,
                               retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5,
                                             "interval_max": 1})
    except Exception:  # noqa: BLE001 - any broker failure: the sweeper will queue it again
        logger.warning("report run %s: the broker did not take it; the sweeper will queue it again", run_id,
                       exc_info=True)
        return False
    return True


def _claim(run_id: int) -> tuple[ReportRun | None, str]:
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return None, "missing"
        if run.is_finished:
            return None, "finished"
        if run.attempts >= MAX_ATTEMPTS:
            reason = run.error or _("the computation did not finish (the worker stopped)")
            _fail(run, _("Gave up after %(n)d attempts. Last error: %(reason)s") % {"n": run.attempts,
                                                                                   "reason": reason})
            return None, "gave up"
        if run.status == ReportRun.Status.RUNNING:
            # The previous attempt's worker was lost mid-run (the message came back): this is the next attempt.
            run.error = run.error or _("attempt %(n)d did not finish (the worker stopped)") % {"n": run.attempts}
        run.attempts += 1
        run.status = ReportRun.Status.RUNNING
        run.progress = 0
        run.started_at = timezone.now()
        run.save(update_fields=["attempts", "status", "progress", "started_at", "error"])
        return run, "claimed"


def _fail(run: ReportRun, reason: str) -> None:
    run.status = ReportRun.Status.FAILED
    run.error = reason
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])


def _progress(run: ReportRun, attempt: int):
    def report(pct: int) -> None:
        ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING, attempts=attempt).update(
            progress=max(0, min(99, pct)))
    return report


def compute(run: ReportRun, *, on_progress=lambda pct: None) -> dict:
    """The run's result (reports/result.py), in the run's language. Pure reads: a fixed number of queries."""
    from .sections import titles

    with translation.override(run.language):
        context = ReportContext.of(run)
        sections = sections_of(run.kind)
        out = []
        for i, section in enumerate(sections, start=1):
            out.append(section(context))
            on_progress(int(90 * i / len(sections)))
        title, subtitle = titles.title_of(context)
        return {"kind": run.kind, "title": str(title), "subtitle": str(subtitle), "as_of": context.as_of.isoformat(),
                "sections": out}


@contextmanager
def _computing(run_id: int, *, wait: float = LOCK_WAIT_SECONDS):
    """Yields whether this process may compute the run: on PostgreSQL, whether it got the run's session-level
    advisory lock within `wait` seconds (released on exit, or by the server when the process dies). Elsewhere
    (SQLite: one process, in-process Celery) always."""
    if connection.vendor != "postgresql":
        yield True
        return
    deadline = time.monotonic() + wait
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, run_id])
            got = cursor.fetchone()[0]
        if got or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, run_id])


def report_execute(*, run_id: int) -> str:
    """One attempt at a run (the task's body). Returns what happened: done, retry, failed, finished (nothing to
    do), gave up, missing, copy (another live attempt is computing it)."""
    with _computing(run_id) as mine:
        if not mine:
            logger.info("report run %s: another attempt is computing it; this delivery is a copy", run_id)
            return "copy"
        outcome, retry_in = _attempt(run_id)
    if retry_in is not None:  # queued once the lock is released, so the next attempt never finds it held
        publish(run_id, countdown=retry_in)
    return outcome


def _attempt(run_id: int) -> tuple[str, int | None]:
    """Claim, compute, store; (outcome, seconds until the next attempt or None)."""
    from .exports import run_files

    run, state = _claim(run_id)
    if run is None:
        return state, None
    attempt = run.attempts
    try:
        result = compute(run, on_progress=_progress(run, attempt))
        with translation.override(run.language):
            files = run_files(run, result)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the run, in plain words
        logger.exception("report run %s: attempt %s failed", run_id, attempt)
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        with transaction.atomic():
            run = ReportRun.objects.select_for_update().get(pk=run_id)
            if run.is_finished or run.attempts != attempt:
                return "finished", None
            if attempt >= MAX_ATTEMPTS:
                _fail(run, _("Failed after %(n)d attempts: %(reason)s") % {"n": attempt, "reason": reason})
                return "failed", None
            run.status = ReportRun.Status.PENDING
            run.error = reason
            run.queued_at = timezone.now()
            run.save(update_fields=["status", "error", "queued_at"])
        return "retry", settings.REPORTS_RETRY_SECONDS * attempt
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().get(pk=run_id)
        if run.is_finished or run.attempts != attempt:
            return "finished", None  # another attempt finished it meanwhile
        ReportFile.objects.filter(run=run).delete()
        ReportFile.objects.bulk_create([
            ReportFile(run=run, fmt=fmt, name=name, content_type=content_type, content=content, size=len(content))
            for fmt, name, content_type, content in files])
        run.result = result
        run.status = ReportRun.Status.DONE
        run.progress = 100
        run.error = ""
        run.finished_at = timezone.now()
        run.save(update_fields=["result", "status", "progress", "error", "finished_at"])
    return "done", None


def report_sweep(*, now=None) -> dict:
    """Every few minutes (Celery beat): queue again the runs pending for longer than STUCK_PENDING (their message
    was lost, e.g. the broker was down when they were asked for) and fail the runs running for longer than the
    broker's visibility timeout and a margin (their worker is gone, and its message did not come back: the time
    limit would have stopped a live attempt, and the broker gives an unacknowledged message back after the
    visibility timeout, whereupon the next attempt restarts the clock)."""
    now = now or timezone.now()
    stale = list(ReportRun.objects.filter(status=ReportRun.Status.PENDING, queued_at__lt=now - STUCK_PENDING)
                 .values_list("pk", flat=True))
    requeued = 0
    for run_id in stale:
        if ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.PENDING,
                                    queued_at__lt=now - STUCK_PENDING).update(queued_at=now):
            publish(run_id)
            requeued += 1
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    limit = timedelta(seconds=max(visibility, settings.CELERY_TASK_TIME_LIMIT)) + STUCK_RUNNING_MARGIN
    failed = ReportRun.objects.filter(status=ReportRun.Status.RUNNING, started_at__lt=now - limit).update(
        status=ReportRun.Status.FAILED, finished_at=now,
        error=_("Stopped: the worker computing it was lost and its message did not come back."))
    return {"requeued": requeued, "failed": failed}
