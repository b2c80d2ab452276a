"""Mentoring tasks. Thin: they take ids (or nothing) and call a service."""

from celery import shared_task

from .meetings import meeting_reminders_send

__all__ = ["send_meeting_reminders"]


@shared_task(acks_late=True, max_retries=3)
def send_meeting_reminders() -> int:
    """Every 15 minutes (Celery beat): remind the participants of the accepted meetings starting within 24 hours.
    Idempotent: each meeting is claimed once (`meeting_reminders_send`)."""
    return meeting_reminders_send()
