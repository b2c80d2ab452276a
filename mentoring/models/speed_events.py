"""Speed-mentoring events (DESIGN.md section 2, Mentoring models; issue 6).

Small groups of mentees rotate between experts in timed rounds; afterwards mentees rank the experts, experts
state preferences, the product proposes a matching (`mentoring.speed.propose_matching`) and the coordinator
confirms it, which creates clinical assignments through `mentoring.services.assignment_create`.
The unique constraints on `SpeedSlot` back the rotation's rules in the database.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from residents.models import Resident

from .core import Assignment, Mentor


class SpeedEvent(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", _("planning")
        RANKING = "ranking", _("collecting rankings")
        CONFIRMED = "confirmed", _("assignments confirmed")

    department = models.ForeignKey("organization.Department", on_delete=models.PROTECT,
                                   related_name="speed_events", verbose_name=_("department"))
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("first round starts at"))
    round_minutes = models.PositiveSmallIntegerField(_("round length (minutes)"), default=10)
    rounds = models.PositiveSmallIntegerField(_("number of rounds"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("speed-mentoring event")
        verbose_name_plural = _("speed-mentoring events")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(round_minutes__gte=3) & Q(round_minutes__lte=60),
                                   name="speed_event_round_length"),
            models.CheckConstraint(condition=Q(rounds__gte=1) & Q(rounds__lte=30), name="speed_event_rounds"),
            models.CheckConstraint(condition=Q(status__in=["planning", "ranking", "confirmed"]),
                                   name="speed_event_status_valid"),
        ]

    def __str__(self):
        return self.title


class SpeedExpert(models.Model):
    """An expert (a clinical mentor of the department) at a table of the event; `table` is 1-based."""

    event = models.ForeignKey(SpeedEvent, on_delete=models.CASCADE, related_name="experts",
                              verbose_name=_("event"))
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="+", verbose_name=_("expert"))
    table = models.PositiveSmallIntegerField(_("table"))

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["event", "table"]
        constraints = [
            models.UniqueConstraint(fields=["event", "mentor"], name="speed_expert_once"),
            models.UniqueConstraint(fields=["event", "table"], name="speed_expert_table_unique"),
        ]

    def __str__(self):
        return str(self.mentor)


class SpeedGroup(models.Model):
    """A group of mentees that moves from table to table together; `number` is 1-based."""

    event = models.ForeignKey(SpeedEvent, on_delete=models.CASCADE, related_name="groups", verbose_name=_("event"))
    number = models.PositiveSmallIntegerField(_("group"))

    class Meta:
        verbose_name = _("mentee group")
        verbose_name_plural = _("mentee groups")
        ordering = ["event", "number"]
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="speed_group_number_unique")]

    def __str__(self):
        return f"{self.number}"


class SpeedGroupMember(models.Model):
    event = models.ForeignKey(SpeedEvent, on_delete=models.CASCADE, related_name="members", verbose_name=_("event"))
    group = models.ForeignKey(SpeedGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("group"))
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+", verbose_name=_("mentee"))

    class Meta:
        verbose_name = _("mentee")
        verbose_name_plural = _("mentees")
        constraints = [models.UniqueConstraint(fields=["event", "resident"], name="speed_member_once")]

    def __str__(self):
        return f"{self.resident} ({self.group})"


class SpeedSlot(models.Model):
    """One meeting of the rotation: in `round_number` (1-based) `group` sits at `expert`'s table.

    The constraints are the rotation's rules: nobody in two places in a round, each pair at most once.
    """

    event = models.ForeignKey(SpeedEvent, on_delete=models.CASCADE, related_name="slots", verbose_name=_("event"))
    round_number = models.PositiveSmallIntegerField(_("round"))
    group = models.ForeignKey(SpeedGroup, on_delete=models.CASCADE, related_name="slots", verbose_name=_("group"))
    expert = models.ForeignKey(SpeedExpert, on_delete=models.CASCADE, related_name="slots",
                               verbose_name=_("expert"))

    class Meta:
        verbose_name = _("round slot")
        verbose_name_plural = _("round slots")
        ordering = ["event", "round_number", "expert__table"]
        constraints = [
            models.UniqueConstraint(fields=["event", "round_number", "group"], name="speed_slot_group_once_per_round"),
            models.UniqueConstraint(fields=["event", "round_number", "expert"],
                                    name="speed_slot_expert_once_per_round"),
            models.UniqueConstraint(fields=["event", "group", "expert"], name="speed_slot_pair_once"),
            models.CheckConstraint(condition=Q(round_number__gte=1), name="speed_slot_round_positive"),
        ]

    def __str__(self):
        return f"{self.round_number}: {self.group} / {self.expert}"


class SpeedChoice(models.Model):
    """A mentee's ranking of an expert after the event (rank 1 = first choice)."""

    event = models.ForeignKey(SpeedEvent, on_delete=models.CASCADE, related_name="choices", verbose_name=_("event"))
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+", verbose_name=_("mentee"))
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="+", verbose_name=_("expert"))
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        verbose_name = _("mentee's choice")
        verbose_name_plural = _("mentees' choices")
        ordering = ["event", "resident", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["event", "resident", "mentor"], name="speed_choice_once"),
            models.UniqueConstraint(fields=["event", "resident", "rank"], name="speed_choice_rank_unique"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="speed_choice_rank_positive"),
        ]

    def __str__(self):
        return f"{self.resident}: {self.rank}. {self.mentor}"


class SpeedPreference(models.Model):
    """An expert's preference for a mentee after the event (rank 1 = most preferred)."""

    event = models.ForeignKey(SpeedEvent, on_delete=models.CASCADE, related_name="preferences",
                              verbose_name=_("event"))
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="+", verbose_name=_("expert"))
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+", verbose_name=_("mentee"))
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        verbose_name = _("expert's preference")
        verbose_name_plural = _("experts' preferences")
        ordering = ["event", "mentor", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["event", "mentor", "resident"], name="speed_preference_once"),
            models.UniqueConstraint(fields=["event", "mentor", "rank"], name="speed_preference_rank_unique"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="speed_preference_rank_positive"),
        ]

    def __str__(self):
        return f"{self.mentor}: {self.rank}. {self.resident}"


class SpeedMatch(models.Model):
    """A proposed (or coordinator-edited) pairing; confirming the event turns each into an assignment."""

    event = models.ForeignKey(SpeedEvent, on_delete=models.CASCADE, related_name="matches", verbose_name=_("event"))
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+", verbose_name=_("mentee"))
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="+", verbose_name=_("mentor"))
    edited = models.BooleanField(_("changed by the coordinator"), default=False)
    assignment = models.OneToOneField(Assignment, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("assignment"))

    class Meta:
        verbose_name = _("proposed assignment")
        verbose_name_plural = _("proposed assignments")
        ordering = ["event", "mentor", "resident"]
        constraints = [models.UniqueConstraint(fields=["event", "resident"], name="speed_match_one_per_mentee")]

    def __str__(self):
        return f"{self.resident} → {self.mentor}"
