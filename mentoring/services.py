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

from .eligibility import programme_capacity, programme_eligibility
from .models import Assignment, Mentor, MentorTraining, Programme


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


def clinical_programme(department: Department) -> Programme:
    """The department's classic clinical programme, created on first use (one per department, a DB rule)."""
    programme = Programme.objects.filter(department=department, kind=Programme.Kind.CLINICAL).first()
    if programme is None:
        try:
            with transaction.atomic():
                programme = Programme.objects.create(department=department, kind=Programme.Kind.CLINICAL,
                                                     name="Clinical mentoring")
        except IntegrityError:  # created meanwhile by a concurrent request
            programme = Programme.objects.get(department=department, kind=Programme.Kind.CLINICAL)
    return programme


def _lock_residents(*pks: int) -> dict[int, Resident]:
    """Lock the given resident rows in primary-key order, so two requests cannot deadlock."""
    rows = (Resident.objects.select_for_update(of=("self",)).select_related("specialty__department", "user")
            .filter(pk__in=pks).order_by("pk"))
    return {r.pk: r for r in rows}


@transaction.atomic
def assignment_create(*, resident: Resident, mentor: Mentor | None = None, peer: Resident | None = None,
                      programme: Programme | None = None, by=None, started_on: date | None = None) -> Assignment:
    """Assign `resident` to a mentor (or, in a near-peer programme, a senior resident `peer`) in `programme`
    (default: the department's classic clinical programme).

    Rules (DESIGN.md section 2, Assignment and Mentoring models): the resident is active and has no active
    mentor in this programme (nor another clinical mentor); the programme is active and of the resident's
    department; the mentor side belongs to the department and is eligible for the programme's kind
    (`eligibility.programme_eligibility`); the mentor side has fewer mentees in the programme than its
    maximum (the policy's for the clinical programme). Resident rows, then the mentor row, are locked in a
    fixed order so two requests cannot deadlock, and the capacity is counted under the lock; partial unique
    constraints back the one-mentor rules.
    """
    if (mentor is None) == (peer is None):
        raise AssignmentRefused(_("Choose either a mentor or a senior resident as the mentor."))
    today = timezone.localdate()
    started_on = started_on or today
    residents = _lock_residents(resident.pk, *([peer.pk] if peer is not None else []))
    resident = residents[resident.pk]
    department = resident.specialty.department
    if programme is None:
        programme = clinical_programme(department)
    # Locked (after the residents, before the mentor: the order programme_update uses too) so a lowered
    # maximum and a new assignment cannot pass each other.
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    policy = policy_for(department)
    if mentor is not None:
        mentor = Mentor.objects.select_for_update(of=("self",)).select_related(
            "specialty__department", "user").get(pk=mentor.pk)
        side, side_department_id = mentor, mentor.specialty.department_id
    else:
        if peer.pk == resident.pk:
            raise AssignmentRefused(_("A resident cannot mentor themselves."))
        if programme.kind != Programme.Kind.NEAR_PEER:
            raise AssignmentRefused(_("Only a near-peer programme has residents as mentors."))
        peer = residents[peer.pk]
        side, side_department_id = peer, peer.specialty.department_id

    if programme.department_id != department.pk:
        raise AssignmentRefused(_("%(programme)s is a programme of another department.") % {"programme": programme})
    if not programme.is_active:
        raise AssignmentRefused(_("%(programme)s is closed to new assignments.") % {"programme": programme})
    if side_department_id != department.pk:
        raise AssignmentRefused(_("%(mentor)s is a mentor of another department.") % {"mentor": side})
    if resident.status != Resident.Status.ACTIVE:
        raise AssignmentRefused(_("%(resident)s is not active (%(status)s).") % {
            "resident": resident, "status": resident.get_status_display()})
    if started_on > today:
        raise AssignmentRefused(_("An assignment cannot start in the future."))
    current = (Assignment.objects.filter(resident=resident, programme=programme, ended_on__isnull=True)
               .select_related("mentor__user", "peer__user").first())
    if current is not None:
        if (current.mentor_id, current.peer_id) == (getattr(mentor, "pk", None), getattr(peer, "pk", None)):
            raise AssignmentRefused(_("%(resident)s is already assigned to %(mentor)s.") % {
                "resident": resident, "mentor": side})
        if programme.is_clinical:
            raise AssignmentRefused(
                _("%(resident)s already has a mentor (%(mentor)s); end or reassign that assignment first.")
                % {"resident": resident, "mentor": current.mentor_side})
        raise AssignmentRefused(
            _("%(resident)s already has a mentor in %(programme)s (%(mentor)s); end that assignment first.")
            % {"resident": resident, "programme": programme, "mentor": current.mentor_side})
    reasons = programme_eligibility(programme, mentee=resident, mentor=mentor, peer=peer, policy=policy, today=today)
    if reasons:
        raise AssignmentRefused(
            _("%(mentor)s cannot receive residents: %(reasons)s.") % {"mentor": side, "reasons": "; ".join(reasons)})
    _minimum, maximum = programme_capacity(programme, policy)
    load = Assignment.objects.filter(programme=programme, ended_on__isnull=True)
    active = (load.filter(mentor=mentor) if mentor is not None else load.filter(peer=peer)).count()
    if active >= maximum:
        raise AssignmentRefused(
            _("%(mentor)s already has %(count)d residents, the maximum is %(max)d.") % {
                "mentor": side, "count": active, "max": maximum})
    try:
        with transaction.atomic():
            return Assignment.objects.create(resident=resident, programme=programme, kind=programme.kind,
                                             mentor=mentor, peer=peer, started_on=started_on, created_by=by)
    except IntegrityError:
        # Only reachable if a concurrent writer bypassed the row lock; the constraint still holds.
        raise AssignmentRefused(_("%(resident)s already has a mentor.") % {"resident": resident}) from None


@transaction.atomic
def assignment_end(*, assignment: Assignment, by=None, reason: str, ended_on: date | None = None) -> Assignment:
    """End an active assignment, keeping it in the history with the reason; the pair's future meetings in
    the programme are withdrawn (`meetings.meetings_of_ended_assignment_withdraw`)."""
    today = timezone.localdate()
    ended_on = ended_on or today
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("resident", "mentor", "peer").get(
        pk=assignment.pk)
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
    from .meetings import meetings_of_ended_assignment_withdraw  # meetings build on assignments, not the reverse

    meetings_of_ended_assignment_withdraw(assignment=assignment)
    return assignment


@transaction.atomic
def assignment_reassign(*, resident: Resident, mentor: Mentor, by=None, reason: str) -> Assignment:
    """End the resident's current clinical assignment (if any) and assign the new mentor, all or nothing."""
    current = Assignment.objects.filter(resident=resident, ended_on__isnull=True, kind="clinical").first()
    if current is not None:
        if current.mentor_id == mentor.pk:
            raise AssignmentRefused(_("%(resident)s is already assigned to %(mentor)s.") % {
                "resident": resident, "mentor": mentor})
        assignment_end(assignment=current, by=by, reason=reason)
    return assignment_create(resident=resident, mentor=mentor, by=by)
