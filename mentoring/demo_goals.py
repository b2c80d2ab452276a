"""Demo data for goals / action plans (issue 6, item 3). Called by `mentoring.demo.seed_demo` after the meetings.

- The showcase resident gets five goals with her clinical mentor: one achieved with a trail of progress notes,
  one in progress (its latest note linked to their last meeting, when the meetings demo made one), one
  overdue, one she proposed that awaits her mentor's agreement, and one agreed, not started and due soon.
- A few other active residents with a mentor get one or two goals each, some overdue, so the mentor's and the
  coordinator's overdue panels have something to show.

Everything goes through the services in `mentoring.goals`; the past is written by passing an earlier `today`.
Idempotent: a goal is matched by (resident, title) and left alone, with its notes, when it exists.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from residents.models import Resident

from .goals import goal_create, goal_note_add, mentors_of_resident
from .models import Goal, Meeting, MeetingParticipant, Mentor


@dataclass
class DemoNote:
    days_ago: int
    text: str
    by_mentor: bool = True
    status: str | None = None
    at_last_meeting: bool = False


@dataclass
class DemoGoal:
    title: str
    description: str
    created_days_ago: int
    due_in_days: int  # negative: in the past
    by_mentor: bool = True  # proposed by the mentor side (agreed at once) or by the resident (awaits agreement)
    notes: list[DemoNote] = field(default_factory=list)


SHOWCASE_GOALS = [
    DemoGoal("Complete the Neonatal Life Support course",
             "Book the next NLS course at the simulation centre; practise the algorithm on the ward mannequin.",
             created_days_ago=150, due_in_days=-30, notes=[
                 DemoNote(120, "Booked the course; practised the algorithm twice on the mannequin.", by_mentor=False,
                          status="in_progress"),
                 DemoNote(60, "Course passed; certificate handed to the department office.", by_mentor=False),
                 DemoNote(58, "Certificate seen. Well done.", status="achieved"),
             ]),
    DemoGoal("Insert an umbilical venous catheter under supervision",
             "Observe two insertions, then insert one with the mentor scrubbed in.",
             created_days_ago=70, due_in_days=45, notes=[
                 DemoNote(50, "Observed two insertions in the NICU.", by_mentor=False, status="in_progress"),
                 DemoNote(0, "Reviewed at our meeting: the next insertion is hers, with me scrubbed in.",
                          at_last_meeting=True),
             ]),
    DemoGoal("Present a case at the department's journal club",
             "A term baby with hypoxic-ischaemic encephalopathy treated with cooling; ten minutes and five slides.",
             created_days_ago=90, due_in_days=-7, notes=[
                 DemoNote(30, "Case chosen, literature search started.", by_mentor=False, status="in_progress"),
             ]),
    DemoGoal("Lead the morning handover in the NICU",
             "Lead the handover one morning a week for a month, with the charge nurse's feedback.",
             created_days_ago=3, due_in_days=60, by_mentor=False),
    DemoGoal("Read amplitude-integrated EEG traces on my own",
             "Go through the teaching set of twenty traces and discuss them with the mentor.",
             created_days_ago=20, due_in_days=14),
]

# For other residents, in turn (the first few active residents with a mentor, by e-mail).
OTHER_GOALS = [
    [DemoGoal("Perform a lumbar puncture in a neonate under supervision", "", created_days_ago=80, due_in_days=-12),
     DemoGoal("Write a discharge summary the consultant signs unchanged", "", created_days_ago=20, due_in_days=25)],
    [DemoGoal("Audit the hand hygiene on the ward", "Ten observations a week for a month.", created_days_ago=60,
              due_in_days=-3, by_mentor=False,
              notes=[DemoNote(30, "Two weeks of observations done.", by_mentor=False, status="in_progress")])],
    [DemoGoal("Counsel parents before a transfer with the mentor present", "", created_days_ago=40, due_in_days=20,
              notes=[DemoNote(10, "Did it once, good feedback from the parents.", status="in_progress")])],
    [DemoGoal("Pass the in-training examination", "", created_days_ago=100, due_in_days=-20,
              notes=[DemoNote(25, "Passed with 78%.", by_mentor=False, status="achieved")]),
     DemoGoal("Take part in a neonatal transport", "", created_days_ago=50, due_in_days=-2)],
]


def _mentor_user(resident: Resident):
    """The resident's clinical mentor's user, else anyone on the mentor side, else None."""
    clinical = (resident.assignments.filter(ended_on__isnull=True, kind="clinical")
                .select_related("mentor__user").first())
    if clinical is not None:
        return clinical.mentor.user
    return mentors_of_resident(resident).order_by("pk").first()


def _last_meeting(resident: Resident, mentor_user) -> Meeting | None:
    """The latest accepted meeting that has started, attended by both (none declined)."""
    attends = MeetingParticipant.objects.filter(meeting=OuterRef("pk")).exclude(
        response=MeetingParticipant.Response.DECLINED)
    return (Meeting.objects.filter(status=Meeting.Status.ACCEPTED, starts_at__lte=timezone.now())
            .filter(Exists(attends.filter(user=resident.user)), Exists(attends.filter(user=mentor_user)))
            .order_by("-starts_at").first())


def _seed_goal(resident: Resident, mentor_user, demo: DemoGoal, today: date) -> Goal | None:
    if Goal.objects.filter(resident=resident, title=demo.title).exists():
        return None
    created_on = today - timedelta(days=demo.created_days_ago)
    goal = goal_create(resident=resident, by=mentor_user if demo.by_mentor else resident.user, title=demo.title,
                       description=demo.description, due_on=today + timedelta(days=demo.due_in_days),
                       today=created_on)
    for note in demo.notes:
        meeting = _last_meeting(resident, mentor_user) if note.at_last_meeting else None
        # Linked to the last meeting: the note is written on that day (it cannot be before the meeting).
        noted_on = timezone.localdate(meeting.starts_at) if meeting else today - timedelta(days=note.days_ago)
        goal_note_add(goal=goal, by=mentor_user if note.by_mentor else resident.user, text=note.text,
                      status=note.status, meeting=meeting, today=max(noted_on, created_on))
    return goal


def seed_goals(*, department, coordinator, mentors: dict[str, Mentor], residents: list[Resident],
               showcase: Resident, today: date) -> None:
    """Goals for the showcase resident and a few others (see the module docstring); idempotent."""
    mentor_user = _mentor_user(showcase)
    if mentor_user is not None:
        for demo in SHOWCASE_GOALS:
            _seed_goal(showcase, mentor_user, demo, today)
    others = sorted((r for r in residents if r.pk != showcase.pk and r.status == Resident.Status.ACTIVE
                     and r.specialty.department_id == department.pk), key=lambda r: r.user.email)
    plans = iter(OTHER_GOALS)
    for resident in others:
        other_mentor = _mentor_user(resident)
        if other_mentor is None:
            continue
        plan = next(plans, None)
        if plan is None:
            break
        for demo in plan:
            _seed_goal(resident, other_mentor, demo, today)
