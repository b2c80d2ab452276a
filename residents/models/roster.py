from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organization.models import AcademicYear, ClinicalSite, Specialty


class Cohort(models.Model):
    """An intake cohort: the residents of one specialty who started in one academic year."""

    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="cohorts",
                                  verbose_name=_("specialty"))
    intake_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="cohorts",
                                    verbose_name=_("intake academic year"))

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["specialty__code", "-intake_year__start_year"]
        constraints = [models.UniqueConstraint(fields=["specialty", "intake_year"], name="cohort_unique")]

    def __str__(self):
        return f"{self.specialty.code} · {self.intake_year}"


class Resident(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        ON_LEAVE = "on_leave", _("on leave")
        GRADUATED = "graduated", _("graduated")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Track(models.TextChoices):
        STANDARD = "standard", _("standard")
        SUPPORT = "support", _("support")
        RESEARCH = "research", _("research")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="resident_profile", verbose_name=_("user"))
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="residents",
                                  verbose_name=_("specialty"))
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="residents",
                               verbose_name=_("intake cohort"))
    year_of_study = models.PositiveSmallIntegerField(
        _("year of study"), validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    clinical_site = models.ForeignKey(ClinicalSite, on_delete=models.PROTECT, related_name="residents",
                                      verbose_name=_("clinical site"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    track = models.CharField(_("track"), max_length=16, choices=Track.choices, default=Track.STANDARD)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(condition=Q(year_of_study__gte=1) & Q(year_of_study__lte=6),
                                   name="resident_year_of_study_range"),
            models.CheckConstraint(condition=Q(status__in=["active", "on_leave", "graduated", "withdrawn"]),
                                   name="resident_status_valid"),
            models.CheckConstraint(condition=Q(track__in=["standard", "support", "research"]),
                                   name="resident_track_valid"),
        ]
        indexes = [models.Index(fields=["specialty", "status"])]

    def __str__(self):
        return self.user.full_name

    @property
    def department(self):
        return self.specialty.department
