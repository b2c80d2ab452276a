"""Campaign tasks: invitations, reminders and the daily run. Thin: they take ids and call `surveys.campaigns`."""

from celery import shared_task

from .campaigns import campaigns_daily, invitations_send, reminders_send

__all__ = ["close_due_campaigns", "send_invitations", "send_reminders"]


@shared_task(acks_late=True, max_retries=3)
def send_invitations(campaign_id: int) -> int:
    """E-mail the invitations of the campaign not sent yet (each marked on its participation row)."""
    return invitations_send(campaign_id=campaign_id)


@shared_task(acks_late=True, max_retries=3)
def send_reminders(campaign_id: int) -> int:
    """E-mail a reminder to each invited person who has not answered."""
    return reminders_send(campaign_id=campaign_id)


@shared_task(acks_late=True, max_retries=3)
def close_due_campaigns() -> dict[str, list[int]]:
    """Daily (Celery beat): close campaigns past their closing day, send due invitations, the automatic reminder."""
    run = campaigns_daily()
    return {"closed": run.closed, "invited": run.invited, "reminded": run.reminded}
