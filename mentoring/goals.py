"""Goals / action plan of a resident, agreed with the mentor side and reviewed at meetings (issue 6, item 3).

Who acts on a resident's goals:
- the resident (their own goals): proposes goals (they then await agreement), edits them, notes progress;
- "the mentor side of the resident": the user on the mentor side of ANY active assignment of the resident,
  whatever the programme (clinical mentor, near-peer mentor, a senior resident as peer mentor, group mentor):
  proposes goals (agreed at once), agrees the resident's proposals, edits, notes progress;
- the coordinators of the resident's department read only (enforced by the pages; services refuse them).

Every rule lives in the services below, so the pages, the admin, an import and the demo obey the same ones.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from organization.selectors import coordinates
from organization.validators import validate_no_patient_identifiers
from residents.models import Resident

from .models import Assignment, Goal, GoalNote, Meeting, MeetingParticipant
from .selectors import mentored_by

TITLE_MAX_LENGTH = Goal._meta.get_field("title").max_length

# How a user stands towards a resident's goals.
RESIDENT = "resident"  # their own goals: propose, edit, note
MENTOR = "mentor"  # the mentor side: propose (agreed at once), agree, edit, note
COORDINATOR = "coordinator"  # a coordinator of the resident's department: reads only


# Selectors -------------------------------------------------------------------------------------------------------

def _active_assignments() -> QuerySet[Assignment]:
    return Assignment.objects.filter(ended_on__isnull=True)


def mentors_of_resident(resident: Resident) -> QuerySet[User]:
    """Users on the mentor side of any active assignment of `resident` (clinical, near-peer incl. a peer
    resident, group)."""
    active = _active_assignments().filter(resident=resident)
    return User.objects.filter(Q(pk__in=active.filter(mentor__isnull=False).values("mentor__user"))
                               | Q(pk__in=active.filter(peer__isnull=False).values("peer__user")))


def is_mentor_of(user, resident: Resident | int) -> bool:
    """Whether `user` is on the mentor side of an active assignment of `resident` (any programme)."""
    if user is None or not user.is_authenticated:
        return False
    resident_id = resident.pk if isinstance(resident, Resident) else resident
    return _active_assignments().filter(mentored_by(user), resident_id=resident_id).exists()


def mentee_ids_of(user) -> QuerySet:
    """Ids of the residents `user` mentors in any active assignment (a subquery)."""
    return _active_assignments().filter(mentored_by(user)).values("resident_id")


def mentees_of(user) -> QuerySet[Resident]:
    """Residents `user` mentors in any active assignment, by name."""
    return (Resident.objects.select_related("user").filter(pk__in=mentee_ids_of(user))
            .order_by("user__last_name", "user__first_name", "pk"))


def is_mentor_side(user) -> bool:
    """Whether `user` mentors at all: a mentor profile, or a resident with an active near-peer mentee."""
    if user is None or not user.is_authenticated:
        return False
    return hasattr(user, "mentor_profile") or _active_assignments().filter(peer__user=user).exists()


def overdue(qs: QuerySet[Goal], today: dt.date) -> QuerySet[Goal]:
    """Goals past their due date and still open (due today is not overdue; achieved and dropped never are)."""
    return qs.filter(due_on__lt=today, status__in=Goal.OPEN_STATUSES)


def goals_with_people() -> QuerySet[Goal]:
    return Goal.objects.select_related("resident__user", "created_by", "agreed_by")


def role_for(user, resident: Resident) -> str | None:
    """How `user` may act on `resident`'s goals: RESIDENT, MENTOR, or None (maybe a reader, see the pages)."""
    if user is None or not user.is_authenticated:
        return None
    if resident.user_id == user.pk:
        return RESIDENT
    if is_mentor_of(user, resident):
        return MENTOR
    return None


def viewer_role(user, resident: Resident) -> str | None:
    """RESIDENT, MENTOR, COORDINATOR (reads only) or None (outside the scope: the pages answer 404).
    A coordinator who also mentors the resident acts as the mentor."""
    role = role_for(user, resident)
    if role is None and user.is_authenticated and coordinates(user, resident.specialty.department_id):
        return COORDINATOR
    return role


def goal_for_viewer(user, pk) -> tuple[Goal, str]:
    """Goal `pk` and the user's role on it; 404 outside the scope."""
    goal = goals_with_people().select_related("resident__specialty").filter(pk=pk).first()
    role = viewer_role(user, goal.resident) if goal is not None else None
    if role is None:
        raise Http404
    return goal, role


def goals_of_resident(resident: Resident, today: dt.date) -> dict[str, list[Goal]]:
    """A resident's goals by status (one query), open ones first by due date, each marked `is_overdue`."""
    groups: dict[str, list[Goal]] = {status: [] for status in Goal.Status.values}
    for goal in goals_with_people().filter(resident=resident).annotate(note_count=Count("notes")).order_by(
            "due_on", "pk"):
        goal.is_overdue = goal.status in Goal.OPEN_STATUSES and goal.due_on < today
        groups[goal.status].append(goal)
    groups["achieved"].sort(key=lambda g: (g.completed_on or g.due_on, g.pk), reverse=True)
    return groups


# Services --------------------------------------------------------------------------------------------------------

def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _actor_role(by, resident: Resident, refusal: str) -> str:
    """The actor's role on the resident's goals; `refusal` (a whole sentence naming %(resident)s) otherwise."""
    role = role_for(by, resident)
    if role is None:
        raise ValidationError(refusal % {"resident": resident})
    return role


def _clean_goal_fields(*, title: str, description: str, due_on: dt.date | None, today: dt.date,
                       check_due: bool = True) -> tuple[str, str]:
    """The shared field rules of a goal: a title, a due date not in the past, no patient identifiers."""
    errors: dict[str, list[str]] = {}
    title, description = (title or "").strip(), (description or "").strip()
    if not title:
        errors.setdefault("title", []).append(_("Give the goal a title."))
    elif len(title) > TITLE_MAX_LENGTH:
        errors.setdefault("title", []).append(
            _("Keep the title under %(max)d characters; put the details in the description.") % {
                "max": TITLE_MAX_LENGTH})
    if due_on is None:
        errors.setdefault("due_on", []).append(_("Give a due date."))
    elif check_due and due_on < today:
        errors.setdefault("due_on", []).append(_("The due date cannot be in the past."))
    for field, text in (("title", title), ("description", description)):
        try:
            validate_no_patient_identifiers(text, field=field)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return title, description


def _lock(goal: Goal) -> Goal:
    return Goal.objects.select_for_update(of=("self",)).select_related("resident__user").get(pk=goal.pk)


@transaction.atomic
def goal_create(*, resident: Resident, by, title: str, description: str = "", due_on: dt.date | None,
                today: dt.date | None = None) -> Goal:
    """Add a goal to `resident`'s action plan.

    Rules: the resident proposes their own goal (it then awaits their mentor's agreement) or the mentor side of
    any active assignment of the resident proposes it (agreed at once: `agreed_by`, `agreed_on`); the title is
    required; the due date is not in the past (today is allowed); no patient identifiers in the text.
    """
    today = _today(today)
    role = _actor_role(by, resident, _("Only %(resident)s and their mentor can add goals to this action plan."))
    title, description = _clean_goal_fields(title=title, description=description, due_on=due_on, today=today)
    agreed = role == MENTOR
    return Goal.objects.create(resident=resident, title=title, description=description, due_on=due_on,
                               created_by=by, agreed_by=by if agreed else None, agreed_on=today if agreed else None)


@transaction.atomic
def goal_agree(*, goal: Goal, by, today: dt.date | None = None) -> Goal:
    """The mentor side agrees a goal the resident proposed (or changed after agreement).

    Rules: only a user on the mentor side of an active assignment of the goal's resident; a goal is agreed once;
    a dropped goal is not agreed.
    """
    goal = _lock(goal)
    if not is_mentor_of(by, goal.resident):
        raise ValidationError(_("Only the mentor of %(resident)s can agree their goals.") % {
            "resident": goal.resident})
    if goal.agreed_on is not None:
        raise ValidationError(_("This goal has already been agreed."))
    if goal.status == Goal.Status.DROPPED:
        raise ValidationError(_("This goal has been dropped; a dropped goal is not agreed."))
    goal.agreed_by, goal.agreed_on = by, _today(today)
    goal.save(update_fields=["agreed_by", "agreed_on", "updated_at"])
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, by, title: str, description: str = "", due_on: dt.date | None,
                today: dt.date | None = None) -> Goal:
    """Change a goal's title, description or due date.

    Rules: the resident or their mentor side; only an open goal (achieved or dropped goals are reopened with a
    progress note first); a changed due date is not in the past (an unchanged overdue date may stay); no patient
    identifiers. When the RESIDENT changes the title or the due date of an agreed goal, the agreement is cleared:
    the mentor has to agree the changed goal again. Changes by the mentor side keep the agreement.
    """
    today = _today(today)
    goal = _lock(goal)
    role = _actor_role(by, goal.resident, _("Only %(resident)s and their mentor can change this goal."))
    if goal.status not in Goal.OPEN_STATUSES:
        raise ValidationError(_("This goal is %(status)s; reopen it with a progress note before changing it.") % {
            "status": goal.get_status_display()})
    title, description = _clean_goal_fields(title=title, description=description, due_on=due_on, today=today,
                                            check_due=due_on != goal.due_on)
    fields = ["title", "description", "due_on", "updated_at"]
    if role == RESIDENT and goal.agreed_on is not None and (title != goal.title or due_on != goal.due_on):
        goal.agreed_by, goal.agreed_on = None, None
        fields += ["agreed_by", "agreed_on"]
    goal.title, goal.description, goal.due_on = title, description, due_on
    goal.save(update_fields=fields)
    return goal


def _check_meeting(meeting: Meeting, *, author, resident: Resident, today: dt.date) -> None:
    """A note is linked to a meeting where the goal was reviewed: an accepted meeting that has started by today,
    where the author and the goal's resident both take part (and neither declined)."""
    attending = set(MeetingParticipant.objects.filter(meeting=meeting, user_id__in=[author.pk, resident.user_id])
                    .exclude(response=MeetingParticipant.Response.DECLINED).values_list("user_id", flat=True))
    if attending != {author.pk, resident.user_id}:
        raise ValidationError({"meeting": _("Link the note to a meeting that you and %(resident)s attend.") % {
            "resident": resident}})
    if meeting.status != Meeting.Status.ACCEPTED:
        raise ValidationError({"meeting": _("This meeting is %(status)s; notes are linked to accepted meetings "
                                            "only.") % {"status": meeting.get_status_display()}})
    if timezone.localdate(meeting.starts_at) > today:
        raise ValidationError({"meeting": _("This meeting has not taken place yet; note the progress on the day "
                                            "of the meeting or after it.")})


@transaction.atomic
def goal_note_add(*, goal: Goal, by, text: str, status: str | None = None, meeting: Meeting | None = None,
                  today: dt.date | None = None) -> GoalNote:
    """Add a progress note to a goal, optionally changing its status and naming the meeting where it was reviewed.

    Rules: the resident or their mentor side; the text is required and carries no patient identifiers; the
    status, when given, is one of the goal statuses; reaching "achieved" records today as `completed_on`, leaving
    "achieved" clears it; the note records the new status only when it changes. A meeting, when given, is an
    accepted meeting that has started by today, where the author and the goal's resident both take part.
    """
    today = _today(today)
    goal = _lock(goal)
    _actor_role(by, goal.resident, _("Only %(resident)s and their mentor can note progress on this goal."))
    text = (text or "").strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors.setdefault("text", []).append(_("Write what has been done or agreed."))
    try:
        validate_no_patient_identifiers(text, field="text")
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    status = status or ""
    if status and status not in Goal.Status.values:
        errors.setdefault("status", []).append(_("Choose a status from the list."))
    if errors:
        raise ValidationError(errors)
    if meeting is not None:
        _check_meeting(meeting, author=by, resident=goal.resident, today=today)

    status_after = status if status and status != goal.status else ""
    if status_after:
        goal.status = status_after
        goal.completed_on = today if status_after == Goal.Status.ACHIEVED else None
        goal.save(update_fields=["status", "completed_on", "updated_at"])
    return GoalNote.objects.create(goal=goal, author=by, meeting=meeting, text=text, status_after=status_after)
