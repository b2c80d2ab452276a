"""Goals panels for the home pages, the coordinator's dashboard and the meeting page (issue 6, item 3).

Each tag reads in a fixed number of queries, whatever the number of goals, residents or participants. They show
data only; the rules are in `mentoring.goals`.
"""

from datetime import timedelta

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from residents.models import Resident

from .. import goals as services
from ..forms_goals import GoalNoteForm
from ..models import Goal, Meeting, MeetingParticipant

register = template.Library()

DUE_SOON_DAYS = 30
CARD_LIMIT = 8
TOP_RESIDENTS = 5


@register.inclusion_tag("mentoring/goals/cards/my_goals_card.html")
def my_goals_card(user):
    """For the resident's home page: their overdue goals and those due in the next 30 days (two queries; nothing
    shown to a user who is not a resident)."""
    if not user.is_authenticated or not Resident.objects.filter(user=user).exists():
        return {"show": False}
    today = timezone.localdate()
    goals = list(Goal.objects.filter(resident__user=user, status__in=Goal.OPEN_STATUSES,
                                     due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
                 .order_by("due_on", "pk")[:CARD_LIMIT + 1])
    for goal in goals:
        goal.is_overdue = goal.due_on < today
    return {"show": True, "goals": goals[:CARD_LIMIT], "more": len(goals) > CARD_LIMIT, "days": DUE_SOON_DAYS}


@register.inclusion_tag("mentoring/goals/cards/mentee_goals_card.html")
def mentee_goals_card(user):
    """For the mentor's home page: the overdue goals of the user's mentees in any programme (two queries)."""
    if not user.is_authenticated:
        return {"show": False}
    today = timezone.localdate()
    qs = services.overdue(Goal.objects.filter(resident__in=services.mentee_ids_of(user)), today)
    total = qs.count()
    goals = list(qs.select_related("resident__user").order_by("due_on", "pk")[:CARD_LIMIT])
    return {"show": True, "goals": goals, "total": total, "more": total > len(goals)}


@register.inclusion_tag("mentoring/goals/cards/department_goals_card.html")
def department_goals_card(department):
    """For the coordinator's dashboard (two queries): the number of overdue goals of the department's active
    residents, the residents with most overdue goals (top 5), and the completion rate: achieved goals out of all
    goals not dropped, of every resident of the department."""
    today = timezone.localdate()
    overdue_q = Q(due_on__lt=today, status__in=Goal.OPEN_STATUSES, resident__status=Resident.Status.ACTIVE)
    figures = Goal.objects.filter(resident__specialty__department=department).aggregate(
        overdue=Count("pk", filter=overdue_q),
        kept=Count("pk", filter=~Q(status=Goal.Status.DROPPED)),
        achieved=Count("pk", filter=Q(status=Goal.Status.ACHIEVED)),
    )
    # Joined with their overdue goals only (the filter before the count: the count reads the same join), so that the
    # department's active residents without one are never grouped (left-joined to all goals and counted, they were
    # the card's cost at scale).
    residents = list(
        Resident.objects.filter(specialty__department=department, status=Resident.Status.ACTIVE,
                                goals__due_on__lt=today, goals__status__in=Goal.OPEN_STATUSES)
        .annotate(overdue_count=Count("goals")).select_related("user")
        .order_by("-overdue_count", "user__last_name", "user__first_name", "pk")[:TOP_RESIDENTS])
    rate = round(100 * figures["achieved"] / figures["kept"]) if figures["kept"] else None
    return {"department": department, "overdue": figures["overdue"], "residents": residents, "rate": rate,
            "achieved": figures["achieved"], "kept": figures["kept"]}


@register.inclusion_tag("mentoring/goals/cards/meeting_goals.html", takes_context=True)
def meeting_goals(context, meeting: Meeting, user):
    """For the meeting page: the open goals of the meeting's mentees that `user` may see (their own, or those of
    the residents they mentor), each with a small form noting progress at this meeting (two queries).

    Shown to the meeting's participants only; a mentee at a group meeting sees only their own goals. The forms
    appear once the meeting is accepted and its day has come (the rule of `goals.goal_note_add`).
    """
    people = {p.user_id: p.role for p in MeetingParticipant.objects.filter(meeting=meeting).only("user_id", "role")}
    if not user.is_authenticated or user.pk not in people:
        return {"show": False}
    mentee_user_ids = [uid for uid, role in people.items() if role == MeetingParticipant.Role.MENTEE]
    goals = list(
        Goal.objects.filter(resident__user_id__in=mentee_user_ids, status__in=Goal.OPEN_STATUSES)
        .filter(Q(resident__user=user) | Q(resident__in=services.mentee_ids_of(user)))
        .select_related("resident__user").order_by("resident__user__last_name", "resident__user__first_name",
                                                   "due_on", "pk"))
    today = timezone.localdate()
    can_note = (meeting.status == Meeting.Status.ACCEPTED and timezone.localdate(meeting.starts_at) <= today)
    request = context.get("request")
    back = request.get_full_path() if request is not None else ""
    rows = []
    for goal in goals:
        goal.is_overdue = goal.due_on < today
        form = GoalNoteForm(initial={"meeting": meeting.pk, "next": back}, auto_id=f"id_goal{goal.pk}_%s")
        rows.append((goal, form if can_note else None))
    return {"show": True, "rows": rows, "meeting": meeting, "can_note": can_note,
            "group": len(mentee_user_ids) > 1}
