"""EPA observations (DESIGN.md section 2, Entrustable professional activities).

The resident's active mentor records what the resident did (an EPA of the resident's specialty) and the
supervision level it needed, with short feedback; the resident sees it at once and acknowledges it.
Every rule lives here, so the pages, the admin, an import and a task obey the same ones.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.models import Assignment
from organization.validators import validate_no_patient_identifiers
from residents.models import Resident

from .models import EPA, Observation, SupervisionLevel
from .policy import assessment_policy_for


def _level(value) -> int | None:
    try:
        level = int(value)
    except (TypeError, ValueError):
        return None
    return level if level in SupervisionLevel.values else None


def is_late(observed_on: dt.date, recorded_on: dt.date, late_after_days: int) -> bool:
    """Recorded more than `late_after_days` days after the encounter (exactly that many is still on time)."""
    return (recorded_on - observed_on).days > late_after_days


@transaction.atomic
def observation_record(*, mentor_user, resident: Resident, epa: EPA, level, observed_on: dt.date | None = None,
                       setting: str = "", went_well: str = "", to_improve: str = "",
                       now: dt.datetime | None = None) -> Observation:
    """Record a mentor's observation of a resident performing an EPA.

    Rules: only the resident's active mentor records, and only for an active resident; the EPA is in use
    and belongs to the resident's specialty; the level is one of the five supervision levels; the date of
    the encounter defaults to today and cannot be in the future; an observation recorded more than the
    department's `late_after_days` (14 by default) after the encounter is marked late; the feedback
    carries no patient identifiers.
    """
    assignment = (Assignment.objects.select_related("mentor")
                  .filter(resident=resident, mentor__user=mentor_user, ended_on__isnull=True, kind="clinical").first()
                  if mentor_user is not None else None)
    if assignment is None:
        raise ValidationError(_("Only the resident's current mentor can record observations for %(name)s.")
                              % {"name": resident})
    if resident.status != Resident.Status.ACTIVE:
        raise ValidationError(_("Observations are recorded for active residents only; %(name)s is %(status)s.")
                              % {"name": resident, "status": resident.get_status_display()})

    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    if epa is None:
        add("epa", _("Choose the EPA you observed."))
    elif epa.specialty_id != resident.specialty_id:
        add("epa", _("%(epa)s belongs to another specialty's catalogue, not to %(specialty)s of %(name)s.")
            % {"epa": epa.code, "specialty": resident.specialty, "name": resident})
    elif not epa.is_active:
        add("epa", _("%(epa)s has been retired from the catalogue and is no longer recorded.") % {"epa": epa.code})
    level = _level(level)
    if level is None:
        add("level", _("Choose a supervision level from 1 to 5."))
    recorded_on = timezone.localdate(now) if now is not None else timezone.localdate()
    observed_on = observed_on or recorded_on
    if observed_on > recorded_on:
        add("observed_on", _("The date of the encounter cannot be in the future."))
    setting = setting or ""
    if setting not in {"", *Observation.Setting.values}:
        add("setting", _("Choose a setting from the list."))
    went_well, to_improve = (went_well or "").strip(), (to_improve or "").strip()
    for name, text in (("went_well", went_well), ("to_improve", to_improve)):
        try:
            validate_no_patient_identifiers(text, field=name)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    add(field, message)
    if errors:
        raise ValidationError(errors)

    policy = assessment_policy_for(resident.specialty.department)
    return Observation.objects.create(
        resident=resident, epa=epa, mentor=assignment.mentor, observed_on=observed_on, level=level, setting=setting,
        went_well=went_well, to_improve=to_improve,
        is_late=is_late(observed_on, recorded_on, policy.late_after_days))


@transaction.atomic
def observation_acknowledge(*, observation: Observation, by) -> Observation:
    """The resident confirms they have read an observation. Only the resident themself; acknowledging again
    keeps the first time."""
    observation = Observation.objects.select_for_update(of=("self",)).select_related("resident").get(
        pk=observation.pk)
    if by is None or by.pk != observation.resident.user_id:
        raise ValidationError(_("Only the resident can acknowledge their own observations."))
    if observation.acknowledged_at is None:
        observation.acknowledged_at = timezone.now()
        observation.save(update_fields=["acknowledged_at"])
    return observation
