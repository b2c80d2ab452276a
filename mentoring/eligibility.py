"""Mentor eligibility, computed in one place (DESIGN.md section 2, Mentors).

A mentor may receive new residents when they are active, hold an accepted
qualification category, have enough years of practice in the specialty, hold a
valid specialist certificate, and have completed the primary mentor training with
a refresher at least once per training cycle. Every failed rule is reported in
plain words; rules about to fail are reported as warnings.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from organization.dates import add_years, duration_words, long_date, whole_months_between
from organization.models import MentoringPolicy, QualificationCategory


class TrainingStatus:
    CURRENT = "current"
    DUE = "due"
    OVERDUE = "overdue"
    MISSING = "missing"


class CertificateStatus:
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"


@dataclass
class Eligibility:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    experience_months: int = 0
    training_status: str = TrainingStatus.MISSING
    training_due_on: date | None = None
    certificate_status: str = CertificateStatus.MISSING

    def __bool__(self):
        return self.eligible


def _category_label(value: str) -> str:
    return str(QualificationCategory(value).label) if value in QualificationCategory.values else value


def evaluate(
    *,
    policy: MentoringPolicy,
    is_active: bool,
    qualification_category: str,
    practice_started_on: date | None,
    certificate_number: str,
    certificate_expires_on: date | None,
    primary_training_on: date | None,
    last_training_on: date | None,
    today: date,
) -> Eligibility:
    reasons: list[str] = []
    warnings: list[str] = []
    horizon = today + timedelta(days=policy.warning_days)

    if not is_active:
        reasons.append(_("Mentor is marked inactive"))

    accepted = list(policy.accepted_categories)
    if qualification_category not in accepted:
        names = _(" or ").join(_category_label(c) for c in accepted)
        reasons.append(
            _("Qualification category: %(category)s; %(accepted)s required")
            % {"category": _category_label(qualification_category), "accepted": names}
        )

    months = whole_months_between(practice_started_on, today) if practice_started_on else 0
    if months < policy.min_experience_years * 12:
        reasons.append(
            _("%(experience)s of experience, %(required)s required")
            % {"experience": duration_words(months), "required": duration_words(policy.min_experience_years * 12)}
        )

    if not certificate_number or certificate_expires_on is None:
        certificate_status = CertificateStatus.MISSING
        reasons.append(_("No specialist certificate recorded"))
    elif certificate_expires_on < today:
        certificate_status = CertificateStatus.EXPIRED
        reasons.append(_("Certificate expired on %(date)s") % {"date": long_date(certificate_expires_on)})
    elif certificate_expires_on <= horizon:
        certificate_status = CertificateStatus.EXPIRING
        warnings.append(_("Certificate expires on %(date)s") % {"date": long_date(certificate_expires_on)})
    else:
        certificate_status = CertificateStatus.VALID

    due_on = None
    if primary_training_on is None:
        training_status = TrainingStatus.MISSING
        reasons.append(_("Primary mentor training not completed"))
    else:
        due_on = add_years(max(primary_training_on, last_training_on or primary_training_on),
                           policy.training_cycle_years)
        if due_on < today:
            training_status = TrainingStatus.OVERDUE
            reasons.append(_("Refresher training overdue since %(date)s") % {"date": long_date(due_on)})
        elif due_on <= horizon:
            training_status = TrainingStatus.DUE
            warnings.append(_("Refresher training due by %(date)s") % {"date": long_date(due_on)})
        else:
            training_status = TrainingStatus.CURRENT

    return Eligibility(
        eligible=not reasons,
        reasons=reasons,
        warnings=warnings,
        experience_months=months,
        training_status=training_status,
        training_due_on=due_on,
        certificate_status=certificate_status,
    )


def mentor_eligibility(mentor, *, policy: MentoringPolicy | None = None, today: date | None = None) -> Eligibility:
    """Eligibility of one mentor.

    Uses the `primary_training_on` / `last_training_on` annotations from
    `selectors.mentors_annotated` when present, so lists need no extra queries.
    """
    from organization.services import policy_for

    from .models import MentorTraining

    today = today or timezone.localdate()
    if policy is None:
        policy = policy_for(mentor.specialty.department)
    if hasattr(mentor, "primary_training_on") and hasattr(mentor, "last_training_on"):
        primary, last = mentor.primary_training_on, mentor.last_training_on
    else:
        trainings = list(MentorTraining.objects.filter(mentor=mentor).values_list("kind", "completed_on"))
        primaries = [d for k, d in trainings if k == MentorTraining.Kind.PRIMARY]
        primary = min(primaries) if primaries else None
        last = max((d for _k, d in trainings), default=None)
    return evaluate(
        policy=policy,
        is_active=mentor.is_active,
        qualification_category=mentor.qualification_category,
        practice_started_on=mentor.practice_started_on,
        certificate_number=mentor.certificate_number,
        certificate_expires_on=mentor.certificate_expires_on,
        primary_training_on=primary,
        last_training_on=last,
        today=today,
    )


class Load:
    UNDER = "under"
    OK = "ok"
    FULL = "full"
    OVER = "over"


def load_of(count: int, minimum: int, maximum: int) -> str:
    """Load of one mentor side: over, full, under-used or ok against (minimum, maximum)."""
    if count > maximum:
        return Load.OVER
    if count == maximum:
        return Load.FULL
    if count < minimum:
        return Load.UNDER
    return Load.OK


def load_status(active_count: int, policy: MentoringPolicy) -> str:
    """Load of a clinical mentor against the department's policy."""
    return load_of(active_count, policy.min_residents_per_mentor, policy.max_residents_per_mentor)


# --- programmes (issue 6) -----------------------------------------------------------------------------------------


def programme_capacity(programme, policy: MentoringPolicy) -> tuple[int, int]:
    """(minimum, maximum) mentees per mentor: the department's policy for the clinical programme, else the
    programme's own values (in a group programme, the size of each mentor's group)."""
    if programme.kind == "clinical":
        return policy.min_residents_per_mentor, policy.max_residents_per_mentor
    return programme.min_per_mentor, programme.max_per_mentor


def programme_eligibility(programme, *, mentee, mentor=None, peer=None, policy: MentoringPolicy,
                          today: date) -> list[str]:
    """Why the mentor side may not mentor `mentee` in `programme`, in plain words (empty: eligible).

    - clinical and group: the clinical mentor rules (DESIGN.md section 2, Mentors);
    - near-peer: a junior doctor (an active `Mentor` with a valid certificate, without the experience or
      category rule), or a resident of the department at least one year of study more senior.
    """
    if programme.kind in ("clinical", "group"):
        if mentor is None:
            return [_("Only a clinical mentor can lead this programme")]
        return mentor_eligibility(mentor, policy=policy, today=today).reasons
    if mentor is not None:
        return _junior_doctor_reasons(mentor, mentor_eligibility(mentor, policy=policy, today=today))
    reasons = []
    if peer.status != "active":
        reasons.append(_("%(peer)s is not an active resident") % {"peer": peer})
    if peer.year_of_study < mentee.year_of_study + 1:
        reasons.append(_("%(peer)s is in year %(peer_year)d, a near-peer mentor must be at least one year of study "
                         "more senior than year %(year)d") % {"peer": peer, "peer_year": peer.year_of_study,
                                                            "year": mentee.year_of_study})
    return reasons


def _junior_doctor_reasons(mentor, result: Eligibility) -> list[str]:
    reasons = []
    if not mentor.is_active:
        reasons.append(_("Mentor is marked inactive"))
    if result.certificate_status in (CertificateStatus.MISSING, CertificateStatus.EXPIRED):
        reasons.append(_("No valid specialist certificate"))
    return reasons
