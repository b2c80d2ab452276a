"""Survey tasks: thin, they take ids and call a service."""

from celery import shared_task

from .release import release_pending, vacuum_survey_tables


@shared_task(acks_late=True, max_retries=3)
def release_campaign_pool(campaign_id: int, final: bool = False) -> int:
    """Release the campaign's pending submissions once at least k wait (all of them when `final`)."""
    released = release_pending(campaign_id=campaign_id, final=final)
    if released:
        vacuum_survey_tables()
    return released


# Campaign tasks (invitations, reminders, the daily close) live in their own module; importing them here lets
# Celery's autodiscovery (which imports `surveys.tasks`) register them.
from .tasks_campaigns import *  # noqa: E402,F401,F403
