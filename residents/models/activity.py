from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from organization.models import ClinicalSite

from .roster import Resident


class ActivityKind(models.TextChoices):
    """Clinical work under the mentor (DESIGN.md section 2, Residents and curricula)."""

    MORNING_CONFERENCE = "morning_conference", _("morning conference")
    PATIENT_SUPERVISION = "patient_supervision", _("patient supervision by clinical protocols")
    ROUNDS = "rounds", _("rounds")
    CONSULTATION = "consultation", _("consultation")
    CLINICAL_REVIEW = "clinical_review", _("clinical review")
    PATHOLOGY_CONFERENCE = "pathology_conference", _("pathology conference")
    MANIPULATION = "manipulation", _("manipulation")
    LAB_INSTRUMENTAL = "lab_instrumental", _("laboratory and instrumental studies")
    HEALTH_EDUCATION = "health_education", _("health education of the population")
    UNIT_WORK = "unit_work", _("work in a hospital unit")
    EXAMINATION_SCREENING = "examination_screening", _("medical examination and screening")
    AUTOPSY = "autopsy", _("autopsy")
    ACTIVITY_REPORT = "activity_report", _("activity report")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    RETURNED = "returned", _("returned")


class Reviewable(models.Model):
    """What the mentor's confirmation adds to a logged entry. Confirmed entries are read-only."""

    status = models.CharField(_("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    review_comment = models.TextField(_("mentor's comment"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ActivityEntry(Reviewable):
    class Role(models.TextChoices):
        PERFORMED = "performed", _("performed")
        ASSISTED = "assisted", _("assisted")

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="activities",
                                 verbose_name=_("resident"))
    date = models.DateField(_("date"))
    kind = models.CharField(_("activity"), max_length=32, choices=ActivityKind.choices)
    manipulation_role = models.CharField(_("performed or assisted"), max_length=16, choices=Role.choices,
                                         blank=True)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    clinical_site = models.ForeignKey(ClinicalSite, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("clinical site"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("clinical activity")
        verbose_name_plural = _("clinical activities")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="activity_hours_range"),
            models.CheckConstraint(
                condition=(Q(kind="manipulation") & Q(manipulation_role__in=["performed", "assisted"]))
                | (~Q(kind="manipulation") & Q(manipulation_role="")),
                name="activity_manipulation_role",
            ),
            models.CheckConstraint(condition=Q(status__in=["pending", "confirmed", "returned"]),
                                   name="activity_status_valid"),
        ]
        indexes = [models.Index(fields=["resident", "status", "date"])]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class NightDuty(Reviewable):
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="night_duties",
                                 verbose_name=_("resident"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    clinical_site = models.ForeignKey(ClinicalSite, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("clinical site"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("night duty")
        verbose_name_plural = _("night duties")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="night_duty_order"),
            models.CheckConstraint(condition=Q(status__in=["pending", "confirmed", "returned"]),
                                   name="night_duty_status_valid"),
            models.UniqueConstraint(fields=["resident", "starts_at"], name="night_duty_unique_start"),
        ]
        indexes = [models.Index(fields=["resident", "status", "starts_at"])]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M}"
