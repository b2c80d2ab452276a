"""Meeting reminders (issue 6): a Celery task every 15 minutes e-mails each accepted participant of an accepted
meeting starting within 24 hours, once, however often or concurrently it runs."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation

from config.celery_app import app
from mentoring.meetings import meeting_cancel, meeting_propose, meeting_reminders_send, meeting_respond
from mentoring.models import Meeting, Programme
from mentoring.services import assignment_create, clinical_programme
from mentoring.tasks import send_meeting_reminders
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db

AGENDA = "Plan for the next rotation."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def propose(proposer, invitees, programme, starts_at, *, format="one_to_one", now=None):
    return meeting_propose(proposer=proposer, programme=programme, invitees=invitees, format=format,
                           starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), agenda=AGENDA, now=now)


def soon(hours=3):
    return timezone.now() + timedelta(hours=hours)


@pytest.fixture
def programme(department):
    return clinical_programme(department)


def test_each_accepted_participant_is_reminded_once(mentor, resident, programme, django_capture_on_commit_callbacks):
    meeting = propose(mentor.user, [resident.user], programme, soon())
    meeting_respond(meeting=meeting, user=resident.user, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_meeting_reminders.delay().get() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentor.user.email, resident.user.email])
    assert all(len(m.to) == 1 for m in mail.outbox)  # one e-mail per person, never a shared list
    assert mail.outbox[0].subject.startswith("Reminder: mentoring meeting on ")
    assert f"/meetings/{meeting.pk}/" in mail.outbox[0].body and AGENDA not in mail.outbox[0].body
    meeting.refresh_from_db()
    assert meeting.reminder_sent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert send_meeting_reminders.delay().get() == 0  # the second run sends nothing
    assert len(mail.outbox) == 2


def test_no_reminder_for_declined_cancelled_unanswered_past_or_distant_meetings(mentor, resident, programme,
                                                                                  django_capture_on_commit_callbacks):
    declined = propose(mentor.user, [resident.user], programme, soon(2))
    meeting_respond(meeting=declined, user=resident.user, accept=False)
    cancelled = propose(mentor.user, [resident.user], programme, soon(4))
    meeting_respond(meeting=cancelled, user=resident.user, accept=True)
    meeting_cancel(meeting=cancelled, user=mentor.user, reason="Ill")
    propose(mentor.user, [resident.user], programme, soon(6))  # still awaiting the resident's answer
    distant = propose(mentor.user, [resident.user], programme, soon(30))
    meeting_respond(meeting=distant, user=resident.user, accept=True)
    then = timezone.now() - timedelta(days=3)
    past = propose(mentor.user, [resident.user], programme, then + timedelta(hours=5), now=then)
    meeting_respond(meeting=past, user=resident.user, accept=True, now=then)
    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_reminders_send() == 0
    assert mail.outbox == []
    assert not Meeting.objects.filter(reminder_sent_at__isnull=False).exists()
    # The distant one is reminded once it comes within 24 hours.
    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_reminders_send(now=distant.starts_at - timedelta(hours=23)) == 2


def test_a_group_meeting_reminds_only_those_who_accepted(department, make_mentor, make_resident,
                                                         django_capture_on_commit_callbacks):
    group = Programme.objects.create(department=department, kind="group", name="Simulation group",
                                     min_per_mentor=2, max_per_mentor=6)
    mentor = make_mentor()
    a, b, c = (make_resident() for _ in range(3))
    for r in (a, b, c):
        assignment_create(resident=r, mentor=mentor, programme=group)
    meeting = propose(mentor.user, [], group, soon(), format="group")
    meeting_respond(meeting=meeting, user=a.user, accept=True)
    meeting_respond(meeting=meeting, user=b.user, accept=False)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reminders_send()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentor.user.email, a.user.email])


def test_the_reminder_is_in_the_participants_language(mentor, resident, programme, django_capture_on_commit_callbacks):
    resident.user.language = "ru"
    resident.user.save()
    meeting = propose(mentor.user, [resident.user], programme, soon())
    meeting_respond(meeting=meeting, user=resident.user, accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reminders_send()
    russian = next(m for m in mail.outbox if m.to == [resident.user.email])
    english = next(m for m in mail.outbox if m.to == [mentor.user.email])
    assert russian.body.startswith("Здравствуйте!") and english.body.startswith("Hello,")
    assert translation.get_language() == "en"  # the override for the Russian letter did not leak


def test_the_task_runs_every_15_minutes_under_celery_beat():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "mentoring.tasks.send_meeting_reminders")
    assert entry["schedule"].minute == {0, 15, 30, 45}
    assert "mentoring.tasks.send_meeting_reminders" in app.tasks


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_running_at_once_remind_each_person_once(mentor, resident, programme):
    meeting = propose(mentor.user, [resident.user], programme, soon())
    meeting_respond(meeting=meeting, user=resident.user, accept=True)
    mail.outbox = []
    results = run_concurrently([meeting_reminders_send for _ in range(4)])
    assert sorted(result for _kind, result in results) == [0, 0, 0, 2], results
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentor.user.email, resident.user.email])
