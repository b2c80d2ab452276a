from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from organization.models import AcademicYear, Specialty

from .roster import Resident


class Discipline(models.Model):
    """A discipline of the specialty's programme, with its hours for the year of study."""

    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="disciplines",
                                  verbose_name=_("specialty"))
    name = models.CharField(_("name"), max_length=200)
    year_of_study = models.PositiveSmallIntegerField(_("year of study"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")
        ordering = ["specialty", "year_of_study", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["specialty", "year_of_study", "name"], name="discipline_unique"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="discipline_hours_positive"),
        ]

    def __str__(self):
        return self.name


class Curriculum(models.Model):
    """A resident's individual curriculum for one academic year.

    Workflow (residents.curricula): draft -> submitted -> approved, or submitted -> draft when the
    coordinator returns it with a comment. Only a draft can be edited.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="curricula",
                                 verbose_name=_("resident"))
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="curricula",
                                      verbose_name=_("academic year"))
    year_of_study = models.PositiveSmallIntegerField(_("year of study"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    return_comment = models.TextField(_("coordinator's comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("individual curriculum")
        verbose_name_plural = _("individual curricula")
        ordering = ["-academic_year__start_year"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "academic_year"], name="curriculum_one_per_year"),
            models.CheckConstraint(condition=Q(status__in=["draft", "submitted", "approved"]),
                                   name="curriculum_status_valid"),
        ]
        # The coordinator's dashboard counts the department's curricula awaiting approval on every view: a few of
        # the many curricula (one per resident and year), found by this index instead of a scan of them all.
        indexes = [models.Index(fields=["resident"], condition=Q(status="submitted"),
                                name="curriculum_submitted")]

    def __str__(self):
        return f"{self.resident} · {self.academic_year}"


class CurriculumItem(models.Model):
    """One discipline of a curriculum with its hours split into classroom, mentored clinical and independent work."""

    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="items",
                                   verbose_name=_("curriculum"))
    discipline = models.ForeignKey(Discipline, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("discipline"))
    total_hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    classroom_hours = models.DecimalField(_("classroom work, hours"), max_digits=6, decimal_places=1)
    clinical_hours = models.DecimalField(_("clinical work under the mentor, hours"), max_digits=6, decimal_places=1)
    independent_hours = models.DecimalField(_("independent work, hours"), max_digits=6, decimal_places=1)

    class Meta:
        verbose_name = _("curriculum discipline")
        verbose_name_plural = _("curriculum disciplines")
        ordering = ["discipline__position", "discipline__name"]
        constraints = [
            models.UniqueConstraint(fields=["curriculum", "discipline"], name="curriculum_item_unique"),
            models.CheckConstraint(
                condition=Q(classroom_hours__gte=0) & Q(clinical_hours__gte=0) & Q(independent_hours__gte=0)
                & Q(total_hours__gt=0)
                & Q(total_hours=F("classroom_hours") + F("clinical_hours") + F("independent_hours")),
                name="curriculum_item_hours_add_up",
            ),
        ]

    def __str__(self):
        return str(self.discipline)


class CurriculumEvent(models.Model):
    """The curriculum's workflow history: every transition, by whom, when, with the comment."""

    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="events",
                                   verbose_name=_("curriculum"))
    from_status = models.CharField(_("from"), max_length=16)
    to_status = models.CharField(_("to"), max_length=16)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                           verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("curriculum event")
        verbose_name_plural = _("curriculum events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"
