"""Demo data for the training year: the neonatology programme's disciplines, curricula and activity logs.

Called by `mentoring.demo.seed_demo`; idempotent like it. Written for the product: the disciplines follow
the structure of a 3-year neonatology residency (hours per academic year, 1 credit = 30 hours).

- Curricula go through the curriculum services (`residents.curricula`): every active resident gets one for
  the current academic year, started from last year's where there is one; the earlier years' curricula
  are created first (approved), so "start from last year" has something to copy. Most current curricula
  are approved, a few await approval, one was returned with a comment, two are drafts (one with a split
  problem). A resident who already has a curriculum for a year is left alone for that year.
- Activity logs cover the last 12 months (or since the intake) of every active resident with a mentor:
  clinical activities on working days and 3-6 night duties a month. The history older than a week is
  written with `bulk_create` (the services refuse entries older than LOG_WINDOW_DAYS) but obeys the same
  rules; it is confirmed by the mentor of the time, a few entries returned with a comment. The last week
  goes through `activity_log` / `night_duty_log` and awaits confirmation. Two or three residents fall below
  the night-duty requirement this month and last month. A resident with any entry or duty is left alone.

Everything is drawn from random generators seeded with a constant (per resident: with the e-mail) and
dated relative to today, so a run is deterministic within a day and the demo stays sensible in any year.
"""

import calendar
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone

from organization.models import AcademicYear, ClinicalSite
from residents.activity import activity_log, night_duty_log
from residents.curricula import (
    Split,
    bounds,
    curriculum_approve,
    curriculum_items_update,
    curriculum_return,
    curriculum_start,
    curriculum_submit,
    default_split,
    split_problems,
)
from residents.models import (
    ActivityEntry,
    ActivityKind,
    Curriculum,
    CurriculumEvent,
    CurriculumItem,
    Discipline,
    NightDuty,
    Resident,
    ReviewStatus,
)

from .models import Assignment

SEED = 2024

# (year of study, name, hours)
DISCIPLINES = [
    (1, "Physiology and pathology of the term newborn", Decimal("540")),
    (1, "Neonatal resuscitation and stabilisation", Decimal("360")),
    (1, "Neonatology in the maternity ward", Decimal("630")),
    (1, "Neonatal infections and infection control", Decimal("270")),
    (2, "Neonatal intensive care", Decimal("720")),
    (2, "Care of the preterm and very low birth weight infant", Decimal("540")),
    (2, "Neonatal neurology", Decimal("300")),
    (2, "Neonatal cardiology and echocardiography basics", Decimal("240")),
    (3, "Surgical conditions of the newborn", Decimal("450")),
    (3, "Follow-up of high-risk infants", Decimal("360")),
    (3, "Neonatal transport and regional perinatal care", Decimal("270")),
    (3, "Evidence-based neonatology and clinical audit", Decimal("180")),
]


def seed_disciplines(specialty) -> list[Discipline]:
    """The specialty's programme, matched by (specialty, year, name); changed hours are updated."""
    disciplines = []
    for position, (year, name, hours) in enumerate(DISCIPLINES):
        discipline, created = Discipline.objects.get_or_create(
            specialty=specialty, year_of_study=year, name=name, defaults={"hours": hours, "position": position})
        if not created and (discipline.hours, discipline.position) != (hours, position):
            discipline.hours, discipline.position = hours, position
            discipline.save(update_fields=["hours", "position"])
        disciplines.append(discipline)
    return disciplines


# Curricula ------------------------------------------------------------------------------------------------------

APPROVED, SUBMITTED, RETURNED, DRAFT, DRAFT_PROBLEM = "approved", "submitted", "returned", "draft", "draft_problem"
RETURN_COMMENT = ("{discipline}: please plan at least 70 % clinical work under the mentor and move the extra "
                  "hours from classroom work.")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _split(total: Decimal, specialty, rng: random.Random, classroom_pct: int | None = None) -> Split:
    """A plausible split within the specialty's bounds: classroom varies around the middle, independent work at
    the middle of its bounds, the rest clinical; whole hours. Falls back to the default split if it would fail."""
    limits = bounds(specialty)
    low, high = limits["classroom"]
    if classroom_pct is None:
        classroom_pct = rng.randint(min(low + 5, high), max(high - 5, low))
    independent = _whole(total * Decimal(sum(limits["independent"])) / 200)
    classroom = _whole(total * classroom_pct / 100)
    split = Split(classroom, total - classroom - independent, independent)
    problems = split_problems(specialty=specialty, discipline_name="", total=total, classroom=split.classroom,
                              clinical=split.clinical, independent=split.independent)
    return default_split(total, specialty) if problems else split


def _problem_split(total: Decimal) -> Split:
    """Too much classroom work and too little clinical work: the draft shows the highlighted warning."""
    classroom = _whole(total * Decimal("0.35"))
    independent = _whole(total * Decimal("0.10"))
    return Split(classroom, total - classroom - independent, independent)


def _chain(stamps: list[datetime], now: datetime) -> list[datetime]:
    """The stamps, none in the future and none before the previous one."""
    out = []
    for stamp in stamps:
        stamp = min(stamp, now)
        out.append(max(stamp, out[-1]) if out else stamp)
    return out


def _backdate(curriculum: Curriculum, stamps: list[datetime], now: datetime) -> None:
    """Date the workflow as it happened: one stamp per event (start, submit, approve or return)."""
    stamps = _chain(stamps, now)
    for event_id, at in zip(curriculum.events.order_by("id").values_list("pk", flat=True), stamps, strict=False):
        CurriculumEvent.objects.filter(pk=event_id).update(at=at)
    fields = {"created_at": stamps[0], "updated_at": stamps[-1]}
    if curriculum.submitted_at is not None:
        fields["submitted_at"] = stamps[1]
    if curriculum.approved_at is not None:
        fields["approved_at"] = stamps[2]
    Curriculum.objects.filter(pk=curriculum.pk).update(**fields)


def _start_stamps(year: AcademicYear, rng: random.Random) -> list[datetime]:
    created = year.starts_on + timedelta(days=rng.randint(1, 7))
    submitted = created + timedelta(days=rng.randint(2, 9))
    approved = submitted + timedelta(days=rng.randint(1, 5))
    return [_at(created, rng.randint(9, 12), rng.randint(0, 59)),
            _at(submitted, rng.randint(13, 17), rng.randint(0, 59)),
            _at(approved, rng.randint(9, 12), rng.randint(0, 59))]


def _past_curriculum(resident: Resident, year: AcademicYear, year_of_study: int, coordinator, rng, now) -> None:
    """An approved curriculum of an earlier year. `curriculum_start` only starts the resident's current year
    of study, so the draft is written here (as `curriculum_start` would) and then submitted and approved
    through the services."""
    curriculum = Curriculum.objects.create(resident=resident, academic_year=year, year_of_study=year_of_study)
    items = []
    for discipline in Discipline.objects.filter(specialty=resident.specialty, year_of_study=year_of_study):
        split = _split(discipline.hours, resident.specialty, rng)
        items.append(CurriculumItem(curriculum=curriculum, discipline=discipline, total_hours=discipline.hours,
                                    classroom_hours=split.classroom, clinical_hours=split.clinical,
                                    independent_hours=split.independent))
    CurriculumItem.objects.bulk_create(items)
    CurriculumEvent.objects.create(curriculum=curriculum, from_status="", to_status=Curriculum.Status.DRAFT,
                                   by=resident.user)
    curriculum_submit(curriculum=curriculum, by=resident.user)
    curriculum = curriculum_approve(curriculum=curriculum, by=coordinator)
    _backdate(curriculum, _start_stamps(year, rng), now)


def _current_curriculum(resident: Resident, year: AcademicYear, role: str, coordinator, rng, today, now) -> None:
    has_previous = Curriculum.objects.filter(resident=resident, academic_year__start_year__lt=year.start_year).exists()
    curriculum = curriculum_start(resident=resident, academic_year=year, by=resident.user, copy_previous=has_previous)
    stamps = _start_stamps(year, rng)
    items = list(curriculum.items.select_related("discipline").order_by("discipline__position", "pk"))
    if role != DRAFT:
        splits = {item.pk: _split(item.total_hours, resident.specialty, rng) for item in items}
        if role == DRAFT_PROBLEM:
            splits[items[0].pk] = _problem_split(items[0].total_hours)
        elif role == RETURNED:  # valid, at the edge the coordinator questions
            splits[items[0].pk] = _split(items[0].total_hours, resident.specialty, rng, classroom_pct=25)
        curriculum_items_update(curriculum=curriculum, splits=splits, by=resident.user)
    if role in (APPROVED, SUBMITTED, RETURNED):
        curriculum = curriculum_submit(curriculum=curriculum, by=resident.user)
    if role == APPROVED:
        curriculum = curriculum_approve(curriculum=curriculum, by=coordinator)
    elif role == SUBMITTED:
        stamps = [stamps[0], _at(today - timedelta(days=rng.randint(1, 6)), rng.randint(9, 17), rng.randint(0, 59))]
    elif role == RETURNED:
        curriculum = curriculum_return(curriculum=curriculum, by=coordinator,
                                       comment=RETURN_COMMENT.format(discipline=items[0].discipline.name))
        stamps = [stamps[0], _at(today - timedelta(days=rng.randint(10, 14)), 15, rng.randint(0, 59)),
                  _at(today - timedelta(days=rng.randint(5, 8)), 10, rng.randint(0, 59))]
    else:
        stamps = stamps[:1]
    _backdate(curriculum, stamps, now)


def _curriculum_roles(active: list[Resident], mentored: set[int], showcase: Resident | None) -> dict[int, str]:
    """Who shows which state: the residents waiting for a mentor are the drafts (one with a split problem) and
    one submitted; a first-year and a second-year with a mentor await approval; another second-year's
    curriculum was returned. Everyone else, the demo resident included, is approved."""
    roles = {}
    waiting = [r for r in active if r.pk not in mentored]
    for resident, role in zip(waiting, [DRAFT_PROBLEM, DRAFT, SUBMITTED], strict=False):
        roles[resident.pk] = role
    others = [r for r in active if r.pk in mentored and (showcase is None or r.pk != showcase.pk)]
    first_years = [r for r in others if r.year_of_study == 1]
    second_years = [r for r in others if r.year_of_study == 2]
    for resident, role in [*zip(first_years, [SUBMITTED], strict=False),
                           *zip(second_years, [RETURNED, SUBMITTED], strict=False)]:
        roles[resident.pk] = role
    return roles


def _seed_curricula(active, mentored, showcase, coordinator, today, now) -> None:
    years = {y.start_year: y for y in AcademicYear.objects.all()}
    current = next((y for y in years.values() if y.starts_on <= today <= y.ends_on), None)
    if current is None:
        return
    existing = set(Curriculum.objects.filter(resident__in=active).values_list("resident_id", "academic_year_id"))
    roles = _curriculum_roles(active, mentored, showcase)
    for resident in active:
        rng = random.Random(f"{SEED}:curriculum:{resident.user.email}")
        intake = resident.cohort.intake_year.start_year
        for start in range(max(intake, current.start_year - resident.year_of_study + 1), current.start_year):
            year_of_study = resident.year_of_study - (current.start_year - start)
            if start in years and year_of_study >= 1 and (resident.pk, years[start].pk) not in existing:
                _past_curriculum(resident, years[start], year_of_study, coordinator, rng, now)
        if (resident.pk, current.pk) not in existing:
            _current_curriculum(resident, current, roles.get(resident.pk, APPROVED), coordinator, rng, today, now)


# Activity logs ----------------------------------------------------------------------------------------------------

HISTORY_DAYS = 365
PENDING_DAYS = 7  # the last week awaits the mentor's confirmation
RETURNED_WITHIN_DAYS = 40  # entries returned by the mentor are recent ones
DUTY_GAP_DAYS = 3  # at least two days between night duties
DUTY_START, DUTY_END = time(17), time(8)
ABSENT_SHARE = 0.04  # working days without entries (a course, a sick day)
# Public holidays in Kazakhstan (month, day): no scheduled clinical activities, duties as usual.
HOLIDAYS = {(1, 1), (1, 2), (1, 7), (3, 8), (3, 21), (3, 22), (3, 23), (5, 1), (5, 7), (5, 9), (7, 6), (8, 30),
            (10, 25), (12, 16)}

K = ActivityKind
NOTES = {
    K.MORNING_CONFERENCE: ["Night report: two admissions from the delivery room", "Handover of the NICU patients",
                           "Presented an overnight admission with respiratory distress",
                           "Discussed the night's transfers from the maternity ward"],
    K.ROUNDS: ["Ward round with the head of the unit", "Professor's round: late-onset sepsis",
               "Round in the neonatal pathology unit", "NICU round: ventilation settings reviewed",
               "Joint-stay ward round, discharge planning"],
    K.PATIENT_SUPERVISION: ["Three preterm infants, 32-34 weeks, in the NICU", "Term newborns in the joint-stay ward",
                            "Infant on CPAP: weaning plan agreed with the mentor",
                            "Neonatal jaundice: phototherapy started per protocol",
                            "Very low birth weight infant: feeding advanced per protocol",
                            "Early-onset sepsis: antibiotics per clinical protocol",
                            "Hypoglycaemia monitoring in an infant of a diabetic mother"],
    K.CONSULTATION: ["Paediatric cardiologist: patent ductus arteriosus", "Neurologist: neonatal seizures",
                     "Paediatric surgeon: suspected necrotising enterocolitis",
                     "Geneticist: dysmorphic features", "Ophthalmologist: retinopathy of prematurity"],
    K.CLINICAL_REVIEW: ["Case review: hypoxic-ischaemic encephalopathy",
                        "Reviewed antibiotic use in early-onset sepsis",
                        "Case review: persistent pulmonary hypertension",
                        "Audit of delivery room resuscitation records"],
    K.PATHOLOGY_CONFERENCE: ["Clinicopathological conference: congenital diaphragmatic hernia",
                             "Clinicopathological conference: intraventricular haemorrhage",
                             "Clinicopathological conference: congenital pneumonia"],
    K.LAB_INSTRUMENTAL: ["Neurosonography with the ultrasound specialist", "Interpreted blood gases and CRP",
                         "Echocardiography: ductus assessment", "Chest X-ray review with the radiologist",
                         "Abdominal ultrasound", "Complete blood count and bilirubin interpretation"],
    K.HEALTH_EDUCATION: ["Breastfeeding counselling for mothers in the joint-stay ward",
                         "Talk with parents on safe sleep", "Kangaroo care session with parents",
                         "Discharge advice: vaccination and follow-up"],
    K.UNIT_WORK: ["Delivery room: attended caesarean deliveries", "Shift in the NICU",
                  "Neonatal pathology unit: admissions and discharges", "Maternity ward: discharge examinations",
                  "Neonatal resuscitation unit"],
    K.EXAMINATION_SCREENING: ["Newborn hearing screening", "Pulse oximetry screening for congenital heart disease",
                              "Neonatal screening blood spots", "Discharge examinations of term newborns",
                              "Hip ultrasound screening",
                              "Retinopathy of prematurity screening with the ophthalmologist"],
    K.AUTOPSY: ["Attended an autopsy with the pathologist", "Autopsy: extremely preterm infant"],
    K.ACTIVITY_REPORT: ["Monthly activity report to the mentor", "Weekly log review with the mentor"],
}
# (procedure, year of study from which the resident performs it rather than assists)
MANIPULATIONS = [
    ("Peripheral venous cannulation", 1), ("Capillary blood sampling", 1), ("Orogastric tube placement", 1),
    ("Bag-mask ventilation in the delivery room", 1), ("Bladder catheterisation", 1),
    ("Umbilical venous catheter insertion", 2), ("Endotracheal intubation", 2),
    ("Surfactant administration (INSURE)", 2), ("Lumbar puncture", 2),
    ("Peripherally inserted central catheter", 3), ("Exchange transfusion", 3), ("Pleural drainage", 3),
]
# Beyond the morning conference, rounds and supervision: (kind, hours, weight)
EXTRAS = [
    (K.MANIPULATION, ("0.5", "0.5", "1.0"), 30), (K.LAB_INSTRUMENTAL, ("1.0", "1.5", "2.0"), 14),
    (K.CONSULTATION, ("0.5", "1.0", "1.5"), 12), (K.UNIT_WORK, ("2.0", "3.0", "4.0"), 14),
    (K.CLINICAL_REVIEW, ("1.0", "1.5", "2.0"), 8), (K.EXAMINATION_SCREENING, ("1.0", "1.5", "2.0", "3.0"), 10),
    (K.HEALTH_EDUCATION, ("0.5", "1.0"), 5), (K.PATHOLOGY_CONFERENCE, ("1.0", "1.5"), 3),
    (K.AUTOPSY, ("2.0", "3.0"), 1), (K.ACTIVITY_REPORT, ("0.5", "1.0"), 3),
]
DUTY_NOTES = ["NICU night duty", "Delivery room on call", "Night duty in the neonatal pathology unit",
              "Night duty: admissions from the maternity ward", "", ""]
SUPERVISION_RETURN_COMMENT = "Please say how many infants you supervised and in which unit."
HOURS_RETURN_COMMENT = "The hours look too long for this activity; please check them."
NOTE_RETURN_COMMENT = "Please add a short note on what you did."
END_TIME_RETURN_COMMENT = "Please check the end time: the handover was at 08:00."
UNIT_RETURN_COMMENT = "Please add the unit where you were on duty."
MAX_DAY_HOURS = Decimal("10")  # a working day in the log, well within the 24 hours the rules allow


@dataclass(frozen=True)
class _Period:
    """The resident under one mentor: who confirms, at which site, from `start` until before `end`."""

    reviewer_id: int
    site: ClinicalSite
    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class _Log:
    entries: list[ActivityEntry] = field(default_factory=list)  # history, for bulk_create
    duties: list[NightDuty] = field(default_factory=list)
    pending_entries: list[dict] = field(default_factory=list)  # the last week, for the services
    pending_duties: list[dict] = field(default_factory=list)


def _month_days(month: date) -> list[date]:
    return [month.replace(day=d) for d in range(1, calendar.monthrange(month.year, month.month)[1] + 1)]


def _next_month(month: date) -> date:
    return month.replace(year=month.year + 1, month=1) if month.month == 12 else month.replace(month=month.month + 1)


def _pick(candidates: list[date], k: int, taken: list[date], rng: random.Random) -> list[date]:
    """Up to `k` of the candidate days, at least DUTY_GAP_DAYS from each other and from every duty already taken:
    the first of a few random tries that fits `k` duties, else the earliest days that fit (which fits most)."""

    def fits(day, chosen):
        return all(abs((day - other).days) >= DUTY_GAP_DAYS for other in [*taken, *chosen])

    best: list[date] = []
    for _attempt in range(10):
        pool = list(candidates)
        rng.shuffle(pool)
        best = []
        for day in pool:
            if len(best) < k and fits(day, best):
                best.append(day)
        if len(best) >= k:
            break
    else:
        best = []
        for day in sorted(candidates):
            if len(best) < k and fits(day, best):
                best.append(day)
    taken.extend(best)
    return best


def _vacation(first: date, last: date, keep_free_from: date, rng: random.Random) -> set[date]:
    """Four weeks of summer leave in each summer of the period; moved to early summer when it would fall in the
    last month or this one, so that the demo's current figures are about residents at work."""
    days = set()
    for year in range(first.year, last.year + 1):
        start = date(year, 7, 1) + timedelta(days=rng.randint(0, 30))
        if start + timedelta(days=28) > keep_free_from and start <= last + timedelta(days=31):
            start = keep_free_from - timedelta(days=28 + rng.randint(7, 21))
        days.update(start + timedelta(days=i) for i in range(28))
    return days


def _duty_days(first: date, today: date, vacation: set[date], below: bool, rng: random.Random) -> list[date]:
    """Start days of the night duties: 3-6 a month. Last month and this month, at least 4 before the pending week
    where the month allows it (and one or two in it), so the requirement is met on confirmed duties alone; a
    resident `below` the rule has 2 last month and 1 (+1 awaiting confirmation) this month."""
    pending_from = today - timedelta(days=PENDING_DAYS)
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    taken: list[date] = []
    month = first.replace(day=1)
    while month <= this_month:
        days = _month_days(month)
        usable = [d for d in days if first <= d < today and d not in vacation]
        confirmed = [d for d in usable if d < pending_from]
        pending = [d for d in usable if d >= pending_from]
        if month in (this_month, last_month):
            if below:
                k_confirmed, k_pending = (1, 1) if month == this_month else (2, 0)
            else:
                k_confirmed = rng.choice([4, 4, 5])
                k_pending = min(rng.choice([1, 2] if month == this_month else [0, 1]), 6 - k_confirmed)
            _pick(confirmed, k_confirmed, taken, rng)
            _pick(pending, k_pending, taken, rng)
        else:
            _pick(usable, round(rng.choices([3, 4, 5, 6], weights=[1, 5, 4, 2])[0] * len(usable) / len(days)),
                  taken, rng)
        month = _next_month(month)
    return sorted(taken)


def _day_activities(day: date, year_of_study: int, duty_today: bool, rng: random.Random) -> list[dict]:
    """A working day: the morning conference, rounds and patient supervision, then one to three other activities."""
    plan = []
    if rng.random() < 0.92:
        plan.append((K.MORNING_CONFERENCE, rng.choice(["0.5", "0.5", "1.0"])))
    if rng.random() < 0.85:
        plan.append((K.ROUNDS, rng.choice(["1.0", "1.5", "2.0"])))
    if rng.random() < 0.9:
        plan.append((K.PATIENT_SUPERVISION, rng.choice(["2.0", "2.5", "3.0", "3.5", "4.0"])))
    if day.weekday() == 3 and rng.random() < 0.4:
        plan.append((K.PATHOLOGY_CONFERENCE, rng.choice(["1.0", "1.5"])))
    kinds, hours, weights = zip(*EXTRAS, strict=True)
    for index in rng.choices(range(len(EXTRAS)), weights=weights, k=rng.choice([1, 1, 2, 2, 3])):
        plan.append((kinds[index], rng.choice(hours[index])))
    limit = Decimal("6") if duty_today else MAX_DAY_HOURS  # a shorter day before tonight's night duty
    activities, total, procedures = [], Decimal(0), set()
    for kind, amount in plan:
        amount = Decimal(amount)
        if total + amount > limit:
            continue
        role, note = "", ""
        if kind == K.MANIPULATION:
            procedure, from_year = rng.choice(MANIPULATIONS)
            if procedure in procedures:
                continue
            procedures.add(procedure)
            performed = year_of_study >= from_year and rng.random() < 0.75
            role = ActivityEntry.Role.PERFORMED if performed else ActivityEntry.Role.ASSISTED
            note = procedure
        elif rng.random() < 0.7:
            note = rng.choice(NOTES[kind])
        total += amount
        activities.append({"kind": kind, "hours": amount, "manipulation_role": role, "note": note})
    return activities


def _review_time(day: date, rng: random.Random) -> datetime:
    """When the mentor confirmed the day's entries: one to four days later, in the afternoon."""
    return _at(day + timedelta(days=rng.randint(1, 4)), rng.randint(15, 18), rng.randint(0, 59))


def _log_resident(resident: Resident, periods: list[_Period], *, today: date, now: datetime, below: bool,
                  returns_one: bool, current_start: int) -> _Log:
    log = _Log()
    rng = random.Random(f"{SEED}:log:{resident.user.email}")
    first = max(today - timedelta(days=HISTORY_DAYS), resident.cohort.intake_year.starts_on, periods[0].start)
    last = today - timedelta(days=1)
    if first > last:
        return log
    pending_from = today - timedelta(days=PENDING_DAYS)
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    vacation = _vacation(first, last, last_month, rng)
    duty_days = _duty_days(first, today, vacation, below, rng)
    duty_set = set(duty_days)

    def period_on(day):
        return next((p for p in periods if p.covers(day)), None)

    day = first
    while day <= last:
        period = period_on(day)
        working = (day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS and day not in vacation
                   and day - timedelta(days=1) not in duty_set)  # the day after a night duty is off
        if period is not None and working and rng.random() >= ABSENT_SHARE:
            academic_start = day.year if day.month >= 9 else day.year - 1
            year_of_study = max(1, resident.year_of_study - (current_start - academic_start))
            activities = _day_activities(day, year_of_study, day in duty_set, rng)
            if day >= pending_from:
                log.pending_entries.extend({"date": day, "clinical_site": period.site, **a} for a in activities)
            else:
                reviewed_at = _review_time(day, rng)
                log.entries.extend(
                    ActivityEntry(resident=resident, date=day, clinical_site=period.site, status=ReviewStatus.CONFIRMED,
                                  reviewed_by_id=period.reviewer_id, reviewed_at=reviewed_at, **a)
                    for a in activities)
        day += timedelta(days=1)

    # A few recent entries were returned with a comment; the demo resident has at least one to fix.
    recent = [e for e in log.entries if e.date >= today - timedelta(days=RETURNED_WITHIN_DAYS)]
    count = min(len(recent), max(rng.choices([0, 1, 2], weights=[5, 4, 1])[0], int(returns_one)))
    for entry in rng.sample(recent, count):
        entry.status = ReviewStatus.RETURNED
        if entry.kind == K.PATIENT_SUPERVISION:
            entry.review_comment = SUPERVISION_RETURN_COMMENT
        elif not entry.note:
            entry.review_comment = NOTE_RETURN_COMMENT
        else:  # logged with two hours too many (the day stays far below 24 hours)
            entry.hours, entry.review_comment = entry.hours + 2, HOURS_RETURN_COMMENT

    confirmed_per_month = Counter(d.replace(day=1) for d in duty_days if d < pending_from)
    returned_duty = None
    if not below and rng.random() < 0.3:
        # Only where the month keeps its four confirmed duties without this one.
        candidates = [d for d in duty_days if today - timedelta(days=RETURNED_WITHIN_DAYS) <= d < pending_from
                      and confirmed_per_month[d.replace(day=1)] > 4]
        returned_duty = rng.choice(candidates) if candidates else None
    for day in duty_days:
        period = period_on(day)
        if period is None:
            continue
        starts_at, ends_at = _at(day, DUTY_START.hour), _at(day + timedelta(days=1), DUTY_END.hour)
        note = rng.choice(DUTY_NOTES)
        if day >= pending_from:
            if ends_at <= now:  # a duty is logged once it is over
                log.pending_duties.append({"starts_at": starts_at, "ends_at": ends_at, "clinical_site": period.site,
                                           "note": note})
            continue
        reviewed_at = _at(day + timedelta(days=rng.randint(2, 4)), rng.randint(15, 18), rng.randint(0, 59))
        duty = NightDuty(resident=resident, starts_at=starts_at, ends_at=ends_at, clinical_site=period.site,
                         note=note, status=ReviewStatus.CONFIRMED, reviewed_by_id=period.reviewer_id,
                         reviewed_at=reviewed_at)
        if day == returned_duty:
            duty.status = ReviewStatus.RETURNED
            if note:  # logged as ending an hour late
                duty.ends_at, duty.review_comment = ends_at + timedelta(hours=1), END_TIME_RETURN_COMMENT
            else:
                duty.review_comment = UNIT_RETURN_COMMENT
        log.duties.append(duty)
    return log


def _below_requirement(mentored: list[Resident], mentor_of: dict[int, int], showcase: Resident | None) -> set[int]:
    """Three residents short of night duties: the first of each of three mentors, starting with the demo
    resident's mentor (whose queue then shows it); never the demo resident."""
    focus = mentor_of.get(showcase.pk) if showcase is not None else None
    candidates = sorted((r for r in mentored if showcase is None or r.pk != showcase.pk),
                        key=lambda r: mentor_of[r.pk] != focus)  # stable: the focus mentor's residents first
    chosen, mentors = set(), set()
    for resident in candidates:
        if len(chosen) < 3 and mentor_of[resident.pk] not in mentors:
            chosen.add(resident.pk)
            mentors.add(mentor_of[resident.pk])
    return chosen


def _seed_logs(active: list[Resident], showcase: Resident | None, today: date, now: datetime) -> None:
    periods: dict[int, list[_Period]] = defaultdict(list)
    mentor_of: dict[int, int] = {}
    for a in (Assignment.objects.filter(resident__in=active, kind="clinical").select_related("mentor__clinical_site")
              .order_by("started_on", "pk")):
        periods[a.resident_id].append(_Period(a.mentor.user_id, a.mentor.clinical_site, a.started_on, a.ended_on))
        if a.ended_on is None:
            mentor_of[a.resident_id] = a.mentor.user_id
    mentored = [r for r in active if r.pk in mentor_of]
    logged = (set(ActivityEntry.objects.filter(resident__in=active).values_list("resident_id", flat=True))
              | set(NightDuty.objects.filter(resident__in=active).values_list("resident_id", flat=True)))
    below = _below_requirement(mentored, mentor_of, showcase)
    current_start = today.year if today.month >= 9 else today.year - 1
    logs = {
        r.pk: _log_resident(r, periods[r.pk], today=today, now=now, below=r.pk in below,
                            returns_one=showcase is not None and r.pk == showcase.pk, current_start=current_start)
        for r in mentored if r.pk not in logged
    }
    ActivityEntry.objects.bulk_create([e for log in logs.values() for e in log.entries], batch_size=2000)
    NightDuty.objects.bulk_create([d for log in logs.values() for d in log.duties], batch_size=2000)
    for resident in mentored:
        log = logs.get(resident.pk)
        if log is None:
            continue
        for entry in log.pending_entries:
            activity_log(resident=resident, by=resident.user, **entry)
        for duty in log.pending_duties:
            night_duty_log(resident=resident, by=resident.user, **duty)


# Entry point -----------------------------------------------------------------------------------------------------


def seed_training_year(*, residents: Iterable[Resident], coordinator, showcase: Resident | None = None,
                       today: date | None = None) -> None:
    """Curricula and activity logs of the active `residents` (see the module docstring). `showcase` is the demo
    resident's login: approved curriculum, one returned entry, never short of duties."""
    today = today or timezone.localdate()
    now = timezone.now()
    order = [r.pk for r in residents]
    by_pk = Resident.objects.select_related("user", "specialty", "clinical_site", "cohort__intake_year").in_bulk(order)
    active = [by_pk[pk] for pk in order if by_pk[pk].status == Resident.Status.ACTIVE]
    mentored = set(Assignment.objects.filter(resident__in=active, ended_on__isnull=True, kind="clinical")
                   .values_list("resident_id", flat=True))
    _seed_curricula(active, mentored, showcase, coordinator, today, now)
    _seed_logs(active, showcase, today, now)


def training_summary(residents: Iterable[Resident]) -> str:
    """One sentence: curricula by status, logged activities and duties, what awaits confirmation."""
    ids = [r.pk for r in residents]
    curricula = Curriculum.objects.filter(resident__in=ids).aggregate(
        total=Count("pk"), approved=Count("pk", filter=Q(status=Curriculum.Status.APPROVED)),
        submitted=Count("pk", filter=Q(status=Curriculum.Status.SUBMITTED)),
        draft=Count("pk", filter=Q(status=Curriculum.Status.DRAFT)),
        returned=Count("pk", filter=Q(status=Curriculum.Status.DRAFT) & ~Q(return_comment="")))
    entries = ActivityEntry.objects.filter(resident__in=ids).aggregate(
        total=Count("pk"), pending=Count("pk", filter=Q(status=ReviewStatus.PENDING)),
        returned=Count("pk", filter=Q(status=ReviewStatus.RETURNED)))
    duties = NightDuty.objects.filter(resident__in=ids).aggregate(
        total=Count("pk"), pending=Count("pk", filter=Q(status=ReviewStatus.PENDING)),
        returned=Count("pk", filter=Q(status=ReviewStatus.RETURNED)))
    return (f"{curricula['total']} curricula ({curricula['approved']} approved, {curricula['submitted']} submitted, "
            f"{curricula['draft']} draft of which {curricula['returned']} returned), "
            f"{entries['total']} activities and {duties['total']} night duties logged "
            f"({entries['pending'] + duties['pending']} awaiting confirmation, "
            f"{entries['returned'] + duties['returned']} returned).")
