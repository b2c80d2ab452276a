"""Demo data for assessments: the neonatology EPA catalogue, observations, entrustment, exams, evaluations, tracks.

Called by `mentoring.demo.seed_demo` after the training year; idempotent like it. The text of the catalogue is
in `assessments.demo_catalogue`. Residents are picked by their place in the demo plan, (cohort offset, index),
as in `mentoring.demo` (offset 0 = first-years, 1 = second-years, 2 = third-years, 3 = graduated last summer).

- Catalogue: the 10 neonatology EPAs through `epa_save`. An EPA that exists is left alone (a coordinator may
  have edited it).
- Observations: every active resident with a mentor, over the last 10 months (or since the current
  assignment began), 2-6 a month, by the current mentor; levels rise towards the level granted now. History is
  written with `bulk_create` (created_at, is_late and acknowledged_at set as the service and the resident would
  have); the last two weeks go through `observation_record` and mostly await the resident's acknowledgement
  (all of the demo resident's do). The latest three observations of a pair stay at or below the granted
  level, except for the few pairs in PROPOSALS, whose latest three are one level above: a proposal awaits.
- Entrustment through `entrustment_decide` (by the coordinator, with a rationale), dated back: second- and
  third-years are granted their year's expected level for most EPAs, a few are behind (BEHIND) or ahead;
  most first-years have the first EPA at level 2. One decision was raised and then lowered with a reason
  (CHANGED). A resident with any decision is left alone.
- Exam results through `exam_result_record`: every stage already sat, and the graduates' final
  certification; most overall scores between 71 and 89, the designated ones in SCORES (support below 70,
  research from 90, the 98.5 / 97.5 -> 98.00 example).
- Mentor evaluations through `mentor_evaluation_record` for the last academic years (EVALUATIONS).
- Track decisions through `track_decide` (TRACK_DECISIONS), with the suggestion's own basis.

Everything is drawn from random generators seeded with a constant (per resident: with the e-mail) and dated
relative to today, so a run is deterministic within a day and the demo stays sensible in any year.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from mentoring.models import Assignment, Mentor
from organization.models import AcademicYear, Department, Specialty
from residents.models import Resident

from .catalogue import epa_save
from .demo_catalogue import EVALUATION_COMMENTS, NEONATOLOGY, RATIONALES, DemoEPA
from .entrustment import entrustment_decide, proposals_for_residents
from .evaluations import mentor_evaluation_record
from .exams import exam_result_record
from .models import EPA, EntrustmentDecision, ExamResult, ExamStage, MentorEvaluation, Observation, TrackDecision
from .observations import is_late, observation_acknowledge, observation_record
from .policy import assessment_policy_for
from .tracks import suggestion_for, track_decide

SEED = 2024
HISTORY_DAYS = 300  # about ten months of observations
RECENT_DAYS = 14  # the last two weeks go through the service
FEEDBACK_SHARE, RECENT_FEEDBACK_SHARE = 0.4, 0.7
LATE_SHARE = 0.05  # historical observations recorded 15-30 days after the encounter
LATE_TODAY_SHARE = 0.3  # an encounter of 15-21 days ago recorded today: marked late by the service
UNACKNOWLEDGED_SHARE = 0.06  # older observations the resident has not opened
RECENT_ACKNOWLEDGED_SHARE = 0.5  # recent ones already acknowledged (never the demo resident's)

Position = tuple[int, int]  # (cohort offset, index in the cohort) in mentoring.demo's plan

# A proposal awaits: the latest three observations one level above the granted one.
PROPOSALS: dict[Position, str] = {(2, 2): "EPA 5", (1, 2): "EPA 2", (2, 7): "EPA 9"}
# Granted one level below the year's expectation (or nothing granted where that is level 1).
BEHIND: dict[Position, tuple[str, ...]] = {
    (1, 10): ("EPA 4", "EPA 5", "EPA 7"),  # three EPAs behind: suggested for the support track
    (1, 5): ("EPA 2", "EPA 6"),  # on the support track already
    (2, 8): ("EPA 8",),
}
# Granted one level above the year's expectation (outstanding residents).
AHEAD: dict[Position, tuple[str, ...]] = {(2, 0): ("EPA 2", "EPA 3"), (2, 3): ("EPA 1", "EPA 9"), (1, 7): ("EPA 1",)}
FIRST_YEARS_WITHOUT_GRANT = {(0, 2), (0, 5)}  # the first EPA not yet granted at level 2
# Raised, then lowered with a reason: (position, EPA, [(days ago, level, rationale), ...]).
CHANGED = ((2, 6), "EPA 5", [
    (150, 2, "Level 2 at the end of the second year: manages CPAP and conventional ventilation with the mentor "
             "in the unit."),
    (75, 3, "Raised to level 3 at the start-of-year review: consistent observations on CPAP and ventilation "
            "in the intensive care unit."),
    (40, 2, "Lowered to level 2: two recent episodes of delayed escalation when CPAP was failing, discussed at "
            "the unit's safety review. Level 3 to be reconsidered after further observed shifts."),
])
CHANGED_FEEDBACK = ("Escalate sooner when CPAP is failing: a rising oxygen requirement and increasing work of "
                    "breathing are the signs to call the senior.")
PROPOSAL_DAYS = 35  # the observations behind a pending proposal came after the decision

# Exam scores (test, OSCE) by position and stage; everyone else gets scores from 71 to 89.
SCORES: dict[tuple[Position, str], tuple[str, str]] = {
    ((2, 0), "year_1"): ("92.50", "90.50"),
    ((2, 0), "year_2"): ("98.50", "97.50"),  # overall 98.00: the example of DESIGN.md
    ((2, 3), "year_1"): ("88.50", "90.50"),
    ((2, 3), "year_2"): ("92.00", "94.50"),  # research suggested
    ((1, 7), "year_1"): ("91.00", "89.00"),  # research suggested
    ((1, 3), "year_1"): ("95.00", "94.00"),  # moved to the research track
    ((2, 5), "year_1"): ("74.00", "71.00"),
    ((2, 5), "year_2"): ("66.00", "69.00"),  # support suggested
    ((1, 5), "year_1"): ("62.50", "66.50"),  # moved to the support track
    ((3, 7), "year_1"): ("68.00", "71.50"),
    ((3, 7), "year_2"): ("72.00", "73.50"),
    ((3, 7), "final"): ("74.50", "76.00"),
}
# Track decisions: position, track decided, the track the resident was on before, days ago, reason.
TRACK_DECISIONS = [
    ((1, 3), Resident.Track.RESEARCH, Resident.Track.STANDARD, "sept",
     "Outstanding year-1 certification and a research interest in neonatal lung disease; research track agreed "
     "with the resident and the mentor, with a project in the second year."),
    ((1, 5), Resident.Track.SUPPORT, Resident.Track.STANDARD, "sept",
     "Year-1 certification below the threshold. Support track: fortnightly meetings with the mentor, OSCE "
     "practice in the simulation centre, and a review after the winter session."),
    ((0, 2), Resident.Track.SUPPORT, Resident.Track.SUPPORT, 9,
     "Kept on the support track agreed at admission until the year-1 certification: the entrance test was "
     "below the threshold and the first weeks show a slow start."),
]
# Mentor evaluations: academic year (offset from the current one) -> mentor keys of mentoring.demo.MENTORS.
EVALUATIONS = {
    -2: ("akhmetova", "zhaksylykova", "abenov"),
    -1: ("akhmetova", "volkov", "zhaksylykova", "seitkali", "ospanova", "kim", "abenov"),
    0: ("akhmetova", "ospanova", "abenov"),
}
MENTOR_STRENGTH = {"akhmetova": 4.7, "abenov": 4.5, "zhaksylykova": 4.3, "ospanova": 4.2, "volkov": 4.0,
                   "kim": 3.8, "seitkali": 3.6}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _academic_start(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


# Catalogue --------------------------------------------------------------------------------------------------------


def seed_catalogue(specialty: Specialty, coordinator) -> dict[str, EPA]:
    """The neonatology catalogue, by code; missing EPAs are created through `epa_save`, existing ones kept."""
    existing = {epa.code: epa for epa in EPA.objects.filter(specialty=specialty)}
    for position, demo in enumerate(NEONATOLOGY, 1):
        if demo.code in existing:
            continue
        levels = _expected(demo, specialty.duration_years)
        existing[demo.code] = epa_save(specialty=specialty, code=demo.code, title=demo.title,
                                       description=demo.description, position=position, expected=levels,
                                       by=coordinator)
    return existing


def _expected(demo: DemoEPA, years: int) -> dict[int, int]:
    """The EPA's levels for a specialty of `years` years: the written ones, the last repeated if it is longer."""
    return {year: demo.expected[min(year, len(demo.expected)) - 1] for year in range(1, years + 1)}


# The plan per resident --------------------------------------------------------------------------------------------


@dataclass
class _Pair:
    """What the demo shows for one resident and EPA."""

    epa: EPA
    demo: DemoEPA
    target: int  # the level granted now (1: nothing granted)
    proposal: bool = False

    def level_cap(self, day: date, changes: list[tuple[date, int]]) -> int:
        """The level granted on `day`: the target, or for the changed decision the level of the time."""
        level = changes[0][1] if changes else self.target
        for since, granted in changes:
            if day >= since:
                level = granted
        return level


def _pairs(position: Position, resident: Resident, epas: dict[str, EPA], rng: random.Random) -> dict[str, _Pair]:
    year = resident.year_of_study
    pairs = {}
    for demo in NEONATOLOGY:
        epa = epas.get(demo.code)
        if epa is None or not epa.is_active:
            continue
        expected = _expected(demo, resident.specialty.duration_years)[year]
        target = expected
        if demo.code in BEHIND.get(position, ()):
            target = expected - 1
        elif demo.code in AHEAD.get(position, ()) or (year > 1 and position not in BEHIND and rng.random() < 0.06):
            target = min(expected + 1, 4)
        if year == 1 and position in FIRST_YEARS_WITHOUT_GRANT:
            target = 1
        if (position, demo.code) == CHANGED[:2]:
            target = CHANGED[2][-1][1]
        pairs[demo.code] = _Pair(epa, demo, max(target, 1), proposal=PROPOSALS.get(position) == demo.code)
    return pairs


# Observations -----------------------------------------------------------------------------------------------------


@dataclass
class _Obs:
    day: date
    code: str
    level: int
    setting: str
    went_well: str = ""
    to_improve: str = ""


def _days(first: date, last: date, k: int, rng: random.Random) -> list[date]:
    """`k` working days between `first` and `last` (fewer when the span is short)."""
    working = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    working = [d for d in working if d.weekday() < 5]
    return sorted(rng.sample(working, min(k, len(working))))


def _observation_plan(resident: Resident, pairs: dict[str, _Pair], first: date, today: date,
                      changes: dict[str, list[tuple[date, int]]], force_recent: int, rng: random.Random) -> list[_Obs]:
    """The resident's observations, oldest first (see the module docstring)."""
    if first >= today:
        return []
    codes = list(pairs)
    first_year = resident.year_of_study == 1
    weights = [pairs[c].demo.weight_first_year if first_year else 1 for c in codes]
    for special in (c for c in codes if pairs[c].proposal or c in changes):
        weights[codes.index(special)] += 1  # enough observations to show the rule at work
    span = max((today - first).days, 1)
    observations = []
    month = first.replace(day=1)
    while month <= today:
        next_month = (month + timedelta(days=32)).replace(day=1)
        start, end = max(month, first), min(next_month - timedelta(days=1), today)
        share = ((end - start).days + 1) / (next_month - month).days
        k = round(rng.randint(2, 6) * share) if share < 1 else rng.randint(2, 6)
        for day in _days(start, end, k, rng):
            code = rng.choices(codes, weights=weights)[0]
            observations.append(_level_on(pairs[code], day, today, span, first_year, changes.get(code, []), rng))
        month = next_month
    observations.sort(key=lambda o: o.day)
    for code, shape in changes.items():
        _shape_changed(observations, pairs[code], shape, rng)
    _settle_latest(observations, pairs, today, rng)
    # At least `force_recent` in the last two weeks, at the granted level at most and never on a pair whose
    # proposal they would cancel.
    recent = [o for o in observations if o.day > today - timedelta(days=RECENT_DAYS)]
    quiet = [c for c in codes if not pairs[c].proposal]
    for day in _days(today - timedelta(days=RECENT_DAYS - 1), today, max(force_recent - len(recent), 0), rng):
        code = rng.choice(quiet)
        obs = _level_on(pairs[code], day, today, span, first_year, changes.get(code, []), rng)
        obs.level = min(obs.level, pairs[code].target)
        observations.append(obs)
    observations.sort(key=lambda o: o.day)
    for obs in observations:
        if obs.went_well or obs.to_improve:
            continue
        share = RECENT_FEEDBACK_SHARE if obs.day > today - timedelta(days=RECENT_DAYS) else FEEDBACK_SHARE
        if rng.random() < share:
            demo = pairs[obs.code].demo
            if rng.random() < 0.8:
                obs.went_well = rng.choice(demo.went_well)
            if not obs.went_well or rng.random() < 0.6:
                obs.to_improve = rng.choice(demo.to_improve)
    return observations


def _level_on(pair: _Pair, day: date, today: date, span: int, first_year: bool, changes, rng) -> _Obs:
    """The level a resident needed on `day`: rising over the period towards the level granted then."""
    cap = pair.level_cap(day, changes)
    drop = (cap - 1) if first_year else max(0.6, 1.2 * span / HISTORY_DAYS)
    base = cap - drop * (today - day).days / span
    level = round(base + rng.uniform(-0.6, 0.6))
    if rng.random() < 0.05:
        level = cap + 1  # a good day
    level = max(1, min(level, cap + 1, 5))
    return _Obs(day, pair.epa.code, level, rng.choice(pair.demo.settings))


def _settle_latest(observations: list[_Obs], pairs: dict[str, _Pair], today: date, rng) -> None:
    """For a PROPOSALS pair, the latest three are one level above the granted one, all after the decision (in
    the last PROPOSAL_DAYS); for every other pair one of the latest three is at or below the granted level."""
    for code, pair in pairs.items():
        if pair.proposal and pair.target < 5:
            since = today - timedelta(days=PROPOSAL_DAYS)
            observations[:] = [o for o in observations if o.code != code or o.day < since]
            observations.extend(_Obs(day, code, pair.target + 1, rng.choice(pair.demo.settings))
                                for day in _days(since, today - timedelta(days=1), 3, rng))
    observations.sort(key=lambda o: o.day)
    for code, pair in pairs.items():
        mine = [o for o in observations if o.code == code]
        if not pair.proposal and len(mine) >= 3 and min(o.level for o in mine[-3:]) > pair.target:
            mine[-1].level = pair.target


def _shape_changed(observations: list[_Obs], pair: _Pair, changes: list[tuple[date, int]], rng) -> None:
    """The observations behind the CHANGED decision: at the higher level before it was raised and after, then
    the episode behind the lowering."""
    (_first, _level), (raised_on, raised), (lowered_on, lowered) = changes
    code = pair.epa.code
    observations[:] = [o for o in observations
                       if o.code != code or not raised_on - timedelta(days=21) <= o.day <= lowered_on]
    setting = pair.demo.settings[0]
    for day in _days(raised_on - timedelta(days=21), raised_on - timedelta(days=1), 2, rng):
        observations.append(_Obs(day, code, raised, setting, went_well=pair.demo.went_well[0]))
    for day in _days(raised_on + timedelta(days=1), lowered_on - timedelta(days=14), 1, rng):
        observations.append(_Obs(day, code, raised, setting))
    for day in _days(lowered_on - timedelta(days=12), lowered_on - timedelta(days=2), 1, rng):
        observations.append(_Obs(day, code, lowered, setting, to_improve=CHANGED_FEEDBACK))
    observations.sort(key=lambda o: o.day)


def _historical(obs: _Obs, resident: Resident, mentor: Mentor, epa: EPA, now: datetime, late_after: int,
                rng) -> Observation:
    """An observation as the service would have written it, then acknowledged by the resident (mostly)."""
    roll = rng.random()
    delay = rng.randint(15, 30) if roll < LATE_SHARE else (0 if roll < 0.6 else rng.randint(1, 3))
    created = min(_at(obs.day + timedelta(days=delay), rng.randint(13, 19), rng.randint(0, 59)), now)
    acknowledged = None
    if rng.random() >= UNACKNOWLEDGED_SHARE:
        acknowledged = created + timedelta(minutes=rng.randint(30, 3 * 24 * 60))  # within three days
        acknowledged = acknowledged if acknowledged < now else None
    return Observation(resident=resident, epa=epa, mentor=mentor, observed_on=obs.day, level=obs.level,
                       setting=obs.setting, went_well=obs.went_well, to_improve=obs.to_improve,
                       is_late=is_late(obs.day, created.date(), late_after), acknowledged_at=acknowledged,
                       created_at=created)


def _seed_observations(plans: dict[int, tuple[Resident, Mentor, list[_Obs]]], epas: dict[str, EPA],
                       showcase: Resident | None, today: date, now: datetime, late_after: int) -> None:
    rows, created_at, recent = [], [], []
    for resident, mentor, observations in plans.values():
        rng = random.Random(f"{SEED}:acknowledge:{resident.user.email}")
        days = [o.day for o in observations]
        for obs in observations:
            # The last two weeks, and now and then an encounter of the week before recorded today (late).
            late_today = (today - timedelta(days=RECENT_DAYS + 7) <= obs.day <= today - timedelta(days=RECENT_DAYS + 1)
                          and days.count(obs.day) == 1 and rng.random() < LATE_TODAY_SHARE)
            if obs.day > today - timedelta(days=RECENT_DAYS) or late_today:
                recent.append((resident, mentor, obs))
                continue
            row = _historical(obs, resident, mentor, epas[obs.code], now, late_after, rng)
            rows.append(row)
            created_at.append(row.created_at)
    Observation.objects.bulk_create(rows, batch_size=1000)
    for row, stamp in zip(rows, created_at, strict=True):  # bulk_create stamped them now (auto_now_add)
        row.created_at = stamp
    Observation.objects.bulk_update(rows, ["created_at"], batch_size=500)
    for resident, mentor, obs in recent:
        observation = observation_record(mentor_user=mentor.user, resident=resident, epa=epas[obs.code],
                                         level=obs.level, observed_on=obs.day, setting=obs.setting,
                                         went_well=obs.went_well, to_improve=obs.to_improve)
        rng = random.Random(f"{SEED}:seen:{resident.user.email}:{obs.day}:{obs.code}")
        if (showcase is None or resident.pk != showcase.pk) and rng.random() < RECENT_ACKNOWLEDGED_SHARE:
            observation_acknowledge(observation=observation, by=resident.user)


# Entrustment ------------------------------------------------------------------------------------------------------


def _decision_plan(position: Position, resident: Resident, pairs: dict[str, _Pair], today: date,
                   rng: random.Random) -> list[tuple[str, date, int, str]]:
    """(EPA code, date, level, rationale) of each decision to take, in order."""
    steps = []
    if CHANGED[0] == position and CHANGED[1] in pairs:
        steps.extend((CHANGED[1], today - timedelta(days=ago), level, text) for ago, level, text in CHANGED[2])
    intake = resident.cohort.intake_year.starts_on
    for code, pair in pairs.items():
        if pair.target < 2 or (CHANGED[0] == position and code == CHANGED[1]):
            continue
        if resident.year_of_study == 1:
            day = max(today - timedelta(days=rng.randint(3, 20)), intake + timedelta(days=30))
        else:
            day = today - timedelta(days=rng.randint(45 if pair.proposal else 14, 80))
        steps.append((code, min(day, today), pair.target, rng.choice(RATIONALES).format(level=pair.target)))
    return steps


def _seed_decisions(steps_by_resident: dict[int, tuple[Resident, list]], epas: dict[str, EPA], coordinator) -> None:
    """Every decision through the service, then its history dated as it happened."""
    History = EntrustmentDecision.history.model
    dates: dict[int, list[datetime]] = defaultdict(list)
    for resident, steps in steps_by_resident.values():
        for code, day, level, rationale in steps:
            stamp = _at(day, 16, (day.toordinal() * 7) % 60)
            decision = entrustment_decide(resident=resident, epa=epas[code], level=level, rationale=rationale,
                                          by=coordinator, now=stamp)
            dates[decision.pk].append(stamp)
    records = list(History.objects.filter(id__in=dates).order_by("id", "history_id"))
    seen: dict[int, int] = defaultdict(int)
    for record in records:
        stamps = dates[record.id]
        record.history_date = stamps[min(seen[record.id], len(stamps) - 1)]
        seen[record.id] += 1
    History.objects.bulk_update(records, ["history_date"], batch_size=500)


# Exams ------------------------------------------------------------------------------------------------------------


def _stages(resident: Resident) -> list[tuple[str, int]]:
    """(stage, academic year start) of every certification the resident has sat."""
    intake = resident.cohort.intake_year.start_year
    if resident.status == Resident.Status.GRADUATED:
        years = resident.specialty.duration_years
        return [*((f"year_{n}", intake + n - 1) for n in range(1, years)), (ExamStage.FINAL.value, intake + years - 1)]
    return [(f"year_{n}", intake + n - 1) for n in range(1, resident.year_of_study)]


def _score(ability: float, rng: random.Random) -> Decimal:
    value = min(max(ability + rng.gauss(0, 3), 71), 89)
    return Decimal(round(value * 2) / 2).quantize(Decimal("0.01"))


def _seed_exams(residents: dict[Position, Resident], coordinator, years: dict[int, AcademicYear], today: date) -> None:
    recorded = set(ExamResult.objects.filter(resident__in=residents.values()).values_list("resident_id", "stage"))
    results = []
    for position, resident in residents.items():
        if resident.status not in (Resident.Status.ACTIVE, Resident.Status.ON_LEAVE, Resident.Status.GRADUATED):
            continue
        rng = random.Random(f"{SEED}:exams:{resident.user.email}")
        ability = min(max(rng.gauss(81, 5), 74), 87)
        for stage, start in _stages(resident):
            held_on = date(start + 1, 6, rng.randint(8, 20))
            if (resident.pk, stage) in recorded or start not in years or held_on > today:
                continue
            test, osce = SCORES.get((position, stage)) or (_score(ability, rng), _score(ability, rng))
            result = exam_result_record(resident=resident, stage=stage, academic_year=years[start], test_score=test,
                                        osce_score=osce, held_on=held_on, by=coordinator)
            results.append((result, _at(held_on + timedelta(days=rng.randint(2, 5)), 15, rng.randint(0, 59))))
    for result, stamp in results:  # recorded a few days after the exam
        result.created_at = result.updated_at = stamp
    ExamResult.objects.bulk_update([r for r, _stamp in results], ["created_at", "updated_at"])
    History = ExamResult.history.model
    stamps = {r.pk: stamp for r, stamp in results}
    records = list(History.objects.filter(id__in=stamps))
    for record in records:
        record.history_date = stamps[record.id]
    History.objects.bulk_update(records, ["history_date"])


# Mentor evaluations -----------------------------------------------------------------------------------------------


def _seed_evaluations(mentors: dict[str, Mentor], coordinator, years: dict[int, AcademicYear], today: date) -> None:
    current = _academic_start(today)
    done = set(MentorEvaluation.objects.values_list("mentor_id", "academic_year__start_year"))
    stamps = []
    for offset, keys in sorted(EVALUATIONS.items()):
        year = years.get(current + offset)
        if year is None:
            continue
        for key in keys:
            mentor = mentors.get(key)
            if mentor is None or (mentor.pk, year.start_year) in done:
                continue
            rng = random.Random(f"{SEED}:evaluation:{key}:{year.start_year}")
            strength = MENTOR_STRENGTH.get(key, 4.0)
            ratings = {c: max(1, min(5, round(strength + rng.uniform(-0.8, 0.6))))
                       for c in MentorEvaluation.CRITERIA}
            evaluation = mentor_evaluation_record(mentor=mentor, academic_year=year, ratings=ratings,
                                                  comment=rng.choice(EVALUATION_COMMENTS), by=coordinator)
            day = today - timedelta(days=rng.randint(5, 12)) if offset == 0 else date(year.start_year + 1, 6, 25)
            stamps.append((evaluation, _at(min(day, today), 11, rng.randint(0, 59))))
    for evaluation, stamp in stamps:
        evaluation.created_at = evaluation.updated_at = stamp
    MentorEvaluation.objects.bulk_update([e for e, _stamp in stamps], ["created_at", "updated_at"])


# Tracks -----------------------------------------------------------------------------------------------------------


def _seed_tracks(residents: dict[Position, Resident], coordinator, today: date) -> None:
    """The decisions of TRACK_DECISIONS, each with the suggestion the product made at the time. A resident who
    moved track is put back on the earlier one first, so the service records the move as it happened; the end
    state is the track mentoring.demo gives the resident."""
    decided = set(TrackDecision.objects.filter(resident__in=residents.values()).values_list("resident_id", flat=True))
    for position, track, before, when, reason in TRACK_DECISIONS:
        resident = residents.get(position)
        if resident is None or resident.pk in decided or resident.status != Resident.Status.ACTIVE:
            continue
        if resident.track != before:
            Resident.objects.filter(pk=resident.pk).update(track=before)
            resident.track = before
        suggestion = suggestion_for(resident)
        decision = track_decide(resident=resident, track=track, reason=reason,
                                suggested_track=suggestion.suggested_track if suggestion else "",
                                basis=suggestion.basis if suggestion else "", by=coordinator)
        day = date(_academic_start(today), 9, 10) if when == "sept" else today - timedelta(days=when)
        TrackDecision.objects.filter(pk=decision.pk).update(decided_at=_at(min(day, today), 12, 30))


# Entry point ------------------------------------------------------------------------------------------------------


def seed_assessments(*, specialty: Specialty, coordinator, mentors: dict[str, Mentor],
                     residents: dict[Position, Resident], showcase: Resident | None = None,
                     today: date | None = None) -> None:
    """The assessments of the demo (see the module docstring). `residents` are keyed by their place in the
    demo plan; `showcase` is the demo resident's login (new observations to acknowledge, a pending proposal)."""
    today = today or timezone.localdate()
    now = timezone.now()
    epas = seed_catalogue(specialty, coordinator)
    years = {y.start_year: y for y in AcademicYear.objects.all()}
    current = {a.resident_id: a for a in Assignment.objects.filter(
        resident__in=residents.values(), ended_on__isnull=True, kind="clinical").select_related("mentor__user")}
    late_after = assessment_policy_for(specialty.department).late_after_days
    observed = set(Observation.objects.filter(resident__in=residents.values()).values_list("resident_id", flat=True))
    decided = set(EntrustmentDecision.objects.filter(resident__in=residents.values())
                  .values_list("resident_id", flat=True))

    plans, decisions = {}, {}
    for position, resident in residents.items():
        assignment = current.get(resident.pk)
        if resident.status != Resident.Status.ACTIVE or assignment is None:
            continue
        rng = random.Random(f"{SEED}:assessments:{resident.user.email}")
        pairs = _pairs(position, resident, epas, rng)
        steps = _decision_plan(position, resident, pairs, today, rng)
        changes = defaultdict(list)
        for code, day, level, _text in steps:
            if position == CHANGED[0] and code == CHANGED[1]:
                changes[code].append((day, level))
        if resident.pk not in observed:
            first = max(today - timedelta(days=HISTORY_DAYS), assignment.started_on)
            force = 3 if showcase is not None and resident.pk == showcase.pk else 0
            plans[resident.pk] = (resident, assignment.mentor,
                                  _observation_plan(resident, pairs, first, today, changes, force, rng))
        if resident.pk not in decided:
            decisions[resident.pk] = (resident, steps)
    _seed_observations(plans, epas, showcase, today, now, late_after)
    _seed_decisions(decisions, epas, coordinator)
    _seed_exams(residents, coordinator, years, today)
    _seed_evaluations(mentors, coordinator, years, today)
    _seed_tracks(residents, coordinator, today)


def assessments_summary(department: Department) -> str:
    """One sentence: EPAs, observations, decisions, proposals, exam results, evaluations, track decisions."""
    residents = Resident.objects.filter(specialty__department=department)
    observations = Observation.objects.filter(resident__in=residents).aggregate(
        total=Count("pk"), late=Count("pk", filter=Q(is_late=True)),
        new=Count("pk", filter=Q(acknowledged_at__isnull=True)))
    decisions = EntrustmentDecision.objects.filter(resident__in=residents)
    return (f"{EPA.objects.filter(specialty__department=department).count()} EPAs, "
            f"{observations['total']} observations ({observations['late']} late, {observations['new']} not yet "
            f"acknowledged), {decisions.count()} entrustment decisions "
            f"({len(proposals_for_residents(department))} proposals awaiting a decision), "
            f"{ExamResult.objects.filter(resident__in=residents).count()} exam results, "
            f"{MentorEvaluation.objects.filter(mentor__specialty__department=department).count()} mentor evaluations, "
            f"{TrackDecision.objects.filter(resident__in=residents).count()} track decisions.")
