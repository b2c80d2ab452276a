"""Clinical activity log and night duties (DESIGN.md section 2, Residents and curricula).

The resident logs activities and night duties; the resident's current mentor confirms them or returns them
with a comment; the resident fixes a returned item, which goes back to the mentor. Confirmed items are
read-only. Every rule lives here, so the pages, the admin, an import and a task obey the same ones.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from organization.models import ClinicalSite
from organization.validators import validate_no_patient_identifiers

from .models import ActivityEntry, ActivityKind, NightDuty, Resident, ReviewStatus
from .selectors import mentee_ids

# How far back an activity or a duty may be logged: late entries cannot be checked by the mentor any more.
LOG_WINDOW_DAYS = 60
MAX_ENTRY_HOURS = Decimal(24)
MAX_DAY_HOURS = Decimal(24)
MAX_DUTY_LENGTH = dt.timedelta(hours=24)
# One bulk confirmation handles at most this many items (a month of a mentor's four residents fits easily).
MAX_BULK_CONFIRM = 500
ROLES = {ActivityEntry.Role.PERFORMED, ActivityEntry.Role.ASSISTED}


class Errors:
    """Collects field errors so the resident sees every problem at once, not one per submission."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str | None, message: str) -> None:
        self.errors.setdefault(field or "__all__", []).append(message)

    def check_note(self, text: str, field: str = "note") -> None:
        try:
            validate_no_patient_identifiers(text, field=field)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.add(name, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _check_logger(resident: Resident, by) -> None:
    if by is None or by.pk != resident.user_id:
        raise ValidationError(_("Only the resident logs their own activities and night duties."))
    if resident.status != Resident.Status.ACTIVE:
        raise ValidationError(_("Only an active resident can log activities and night duties; %(name)s is %(status)s.")
                              % {"name": resident, "status": resident.get_status_display()})


def _check_owner(item, by) -> None:
    if by is None or by.pk != item.resident.user_id:
        raise ValidationError(_("Only the resident who logged this entry can change it."))


def _check_not_confirmed(item) -> None:
    if item.status == ReviewStatus.CONFIRMED:
        raise ValidationError(_("This entry has been confirmed by the mentor and can no longer be changed."))


def _lock_resident(resident: Resident) -> None:
    # Serialises a resident's writes, so two submissions at once cannot both pass the day-total and overlap rules.
    list(Resident.objects.select_for_update().filter(pk=resident.pk).order_by().values_list("pk", flat=True))


def _check_site(errors: Errors, resident: Resident, site: ClinicalSite) -> None:
    if not site.departments.filter(pk=resident.specialty.department_id).exists():
        errors.add("clinical_site", _("The clinical site %(site)s does not serve your department.") % {"site": site})


def _hours(errors: Errors, value) -> Decimal | None:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors.add("hours", _("Enter the hours as a number, e.g. 1.5."))
        return None
    if not hours.is_finite() or not Decimal(0) < hours <= MAX_ENTRY_HOURS:
        errors.add("hours", _("Hours must be more than 0 and at most 24."))
        return None
    if hours != hours.quantize(Decimal("0.1")):
        errors.add("hours", _("Give the hours with at most one decimal place, e.g. 1.5."))
        return None
    return hours.quantize(Decimal("0.1"))


def _validate_entry(*, resident: Resident, kind: str, manipulation_role: str, hours, day: dt.date,
                    site: ClinicalSite, note: str, check_window: bool, exclude_pk=None) -> Decimal:
    errors = Errors()
    if kind not in ActivityKind.values:
        errors.add("kind", _("Choose an activity from the list."))
    elif kind == ActivityKind.MANIPULATION and manipulation_role not in ROLES:
        errors.add("manipulation_role", _("Say whether you performed the manipulation or assisted."))
    elif kind != ActivityKind.MANIPULATION and manipulation_role:
        errors.add("manipulation_role", _("Only a manipulation is logged as performed or assisted."))
    amount = _hours(errors, hours)
    today = timezone.localdate()
    if day > today:
        errors.add("date", _("The date cannot be in the future."))
    elif check_window and day < today - dt.timedelta(days=LOG_WINDOW_DAYS):
        errors.add("date", _("This date is more than %(days)d days ago: activities are logged within %(days)d days, "
                             "while the mentor can still confirm them.") % {"days": LOG_WINDOW_DAYS})
    _check_site(errors, resident, site)
    errors.check_note(note)
    if amount is not None and "date" not in errors.errors:
        others = (ActivityEntry.objects.filter(resident=resident, date=day).exclude(pk=exclude_pk)
                  .aggregate(total=Sum("hours"))["total"]) or Decimal(0)
        if others + amount > MAX_DAY_HOURS:
            errors.add("hours", _("%(date)s already has %(logged)s hours logged; with %(hours)s more the day would "
                                  "exceed 24 hours.") % {"date": formats.date_format(day, "SHORT_DATE_FORMAT"),
                                                          "logged": floatformat(others, -1),
                                                          "hours": floatformat(amount, -1)})
    errors.raise_if_any()
    return amount


@transaction.atomic
def activity_log(*, resident: Resident, by, kind: str, hours, date: dt.date | None = None,
                 clinical_site: ClinicalSite | None = None, manipulation_role: str = "",
                 note: str = "") -> ActivityEntry:
    """Log a clinical activity, awaiting the mentor's confirmation.

    Rules: only the resident themself, and only while active; a kind from the list, a manipulation as
    performed or assisted; hours in (0, 24] with one decimal, at most 24 hours in a day; not in the future
    and not more than LOG_WINDOW_DAYS ago; a clinical site of the resident's department (their own by
    default); no patient identifiers in the note. The date defaults to today.
    """
    _check_logger(resident, by)
    _lock_resident(resident)
    day = date or timezone.localdate()
    site = clinical_site or resident.clinical_site
    note, role = (note or "").strip(), manipulation_role or ""
    amount = _validate_entry(resident=resident, kind=kind, manipulation_role=role, hours=hours, day=day, site=site,
                             note=note, check_window=True)
    return ActivityEntry.objects.create(resident=resident, date=day, kind=kind, manipulation_role=role, hours=amount,
                                        clinical_site=site, note=note)


@transaction.atomic
def activity_update(*, entry: ActivityEntry, by, kind: str, hours, date: dt.date | None = None,
                    clinical_site: ClinicalSite | None = None, manipulation_role: str = "",
                    note: str = "") -> ActivityEntry:
    """Change an entry awaiting confirmation or returned by the mentor; it goes (back) to the mentor.

    A confirmed entry is read-only. The rules of `activity_log` apply; the LOG_WINDOW_DAYS limit only to a
    changed date, so a returned entry can be fixed whatever its age. The mentor's comment is kept so the
    mentor sees what they asked for.
    """
    entry = (ActivityEntry.objects.select_for_update(of=("self",))
             .select_related("resident__user", "resident__specialty").get(pk=entry.pk))
    _check_owner(entry, by)
    _check_not_confirmed(entry)
    _check_logger(entry.resident, by)
    _lock_resident(entry.resident)
    day = date or entry.date
    site = clinical_site or entry.clinical_site
    note = (note or "").strip()
    amount = _validate_entry(resident=entry.resident, kind=kind, manipulation_role=manipulation_role or "",
                             hours=hours, day=day, site=site, note=note, check_window=day != entry.date,
                             exclude_pk=entry.pk)
    entry.kind, entry.manipulation_role, entry.hours = kind, manipulation_role or "", amount
    entry.date, entry.clinical_site, entry.note = day, site, note
    entry.status = ReviewStatus.PENDING
    entry.save()
    return entry


@transaction.atomic
def activity_delete(*, entry: ActivityEntry, by) -> None:
    """Delete an entry awaiting confirmation or returned; a confirmed entry is read-only."""
    entry = ActivityEntry.objects.select_for_update(of=("self",)).select_related("resident").get(pk=entry.pk)
    _check_owner(entry, by)
    _check_not_confirmed(entry)
    entry.delete()


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _short(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _validate_duty(*, resident: Resident, starts_at: dt.datetime, ends_at: dt.datetime, site: ClinicalSite,
                   note: str, check_window: bool, exclude_pk=None) -> None:
    errors = Errors()
    now = timezone.now()
    if ends_at <= starts_at:
        errors.add("ends_at", _("The end must be after the start."))
    elif ends_at - starts_at > MAX_DUTY_LENGTH:
        errors.add("ends_at", _("A night duty lasts at most 24 hours."))
    if ends_at > now:
        errors.add("ends_at", _("The end cannot be in the future: log a night duty once it is over."))
    if check_window and starts_at < now - dt.timedelta(days=LOG_WINDOW_DAYS):
        errors.add("starts_at", _("This duty started more than %(days)d days ago: night duties are logged within "
                                  "%(days)d days, while the mentor can still confirm them.")
                   % {"days": LOG_WINDOW_DAYS})
    _check_site(errors, resident, site)
    errors.check_note(note)
    if ends_at > starts_at:
        clash = (NightDuty.objects.filter(resident=resident, starts_at__lt=ends_at, ends_at__gt=starts_at)
                 .exclude(pk=exclude_pk).order_by("starts_at").first())
        if clash is not None:
            errors.add("starts_at", _("This duty overlaps another of your night duties (%(start)s – %(end)s).") % {
                "start": _short(clash.starts_at), "end": _short(clash.ends_at)})
    errors.raise_if_any()


@transaction.atomic
def night_duty_log(*, resident: Resident, by, starts_at: dt.datetime, ends_at: dt.datetime,
                   clinical_site: ClinicalSite | None = None, note: str = "") -> NightDuty:
    """Log a night duty, awaiting the mentor's confirmation.

    Rules: only the resident themself, and only while active; the end after the start, at most 24 hours,
    not in the future; started not more than LOG_WINDOW_DAYS ago; no overlap with the resident's other
    duties; a clinical site of the resident's department (their own by default); no patient identifiers.
    """
    _check_logger(resident, by)
    _lock_resident(resident)
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    site = clinical_site or resident.clinical_site
    note = (note or "").strip()
    _validate_duty(resident=resident, starts_at=starts_at, ends_at=ends_at, site=site, note=note, check_window=True)
    return NightDuty.objects.create(resident=resident, starts_at=starts_at, ends_at=ends_at, clinical_site=site,
                                    note=note)


@transaction.atomic
def night_duty_update(*, duty: NightDuty, by, starts_at: dt.datetime, ends_at: dt.datetime,
                      clinical_site: ClinicalSite | None = None, note: str = "") -> NightDuty:
    """Change a duty awaiting confirmation or returned; it goes (back) to the mentor. Confirmed duties are
    read-only. The rules of `night_duty_log` apply; the LOG_WINDOW_DAYS limit only to a changed start."""
    duty = (NightDuty.objects.select_for_update(of=("self",))
            .select_related("resident__user", "resident__specialty").get(pk=duty.pk))
    _check_owner(duty, by)
    _check_not_confirmed(duty)
    _check_logger(duty.resident, by)
    _lock_resident(duty.resident)
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    site = clinical_site or duty.clinical_site
    note = (note or "").strip()
    _validate_duty(resident=duty.resident, starts_at=starts_at, ends_at=ends_at, site=site, note=note,
                   check_window=starts_at != duty.starts_at, exclude_pk=duty.pk)
    duty.starts_at, duty.ends_at, duty.clinical_site, duty.note = starts_at, ends_at, site, note
    duty.status = ReviewStatus.PENDING
    duty.save()
    return duty


@transaction.atomic
def night_duty_delete(*, duty: NightDuty, by) -> None:
    """Delete a duty awaiting confirmation or returned; a confirmed duty is read-only."""
    duty = NightDuty.objects.select_for_update(of=("self",)).select_related("resident").get(pk=duty.pk)
    _check_owner(duty, by)
    _check_not_confirmed(duty)
    duty.delete()


@dataclass(frozen=True)
class ConfirmResult:
    entries: int  # activities confirmed
    duties: int  # night duties confirmed
    ignored: int  # ids not of the mentor's residents, or not awaiting confirmation


def _ids(values) -> set[int]:
    try:
        return {int(v) for v in values or ()}
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("The selection is not valid.")) from exc


@transaction.atomic
def activity_confirm(*, mentor_user, entry_ids=(), duty_ids=()) -> ConfirmResult:
    """Confirm activities and night duties, in one transaction.

    Only the resident's current (active) mentor confirms, and only items awaiting confirmation: any other
    id is left untouched and counted as ignored, so a forged or stale selection changes nothing outside
    the mentor's scope.
    """
    entry_ids, duty_ids = _ids(entry_ids), _ids(duty_ids)
    if len(entry_ids) + len(duty_ids) > MAX_BULK_CONFIRM:
        raise ValidationError(_("Confirm at most %(max)d items at once.") % {"max": MAX_BULK_CONFIRM})
    now = timezone.now()
    values = {"status": ReviewStatus.CONFIRMED, "reviewed_by": mentor_user, "reviewed_at": now, "updated_at": now}
    scope = {"status": ReviewStatus.PENDING, "resident__in": mentee_ids(mentor_user)}
    entries = ActivityEntry.objects.filter(pk__in=entry_ids, **scope).update(**values) if entry_ids else 0
    duties = NightDuty.objects.filter(pk__in=duty_ids, **scope).update(**values) if duty_ids else 0
    return ConfirmResult(entries=entries, duties=duties, ignored=len(entry_ids) + len(duty_ids) - entries - duties)


def _return(model, pk, *, mentor_user, comment: str):
    item = model.objects.select_for_update().get(pk=pk)
    if not Resident.objects.filter(pk=item.resident_id, pk__in=mentee_ids(mentor_user)).exists():
        raise ValidationError(_("Only the resident's current mentor reviews their entries."))
    if item.status != ReviewStatus.PENDING:
        raise ValidationError(_("Only an entry awaiting confirmation can be returned."))
    errors = Errors()
    comment = (comment or "").strip()
    if not comment:
        errors.add("comment", _("Say what the resident should correct."))
    errors.check_note(comment, field="comment")
    errors.raise_if_any()
    item.status, item.review_comment = ReviewStatus.RETURNED, comment
    item.reviewed_by, item.reviewed_at = mentor_user, timezone.now()
    item.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at", "updated_at"])
    return item


@transaction.atomic
def activity_return(*, mentor_user, entry: ActivityEntry, comment: str) -> ActivityEntry:
    """Return an activity awaiting confirmation to the resident with a required comment.

    Only the resident's current mentor; no patient identifiers in the comment."""
    return _return(ActivityEntry, entry.pk, mentor_user=mentor_user, comment=comment)


@transaction.atomic
def night_duty_return(*, mentor_user, duty: NightDuty, comment: str) -> NightDuty:
    """Return a night duty awaiting confirmation to the resident with a required comment (as `activity_return`)."""
    return _return(NightDuty, duty.pk, mentor_user=mentor_user, comment=comment)
