"""Report tasks. Thin: they take a run id (or nothing) and call a service (reports/services.py).

`run_report` acknowledges late and is rejected (put back on the queue) when its worker is lost, so a worker
killed mid-report does not lose it; the attempts are counted on the run, not by Celery, so a redelivered message
is the next attempt and the third failed attempt fails the run for good.
"""

from celery import shared_task

from .services import report_execute, report_sweep

__all__ = ["run_report", "sweep_reports", "request_annual_monitoring", "refresh_dashboard_figures"]


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_report(run_id: int) -> str:
    return report_execute(run_id=run_id)


@shared_task(acks_late=True, ignore_result=True)
def sweep_reports() -> dict:
    """Every 5 minutes (Celery beat): stuck runs queued again or failed."""
    return report_sweep()


@shared_task(acks_late=True, ignore_result=True)
def request_annual_monitoring() -> int:
    """Once a year (Celery beat, 1 September): the annual monitoring report of every department for the academic
    year that has just ended."""
    from .scheduled import annual_monitoring_request

    return annual_monitoring_request()


@shared_task(acks_late=True, ignore_result=True)
def refresh_dashboard_figures() -> int:
    """Every 10 minutes (Celery beat): each department's headline figures for the coordinator's dashboard, the
    counts of its assessment card included (shown "as of" the refresh)."""
    from .dashboard import dashboard_figures_refresh

    return dashboard_figures_refresh()
