"""A resident's mentoring goals (action plan), agreed with the mentor and reviewed at meetings (issue 6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from residents.models import Resident

from .meetings import Meeting


class Goal(models.Model):
    """One goal of a resident's action plan. Overdue: past `due_on` and neither achieved nor dropped.

    A goal is agreed when the mentor side proposes it or confirms the resident's proposal
    (`agreed_by`, `agreed_on`); the rules live in `mentoring.goals`.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        ACHIEVED = "achieved", _("achieved")
        DROPPED = "dropped", _("dropped")

    OPEN_STATUSES = ("not_started", "in_progress")

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="goals",
                                 verbose_name=_("resident"))
    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(_("how it will be reached"), blank=True)
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("proposed by"))
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("agreed by"))
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    completed_on = models.DateField(_("achieved on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["not_started", "in_progress", "achieved", "dropped"]),
                                   name="goal_status_valid"),
            models.CheckConstraint(condition=Q(completed_on__isnull=True) | Q(status="achieved"),
                                   name="goal_completed_only_when_achieved"),
        ]
        indexes = [models.Index(fields=["resident", "status", "due_on"])]

    def __str__(self):
        return self.title


class GoalNote(models.Model):
    """A progress note on a goal, optionally written at (and linked to) a meeting where it was reviewed."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="notes", verbose_name=_("goal"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="goal_notes", verbose_name=_("reviewed at meeting"))
    text = models.TextField(_("progress"))
    status_after = models.CharField(_("status after the note"), max_length=16, choices=Goal.Status.choices,
                                    blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("goal progress note")
        verbose_name_plural = _("goal progress notes")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.goal}: {self.text[:40]}"
