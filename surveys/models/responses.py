"""Anonymous answers (DESIGN.md section 3).

Nothing here can point to a person, a session, a request or a moment finer than the campaign:
keys are random UUIDs, there are no timestamps, and rows reach `Response` only through
`surveys.release.release_pending`, in shuffled batches of at least k, rewritten as a whole.
`tests/test_survey_anonymity_schema.py` fails if a field that could identify someone is added.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentoring.models import Mentor
from organization.models import Department

from .campaign import Campaign
from .questionnaire import Item, Option


class PendingSubmission(models.Model):
    """A submitted questionnaire waiting for release. Deleted when released; the table is vacuumed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Mentor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # {item id (str): value}: int/decimal string for scales, option values for choices, text for free text.
    answers = models.JSONField()

    class Meta:
        verbose_name = _("pending submission")
        verbose_name_plural = _("pending submissions")

    def __str__(self):
        return str(_("A pending submission"))


class Response(models.Model):
    """One person's answers to one campaign, without the person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses",
                                 verbose_name=_("campaign"))
    # The respondent's mentor, filled in by the server from the assignment (campaigns about the mentor).
    subject = models.ForeignKey(Mentor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("mentor the answers are about"))

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self):
        return str(_("A response to %(campaign)s") % {"campaign": self.campaign})


class Theme(models.Model):
    """A theme a coordinator tags free-text comments with (e.g. "feedback", "time for teaching")."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="survey_themes",
                                   verbose_name=_("department"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("comment theme")
        verbose_name_plural = _("comment themes")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="theme_unique")]

    def __str__(self):
        return self.name


class Answer(models.Model):
    """One answer to one item: one value, a number (scales and number items), a text or an option. A choice item
    has one row per chosen option; any other item at most one row per response (surveys.stats.item_counts counts
    the respondents of such items by their rows)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers",
                                 verbose_name=_("response"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item"))
    option = models.ForeignKey(Option, on_delete=models.PROTECT, null=True, blank=True, related_name="answers",
                               verbose_name=_("option"))
    number = models.DecimalField(_("number"), max_digits=9, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="answers", verbose_name=_("themes"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["item", "number"]), models.Index(fields=["item", "option"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(option__isnull=True, number__isnull=True) | Q(option__isnull=True, text="")
                           | Q(number__isnull=True, text="")),
                name="answer_one_value"),
            models.UniqueConstraint(fields=["response", "item"], condition=Q(option__isnull=True),
                                    name="answer_once_per_item_without_option"),
        ]

    def __str__(self):
        return self.text or str(self.option or self.number)
