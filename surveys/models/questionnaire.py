"""Questionnaires: sections of items a coordinator builds; shipped ones are installed from `surveys.shipped`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organization.models import Department


class Questionnaire(models.Model):
    class Audience(models.TextChoices):
        RESIDENTS = "residents", _("residents")
        MENTORS = "mentors", _("mentors")

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="questionnaires",
                                   verbose_name=_("department"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    intended_for = models.CharField(_("intended for"), max_length=16, choices=Audience.choices,
                                    default=Audience.RESIDENTS)
    about_mentor = models.BooleanField(
        _("about the respondent's mentor"), default=False,
        help_text=_("The questions are about the respondent's current mentor."))
    shipped_key = models.CharField(_("shipped questionnaire"), max_length=50, blank=True, editable=False)
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="copies", verbose_name=_("copied from"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(intended_for__in=["residents", "mentors"]),
                                   name="questionnaire_audience_valid"),
        ]

    def __str__(self):
        return self.title


class Section(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sections",
                                      verbose_name=_("questionnaire"))
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "id"]

    def __str__(self):
        return self.title


class Item(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", _("agreement, 5 points")
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        YES_NO = "yes_no", _("yes / no")
        NUMBER = "number", _("number")
        TEXT = "text", _("free text")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)
    SCALE_KINDS = (Kind.LIKERT, Kind.YES_NO, Kind.NUMBER)

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items", verbose_name=_("section"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("explanation"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The variable name in exports and the codebook (SPSS-friendly: a letter, then letters, digits, _).
    code = models.CharField(_("variable name"), max_length=32)
    number_min = models.IntegerField(_("smallest number"), null=True, blank=True)
    number_max = models.IntegerField(_("largest number"), null=True, blank=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["section__position", "section_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["likert", "single", "multiple", "yes_no", "number", "text"]),
                name="item_kind_valid"),
            models.CheckConstraint(
                condition=Q(number_min__isnull=True) | Q(number_max__isnull=True)
                | Q(number_min__lte=models.F("number_max")),
                name="item_number_range_order"),
        ]

    def __str__(self):
        return self.text

    @property
    def has_options(self):
        return self.kind in self.CHOICE_KINDS


class Option(models.Model):
    """A choice of a single- or multiple-choice item; `value` is its code in exports."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="options", verbose_name=_("item"))
    label = models.CharField(_("label"), max_length=200)
    value = models.PositiveSmallIntegerField(_("code"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "value"], name="option_value_unique")]

    def __str__(self):
        return self.label
