"""Scale data, the records of training (see reports/scale.py): curricula, EPA observations, clinical activities,
night duties, exam results, mentor evaluations and meetings, each written in bulk with explicit keys.

Every row obeys its table's constraints by construction: hours that add up, levels 1-5, one night duty per
resident and start, one exam result per resident and stage, one evaluation per mentor and year, one row per
meeting participant; the dates lie inside the resident's time in training and never after today.
"""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from assessments.exams import overall_score
from assessments.models import EntrustmentDecision, ExamResult, MentorEvaluation, Observation
from mentoring.models import Meeting, MeetingParticipant
from residents.models import ActivityEntry, ActivityKind, Curriculum, CurriculumItem, NightDuty

from .scale import World, academic_start, aware

WENT_WELL = ["Clear structure of the assessment.", "Calm communication with the parents.",
             "Good hand hygiene and asepsis.", "Correct dose calculation.", "Quick recognition of the problem."]
TO_IMPROVE = ["Document the findings straight away.", "Check the equipment before starting.",
              "Call for help earlier.", "Explain the plan to the nurse.", "Re-assess after the intervention."]
SETTINGS = [s.value for s in Observation.Setting] + ["", ""]
KINDS = [k.value for k in ActivityKind]
KIND_WEIGHTS = [10, 14, 14, 8, 6, 3, 10, 6, 3, 14, 5, 1, 6]
PLACES = ["Seminar room", "Ward office", "Teaching room 2", "Online"]
AGENDAS = ["Progress on the individual curriculum", "Feedback on recent observations", "Preparing for the exam",
           "Plan for the next rotation", "Research project"]


def _clip(value: float, low: int = 1, high: int = 5) -> int:
    return max(low, min(high, round(value)))


def write_curricula(world: World) -> None:
    """One curriculum per resident and academic year in training: approved for past years, mostly approved this
    year; each discipline's hours split 20/70/10 (within the specialty's bounds) and one in ten outside them."""
    rng, w = world.rng("curricula"), world.writer
    curricula, items = [], []
    c_pk, i_pk = w.first_id(Curriculum), w.first_id(CurriculumItem)
    for r in world.residents:
        coordinator = world.departments[r.specialty.department]["coordinator_user"]
        for a in r.years():
            yos = min(a - r.intake + 1, r.specialty.duration)
            if a < world.year:
                status = "approved"
            else:
                roll = rng.random()
                status = "approved" if roll < .6 else "submitted" if roll < .85 else "draft"
            submitted = aware(date(a, 9, 20)) if status != "draft" else None
            approved = aware(date(a, 10, 1)) if status == "approved" else None
            stamp = min(aware(date(a, 10, 1)), aware(world.today))
            curricula.append((c_pk, r.pk, world.years[a], yos, status, "", submitted, approved,
                              coordinator if approved else None, stamp, stamp))
            compliant = rng.random() < .9
            for discipline, hours in r.specialty.disciplines[yos]:
                classroom, independent = (hours * 2 // 10, hours // 10) if compliant else (hours * 4 // 10, hours // 10)
                items.append((i_pk, c_pk, discipline, hours, classroom, hours - classroom - independent, independent))
                i_pk += 1
            c_pk += 1
    w.insert(Curriculum, ["id", "resident_id", "academic_year_id", "year_of_study", "status", "return_comment",
                          "submitted_at", "approved_at", "approved_by_id", "created_at", "updated_at"], curricula)
    w.insert(CurriculumItem, ["id", "curriculum_id", "discipline_id", "total_hours", "classroom_hours",
                              "clinical_hours", "independent_hours"], items)


def _picks(world: World, name: str, n: int, residents):
    """n residents drawn in proportion to their days in training (so every day carries about as many rows)."""
    rng = world.rng(name)
    residents = list(residents)
    cum, total = [], 0
    for r in residents:
        total += r.days
        cum.append(total)
    return rng, rng.choices(residents, cum_weights=cum, k=n)


def write_observations(world: World) -> None:
    """EPA observations by the resident's mentor, on days in training; the level rises with the time in training
    and the resident's ability; about one in sixteen is recorded more than 14 days late (and flagged so)."""
    midnight = aware(world.today, 0)
    rng, picks = _picks(world, "observations", world.count("observations"),
                        (r for r in world.residents if r.mentor is not None))
    pk = world.writer.first_id(Observation)

    def rows():
        for i, r in enumerate(picks):
            day = r.starts + timedelta(days=rng.randrange(r.days))
            years_in = (day - date(r.intake, 9, 1)).days / 365.25
            room = (r.ends - day).days
            late = rng.random() < .06 and room >= 15
            delay = rng.randint(15, min(40, room)) if late else rng.randint(0, min(3, room))
            created = aware(day + timedelta(days=delay), rng.randint(8, 19), rng.randrange(60))
            acknowledged = created + timedelta(hours=rng.randint(2, 120)) if rng.random() < .75 else None
            yield (pk + i, r.pk, rng.choice(r.specialty.epas), r.mentor.pk, day,
                   _clip(1 + 1.15 * years_in + .45 * r.ability + rng.gauss(0, .7)), rng.choice(SETTINGS),
                   rng.choice(WENT_WELL) if rng.random() < .3 else "",
                   rng.choice(TO_IMPROVE) if rng.random() < .3 else "", late,
                   acknowledged if acknowledged is not None and acknowledged < midnight else None, created)

    world.writer.insert(Observation, ["id", "resident_id", "epa_id", "mentor_id", "observed_on", "level", "setting",
                                      "went_well", "to_improve", "is_late", "acknowledged_at", "created_at"], rows())


def write_entrustments(world: World) -> None:
    """The coordinator's granted levels: for most EPAs of a mentored resident, a decision at the end of each year of
    study (near the year's expected level, by ability, never lowered), and now and then one during this year. The
    decision row holds the latest level; its audit history (django-simple-history) one row per decision, as the
    entrustment service leaves it ("+" the first, "~" each change)."""
    rng, w = world.rng("entrustments"), world.writer
    decisions, history = [], []
    pk = w.first_id(EntrustmentDecision)
    for r in world.residents:
        if r.mentor is None:
            continue
        coordinator = world.departments[r.specialty.department]["coordinator_user"]
        days = [date(a + 1, 6, 20) for a in r.years() if date(a + 1, 6, 20) <= r.ends]
        if rng.random() < .3 and r.ends > date(world.year, 10, 1):
            days.append(date(world.year, 9, 1) + timedelta(days=rng.randrange((r.ends - date(world.year, 9, 1)).days)))
        for epa in r.specialty.epas:
            if not days or rng.random() > .6:
                continue
            level = 0
            for n, day in enumerate(days):
                yos = min(r.specialty.duration, day.year - r.intake if day.month < 9 else day.year - r.intake + 1)
                level = max(level, _clip(r.specialty.expected[(epa, max(1, yos))] + .5 * r.ability + rng.gauss(0, .6)))
                at = aware(day, 12)
                history.append((pk, level, "Observations and the mentor's report", at, r.pk, epa, coordinator,
                                at, "", "+" if n == 0 else "~", coordinator))
            decisions.append((pk, r.pk, epa, level, "Observations and the mentor's report", coordinator, at))
            pk += 1
    w.insert(EntrustmentDecision, ["id", "resident_id", "epa_id", "level", "rationale", "decided_by_id",
                                   "decided_at"], decisions)
    w.insert(EntrustmentDecision.history.model, ["id", "level", "rationale", "decided_at", "resident_id", "epa_id",
                                                 "decided_by_id", "history_date", "history_change_reason",
                                                 "history_type", "history_user_id"], history)


def _review(rng, r, day: date, today: date):
    """Status, reviewer and review time of a logged entry: recent entries often still await confirmation."""
    roll = rng.random()
    if (today - day).days < 14 and roll < .6 or r.mentor is None:
        return "pending", None, None
    status = "confirmed" if roll < .95 else "returned"
    return status, r.mentor.user_id, aware(min(today - timedelta(days=1), day + timedelta(days=rng.randint(1, 6))), 18)


def write_activities(world: World) -> None:
    rng, picks = _picks(world, "activities", world.count("activities"), world.residents)
    pk, today = world.writer.first_id(ActivityEntry), world.today

    def rows():
        for i, r in enumerate(picks):
            day = r.starts + timedelta(days=rng.randrange(r.days))
            kind = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
            role = rng.choice(["performed", "assisted"]) if kind == "manipulation" else ""
            status, reviewer, reviewed = _review(rng, r, day, today)
            created = aware(day, 20)
            yield (pk + i, r.pk, day, kind, role, Decimal(rng.randint(2, 16)) / 2, r.site, "", status,
                   "Please add the patient's age group." if status == "returned" else "", reviewer, reviewed,
                   created, reviewed or created)

    world.writer.insert(ActivityEntry, ["id", "resident_id", "date", "kind", "manipulation_role", "hours",
                                        "clinical_site_id", "note", "status", "review_comment", "reviewed_by_id",
                                        "reviewed_at", "created_at", "updated_at"], rows())


def _months(first: date, last: date):
    """(first day, last day) of each calendar month between two days, clipped to them."""
    day = first
    while day <= last:
        nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        yield day, min(last, nxt - timedelta(days=1))
        day = nxt


def write_night_duties(world: World) -> None:
    """Night duties (20:00 to 08:00) in the previous and the current academic year: two to six a month, so some
    residents meet the monthly minimum and some do not; on distinct nights."""
    rng, w, today = world.rng("night_duties"), world.writer, world.today
    since = date(world.year - 1, 9, 1)
    pk = w.first_id(NightDuty)

    def rows():
        nonlocal pk
        for r in world.residents:
            first, last = max(r.starts, since), r.ends
            for start, end in _months(first, last) if first <= last else ():
                span = (end - start).days + 1
                n = min(span, round(rng.choice([2, 3, 4, 4, 4, 5, 5, 6]) * span / 30))
                for offset in sorted(rng.sample(range(span), n)):
                    starts = aware(start + timedelta(days=offset), 20)
                    status, reviewer, reviewed = _review(rng, r, start + timedelta(days=offset), today)
                    yield (pk, r.pk, starts, starts + timedelta(hours=12), r.site, "", status, "", reviewer,
                           reviewed, starts, reviewed or starts)
                    pk += 1

    w.insert(NightDuty, ["id", "resident_id", "starts_at", "ends_at", "clinical_site_id", "note", "status",
                         "review_comment", "reviewed_by_id", "reviewed_at", "created_at", "updated_at"], rows())


def _score(rng, ability: float) -> Decimal:
    return Decimal(max(30.0, min(100.0, rng.gauss(76 + 7 * ability, 8)))).quantize(Decimal("0.01"))


def write_exams(world: World) -> None:
    """The intermediate certification of every completed year of study, and the final one for graduates; the
    overall score as `assessments.exams.overall_score` computes it (test weight 50 %)."""
    rng, rows = world.rng("exams"), []
    pk = world.writer.first_id(ExamResult)
    for r in world.residents:
        coordinator = world.departments[r.specialty.department]["coordinator_user"]
        done = min(academic_start(r.ends) - r.intake, r.specialty.duration - 1)
        stages = [(f"year_{k}", r.intake + k - 1) for k in range(1, done + 1)]
        if r.status == "graduated":
            stages.append(("final", r.intake + r.specialty.duration - 1))
        for stage, a in stages:
            test, osce = _score(rng, r.ability), _score(rng, r.ability)
            held = date(a + 1, 6, 15)
            rows.append((pk, r.pk, stage, world.years[a], held, test, osce, 50, overall_score(test, osce, 50),
                         coordinator, aware(held, 16), aware(held, 16)))
            pk += 1
    world.writer.insert(ExamResult, ["id", "resident_id", "stage", "academic_year_id", "held_on", "test_score",
                                     "osce_score", "test_weight_pct", "overall_score", "recorded_by_id", "created_at",
                                     "updated_at"], rows)


def write_evaluations(world: World) -> None:
    """The coordinator's evaluation of most mentors in each of the last four completed academic years."""
    rng, rows = world.rng("evaluations"), []
    pk = world.writer.first_id(MentorEvaluation)
    for m in world.mentors:
        coordinator = world.departments[m.specialty.department]["coordinator_user"]
        lean = rng.gauss(0, .5)
        for a in range(world.year - 4, world.year):
            if rng.random() > .9:
                continue
            ratings = [_clip(rng.gauss(4.1 + lean, .7)) for _ in MentorEvaluation.CRITERIA]
            score = (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01"))
            stamp = aware(date(a + 1, 6, 25), 11)
            rows.append((pk, m.pk, world.years[a], *ratings, score, "", coordinator, stamp, stamp))
            pk += 1
    world.writer.insert(MentorEvaluation, ["id", "mentor_id", "academic_year_id", *MentorEvaluation.CRITERIA, "score",
                                           "comment", "evaluated_by_id", "created_at", "updated_at"], rows)


def write_meetings(world: World) -> None:
    """One-to-one meetings of each current pair in the previous and the current academic year: mostly held
    (accepted), some declined or cancelled; the mentor and the mentee as participants."""
    rng, w, today = world.rng("meetings"), world.writer, world.today
    since = date(world.year - 1, 9, 1)
    meetings, people = [], []
    m_pk, p_pk = w.first_id(Meeting), w.first_id(MeetingParticipant)
    for r in world.residents:
        if r.mentor is None or r.status != "active":
            continue
        first = max(r.starts, since)
        span = (today - first).days
        for _ in range(round(span / 365 * rng.uniform(3, 10))):
            day = first + timedelta(days=rng.randrange(max(1, span)))
            starts = aware(day, rng.choice([13, 14, 15, 16]))
            status = rng.choices(["accepted", "declined", "cancelled"], weights=[88, 6, 6])[0]
            by_mentor = rng.random() < .6
            proposer = r.mentor.user_id if by_mentor else r.user_id
            created = starts - timedelta(days=rng.randint(2, 10))
            meetings.append((m_pk, world.departments[r.specialty.department]["programme"], r.mentor.user_id,
                             "one_to_one", starts, starts + timedelta(hours=1), rng.choice(PLACES),
                             rng.choice(AGENDAS), status, proposer, False, None,
                             uuid.UUID(int=rng.getrandbits(128), version=4), 0, created, created))
            invitee = "declined" if status == "declined" else "accepted"
            for user, role in ((r.mentor.user_id, "mentor"), (r.user_id, "mentee")):
                answer = "accepted" if user == proposer else invitee
                people.append((p_pk, m_pk, user, role, answer, "Clinical duty" if answer == "declined" else "",
                               created + timedelta(hours=rng.randint(1, 30))))
                p_pk += 1
            m_pk += 1
    w.insert(Meeting, ["id", "programme_id", "mentor_user_id", "format", "starts_at", "ends_at", "place", "agenda",
                       "status", "proposed_by_id", "clashes_acknowledged", "reminder_sent_at", "uid", "sequence",
                       "created_at", "updated_at"], meetings)
    w.insert(MeetingParticipant, ["id", "meeting_id", "user_id", "role", "response", "decline_reason",
                                  "responded_at"], people)
