"""Demo data for speed mentoring (issue 6 item 4), through the services of `mentoring.speed_events`.

Two events of the demo department:
- a past one (three weeks ago) with its timetable, everybody's rankings and the proposed matching, which gives a
  mentor to each resident waiting for one where eligible mentors have room. By default it stays collecting
  rankings, the proposal waiting for the coordinator to review and confirm: the rest of the demo (the dashboard's
  residents waiting for a mentor, the assessments seeded for every mentored resident) counts on those residents
  still waiting. `confirm_past=True` confirms it, creating the assignments (when there is anything to confirm);
- an upcoming one (in ten days), still being planned, with its timetable; the showcase resident is in group 1 and
  the first eligible mentors of the demo (the demo mentor among them) are the experts.

Idempotent: an event is matched by its title in the department and left alone when it exists.
"""

from datetime import date, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from organization.models import Department
from organization.services import policy_for
from residents.models import Resident

from . import speed
from .eligibility import mentor_eligibility
from .models import Assignment, Mentor, SpeedEvent
from .selectors import mentors_annotated
from .speed_events import (
    choices_submit,
    event_confirm,
    event_save,
    event_set_people,
    experts_met,
    matching_propose,
    mentees_met,
    preferences_submit,
    ranking_open,
    schedule_generate,
    split_evenly,
)

PAST_TITLE = "Meet the mentors: speed mentoring for new residents"
UPCOMING_TITLE = "Speed mentoring: meet the neonatal team"
PAST_DAYS_AGO = 21
UPCOMING_IN_DAYS = 10


def _rotated(items: list, by: int) -> list:
    if not items:
        return items
    by %= len(items)
    return items[by:] + items[:by]


def _mentor_rows(mentors: dict[str, Mentor], department: Department, today: date):
    """The demo mentors in the dict's order, annotated, with (eligible, room left under the policy maximum)."""
    policy = policy_for(department)
    annotated = {m.pk: m for m in mentors_annotated().filter(pk__in=[m.pk for m in mentors.values()])}
    rows = []
    for mentor in mentors.values():
        m = annotated[mentor.pk]
        rows.append((m, mentor_eligibility(m, policy=policy, today=today).eligible,
                     policy.max_residents_per_mentor - m.active_count))
    return rows


def _plan(*, department, coordinator, title, held_on, starts_at, round_minutes, place, experts, mentees,
          ) -> SpeedEvent:
    groups = split_evenly(mentees, min(len(experts), len(mentees)))
    event = event_save(department=department, by=coordinator, title=title, held_on=held_on, starts_at=starts_at,
                       round_minutes=round_minutes, rounds=speed.rounds_needed(groups, experts), place=place)
    event_set_people(event=event, mentors=experts, groups=groups)
    schedule_generate(event=event)
    return event


def _past_event(*, department, coordinator, mentors, residents, showcase, today, confirm) -> None:
    rows = _mentor_rows(mentors, department, today)
    experts = [m for m, eligible, room in rows if eligible and room > 0 and m.is_active][:4]
    if len(experts) < 2:
        experts += [m for m, _eligible, _room in rows if m.is_active and m not in experts][:3 - len(experts)]
    if not experts:
        return
    active = [r for r in residents if r.status == Resident.Status.ACTIVE and r.specialty.department_id
              == department.pk]
    mentored = set(Assignment.objects.filter(resident__in=active, ended_on__isnull=True, kind="clinical")
                   .values_list("resident_id", flat=True))
    waiting = [r for r in active if r.pk not in mentored][:6]
    # Residents who have a mentor take part too (they rank, but are not matched), for a livelier event.
    others = [r for r in active if r.pk in mentored and r.pk != showcase.pk][:max(3, 6 - len(waiting))]
    mentees = waiting + others
    if not mentees:
        return
    event = _plan(department=department, coordinator=coordinator, title=PAST_TITLE,
                  held_on=today - timedelta(days=PAST_DAYS_AGO), starts_at=time(14, 0), round_minutes=10,
                  place="Conference hall, City Perinatal Centre", experts=experts, mentees=mentees)
    ranking_open(event=event, today=today, notify=False)
    for i, resident in enumerate(mentees):
        met = list(experts_met(event, resident))
        choices_submit(event=event, resident=resident, mentors_ranked=_rotated(met, i)[:3])
    for i, mentor in enumerate(experts):
        met = list(mentees_met(event, mentor))
        preferred = [r for r in met if r.pk not in mentored] + [r for r in met if r.pk in mentored]
        preferences_submit(event=event, mentor=mentor, residents_ranked=_rotated(preferred, i))
    proposal = matching_propose(event=event, today=today)
    if confirm and proposal.matched:
        try:
            with transaction.atomic():
                event_confirm(event=event, by=coordinator)
        except ValidationError:
            pass  # stays collecting rankings, with the proposal for the coordinator to review


def _upcoming_event(*, department, coordinator, mentors, residents, showcase, today, confirm) -> None:
    rows = _mentor_rows(mentors, department, today)
    experts = [m for m, eligible, _room in rows if eligible and m.is_active][:4]
    others = [r for r in residents if r.status == Resident.Status.ACTIVE and r.pk != showcase.pk
              and r.specialty.department_id == department.pk]
    others.sort(key=lambda r: r.year_of_study)
    mentees = [showcase] + others[:7]
    if not experts:
        return
    _plan(department=department, coordinator=coordinator, title=UPCOMING_TITLE,
          held_on=today + timedelta(days=UPCOMING_IN_DAYS), starts_at=time(15, 0), round_minutes=8,
          place="Training room, Regional Perinatal Centre", experts=experts, mentees=mentees)


def seed_speed(*, department: Department, coordinator, mentors: dict[str, Mentor], residents: list[Resident],
               showcase: Resident, today: date, confirm_past: bool = False) -> None:
    """The demo's speed-mentoring events (see the module docstring); running it again changes nothing."""
    kwargs = {"department": department, "coordinator": coordinator, "mentors": mentors, "residents": residents,
              "showcase": showcase, "today": today, "confirm": confirm_past}
    with transaction.atomic():
        existing = set(SpeedEvent.objects.filter(department=department, title__in=[PAST_TITLE, UPCOMING_TITLE])
                       .values_list("title", flat=True))
        if PAST_TITLE not in existing:
            _past_event(**kwargs)
        if UPCOMING_TITLE not in existing:
            _upcoming_event(**kwargs)
