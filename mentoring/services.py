"""Writes of the mentoring app. Each function enforces the rules it names, in a transaction."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import user_upsert
from organization.models import ClinicalSite, Department, QualificationCategory, Specialty
from organization.services import policy_for
from residents.models import Resident

from .eligibility import mentor_eligibility
from .models import Assignment, Mentor, MentorTraining


class AssignmentRefused(ValidationError):
    """An assignment the rules do not allow; the message says why in plain words."""


@dataclass
class MentorData:
    email: str
    first_name: str
    last_name: str
    specialty: Specialty
    clinical_site: ClinicalSite
    qualification_category: str
    practice_started_on: date
    middle_name: str = ""
    position: str = ""
    certificate_number: str = ""
    certificate_expires_on: date | None = None
    is_active: bool = True


def _validate_mentor(data: MentorData, department: Department, today: date) -> None:
    errors = {}
    if data.specialty.department_id != department.pk:
        errors["specialty"] = _("The specialty %(code)s does not belong to this department.") % {
            "code": data.specialty.code}
    if not data.clinical_site.departments.filter(pk=department.pk).exists():
        errors["clinical_site"] = _("The clinical site %(site)s does not serve this department.") % {
            "site": data.clinical_site.name}
    if data.qualification_category not in QualificationCategory.values:
        errors["qualification_category"] = _("Unknown qualification category: %(value)s") % {
            "value": data.qualification_category}
    if data.practice_started_on is None or data.practice_started_on > today:
        errors["practice_started_on"] = _("The start of practice cannot be in the future.")
    if bool(data.certificate_number) != bool(data.certificate_expires_on):
        errors["certificate_expires_on"] = _("Give both the certificate number and its expiry date, or neither.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def mentor_upsert(*, department: Department, data: MentorData, today: date | None = None) -> tuple[Mentor, str]:
    """Create or update the mentor with this e-mail in `department`.

    Returns (mentor, outcome), outcome one of "created", "updated", "unchanged".
    A mentor of another department is refused. The person may also be a coordinator.
    """
    today = today or timezone.localdate()
    _validate_mentor(data, department, today)
    existing = Mentor.objects.filter(user__email__iexact=data.email.strip()).select_related("specialty").first()
    if existing is not None and existing.specialty.department_id != department.pk:
        raise ValidationError({"email": _("%(email)s is a mentor of another department.") % {"email": data.email}})
    user, user_changed = user_upsert(email=data.email, first_name=data.first_name,
                                     last_name=data.last_name, middle_name=data.middle_name)
    values = {
        "specialty": data.specialty, "clinical_site": data.clinical_site, "position": data.position,
        "qualification_category": data.qualification_category, "practice_started_on": data.practice_started_on,
        "certificate_number": data.certificate_number, "certificate_expires_on": data.certificate_expires_on,
        "is_active": data.is_active,
    }
    mentor = Mentor.objects.select_for_update().filter(user=user).first()
    if mentor is None:
        return Mentor.objects.create(user=user, **values), "created"
    changed = [k for k, v in values.items() if getattr(mentor, k) != v]
    if changed:
        for k in changed:
            setattr(mentor, k, values[k])
        mentor.save(update_fields=[*changed, "updated_at"])
    return mentor, "updated" if (changed or user_changed) else "unchanged"


def training_record(*, mentor: Mentor, kind: str, completed_on: date, provider: str = "",
                    today: date | None = None) -> tuple[MentorTraining, bool]:
    """Record a completed mentor training. A refresher needs a primary training before it."""
    today = today or timezone.localdate()
    if kind not in MentorTraining.Kind.values:
        raise ValidationError({"kind": _("Unknown training kind: %(value)s") % {"value": kind}})
    if completed_on > today:
        raise ValidationError({"completed_on": _("A training cannot be completed in the future.")})
    if kind == MentorTraining.Kind.REFRESHER:
        primary = mentor.trainings.filter(kind=MentorTraining.Kind.PRIMARY, completed_on__lte=completed_on)
        if not primary.exists():
            raise ValidationError({"kind": _("A refresher needs a primary mentor training completed before it.")})
    training, created = MentorTraining.objects.get_or_create(
        mentor=mentor, kind=kind, completed_on=completed_on, defaults={"provider": provider})
    return training, created


@transaction.atomic
def assignment_create(*, resident: Resident, mentor: Mentor, by=None, started_on: date | None = None) -> Assignment:
    """Assign `resident` to `mentor`.

    Rules (DESIGN.md section 2, Assignment): the resident is active and has no
    active mentor; the mentor is eligible, of the same department, and below the
    policy's maximum. The resident and mentor rows are locked (in that order, so
    two requests cannot deadlock) and the capacity counted under the lock; the
    partial unique constraint on active assignments backs the one-mentor rule.
    """
    today = timezone.localdate()
    started_on = started_on or today
    locked = {"of": ("self",)}
    resident = Resident.objects.select_for_update(**locked).select_related("specialty__department").get(pk=resident.pk)
    mentor = Mentor.objects.select_for_update(**locked).select_related("specialty__department", "user").get(
        pk=mentor.pk)
    department = resident.specialty.department
    policy = policy_for(department)

    if mentor.specialty.department_id != department.pk:
        raise AssignmentRefused(_("%(mentor)s is a mentor of another department.") % {"mentor": mentor})
    if resident.status != Resident.Status.ACTIVE:
        raise AssignmentRefused(_("%(resident)s is not active (%(status)s).") % {
            "resident": resident, "status": resident.get_status_display()})
    if started_on > today:
        raise AssignmentRefused(_("An assignment cannot start in the future."))
    current = Assignment.objects.filter(resident=resident, ended_on__isnull=True).select_related("mentor__user").first()
    if current is not None:
        if current.mentor_id == mentor.pk:
            raise AssignmentRefused(_("%(resident)s is already assigned to %(mentor)s.") % {
                "resident": resident, "mentor": mentor})
        raise AssignmentRefused(
            _("%(resident)s already has a mentor (%(mentor)s); end or reassign that assignment first.")
            % {"resident": resident, "mentor": current.mentor})
    eligibility = mentor_eligibility(mentor, policy=policy, today=today)
    if not eligibility.eligible:
        raise AssignmentRefused(
            _("%(mentor)s cannot receive residents: %(reasons)s.") % {
                "mentor": mentor, "reasons": "; ".join(eligibility.reasons)})
    active = Assignment.objects.filter(mentor=mentor, ended_on__isnull=True).count()
    if active >= policy.max_residents_per_mentor:
        raise AssignmentRefused(
            _("%(mentor)s already has %(count)d residents, the maximum is %(max)d.") % {
                "mentor": mentor, "count": active, "max": policy.max_residents_per_mentor})
    try:
        with transaction.atomic():
            return Assignment.objects.create(resident=resident, mentor=mentor, started_on=started_on, created_by=by)
    except IntegrityError:
        # Only reachable if a concurrent writer bypassed the row lock; the constraint still holds.
        raise AssignmentRefused(_("%(resident)s already has a mentor.") % {"resident": resident}) from None


@transaction.atomic
def assignment_end(*, assignment: Assignment, by=None, reason: str, ended_on: date | None = None) -> Assignment:
    """End an active assignment, keeping it in the history with the reason."""
    today = timezone.localdate()
    ended_on = ended_on or today
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.ended_on is not None:
        raise ValidationError(_("This assignment has already ended."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for ending the assignment.")})
    if ended_on < assignment.started_on or ended_on > today:
        raise ValidationError({"ended_on": _("The end date must be between the start date and today.")})
    assignment.ended_on = ended_on
    assignment.end_reason = reason.strip()
    assignment.ended_by = by
    assignment.save(update_fields=["ended_on", "end_reason", "ended_by"])
    return assignment


@transaction.atomic
def assignment_reassign(*, resident: Resident, mentor: Mentor, by=None, reason: str) -> Assignment:
    """End the resident's current assignment (if any) and assign the new mentor, all or nothing."""
    current = Assignment.objects.filter(resident=resident, ended_on__isnull=True).first()
    if current is not None:
        if current.mentor_id == mentor.pk:
            raise AssignmentRefused(_("%(resident)s is already assigned to %(mentor)s.") % {
                "resident": resident, "mentor": mentor})
        assignment_end(assignment=current, by=by, reason=reason)
    return assignment_create(resident=resident, mentor=mentor, by=by)
