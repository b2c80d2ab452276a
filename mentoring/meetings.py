"""Meetings between the two sides of a mentoring pair or group, and absences (issue 6, item 2; DESIGN.md section 2,
Mentoring models).

Either side of an active assignment proposes a one-to-one meeting to the other side; the mentor side proposes a
group meeting to their mentees in a programme. The invitees accept or decline; `Meeting.status` follows the
answers. A meeting that clashes with a night duty or a recorded absence of a participant is refused until the
proposer acknowledges the clashes. Every write is here, so the pages, the admin, the demo and a task obey the
same rules. Each service takes an optional `now` (for tests and the demo's past meetings).

Decisions where the issue is silent:
- A night duty the mentor returned to the resident (`ReviewStatus.RETURNED`) is not a clash: it is under
  correction and its times are not trusted. Duties awaiting confirmation and confirmed ones are clashes.
- E-mails say who, when and where, with a link to the meeting page; the agenda, the notes and reasons stay in
  the product (e-mail leaves the hospital's system, as the calendar feed does).
- A group meeting is cancelled by its mentor only; a mentee who cannot come declines.
- The reason for cancelling is kept as a meeting note (visible to the participants only).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from organization.validators import validate_no_patient_identifiers
from residents.models import NightDuty, ReviewStatus

from .models import Absence, Assignment, Meeting, MeetingNote, MeetingParticipant, Programme
from .selectors import mentored_by

MAX_MEETING_LENGTH = timedelta(hours=8)
MAX_PROPOSE_AHEAD = timedelta(days=366)
MAX_ABSENCE_DAYS = 366
MAX_NOTE_LENGTH = 5000
MAX_REASON_LENGTH = 300
MAX_PLACE_LENGTH = 200
# Meetings whose status lets the invitees still answer and the participants cancel.
LIVE_STATUSES = (Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED)
Response = MeetingParticipant.Response


# Clashes ---------------------------------------------------------------------------------------------------------

def when(value: datetime) -> str:
    """A moment in plain words in the site's time zone, e.g. "March 12, 2026 17:00"."""
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'DATE_FORMAT')} {formats.time_format(local, 'H:i')}"


@dataclass(frozen=True)
class Clash:
    """A night duty or an absence of one person that overlaps a meeting."""

    person: User
    kind: str  # "night_duty" or an `Absence.Kind` value
    starts: datetime | date
    ends: datetime | date

    @property
    def is_night_duty(self) -> bool:
        return self.kind == "night_duty"

    @property
    def what(self) -> str:
        return _("night duty") if self.is_night_duty else str(Absence.Kind(self.kind).label)

    @property
    def message(self) -> str:
        """The clash in plain words, in the active language."""
        if self.is_night_duty:
            return _("%(person)s has a night duty from %(start)s to %(end)s.") % {
                "person": self.person.full_name, "start": when(self.starts), "end": when(self.ends)}
        return _("%(person)s is away (%(what)s) from %(start)s to %(end)s.") % {
            "person": self.person.full_name, "what": self.what,
            "start": formats.date_format(self.starts, "DATE_FORMAT"),
            "end": formats.date_format(self.ends, "DATE_FORMAT")}

    def __str__(self):
        return self.message


class MeetingClashes(ValidationError):
    """A proposed meeting clashes with night duties or absences, and the proposer has not acknowledged them."""

    def __init__(self, clashes: list[Clash]):
        self.clashes = clashes
        super().__init__({"acknowledge_clashes": [c.message for c in clashes]})


def _local_days(starts_at: datetime, ends_at: datetime) -> tuple[date, date]:
    """The first and last local day the meeting touches (a meeting ending at midnight ends the day before)."""
    return (timezone.localdate(starts_at),
            timezone.localdate(max(starts_at, ends_at - timedelta(microseconds=1))))


def meeting_clashes(*, users, starts_at: datetime, ends_at: datetime) -> list[Clash]:
    """Night duties of the residents among `users` that overlap the meeting (not those returned by the mentor),
    and absences of any of `users` on a local day of the meeting. Touching intervals are not clashes: a duty
    ending when the meeting starts is fine. Two queries, ordered by time."""
    user_ids = [u.pk for u in users]
    duties = (NightDuty.objects.filter(resident__user_id__in=user_ids, starts_at__lt=ends_at, ends_at__gt=starts_at)
              .exclude(status=ReviewStatus.RETURNED).select_related("resident__user").order_by("starts_at", "pk"))
    first_day, last_day = _local_days(starts_at, ends_at)
    absences = (Absence.objects.filter(user_id__in=user_ids, starts_on__lte=last_day, ends_on__gte=first_day)
                .select_related("user").order_by("starts_on", "pk"))
    clashes = [Clash(person=d.resident.user, kind="night_duty", starts=d.starts_at, ends=d.ends_at) for d in duties]
    clashes += [Clash(person=a.user, kind=a.kind, starts=a.starts_on, ends=a.ends_on) for a in absences]
    return clashes


# Notifications ---------------------------------------------------------------------------------------------------

def meeting_link(meeting_id: int) -> str:
    """The meeting page's address for e-mails and the calendar feed (settings.SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + reverse("mentoring:meeting_detail", args=[meeting_id])


def _mail(users, compose) -> None:
    """One e-mail per person, in the person's language, queued once the transaction commits."""
    from accounts.tasks import send_email

    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject, body = compose(user)
        transaction.on_commit(partial(send_email.delay, subject=subject, body=body, to=[user.email]))


def _letter(meeting: Meeting, opening: str) -> str:
    place = meeting.place or _("place not given")
    return "\n\n".join([
        _("Hello,"),
        opening,
        _("When: %(start)s – %(end)s\nWhere: %(place)s") % {
            "start": when(meeting.starts_at), "end": formats.time_format(timezone.localtime(meeting.ends_at), "H:i"),
            "place": place},
        _("Details, the agenda and the notes are on the meeting page (log in first): %(link)s") % {
            "link": meeting_link(meeting.pk)},
    ])


def _invitation(meeting: Meeting, proposer: User) -> tuple[str, str]:
    figures = {"person": proposer.full_name, "start": when(meeting.starts_at)}
    if meeting.format == Meeting.Format.GROUP:
        opening = _("%(person)s invites you to a group mentoring meeting on %(start)s. Please accept or decline it "
                    "on the meeting page.") % figures
    else:
        opening = _("%(person)s proposes a mentoring meeting on %(start)s. Please accept or decline it on the "
                    "meeting page.") % figures
    return _("Mentoring meeting proposed: %(start)s") % figures, _letter(meeting, opening)


# Meetings --------------------------------------------------------------------------------------------------------

def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _unique_users(users) -> list[User]:
    seen, result = set(), []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            result.append(user)
    return result


def _validate_times(errors: dict, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        errors["starts_at"] = _("A meeting must start in the future.")
    elif starts_at > now + MAX_PROPOSE_AHEAD:
        errors["starts_at"] = _("A meeting can be proposed at most a year ahead.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    elif ends_at - starts_at > MAX_MEETING_LENGTH:
        errors["ends_at"] = _("A meeting lasts at most %(hours)d hours.") % {
            "hours": int(MAX_MEETING_LENGTH.total_seconds() // 3600)}


def _check_text(errors: dict, field: str, text: str, *, required: bool, max_length: int) -> str:
    text = (text or "").strip()
    if required and not text:
        errors[field] = _("This field is required.")
    elif len(text) > max_length:
        errors[field] = _("At most %(count)d characters.") % {"count": max_length}
    else:
        try:
            validate_no_patient_identifiers(text, field=field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return text


def _invitees_and_mentor(proposer: User, programme: Programme, invitees: list[User], format: str
                         ) -> tuple[list[User], User]:
    """Check who may invite whom (see `meeting_propose`); returns the invitees (all mentees for an empty group
    list) and the mentor side's user."""
    active = (Assignment.objects.filter(programme=programme, ended_on__isnull=True)
              .select_related("resident__user", "mentor__user", "peer__user"))
    if any(u.pk == proposer.pk for u in invitees):
        raise ValidationError({"invitees": _("You cannot invite yourself.")})
    if format == Meeting.Format.ONE_TO_ONE:
        if len(invitees) != 1:
            raise ValidationError({"invitees": _("Invite exactly one person to a one-to-one meeting.")})
        other = invitees[0]
        pair = active.filter((Q(resident__user=proposer) & mentored_by(other))
                             | (Q(resident__user=other) & mentored_by(proposer))).first()
        if pair is None:
            raise ValidationError({"invitees": _("%(person)s is not your mentor or mentee in %(programme)s.") % {
                "person": other.full_name, "programme": programme.display_name}})
        return invitees, pair.mentor_side.user
    if format == Meeting.Format.GROUP:
        mentees = {a.resident.user_id: a.resident.user
                   for a in active.filter(mentored_by(proposer)).order_by("resident__user__last_name", "pk")}
        if not mentees:
            raise ValidationError(_("Only a mentor proposes a group meeting, to their mentees in %(programme)s.")
                                  % {"programme": programme.display_name})
        if not invitees:
            return list(mentees.values()), proposer
        strangers = [u.full_name for u in invitees if u.pk not in mentees]
        if strangers:
            raise ValidationError({"invitees": _("Not your mentees in %(programme)s: %(people)s.") % {
                "programme": programme.display_name, "people": ", ".join(strangers)}})
        return invitees, proposer
    raise ValidationError({"format": _("Unknown meeting format: %(value)s") % {"value": format}})


@transaction.atomic
def meeting_propose(*, proposer: User, programme: Programme, invitees: list[User], format: str,
                    starts_at: datetime, ends_at: datetime, place: str = "", agenda: str,
                    acknowledge_clashes: bool = False, now: datetime | None = None) -> Meeting:
    """Propose a meeting.

    Rules: one-to-one - either side of an active assignment in `programme` invites the other side (exactly one
    invitee); group - the mentor side invites any of their active mentees in `programme` (all when `invitees`
    is empty). The meeting starts in the future (at most a year ahead), ends after it starts and lasts at most
    8 hours; an agenda without patient identifiers. If a participant has a night duty or an absence then
    (`meeting_clashes`), the meeting is refused with `MeetingClashes` unless `acknowledge_clashes`; it is then
    saved with `clashes_acknowledged`. The proposer's answer is "accepted", the invitees' "pending"; each
    invitee is e-mailed.
    """
    now = now or timezone.now()
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    invitees, mentor_user = _invitees_and_mentor(proposer, programme, _unique_users(invitees), format)
    errors: dict = {}
    _validate_times(errors, starts_at, ends_at, now)
    agenda = _check_text(errors, "agenda", agenda, required=True, max_length=MAX_NOTE_LENGTH)
    place = _check_text(errors, "place", place, required=False, max_length=MAX_PLACE_LENGTH)
    if errors:
        raise ValidationError(errors)
    clashes = meeting_clashes(users=[proposer, *invitees], starts_at=starts_at, ends_at=ends_at)
    if clashes and not acknowledge_clashes:
        raise MeetingClashes(clashes)
    meeting = Meeting.objects.create(
        programme=programme, mentor_user=mentor_user, format=format, starts_at=starts_at, ends_at=ends_at,
        place=place, agenda=agenda, status=Meeting.Status.PROPOSED, proposed_by=proposer,
        clashes_acknowledged=bool(clashes))

    def role(user):
        return MeetingParticipant.Role.MENTOR if user.pk == mentor_user.pk else MeetingParticipant.Role.MENTEE

    MeetingParticipant.objects.bulk_create(
        [MeetingParticipant(meeting=meeting, user=proposer, role=role(proposer), response=Response.ACCEPTED,
                            responded_at=now)]
        + [MeetingParticipant(meeting=meeting, user=u, role=role(u)) for u in invitees])
    _mail(invitees, lambda user: _invitation(meeting, proposer))
    return meeting


def respond_refusal(meeting: Meeting, row: MeetingParticipant | None, now: datetime) -> str:
    """Why this participant (`row`, None for an outsider) cannot answer the invitation now; "" if they can."""
    if row is None or row.response != Response.PENDING:
        return _("Only an invitee who has not answered yet can accept or decline this meeting.")
    if meeting.status not in LIVE_STATUSES:
        return _("This meeting has been %(status)s.") % {"status": meeting.get_status_display()}
    if meeting.starts_at <= now:
        return _("This meeting has already started; it can no longer be answered.")
    return ""


def cancel_refusal(meeting: Meeting, row: MeetingParticipant | None, now: datetime) -> str:
    """Why this participant (`row`, None for an outsider) cannot cancel the meeting now; "" if they can."""
    if row is None or row.response == Response.DECLINED:
        return _("Only a participant of this meeting who has not declined it can cancel it.")
    if meeting.format == Meeting.Format.GROUP and row.user_id != meeting.mentor_user_id:
        return _("Only the mentor cancels a group meeting; decline it if you cannot come.")
    if meeting.status not in LIVE_STATUSES:
        return _("This meeting has been %(status)s.") % {"status": meeting.get_status_display()}
    if meeting.starts_at <= now:
        return _("Only a meeting that has not started yet can be cancelled.")
    return ""


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("proposed_by").get(pk=meeting.pk)


def _status_from_answers(meeting: Meeting) -> str:
    """Accepted once any invitee accepted; declined when every invitee declined; proposed otherwise."""
    answers = list(meeting.participants.exclude(user_id=meeting.proposed_by_id).values_list("response", flat=True))
    if Response.ACCEPTED in answers:
        return Meeting.Status.ACCEPTED
    if answers and all(a == Response.DECLINED for a in answers):
        return Meeting.Status.DECLINED
    return Meeting.Status.PROPOSED


@transaction.atomic
def meeting_respond(*, meeting: Meeting, user: User, accept: bool, reason: str = "",
                    now: datetime | None = None) -> Meeting:
    """Accept or decline an invitation.

    Rules: only an invitee who has not answered yet, before the meeting starts, while it is neither cancelled
    nor declined. Declining needs no reason but may give one (no patient identifiers). The meeting's status
    follows the answers (`_status_from_answers`) and its calendar sequence goes up; the proposer is e-mailed.
    """
    now = now or timezone.now()
    meeting = _locked(meeting)
    row = meeting.participants.filter(user=user).first()
    refusal = respond_refusal(meeting, row, now)
    if refusal:
        raise ValidationError(refusal)
    errors: dict = {}
    reason = "" if accept else _check_text(errors, "reason", reason, required=False, max_length=MAX_REASON_LENGTH)
    if errors:
        raise ValidationError(errors)
    row.response = Response.ACCEPTED if accept else Response.DECLINED
    row.decline_reason = reason
    row.responded_at = now
    row.save(update_fields=["response", "decline_reason", "responded_at"])
    meeting.status = _status_from_answers(meeting)
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])

    def compose(_proposer):
        figures = {"person": user.full_name, "start": when(meeting.starts_at)}
        if accept:
            return (_("Meeting accepted: %(start)s") % figures,
                    _letter(meeting, _("%(person)s accepted the meeting on %(start)s.") % figures))
        return (_("Meeting declined: %(start)s") % figures,
                _letter(meeting, _("%(person)s declined the meeting on %(start)s.") % figures))

    _mail([meeting.proposed_by], compose)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, user: User, reason: str, now: datetime | None = None) -> Meeting:
    """Cancel a future meeting for everyone.

    Rules: a participant who has not declined it; in a group meeting only its mentor (a mentee declines
    instead); only before it starts, while it is proposed or accepted; a reason is required (kept as a note
    for the participants). The calendar sequence goes up; the other participants who have not declined are
    e-mailed.
    """
    now = now or timezone.now()
    meeting = _locked(meeting)
    row = meeting.participants.filter(user=user).first()
    refusal = cancel_refusal(meeting, row, now)
    if refusal:
        raise ValidationError(refusal)
    errors: dict = {}
    reason = _check_text(errors, "reason", reason, required=True, max_length=MAX_REASON_LENGTH)
    if errors:
        raise ValidationError(errors)
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    MeetingNote.objects.create(meeting=meeting, author=user, text=_("Cancelled: %(reason)s") % {"reason": reason})
    others = [p.user for p in meeting.participants.exclude(user=user).exclude(response=Response.DECLINED)
              .select_related("user")]

    def compose(_other):
        figures = {"person": user.full_name, "start": when(meeting.starts_at)}
        return (_("Meeting cancelled: %(start)s") % figures,
                _letter(meeting, _("%(person)s cancelled the meeting on %(start)s.") % figures))

    _mail(others, compose)
    return meeting


@transaction.atomic
def meeting_note_add(*, meeting: Meeting, author: User, text: str) -> MeetingNote:
    """Add a note to a meeting. Rules: participants only (the notes are private to them); no patient
    identifiers."""
    if not meeting.participants.filter(user=author).exists():
        raise ValidationError(_("Only the participants of a meeting can add notes to it."))
    errors: dict = {}
    text = _check_text(errors, "text", text, required=True, max_length=MAX_NOTE_LENGTH)
    if errors:
        raise ValidationError(errors)
    return MeetingNote.objects.create(meeting=meeting, author=author, text=text)


def meeting_reminders_send(*, now: datetime | None = None) -> int:
    """E-mail each accepted participant of every accepted meeting starting within 24 hours, once.

    Each meeting is claimed with a conditional UPDATE (`reminder_sent_at` set where it is still empty), so two
    workers running at the same time never both remind the same meeting. Returns the number of e-mails queued.
    """
    now = now or timezone.now()
    due = list(Meeting.objects.filter(status=Meeting.Status.ACCEPTED, reminder_sent_at__isnull=True,
                                      starts_at__gt=now, starts_at__lte=now + timedelta(hours=24))
               .order_by("starts_at").values_list("pk", flat=True))
    sent = 0
    for pk in due:
        with transaction.atomic():
            claimed = Meeting.objects.filter(pk=pk, reminder_sent_at__isnull=True,
                                             status=Meeting.Status.ACCEPTED).update(reminder_sent_at=now)
            if not claimed:
                continue
            meeting = Meeting.objects.get(pk=pk)
            people = [p.user for p in meeting.participants.filter(response=Response.ACCEPTED).select_related("user")
                      .order_by("pk")]

            def compose(_person, meeting=meeting):
                figures = {"start": when(meeting.starts_at)}
                return (_("Reminder: mentoring meeting on %(start)s") % figures,
                        _letter(meeting, _("This is a reminder of your mentoring meeting on %(start)s.") % figures))

            _mail(people, compose)
            sent += len(people)
    return sent


# Absences --------------------------------------------------------------------------------------------------------

@transaction.atomic
def absence_record(*, user: User, kind: str, starts_on: date, ends_on: date, note: str = "") -> Absence:
    """Record an absence of `user` (leave, sickness, a course). Rules: a known kind; the last day on or after
    the first, at most a year long; no overlap with the person's other absences; a note without patient
    identifiers. Meetings proposed inside it are flagged (`meeting_clashes`)."""
    errors: dict = {}
    if kind not in Absence.Kind.values:
        errors["kind"] = _("Unknown kind of absence: %(value)s") % {"value": kind}
    if ends_on < starts_on:
        errors["ends_on"] = _("The last day must be on or after the first day.")
    elif (ends_on - starts_on).days >= MAX_ABSENCE_DAYS:
        errors["ends_on"] = _("An absence lasts at most a year; record a longer one in parts.")
    note = _check_text(errors, "note", note, required=False, max_length=200)
    if not errors:
        other = (Absence.objects.filter(user=user, starts_on__lte=ends_on, ends_on__gte=starts_on)
                 .order_by("starts_on").first())
        if other is not None:
            errors["starts_on"] = _("This overlaps your absence %(start)s – %(end)s (%(what)s).") % {
                "start": formats.date_format(other.starts_on, "DATE_FORMAT"),
                "end": formats.date_format(other.ends_on, "DATE_FORMAT"), "what": other.get_kind_display()}
    if errors:
        raise ValidationError(errors)
    return Absence.objects.create(user=user, kind=kind, starts_on=starts_on, ends_on=ends_on, note=note)


@transaction.atomic
def absence_delete(*, absence: Absence, user: User) -> None:
    """Delete an absence. Rule: only one's own."""
    if absence.user_id != user.pk:
        raise ValidationError(_("You can delete only your own absences."))
    absence.delete()


def meetings_of_ended_assignment_withdraw(*, assignment: Assignment, now: datetime | None = None) -> int:
    """When a pair's assignment ends, its future meetings in that programme go too (called by
    `services.assignment_end`, in its transaction).

    Rule: a future one-to-one meeting of the pair (proposed or accepted) is cancelled; at a future group meeting
    of the mentor the resident's invitation is declined (the others still meet). Each calendar sequence goes up;
    both people are e-mailed about a cancelled one-to-one meeting. Returns how many meetings changed.
    """
    now = now or timezone.now()
    resident_user_id = assignment.resident.user_id
    future = (Meeting.objects.select_for_update()
              .filter(programme_id=assignment.programme_id, mentor_user_id=assignment.mentor_user_id,
                      starts_at__gt=now, status__in=[Meeting.Status.PROPOSED, Meeting.Status.ACCEPTED],
                      participants__user_id=resident_user_id)
              .select_related("proposed_by"))
    changed = 0
    for meeting in future:
        changed += 1
        if meeting.format == Meeting.Format.ONE_TO_ONE:
            meeting.status = Meeting.Status.CANCELLED
            people = [p.user for p in meeting.participants.select_related("user")]

            def compose(_person, meeting=meeting):
                figures = {"start": when(meeting.starts_at)}
                return (_("Meeting cancelled: %(start)s") % figures,
                        _letter(meeting, _("The meeting on %(start)s is cancelled: the mentoring assignment "
                                           "has ended.") % figures))

            _mail(people, compose)
        else:
            meeting.participants.filter(user_id=resident_user_id).update(
                response=Response.DECLINED, responded_at=now, decline_reason=_("The mentoring assignment ended."))
            meeting.status = _status_from_answers(meeting)
        meeting.sequence += 1
        meeting.save(update_fields=["status", "sequence", "updated_at"])
    return changed
