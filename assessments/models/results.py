from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mentoring.models import Mentor
from organization.models import AcademicYear
from residents.models import Resident

SCORE = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


def _score_range(field):
    return Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": 100})


class ExamStage(models.TextChoices):
    """The independent assessments a resident sits: one intermediate certification a year, then the final one."""

    YEAR_1 = "year_1", _("intermediate certification, year 1")
    YEAR_2 = "year_2", _("intermediate certification, year 2")
    YEAR_3 = "year_3", _("intermediate certification, year 3")
    YEAR_4 = "year_4", _("intermediate certification, year 4")
    YEAR_5 = "year_5", _("intermediate certification, year 5")
    FINAL = "final", _("final certification")


class ExamResult(models.Model):
    """Test, OSCE and overall score of a resident at one stage. `overall_score` is computed by the service."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="exam_results",
                                 verbose_name=_("resident"))
    stage = models.CharField(_("stage"), max_length=10, choices=ExamStage.choices)
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("academic year"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    test_score = models.DecimalField(_("test score"), **SCORE)
    osce_score = models.DecimalField(_("OSCE score"), **SCORE)
    test_weight_pct = models.PositiveSmallIntegerField(_("weight of the test, %"),
                                                       validators=[MaxValueValidator(100)])
    overall_score = models.DecimalField(_("overall score"), **SCORE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(verbose_name=_("historical exam result"),
                                verbose_name_plural=_("exam result history"))

    class Meta:
        verbose_name = _("exam result")
        verbose_name_plural = _("exam results")
        ordering = ["resident__user__last_name", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "stage"], name="exam_result_unique_stage"),
            models.CheckConstraint(
                condition=_score_range("test_score") & _score_range("osce_score") & _score_range("overall_score")
                & Q(test_weight_pct__lte=100),
                name="exam_result_scores_range",
            ),
            models.CheckConstraint(condition=Q(stage__in=["year_1", "year_2", "year_3", "year_4", "year_5", "final"]),
                                   name="exam_result_stage_valid"),
        ]

    def __str__(self):
        return f"{self.resident} · {self.get_stage_display()}: {self.overall_score}"


class MentorEvaluation(models.Model):
    """The coordinator's yearly evaluation of a mentor (named, not anonymous). `score` is the criteria's mean."""

    CRITERIA = ("supervision", "feedback", "availability", "professionalism", "development")
    RATING = {"validators": [MinValueValidator(1), MaxValueValidator(5)]}

    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="evaluations",
                               verbose_name=_("mentor"))
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("academic year"))
    supervision = models.PositiveSmallIntegerField(_("quality of clinical supervision"), **RATING)
    feedback = models.PositiveSmallIntegerField(_("feedback to residents"), **RATING)
    availability = models.PositiveSmallIntegerField(_("availability to residents"), **RATING)
    professionalism = models.PositiveSmallIntegerField(_("professionalism and role modelling"), **RATING)
    development = models.PositiveSmallIntegerField(_("commitment to residents' progress and curricula"), **RATING)
    score = models.DecimalField(_("score"), max_digits=3, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("evaluated by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mentor evaluation")
        verbose_name_plural = _("mentor evaluations")
        ordering = ["-academic_year__start_year"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "academic_year"], name="mentor_evaluation_once_a_year"),
            models.CheckConstraint(
                condition=Q(supervision__gte=1, supervision__lte=5) & Q(feedback__gte=1, feedback__lte=5)
                & Q(availability__gte=1, availability__lte=5) & Q(professionalism__gte=1, professionalism__lte=5)
                & Q(development__gte=1, development__lte=5) & Q(score__gte=1, score__lte=5),
                name="mentor_evaluation_ratings_range",
            ),
        ]

    def __str__(self):
        return f"{self.mentor} · {self.academic_year}: {self.score}"


class TrackDecision(models.Model):
    """The coordinator's decision on a resident's track, with what suggested it. Keeping the track is a decision too."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="track_decisions",
                                 verbose_name=_("resident"))
    from_track = models.CharField(_("previous track"), max_length=16, choices=Resident.Track.choices)
    to_track = models.CharField(_("decided track"), max_length=16, choices=Resident.Track.choices)
    suggested_track = models.CharField(_("suggested track"), max_length=16, choices=Resident.Track.choices,
                                       blank=True)
    basis = models.CharField(_("basis of the suggestion"), max_length=300, blank=True)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("track decision")
        verbose_name_plural = _("track decisions")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="track_decision_reason_required"),
            models.CheckConstraint(
                condition=Q(from_track__in=["standard", "support", "research"])
                & Q(to_track__in=["standard", "support", "research"])
                & Q(suggested_track__in=["", "standard", "support", "research"]),
                name="track_decision_tracks_valid",
            ),
        ]

    def __str__(self):
        return f"{self.resident}: {self.from_track} → {self.to_track}"
