"""Campaigns and participation. Participation says only *that* an invited person answered (DESIGN.md section 3)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from organization.models import Department, Specialty
from residents.models import Cohort

from .questionnaire import Questionnaire

# The anonymity threshold may be raised per campaign, never set below this floor.
MIN_THRESHOLD = 3
DEFAULT_THRESHOLD = 5


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Audience(models.TextChoices):
        RESIDENTS = "residents", _("residents")
        MENTORS = "mentors", _("mentors")

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="campaigns",
                                   verbose_name=_("department"))
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="campaigns",
                                      verbose_name=_("questionnaire"))
    title = models.CharField(_("title"), max_length=200)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.RESIDENTS)
    # Residents of these cohorts / specialties / departments (none chosen: all of the campaign's department).
    cohorts = models.ManyToManyField(Cohort, blank=True, related_name="+", verbose_name=_("cohorts"))
    specialties = models.ManyToManyField(Specialty, blank=True, related_name="+", verbose_name=_("specialties"))
    departments = models.ManyToManyField(Department, blank=True, related_name="+", verbose_name=_("departments"))
    about_mentor = models.BooleanField(
        _("about the respondent's current mentor"), default=False,
        help_text=_("The mentor is filled in by the system from the assignment; respondents never choose it."))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    threshold = models.PositiveSmallIntegerField(
        _("anonymity threshold k"), default=DEFAULT_THRESHOLD,
        help_text=_("No figure is shown for fewer respondents than this (at least 3)."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gte=MIN_THRESHOLD), name="campaign_threshold_floor"),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="campaign_dates_order"),
            models.CheckConstraint(condition=Q(status__in=["draft", "open", "closed"]), name="campaign_status_valid"),
            models.CheckConstraint(condition=Q(audience__in=["residents", "mentors"]),
                                   name="campaign_audience_valid"),
        ]

    def __str__(self):
        return self.title


class Participation(models.Model):
    """An invitation, and whether it has been answered: never when, never which answers.

    One row per invited person and campaign (unique). `completed` flips once, by a conditional
    UPDATE in `surveys.submission.response_submit`, so concurrent submissions give one answer.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participations",
                                 verbose_name=_("campaign"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations",
                             verbose_name=_("user"))
    completed = models.BooleanField(_("answered"), default=False)
    invited = models.BooleanField(_("invitation sent"), default=False)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="participation_unique")]
        # A campaign's invited and answered counts read from the index alone (the campaign list's rates).
        indexes = [models.Index(fields=["campaign", "completed"], name="participation_rate_idx")]

    def __str__(self):
        return f"{self.campaign} · {self.user}"
