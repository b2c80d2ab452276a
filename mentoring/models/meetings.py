"""Meetings between the two sides of a mentoring pair or group, absences and calendar feeds (issue 6)."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .core import Programme


class Absence(models.Model):
    """A recorded absence of anyone who meets (mentor or resident): leave, sickness, a course.

    A meeting proposed inside an absence of a participant is flagged before it is saved.
    """

    class Kind(models.TextChoices):
        LEAVE = "leave", _("annual leave")
        SICK = "sick", _("sick leave")
        STUDY = "study", _("course or study leave")
        OTHER = "other", _("other absence")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences",
                             verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LEAVE)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="absence_order"),
            models.CheckConstraint(condition=Q(kind__in=["leave", "sick", "study", "other"]),
                                   name="absence_kind_valid"),
        ]
        indexes = [models.Index(fields=["user", "ends_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"


class Meeting(models.Model):
    """A meeting proposed by either side; one-to-one (the mentor side and one resident) or a group meeting.

    `status` is the meeting's state as a whole, kept by `mentoring.meetings` from the participants' answers:
    proposed until an invitee accepts; declined when every invitee declined; cancelled by a participant.
    A meeting "took place" when it is accepted and has ended. `uid` and `sequence` feed the iCalendar
    event, so a subscribed calendar updates the event instead of duplicating it.
    """

    class Format(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("one-to-one")
        GROUP = "group", _("group")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="meetings",
                                  verbose_name=_("programme"))
    mentor_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("mentor"))
    format = models.CharField(_("format"), max_length=16, choices=Format.choices, default=Format.ONE_TO_ONE)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("proposed by"))
    clashes_acknowledged = models.BooleanField(
        _("clashes acknowledged"), default=False,
        help_text=_("The proposer saw a clash with a night duty or an absence and kept the time."))
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_order"),
            models.CheckConstraint(condition=Q(format__in=["one_to_one", "group"]), name="meeting_format_valid"),
            models.CheckConstraint(condition=Q(status__in=["proposed", "accepted", "declined", "cancelled"]),
                                   name="meeting_status_valid"),
        ]
        indexes = [models.Index(fields=["programme", "status", "starts_at"]),
                   models.Index(fields=["mentor_user", "starts_at"])]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.get_format_display()}"


class MeetingParticipant(models.Model):
    """One person at a meeting and their answer. The proposer's own row is accepted when proposed."""

    class Role(models.TextChoices):
        MENTOR = "mentor", _("mentor")
        MENTEE = "mentee", _("mentee")

    class Response(models.TextChoices):
        PENDING = "pending", _("awaiting an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants",
                                verbose_name=_("meeting"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="meeting_participations", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    response = models.CharField(_("answer"), max_length=16, choices=Response.choices, default=Response.PENDING)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("meeting participant")
        verbose_name_plural = _("meeting participants")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="meeting_participant_unique"),
            models.CheckConstraint(condition=Q(role__in=["mentor", "mentee"]), name="meeting_participant_role_valid"),
            models.CheckConstraint(condition=Q(response__in=["pending", "accepted", "declined"]),
                                   name="meeting_participant_response_valid"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_response_display()})"


class MeetingNote(models.Model):
    """A note on a meeting, visible to the meeting's participants only (not to the coordinator)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes", verbose_name=_("meeting"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting note")
        verbose_name_plural = _("meeting notes")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.author}: {self.text[:40]}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A secret address of a user's iCalendar feed. Revoking it makes the address answer 404 for good;
    a new address can be made at any time. At most one live address per user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds",
                             verbose_name=_("person"))
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True),
                                    name="calendar_feed_one_live_per_user"),
        ]

    def __str__(self):
        return f"{self.user} ({'revoked' if self.revoked_at else 'live'})"
