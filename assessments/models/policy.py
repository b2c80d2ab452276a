from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from organization.models import Department


class AssessmentPolicy(models.Model):
    """The department's assessment rules as data (DESIGN.md section 2, EPA and Assessment).

    `assessments.policy.assessment_policy_for` returns the department's row, or these defaults until one is saved.
    """

    department = models.OneToOneField(Department, on_delete=models.CASCADE, related_name="assessment_policy",
                                      verbose_name=_("department"))
    proposal_window = models.PositiveSmallIntegerField(
        _("observations behind a proposal"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("A level is proposed for an EPA when this many of the latest observations are at or above it."),
    )
    late_after_days = models.PositiveSmallIntegerField(
        _("late after (days)"), default=14,
        help_text=_("An observation recorded more than this many days after the encounter is marked late."),
    )
    test_weight_pct = models.PositiveSmallIntegerField(
        _("weight of the test in the overall score, %"), default=50,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The OSCE carries the rest."),
    )
    support_score_below = models.DecimalField(
        _("support track: overall score below"), max_digits=5, decimal_places=2, default=Decimal("70.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    support_epas_behind = models.PositiveSmallIntegerField(
        _("support track: EPAs behind the expected level, at least"), default=2,
        validators=[MinValueValidator(1)],
    )
    research_score_from = models.DecimalField(
        _("research track: overall score from"), max_digits=5, decimal_places=2, default=Decimal("90.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("assessment policy")
        verbose_name_plural = _("assessment policies")
        constraints = [
            models.CheckConstraint(condition=Q(proposal_window__gte=1) & Q(proposal_window__lte=10),
                                   name="assessment_policy_window_range"),
            models.CheckConstraint(condition=Q(test_weight_pct__lte=100), name="assessment_policy_weight_range"),
            models.CheckConstraint(
                condition=Q(support_score_below__gte=0) & Q(research_score_from__lte=100)
                & Q(support_score_below__lt=F("research_score_from")),
                name="assessment_policy_thresholds",
            ),
            models.CheckConstraint(condition=Q(support_epas_behind__gte=1), name="assessment_policy_behind_positive"),
        ]

    def __str__(self):
        return str(_("Assessment policy of %(department)s") % {"department": self.department})
