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


class Programme(models.Model):
    """A mentoring programme of a department (DESIGN.md section 2, Mentoring models).

    Every department has exactly one classic clinical programme (the default, created on first use); its
    capacity is the department's `MentoringPolicy`. Near-peer and group programmes carry their own capacity
    per mentor (for a group programme: the size of each mentor's group). The eligibility rule of each kind
    lives in `mentoring.eligibility.programme_eligibility`.
    """

    class Kind(models.TextChoices):
        CLINICAL = "clinical", _("classic clinical mentoring")
        NEAR_PEER = "near_peer", _("near-peer mentoring")
        GROUP = "group", _("group mentoring")

    department = models.ForeignKey("organization.Department", on_delete=models.PROTECT, related_name="programmes",
                                   verbose_name=_("department"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CLINICAL)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    min_per_mentor = models.PositiveSmallIntegerField(
        _("minimum mentees per mentor"), null=True, blank=True,
        help_text=_("Fewer is flagged as under-used. The clinical programme uses the department's policy."))
    max_per_mentor = models.PositiveSmallIntegerField(
        _("maximum mentees per mentor"), null=True, blank=True,
        help_text=_("More is refused. In a group programme this is the size of each mentor's group."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mentoring programme")
        verbose_name_plural = _("mentoring programmes")
        ordering = ["department", "kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["clinical", "near_peer", "group"]),
                                   name="programme_kind_valid"),
            models.UniqueConstraint(fields=["department"], condition=Q(kind="clinical"),
                                    name="programme_one_clinical_per_department"),
            models.UniqueConstraint(fields=["department", "name"], name="programme_name_unique"),
            models.CheckConstraint(
                condition=Q(kind="clinical") | (Q(min_per_mentor__isnull=False) & Q(max_per_mentor__isnull=False)
                                                & Q(max_per_mentor__gte=1)
                                                & Q(min_per_mentor__lte=F("max_per_mentor"))),
                name="programme_capacity_given",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        """The clinical programme is named by its kind, in the reader's language; others by their name."""
        return str(self.get_kind_display()) if self.kind == self.Kind.CLINICAL else self.name

    @property
    def is_clinical(self):
        return self.kind == self.Kind.CLINICAL


class Assignment(models.Model):
    """A mentee under a mentor in a programme, from `started_on` until `ended_on` (open while active).

    The mentor side is a `Mentor` (clinical, group, or a junior doctor in a near-peer programme) or, in a
    near-peer programme only, a more senior resident (`peer`). `kind` repeats the programme's kind so the
    database itself can keep one active clinical mentor per resident. The rules (one active mentor per
    resident and programme, the capacity, the eligibility of the programme's kind) are enforced by
    `mentoring.services.assignment_create`; the partial unique constraints back them at the database level.
    """

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="assignments",
                                 verbose_name=_("resident"))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="assignments",
                                  verbose_name=_("programme"))
    kind = models.CharField(_("kind"), max_length=16, choices=Programme.Kind.choices,
                            default=Programme.Kind.CLINICAL, editable=False)
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="assignments", null=True, blank=True,
                               verbose_name=_("mentor"))
    peer = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="peer_assignments", null=True,
                             blank=True, verbose_name=_("peer mentor"))
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
            models.UniqueConstraint(fields=["resident"], condition=Q(ended_on__isnull=True, kind="clinical"),
                                    name="assignment_one_active_clinical_per_resident"),
            models.UniqueConstraint(fields=["resident", "programme"], condition=Q(ended_on__isnull=True),
                                    name="assignment_one_active_per_programme"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                                   name="assignment_end_after_start"),
            models.CheckConstraint(condition=Q(kind__in=["clinical", "near_peer", "group"]),
                                   name="assignment_kind_valid"),
            models.CheckConstraint(
                condition=(Q(mentor__isnull=False, peer__isnull=True)
                           | Q(mentor__isnull=True, peer__isnull=False, kind="near_peer")),
                name="assignment_one_mentor_side",
            ),
            models.CheckConstraint(condition=Q(peer__isnull=True) | ~Q(peer=F("resident")),
                                   name="assignment_peer_not_self"),
        ]
        indexes = [
            models.Index(fields=["mentor"], condition=Q(ended_on__isnull=True), name="assignment_active_by_mentor"),
            models.Index(fields=["peer"], condition=Q(ended_on__isnull=True), name="assignment_active_by_peer"),
        ]

    def __str__(self):
        return f"{self.resident} → {self.mentor_side}"

    @property
    def is_active(self):
        return self.ended_on is None

    @property
    def mentor_side(self):
        """The person who mentors: the `Mentor` or, in a near-peer programme, the senior resident."""
        return self.mentor if self.mentor_id is not None else self.peer

    @property
    def mentor_user_id(self):
        return self.mentor_side.user_id
