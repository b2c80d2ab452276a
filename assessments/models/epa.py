from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mentoring.models import Mentor
from organization.models import Specialty
from residents.models import Resident


class SupervisionLevel(models.IntegerChoices):
    """The five supervision levels of the programme (DESIGN.md section 2, Entrustable professional activities)."""

    DIRECT = 1, _("Acts under direct supervision, the mentor present")
    INDIRECT = 2, _("Acts under indirect supervision, the mentor in another room and quickly available")
    DISTANT = 3, _("Acts with the mentor reachable at a distance")
    UNSUPERVISED = 4, _("Acts without a mentor")
    SUPERVISES = 5, _("Supervises and manages others")


LEVEL_RANGE = Q(level__gte=1) & Q(level__lte=5)


class EPA(models.Model):
    """An entrustable professional activity of a specialty's catalogue."""

    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="epas",
                                  verbose_name=_("specialty"))
    code = models.CharField(_("code"), max_length=20, help_text=_("e.g. EPA 1"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True,
                                    help_text=_("Retired EPAs keep their observations but are not offered."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("EPA")
        verbose_name_plural = _("EPAs")
        ordering = ["specialty__code", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["specialty", "code"], name="epa_unique_code")]

    def __str__(self):
        return f"{self.code} {self.title}"


class EPAExpectation(models.Model):
    """The supervision level an EPA is expected at by the end of a year of study."""

    epa = models.ForeignKey(EPA, on_delete=models.CASCADE, related_name="expectations", verbose_name=_("EPA"))
    year_of_study = models.PositiveSmallIntegerField(_("year of study"),
                                                     validators=[MinValueValidator(1), MaxValueValidator(6)])
    level = models.PositiveSmallIntegerField(_("expected level"), choices=SupervisionLevel.choices)

    class Meta:
        verbose_name = _("expected level")
        verbose_name_plural = _("expected levels")
        ordering = ["epa", "year_of_study"]
        constraints = [
            models.UniqueConstraint(fields=["epa", "year_of_study"], name="epa_expectation_unique"),
            models.CheckConstraint(condition=LEVEL_RANGE, name="epa_expectation_level_range"),
            models.CheckConstraint(condition=Q(year_of_study__gte=1) & Q(year_of_study__lte=6),
                                   name="epa_expectation_year_range"),
        ]

    def __str__(self):
        return f"{self.epa.code} · {self.year_of_study}: {self.level}"


class Observation(models.Model):
    """A mentor's observation of a resident performing an EPA, with the supervision level it needed."""

    class Setting(models.TextChoices):
        WARD = "ward", _("ward")
        DELIVERY_ROOM = "delivery_room", _("delivery room / operating theatre")
        INTENSIVE_CARE = "intensive_care", _("intensive care")
        OUTPATIENT = "outpatient", _("outpatient clinic")
        EMERGENCY = "emergency", _("emergency")
        SIMULATION = "simulation", _("simulation")
        OTHER = "other", _("other")

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="observations",
                                 verbose_name=_("resident"))
    epa = models.ForeignKey(EPA, on_delete=models.PROTECT, related_name="observations", verbose_name=_("EPA"))
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="observations",
                               verbose_name=_("mentor"))
    observed_on = models.DateField(_("date of the encounter"))
    level = models.PositiveSmallIntegerField(_("supervision level"), choices=SupervisionLevel.choices)
    setting = models.CharField(_("setting"), max_length=20, choices=Setting.choices, blank=True)
    went_well = models.TextField(_("what went well"), blank=True)
    to_improve = models.TextField(_("what to improve"), blank=True)
    is_late = models.BooleanField(_("recorded late"), default=False)
    acknowledged_at = models.DateTimeField(_("acknowledged by the resident"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("EPA observation")
        verbose_name_plural = _("EPA observations")
        ordering = ["-observed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=LEVEL_RANGE, name="observation_level_range"),
            models.CheckConstraint(
                condition=Q(setting__in=["", "ward", "delivery_room", "intensive_care", "outpatient", "emergency",
                                         "simulation", "other"]),
                name="observation_setting_valid",
            ),
        ]
        indexes = [
            # The latest observations of a (resident, EPA) pair first, their level in the index: the proposals count
            # reads the latest N of each pair from the index alone (assessments.entrustment.proposal_count).
            models.Index(fields=["resident", "epa", "-observed_on", "-id", "level"], name="observation_latest_idx"),
            models.Index(fields=["mentor", "created_at"]),
            # When the mentor last recorded each EPA (the observation form's EPAs, recently used first): one index
            # entry per EPA, not the EPA's observations of every mentor.
            models.Index(fields=["mentor", "epa", "created_at"], name="observation_mentor_epa_idx"),
        ]

    def __str__(self):
        return f"{self.epa.code} · {self.observed_on} · {self.level}"


class EntrustmentDecision(models.Model):
    """The level the coordinator has granted a resident for an EPA; every change is kept in `history`."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="entrustments",
                                 verbose_name=_("resident"))
    epa = models.ForeignKey(EPA, on_delete=models.PROTECT, related_name="entrustments", verbose_name=_("EPA"))
    level = models.PositiveSmallIntegerField(_("granted level"), choices=SupervisionLevel.choices)
    rationale = models.TextField(_("rationale"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"))
    history = HistoricalRecords(verbose_name=_("historical entrustment decision"),
                                verbose_name_plural=_("entrustment decision history"))

    class Meta:
        verbose_name = _("entrustment decision")
        verbose_name_plural = _("entrustment decisions")
        ordering = ["epa__position", "epa__code"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "epa"], name="entrustment_unique"),
            models.CheckConstraint(condition=LEVEL_RANGE, name="entrustment_level_range"),
            models.CheckConstraint(condition=~Q(rationale=""), name="entrustment_rationale_required"),
        ]

    def __str__(self):
        return f"{self.resident} · {self.epa.code}: {self.level}"
