from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class QualificationCategory(models.TextChoices):
    HIGHEST = "highest", _("highest")
    FIRST = "first", _("first")
    SECOND = "second", _("second")
    NONE = "none", _("none")


class Department(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    university = models.CharField(_("university"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Coordinator(models.Model):
    """The coordinator role: a user coordinates one department per row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator_roles",
        verbose_name=_("user"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="coordinators", verbose_name=_("department")
    )

    class Meta:
        verbose_name = _("coordinator")
        verbose_name_plural = _("coordinators")
        constraints = [models.UniqueConstraint(fields=["user", "department"], name="coordinator_unique")]

    def __str__(self):
        return f"{self.user} — {self.department}"


class Specialty(models.Model):
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="specialties", verbose_name=_("department")
    )
    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("e.g. 7R011114"))
    name = models.CharField(_("name"), max_length=200)
    duration_years = models.PositiveSmallIntegerField(
        _("length in years"), validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    # The programme's rules (DESIGN.md section 2, Residents and curricula) as data.
    classroom_min_pct = models.PositiveSmallIntegerField(_("classroom work, minimum %"), default=10)
    classroom_max_pct = models.PositiveSmallIntegerField(_("classroom work, maximum %"), default=30)
    clinical_min_pct = models.PositiveSmallIntegerField(_("mentored clinical work, minimum %"), default=60)
    clinical_max_pct = models.PositiveSmallIntegerField(_("mentored clinical work, maximum %"), default=80)
    independent_min_pct = models.PositiveSmallIntegerField(_("independent work, minimum %"), default=10)
    independent_max_pct = models.PositiveSmallIntegerField(_("independent work, maximum %"), default=10)
    min_night_duties_per_month = models.PositiveSmallIntegerField(_("night duties per month, at least"), default=4)

    class Meta:
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_years__gte=1) & Q(duration_years__lte=6), name="specialty_duration_range"
            ),
            models.CheckConstraint(
                condition=Q(classroom_min_pct__lte=F("classroom_max_pct"))
                & Q(clinical_min_pct__lte=F("clinical_max_pct"))
                & Q(independent_min_pct__lte=F("independent_max_pct"))
                & Q(classroom_max_pct__lte=100) & Q(clinical_max_pct__lte=100) & Q(independent_max_pct__lte=100),
                name="specialty_split_bounds",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class ClinicalSite(models.Model):
    """A hospital or perinatal centre where residents work. Sites may serve several departments."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    departments = models.ManyToManyField(
        Department, related_name="clinical_sites", blank=True, verbose_name=_("departments")
    )

    class Meta:
        verbose_name = _("clinical site")
        verbose_name_plural = _("clinical sites")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AcademicYear(models.Model):
    """An academic year, e.g. 2025-2026 (1 September to 31 August)."""

    start_year = models.PositiveSmallIntegerField(_("first calendar year"), unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        ordering = ["-start_year"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="academic_year_order")]

    def __str__(self):
        return f"{self.start_year}-{self.start_year + 1}"


def default_accepted_categories():
    return [QualificationCategory.HIGHEST.value, QualificationCategory.FIRST.value]


class MentoringPolicy(models.Model):
    """The department's mentoring rules (DESIGN.md section 2) as data, not literals in code."""

    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="policy", verbose_name=_("department")
    )
    min_residents_per_mentor = models.PositiveSmallIntegerField(_("minimum residents per mentor"), default=3)
    max_residents_per_mentor = models.PositiveSmallIntegerField(_("maximum residents per mentor"), default=4)
    min_experience_years = models.PositiveSmallIntegerField(_("minimum years of experience"), default=5)
    accepted_categories = models.JSONField(
        _("accepted qualification categories"), default=default_accepted_categories
    )
    training_cycle_years = models.PositiveSmallIntegerField(_("refresher training every (years)"), default=3)
    warning_days = models.PositiveSmallIntegerField(
        _("warn this many days ahead"), default=90,
        help_text=_("Certificates expiring and trainings falling due within this many days are flagged."),
    )

    class Meta:
        verbose_name = _("mentoring policy")
        verbose_name_plural = _("mentoring policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_residents_per_mentor__lte=F("max_residents_per_mentor"))
                & Q(max_residents_per_mentor__gte=1),
                name="policy_capacity_order",
            ),
            models.CheckConstraint(condition=Q(training_cycle_years__gte=1), name="policy_cycle_positive"),
        ]

    def __str__(self):
        return str(_("Mentoring policy of %(department)s") % {"department": self.department})

    def clean(self):
        from django.core.exceptions import ValidationError

        valid = set(QualificationCategory.values)
        if not isinstance(self.accepted_categories, list) or not set(self.accepted_categories) <= valid:
            raise ValidationError({"accepted_categories": _("Choose from: highest, first, second, none.")})
        if self.min_residents_per_mentor > self.max_residents_per_mentor:
            raise ValidationError(_("The minimum number of residents cannot exceed the maximum."))
