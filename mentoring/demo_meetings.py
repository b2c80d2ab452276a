"""Demo data for meetings (issue 6, item 2), written through `mentoring.meetings` with `now=` for the past.

Called by `mentoring.demo.seed_demo`. The showcase resident and her clinical mentor: accepted meetings over the
last 6 months with notes, one kept despite a clash with her night duty (acknowledged), one the mentor proposed
that she declined (with a reason), the upcoming accepted one that replaced it, and one proposed that awaits her
answer; the mentor has a study leave recorded in three weeks. A few other pairs have past meetings (one only
more than 3 months ago); the remaining pairs have none, so the programme overview shows pairs that have not met.
If the department runs a group programme, its first group with two mentees or more has a past group meeting.

Idempotent: a pair (or group) that already has a meeting is left alone, and so is a mentor with an absence.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from residents.activity import night_duty_log
from residents.models import NightDuty, Resident, ReviewStatus

from .calendar_feed import feed_for
from .meetings import absence_record, meeting_clashes, meeting_note_add, meeting_propose, meeting_respond
from .models import Absence, Assignment, Meeting, Mentor, Programme

OTHER_PAIRS = 3  # other pairs with meetings; every further pair has none
PAST_DAYS = [163, 131, 97, 66, 34]  # the showcase pair's past meetings, days ago (within 6 months)
OTHER_PAST_DAYS = [[150, 88, 25], [120], [140, 45]]  # per other pair; the second met only > 3 months ago

SHOWCASE_AGENDAS = [
    "Getting started: expectations on both sides, how we keep in touch, the individual curriculum for the year.",
    "First month in the NICU: what went well, what was hard; the neonatal resuscitation algorithm.",
    "Mini-CEX on the admission examination of a preterm newborn; plan for the EPA on respiratory support.",
    "Night duties and fatigue: how to hand over safely; the case presentation for the pathology conference.",
    "Progress on the curriculum: procedures logged so far, what is missing for the semester.",
]
SHOWCASE_NOTES = [
    "Agreed to meet monthly, on a weekday afternoon. Darya will send the draft curriculum by Friday.",
    "Review the resuscitation algorithm before the simulation session; practise bag-mask ventilation.",
    "Good structured examination. Work on explaining findings to parents in plain words.",
    "Hand-over checklist to try on the next duties. Presentation topic agreed: late-onset sepsis.",
    "Umbilical catheterisation still missing: ask the unit for supervised opportunities.",
]
OTHER_AGENDAS = [
    "Monthly review: logbook, duties, questions from the ward.",
    "Preparing for the mid-year assessment.",
    "Feedback after the first weeks at the clinical site.",
]
DUTY_AGENDA = "Short debrief in the unit during the evening duty: the transfer to the surgical centre."
DECLINED_AGENDA = "Review of the last night duties and the hand-over."
DECLINE_REASON = "I am just off a night duty that morning; could we meet on Thursday afternoon instead?"
UPCOMING_AGENDA = "Hand-over after night duties (rescheduled); the simulation course next month."
AWAITING_AGENDA = "Mid-year review of the individual curriculum and the goals for the next semester."
GROUP_AGENDA = "Group session: difficult conversations with parents; each brings one situation."
PLACE = "Teaching room, NICU, 3rd floor"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _free_start(users, day: date, hour: int, hours: int = 1) -> datetime:
    """The first weekday on or before `day` when nobody in `users` has a night duty or an absence at that hour."""
    for _ in range(14):
        day = _weekday(day)
        start = _at(day, hour)
        if not meeting_clashes(users=users, starts_at=start, ends_at=start + timedelta(hours=hours)):
            return start
        day -= timedelta(days=1)
    return start


def _past(*, proposer, other, programme, start: datetime, agenda: str, note: str = "", note_by=None) -> Meeting:
    """An accepted meeting that took place: proposed 5 days before, accepted the next day, a note afterwards.
    `_free_start` has looked for a time without clashes; should none be found, the clash is acknowledged."""
    meeting = meeting_propose(proposer=proposer, programme=programme, invitees=[other], format="one_to_one",
                              starts_at=start, ends_at=start + timedelta(hours=1), place=PLACE, agenda=agenda,
                              acknowledge_clashes=True, now=start - timedelta(days=5))
    meeting_respond(meeting=meeting, user=other, accept=True, now=start - timedelta(days=4))
    if note:
        meeting_note_add(meeting=meeting, author=note_by or proposer, text=note)
    return meeting


def _pair_has_meetings(assignment: Assignment) -> bool:
    return Meeting.objects.filter(programme=assignment.programme, mentor_user_id=assignment.mentor_user_id,
                                  participants__user_id=assignment.resident.user_id).exists()


def _duty_to_clash_with(showcase: Resident, now: datetime) -> NightDuty:
    """A past night duty of the showcase resident (the demo's own, or one she logs now if she has none)."""
    duty = (NightDuty.objects.filter(resident=showcase, starts_at__gte=now - timedelta(days=150),
                                     ends_at__lte=now - timedelta(days=3))
            .exclude(status=ReviewStatus.RETURNED).order_by("-starts_at").first())
    if duty is None:
        day = timezone.localdate(now) - timedelta(days=6)
        duty = night_duty_log(resident=showcase, by=showcase.user, starts_at=_at(day, 17),
                              ends_at=_at(day + timedelta(days=1), 8))
    return duty


def _seed_showcase(showcase: Resident, today: date, now: datetime) -> None:
    assignment = (Assignment.objects.filter(resident=showcase, ended_on__isnull=True, kind="clinical")
                  .select_related("programme", "mentor__user", "resident__user").first())
    if assignment is None or _pair_has_meetings(assignment):
        return
    mentor_user, her = assignment.mentor.user, showcase.user
    programme = assignment.programme
    for i, days in enumerate(PAST_DAYS):
        proposer, other = (mentor_user, her) if i % 2 == 0 else (her, mentor_user)
        start = _free_start([mentor_user, her], today - timedelta(days=days), 15)
        if start.date() <= assignment.started_on:
            continue  # no meeting before the pair existed
        _past(proposer=proposer, other=other, programme=programme, start=start, agenda=SHOWCASE_AGENDAS[i],
              note=SHOWCASE_NOTES[i], note_by=mentor_user if i % 2 == 0 else her)

    # Kept despite her night duty: the proposer saw the clash and acknowledged it.
    duty = _duty_to_clash_with(showcase, now)
    start = duty.starts_at + timedelta(hours=2)
    meeting = meeting_propose(proposer=mentor_user, programme=programme, invitees=[her], format="one_to_one",
                              starts_at=start, ends_at=start + timedelta(minutes=30), place="NICU, staff room",
                              agenda=DUTY_AGENDA, acknowledge_clashes=True, now=start - timedelta(days=2))
    meeting_respond(meeting=meeting, user=her, accept=True, now=start - timedelta(days=1))

    # Declined by her with a reason, replaced by the upcoming accepted meeting she proposed.
    declined_start = max(_at(_next_weekday(today + timedelta(days=1)), 8), now + timedelta(hours=12))
    declined = meeting_propose(proposer=mentor_user, programme=programme, invitees=[her], format="one_to_one",
                               starts_at=declined_start, ends_at=declined_start + timedelta(hours=1), place=PLACE,
                               agenda=DECLINED_AGENDA, acknowledge_clashes=True, now=now)
    meeting_respond(meeting=declined, user=her, accept=False, reason=DECLINE_REASON, now=now)
    start = _free_start([mentor_user, her], today + timedelta(days=4), 14)
    if start <= now:
        start = _at(today + timedelta(days=4), 14)
    upcoming = meeting_propose(proposer=her, programme=programme, invitees=[mentor_user], format="one_to_one",
                               starts_at=start, ends_at=start + timedelta(hours=1), place=PLACE,
                               agenda=UPCOMING_AGENDA, acknowledge_clashes=True, now=now)
    meeting_respond(meeting=upcoming, user=mentor_user, accept=True, now=now)

    # Awaiting her answer.
    start = _free_start([mentor_user, her], today + timedelta(days=11), 15)
    if start <= now:
        start = _at(today + timedelta(days=11), 15)
    meeting_propose(proposer=mentor_user, programme=programme, invitees=[her], format="one_to_one",
                    starts_at=start, ends_at=start + timedelta(hours=1), place=PLACE, agenda=AWAITING_AGENDA,
                    acknowledge_clashes=True, now=now)

    # The mentor's study leave in three weeks: a meeting proposed then is flagged.
    if not Absence.objects.filter(user=mentor_user).exists():
        absence_record(user=mentor_user, kind=Absence.Kind.STUDY, starts_on=today + timedelta(days=21),
                       ends_on=today + timedelta(days=25), note="National neonatology congress")
    feed_for(her)
    feed_for(mentor_user)


def _seed_other_pairs(residents: list[Resident], showcase: Resident, today: date) -> None:
    pairs = list(Assignment.objects.filter(resident__in=[r for r in residents if r.pk != showcase.pk],
                                           ended_on__isnull=True, kind="clinical")
                 .filter(resident__status=Resident.Status.ACTIVE)
                 .select_related("programme", "mentor__user", "resident__user").order_by("resident_id"))
    # Pairs of different mentors first, so the meetings spread over the department; at least one pair stays
    # without any meeting.
    chosen, mentors_seen = [], set()
    for a in pairs:
        if a.mentor_id not in mentors_seen and a.mentor.user_id != showcase.user_id:
            chosen.append(a)
            mentors_seen.add(a.mentor_id)
        if len(chosen) == min(OTHER_PAIRS, len(pairs) - 1):
            break
    for n, assignment in enumerate(chosen):
        if _pair_has_meetings(assignment):
            continue
        mentor_user, mentee = assignment.mentor.user, assignment.resident.user
        for i, days in enumerate(OTHER_PAST_DAYS[n % len(OTHER_PAST_DAYS)]):
            day = max(today - timedelta(days=days), assignment.started_on + timedelta(days=1))
            start = _free_start([mentor_user, mentee], day, 14 + i % 3)
            if start.date() <= assignment.started_on or start >= timezone.now():
                continue
            proposer, other = (mentor_user, mentee) if i % 2 == 0 else (mentee, mentor_user)
            _past(proposer=proposer, other=other, programme=assignment.programme, start=start,
                  agenda=OTHER_AGENDAS[i % len(OTHER_AGENDAS)])


def _seed_group(department, today: date) -> None:
    """A past group meeting of the first group programme's first mentor with two mentees or more, if any."""
    programme = Programme.objects.filter(department=department, kind=Programme.Kind.GROUP, is_active=True).first()
    if programme is None:
        return
    mentor = (Mentor.objects.filter(assignments__programme=programme, assignments__ended_on__isnull=True)
              .annotate(n=Count("assignments", filter=Q(assignments__programme=programme,
                                                        assignments__ended_on__isnull=True)))
              .filter(n__gte=2).select_related("user").order_by("pk").first())
    if mentor is None or Meeting.objects.filter(programme=programme, mentor_user=mentor.user).exists():
        return
    mentees = [a.resident.user for a in Assignment.objects.filter(programme=programme, mentor=mentor,
                                                                   ended_on__isnull=True)
               .select_related("resident__user")]
    started = max(a.started_on for a in Assignment.objects.filter(programme=programme, mentor=mentor,
                                                                   ended_on__isnull=True))
    day = max(today - timedelta(days=20), started + timedelta(days=1))
    start = _free_start([mentor.user, *mentees], day, 16, hours=2)
    if start >= timezone.now():
        return
    meeting = meeting_propose(proposer=mentor.user, programme=programme, invitees=[], format="group",
                              starts_at=start, ends_at=start + timedelta(hours=2), place=PLACE, agenda=GROUP_AGENDA,
                              acknowledge_clashes=True, now=start - timedelta(days=7))
    for i, user in enumerate(mentees):
        meeting_respond(meeting=meeting, user=user, accept=i % 4 != 3, now=start - timedelta(days=6))


def seed_meetings(*, department, coordinator, mentors: dict[str, Mentor], residents: list[Resident],
                  showcase: Resident, today: date) -> None:
    """Meetings, absences and calendar feeds for the demo (see the module docstring); idempotent."""
    now = timezone.now()
    _seed_showcase(showcase, today, now)
    _seed_other_pairs(residents, showcase, today)
    _seed_group(department, today)
