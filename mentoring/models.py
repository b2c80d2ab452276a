from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from organization.models import ClinicalSite, QualificationCategory, Specialty
from residents.models import Resident


class Mentor(models.Model):
    """A clinical mentor. Eligibility is computed in `mentoring.eligibility`, never stored."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="mentor_profile", verbose_name=_("user"))
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="mentors",
                                  verbose_name=_("specialty"))
    clinical_site = models.ForeignKey(ClinicalSite, on_delete=models.PROTECT, related_name="mentors",
                                      verbose_name=_("clinical site"))
    position = models.CharField(_("position"), max_length=200, blank=True)
    qualification_category = models.CharField(
        _("qualification category"), max_length=16, choices=QualificationCategory.choices,
        default=QualificationCategory.NONE,
    )
    practice_started_on = models.DateField(
        _("practice in the specialty since"),
        help_text=_("Experience is counted from this date."),
    )
    certificate_number = models.CharField(_("specialist certificate number"), max_length=64, blank=True)
    certificate_expires_on = models.DateField(_("certificate valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(qualification_category__in=["highest", "first", "second", "none"]),
                name="mentor_category_valid",
            ),
        ]

    def __str__(self):
        return self.user.full_name

    @property
    def department(self):
        return self.specialty.department


class MentorTraining(models.Model):
    class Kind(models.TextChoices):
        PRIMARY = "primary", _("primary mentor training")
        REFRESHER = "refresher", _("refresher training")

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="trainings",
                               verbose_name=_("mentor"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    completed_on = models.DateField(_("completed on"))
    provider = models.CharField(_("provider"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("mentor training")
        verbose_name_plural = _("mentor trainings")
        ordering = ["-completed_on"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "kind", "completed_on"], name="training_unique"),
            models.CheckConstraint(condition=Q(kind__in=["primary", "refresher"]), name="training_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.completed_on:%Y-%m-%d}"


class Assignment(models.Model):
    """A resident under a mentor from `started_on` until `ended_on` (open while active).

    The rules (one active mentor per resident, the mentor's capacity, eligibility)
    are enforced by `mentoring.services.assignment_create`; the partial unique
    constraint backs the first one at the database level.
    """

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="assignments",
                                 verbose_name=_("resident"))
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="assignments",
                               verbose_name=_("mentor"))
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("assigned by"))
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+", verbose_name=_("ended by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["resident"], condition=Q(ended_on__isnull=True),
                                    name="assignment_one_active_per_resident"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                                   name="assignment_end_after_start"),
        ]
        indexes = [models.Index(fields=["mentor"], condition=Q(ended_on__isnull=True),
                                name="assignment_active_by_mentor")]

    def __str__(self):
        return f"{self.resident} → {self.mentor}"

    @property
    def is_active(self):
        return self.ended_on is None
