"""Scale data (issue 7, item 6): a large, realistic set of departments for the benchmarks in bench/.

`seed_scale(factor=1.0)` writes, at the default scale, 10,000 residents, 2,500 mentors, 1,000,000 EPA
observations, 300,000 clinical activities and 100,000 anonymous survey responses with their answers, plus
what makes the reports meaningful: four departments of three specialties, cohorts of six intake years,
EPAs with expected levels, granted levels with their history, clinical assignments (3-4 residents per
mentor mostly; some mentors under the minimum, some first-years waiting), curricula, night duties, exam
results, mentor evaluations, meetings and closed survey campaigns. Every count scales with `factor`; the
same `seed` (and day) gives the same data.

It writes in bulk (COPY on PostgreSQL, executemany on SQLite) with explicit keys instead of going through the
services, so it produces by construction what the services' rules and the database constraints accept: one
active clinical assignment per resident and none over the department's maximum, curriculum hours that add
up, scores in range with the overall score computed as the exam service computes it, one participation per
invited person, and survey responses as the release leaves them (DESIGN.md section 3): random keys, no link
to people, shuffled, as many as the completed participations of their campaign, a mentor named only when at
least two responses of the campaign are about them. The whole set is written in one transaction.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import User
from mentoring.models import Assignment, Mentor, MentorTraining, Programme
from organization.models import (
    AcademicYear,
    ClinicalSite,
    Coordinator,
    Department,
    MentoringPolicy,
    QualificationCategory,
    Specialty,
)
from residents.models import Cohort, Resident

# The headline counts at factor 1 (the "default scale").
DEFAULTS = {"residents": 10_000, "mentors": 2_500, "observations": 1_000_000, "activities": 300_000,
            "responses": 100_000}
PASSWORD = "scale12345"
DOMAIN = "scale.residency.kz"
CHUNK = 20_000  # rows per executemany on SQLite

# Four departments of three specialties (name, years of training, relative size).
DEPARTMENTS = [
    ("Neonatology and Paediatrics", [("Neonatology", 3, 1.2), ("Paediatrics", 4, 1.4), ("Paediatric Surgery", 4, .6)]),
    ("Internal Medicine", [("Cardiology", 4, 1.0), ("Gastroenterology", 3, .8), ("Nephrology", 3, .6)]),
    ("Surgery", [("General Surgery", 4, 1.3), ("Traumatology", 4, .9), ("Urology", 3, .5)]),
    ("Women's Health", [("Obstetrics and Gynaecology", 3, 1.3), ("Anaesthesiology", 3, .8),
                        ("Clinical Genetics", 2, .3)]),
]
CITIES = ["Almaty", "Astana", "Shymkent", "Karaganda", "Aktobe", "Pavlodar", "Semey", "Oral"]
# Share of residents per intake year, by its distance from the current academic year (0 = this year's first years).
INTAKE_WEIGHTS = [.26, .25, .24, .13, .07, .05]
FIRST_NAMES = ["Aigerim", "Dana", "Aruzhan", "Madina", "Zhanna", "Asel", "Kamila", "Saule", "Gulnara", "Alina",
               "Arman", "Daniyar", "Nurlan", "Yerlan", "Timur", "Askar", "Bauyrzhan", "Ruslan", "Serik", "Marat"]
LAST_NAMES = ["Abenova", "Akhmetov", "Baimukhanova", "Dzhaksybekov", "Ermekova", "Ibraimov", "Kassymova",
              "Kuanyshev", "Mukhamedzhanova", "Nurmagambetov", "Omarova", "Sadykov", "Seitkali", "Tokayeva",
              "Utepov", "Zhumabekova", "Ivanova", "Petrov", "Kim", "Li"]


END_REASONS = {"graduated": "Completed the programme", "on_leave": "Academic leave", "withdrawn": "Left the programme"}


def scaled(n: int, factor: float) -> int:
    return max(1, round(n * factor))


def academic_start(day: date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def aware(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock(hour, minute)))


# --- the writer: bulk inserts with explicit keys ----------------------------------------------------------------


class Writer:
    """Inserts rows (tuples in the order of `fields`) into a model's table: COPY on PostgreSQL, executemany in
    chunks elsewhere. Keys are given explicitly, so the generator knows them without reading them back; the
    sequences are reset at the end. Prints the rows and the time per table."""

    def __init__(self, out=None):
        self.out = out
        self.postgres = connection.vendor == "postgresql"
        self.touched: list[type[models.Model]] = []
        self.counts: dict[str, int] = {}
        self.times: dict[str, float] = {}

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text)
            if hasattr(self.out, "flush"):
                self.out.flush()

    def first_id(self, model) -> int:
        top = model.objects.aggregate(top=models.Max("pk"))["top"]
        return (top or 0) + 1

    def create(self, model, objects: list) -> list:
        """Small tables (the structure): ORM bulk_create, with explicit keys too, so the same seed gives the same
        keys on every database."""
        pk = self.first_id(model)
        for i, obj in enumerate(objects):
            obj.pk = pk + i
        out = model.objects.bulk_create(objects)
        if model not in self.touched:
            self.touched.append(model)
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + len(out)
        return out

    def insert(self, model, fields: list[str], rows) -> int:
        opts = model._meta
        columns = [opts.get_field(f).column for f in fields]
        quote = connection.ops.quote_name
        started, n = time.monotonic(), 0
        with connection.cursor() as cursor:
            if self.postgres:
                sql = f"COPY {quote(opts.db_table)} ({', '.join(map(quote, columns))}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                        n += 1
            else:
                convert = self._converters(opts, fields)
                sql = (f"INSERT INTO {quote(opts.db_table)} ({', '.join(map(quote, columns))}) "
                       f"VALUES ({', '.join(['%s'] * len(columns))})")
                batch = []
                for row in rows:
                    batch.append([c(v) if c else v for c, v in zip(convert, row, strict=True)])
                    if len(batch) >= CHUNK:
                        cursor.executemany(sql, batch)
                        n += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    n += len(batch)
        elapsed = time.monotonic() - started
        if model not in self.touched:
            self.touched.append(model)
        label = opts.label
        self.counts[label] = self.counts.get(label, 0) + n
        self.times[label] = self.times.get(label, 0.0) + elapsed
        self.say(f"  {label:<42} {n:>10,} rows {elapsed:8.1f} s")
        return n

    @staticmethod
    def _converters(opts, fields):
        """What SQLite needs converted (dates, times, decimals, UUIDs); ints, strings and booleans go as they are."""
        out = []
        for name in fields:
            f = opts.get_field(name)
            kind = f.target_field if f.is_relation else f
            if isinstance(kind, (models.DateField, models.DecimalField, models.UUIDField, models.JSONField)):
                out.append(lambda v, f=f: None if v is None else f.get_db_prep_save(v, connection))
            else:
                out.append(None)
        return out

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), self.touched)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


# --- the plan: who exists --------------------------------------------------------------------------------------


@dataclass
class SpecialtyPlan:
    pk: int
    department: int  # index into World.departments
    duration: int
    weight: float
    epas: list[int] = field(default_factory=list)
    expected: dict[tuple[int, int], int] = field(default_factory=dict)  # (epa, year of study) -> level
    disciplines: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # year -> [(id, hours)]
    mentors: list["MentorPlan"] = field(default_factory=list)


@dataclass
class MentorPlan:
    pk: int
    user_id: int
    specialty: SpecialtyPlan
    site: int
    active: bool
    load: int = 0


@dataclass
class ResidentPlan:
    pk: int
    user_id: int
    specialty: SpecialtyPlan
    intake: int  # the first calendar year of the intake academic year
    year_of_study: int
    status: str
    site: int
    starts: date
    ends: date  # the last day in training so far (yesterday for those still in training)
    ability: float
    mentor: MentorPlan | None = None

    @property
    def days(self) -> int:
        return max(1, (self.ends - self.starts).days + 1)

    def years(self) -> range:
        """The academic years (first calendar year) the resident has been in training."""
        return range(self.intake, academic_start(self.ends) + 1)


@dataclass
class World:
    rng_seed: int
    factor: float
    today: date
    year: int  # the current academic year's first calendar year
    writer: Writer
    password: str = ""
    departments: list[dict] = field(default_factory=list)  # {"pk", "coordinator_user", "programme", "sites"}
    years: dict[int, int] = field(default_factory=dict)  # start year -> AcademicYear id
    specialties: list[SpecialtyPlan] = field(default_factory=list)
    cohorts: dict[tuple[int, int], int] = field(default_factory=dict)  # (specialty id, intake) -> id
    mentors: list[MentorPlan] = field(default_factory=list)
    residents: list[ResidentPlan] = field(default_factory=list)

    def rng(self, name: str) -> random.Random:
        """One generator per table, so a change in one table does not shift the others."""
        return random.Random(f"{self.rng_seed}:{name}")

    def count(self, key: str) -> int:
        return scaled(DEFAULTS[key], self.factor)


def has_data() -> bool:
    return User.objects.exists() or Department.objects.exists()


def seed_scale(*, factor: float = 1.0, seed: int = 1, today: date | None = None, force: bool = False,
               out=None) -> dict[str, int]:
    """Generate the scale data set (see the module docstring); returns the rows written per model.

    Refuses a database that already has people or departments unless `force` (then the new set is added
    next to what is there, with keys after the existing ones)."""
    from .scale_records import (
        write_activities,
        write_curricula,
        write_entrustments,
        write_evaluations,
        write_exams,
        write_meetings,
        write_night_duties,
        write_observations,
    )
    from .scale_surveys import write_surveys

    if factor <= 0:
        raise ValueError("The factor must be positive.")
    if has_data() and not force:
        raise RuntimeError("The database already has data; seed_scale writes into an empty database "
                           "(or pass force=True to add the scale set next to it).")
    today = today or timezone.localdate()
    writer = Writer(out)
    world = World(rng_seed=seed, factor=factor, today=today, year=academic_start(today), writer=writer)
    started = time.monotonic()
    writer.say(f"seed_scale: factor {factor}, seed {seed}, as of {today}")
    with transaction.atomic():
        _structure(world)
        _people(world)
        _assignments(world)
        _trainings(world)
        write_curricula(world)
        write_observations(world)
        write_activities(world)
        write_night_duties(world)
        write_exams(world)
        write_entrustments(world)
        write_evaluations(world)
        write_meetings(world)
        write_surveys(world)
        writer.reset_sequences()
    writer.say(f"seed_scale: {sum(writer.counts.values()):,} rows in {time.monotonic() - started:.1f} s")
    return dict(writer.counts)


# --- structure: years, departments, sites, specialties, cohorts, EPAs -----------------------------------------


def _structure(world: World) -> None:
    from assessments.models import EPA, EPAExpectation
    from residents.models import Discipline

    w, y = world.writer, world.year
    for start in range(y - 7, y + 1):
        ay, _ = AcademicYear.objects.get_or_create(
            start_year=start, defaults={"starts_on": date(start, 9, 1), "ends_on": date(start + 1, 8, 31)})
        world.years[start] = ay.pk
    tag = "" if not has_data() else f" ({w.first_id(Department)})"
    world.password = make_password(PASSWORD, salt=f"scale{world.rng_seed}")
    user_pk = w.first_id(User)
    coordinators = [(user_pk + i, f"coordinator{user_pk + i}@{DOMAIN}", "Coordinator", f"No. {i + 1}")
                    for i in range(len(DEPARTMENTS))]
    _users(world, coordinators)
    departments = w.create(Department, [Department(name=f"Department of {name}{tag}",
                                                   university="Scale Medical University")
                                        for name, _s in DEPARTMENTS])
    w.create(MentoringPolicy, [MentoringPolicy(department=d) for d in departments])
    w.create(Coordinator, [Coordinator(user_id=u[0], department=d)
                           for u, d in zip(coordinators, departments, strict=True)])
    programmes = w.create(Programme, [Programme(department=d, kind=Programme.Kind.CLINICAL, name="Clinical mentoring")
                                      for d in departments])
    sites = w.create(ClinicalSite, [ClinicalSite(name=f"{city} Clinical Hospital No. {i + 1}{tag}", city=city)
                                    for i, city in enumerate(CITIES)])
    through = ClinicalSite.departments.through
    w.create(through, [through(clinicalsite=s, department=departments[(i + k) % len(departments)])
                                 for i, s in enumerate(sites) for k in (0, 1)])
    for i, d in enumerate(departments):
        world.departments.append({"pk": d.pk, "coordinator_user": coordinators[i][0], "programme": programmes[i].pk,
                                  "sites": [s.pk for j, s in enumerate(sites) if i in (j % 4, (j + 1) % 4)]})
    specialties, plans = [], []
    for i, (_dname, specs) in enumerate(DEPARTMENTS):
        for j, (name, duration, weight) in enumerate(specs):
            specialties.append(Specialty(department=departments[i], code=f"7R{departments[i].pk:03d}{j + 1:02d}",
                                         name=name, duration_years=duration))
            plans.append((i, duration, weight))
    for s, (i, duration, weight) in zip(w.create(Specialty, specialties), plans, strict=True):
        world.specialties.append(SpecialtyPlan(pk=s.pk, department=i, duration=duration, weight=weight))
    cohorts = w.create(Cohort, [Cohort(specialty_id=s.pk, intake_year_id=world.years[y - off])
                                          for s in world.specialties for off in range(len(INTAKE_WEIGHTS))])
    for c in cohorts:
        world.cohorts[(c.specialty_id, next(k for k, v in world.years.items() if v == c.intake_year_id))] = c.pk
    epas = w.create(EPA, [EPA(specialty_id=s.pk, code=f"EPA {k}", title=f"Entrustable activity {k}",
                                        position=k) for s in world.specialties for k in range(1, 11)])
    for e in epas:
        next(s for s in world.specialties if s.pk == e.specialty_id).epas.append(e.pk)
    expectations = []
    for s in world.specialties:
        for k, epa in enumerate(s.epas):
            for yos in range(1, s.duration + 1):
                level = min(5, max(1, yos + (1 if k < 3 else 0) - (1 if k >= 7 else 0)))
                s.expected[(epa, yos)] = level
                expectations.append(EPAExpectation(epa_id=epa, year_of_study=yos, level=level))
    w.create(EPAExpectation, expectations)
    names = ["Theory of the specialty", "Clinical practice", "Emergency care", "Research methods"]
    hours = [180, 720, 216, 84]
    disciplines = w.create(Discipline, [
        Discipline(specialty_id=s.pk, name=f"{n}, year {yos}", year_of_study=yos, hours=h, position=p)
        for s in world.specialties for yos in range(1, s.duration + 1)
        for p, (n, h) in enumerate(zip(names, hours, strict=True))])
    for d in disciplines:
        spec = next(s for s in world.specialties if s.pk == d.specialty_id)
        spec.disciplines.setdefault(d.year_of_study, []).append((d.pk, int(d.hours)))
    w.say(f"  structure: {len(departments)} departments, {len(world.specialties)} specialties, {len(cohorts)} "
          f"cohorts, {len(epas)} EPAs, {len(sites)} sites")


def _users(world: World, rows) -> None:
    """rows: (id, e-mail, first name, last name)."""
    joined = aware(date(world.year - 6, 8, 1))
    world.writer.insert(User, ["id", "password", "is_superuser", "email", "first_name", "last_name", "middle_name",
                               "language", "is_active", "is_staff", "date_joined"],
                        ((pk, world.password, False, email, first, last, "", "", True, False, joined)
                         for pk, email, first, last in rows))


# --- people: residents and mentors ------------------------------------------------------------------------------


def _people(world: World) -> None:
    rng, w, y, today = world.rng("people"), world.writer, world.year, world.today
    n_res, n_men = world.count("residents"), world.count("mentors")
    user_pk, res_pk, men_pk = w.first_id(User), w.first_id(Resident), w.first_id(Mentor)
    specs = world.specialties
    for i in range(n_res):
        s = rng.choices(specs, weights=[x.weight for x in specs])[0]
        off = rng.choices(range(len(INTAKE_WEIGHTS)), weights=INTAKE_WEIGHTS)[0]
        intake = y - off
        starts = date(intake, 9, 1) + timedelta(days=rng.randint(0, 6))
        if off >= s.duration:
            status, yos, ends = Resident.Status.GRADUATED, s.duration, date(intake + s.duration, 8, 31)
        else:
            roll = rng.random()
            status = (Resident.Status.ACTIVE if roll < .955 else
                      Resident.Status.ON_LEAVE if roll < .98 else Resident.Status.WITHDRAWN)
            yos = off + 1
            # Data runs to yesterday, so every time recorded is in the past, whatever the hour of the run.
            ends = today - timedelta(days=1) if status == Resident.Status.ACTIVE else starts + timedelta(
                days=rng.randint(30, max(31, (today - starts).days - 2)))
        site = rng.choice(world.departments[s.department]["sites"])
        world.residents.append(ResidentPlan(pk=res_pk + i, user_id=user_pk + i, specialty=s, intake=intake,
                                            year_of_study=yos, status=status, site=site, starts=starts, ends=ends,
                                            ability=rng.gauss(0, 1)))
    # Mentors per specialty in proportion to its residents still in training (at least one each).
    active = {s.pk: sum(1 for r in world.residents if r.specialty is s and r.status == "active") + 1 for s in specs}
    shares = [n_men * active[s.pk] / sum(active.values()) for s in specs]
    per = [max(1, int(x)) for x in shares]
    for k in sorted(range(len(specs)), key=lambda k: shares[k] - int(shares[k]), reverse=True):
        if sum(per) >= n_men:
            break
        per[k] += 1
    while sum(per) > n_men:
        per[per.index(max(per))] -= 1
    m_user = user_pk + n_res
    for s, n in zip(specs, per, strict=True):
        for _ in range(n):
            m = MentorPlan(pk=men_pk + len(world.mentors), user_id=m_user + len(world.mentors), specialty=s,
                           site=rng.choice(world.departments[s.department]["sites"]), active=rng.random() < .98)
            s.mentors.append(m)
            world.mentors.append(m)
    names = world.rng("names")
    _users(world, [(r.user_id, f"resident{r.user_id}@{DOMAIN}", names.choice(FIRST_NAMES), names.choice(LAST_NAMES))
                   for r in world.residents]
           + [(m.user_id, f"mentor{m.user_id}@{DOMAIN}", names.choice(FIRST_NAMES), names.choice(LAST_NAMES))
              for m in world.mentors])
    stamp = aware(today)
    w.insert(Resident, ["id", "user_id", "specialty_id", "cohort_id", "year_of_study", "clinical_site_id", "status",
                        "track", "created_at", "updated_at"],
             ((r.pk, r.user_id, r.specialty.pk, world.cohorts[(r.specialty.pk, r.intake)], r.year_of_study, r.site,
               r.status, "support" if r.ability < -1.6 else "research" if r.ability > 1.8 else "standard",
               aware(r.starts), stamp) for r in world.residents))
    categories = [QualificationCategory.HIGHEST, QualificationCategory.FIRST, QualificationCategory.SECOND,
                  QualificationCategory.NONE]
    rows = []
    for m in world.mentors:
        practice = today - timedelta(days=int(365.25 * (rng.uniform(1, 5) if rng.random() < .05
                                                        else rng.uniform(5, 32))))
        roll = rng.random()
        expires = today + timedelta(days=(rng.randint(91, 1500) if roll < .9 else  # valid, expiring, expired
                                          rng.randint(1, 90) if roll < .95 else -rng.randint(1, 400)))
        rows.append((m.pk, m.user_id, m.specialty.pk, m.site, rng.choice(["Head of unit", "Senior physician",
                                                                          "Physician", "Associate professor"]),
                     rng.choices(categories, weights=[45, 40, 10, 5])[0], practice, f"KZ{m.user_id:08d}", expires,
                     m.active, stamp, stamp))
    w.insert(Mentor, ["id", "user_id", "specialty_id", "clinical_site_id", "position", "qualification_category",
                      "practice_started_on", "certificate_number", "certificate_expires_on", "is_active", "created_at",
                      "updated_at"], rows)


def _trainings(world: World) -> None:
    """A primary training for most mentors, a refresher within the three-year cycle for most of those."""
    rng, today, rows = world.rng("trainings"), world.today, []
    pk = world.writer.first_id(MentorTraining)
    for m in world.mentors:
        if rng.random() < .05:
            continue
        primary = today - timedelta(days=rng.randint(400, 3600))
        rows.append((pk, m.pk, "primary", primary, "Scale CPD Centre"))
        pk += 1
        if rng.random() < .85:
            rows.append((pk, m.pk, "refresher", today - timedelta(days=rng.randint(10, 1000)), "Scale CPD Centre"))
        elif (today - primary).days > 1200:
            rows.append((pk, m.pk, "refresher", primary + timedelta(days=rng.randint(30, 300)), "Scale CPD Centre"))
        else:
            continue
        pk += 1
    world.writer.insert(MentorTraining, ["id", "mentor_id", "kind", "completed_on", "provider"], rows)


def _assignments(world: World) -> None:
    """Clinical assignments: each active resident (but a few first-years) gets an active mentor of their
    specialty, filling mentors to the minimum first and then to the maximum (never over it); whoever is left
    waits (the latest first-years).
    Residents who left training (graduated, on leave, withdrawn) have an ended assignment."""
    rng, w = world.rng("assignments"), world.writer
    pk = w.first_id(Assignment)
    rows = []
    for s in world.specialties:
        dep = world.departments[s.department]
        mentors = [m for m in s.mentors if m.active]
        rng.shuffle(mentors)
        current = sorted((r for r in world.residents if r.specialty is s and r.status == "active"),
                         key=lambda r: (r.starts, r.pk))
        # A few of this year's first-years still wait for a mentor (the coordinator's dashboard shows them).
        queue = iter([r for r in current if r.intake < world.year or rng.random() > .03])
        for cap in (3, 4):
            for m in mentors:
                while m.load < cap:
                    r = next(queue, None)
                    if r is None:
                        break
                    r.mentor, m.load = m, m.load + 1
        for r in world.residents:
            if r.specialty is s and r.status != "active" and s.mentors:
                r.mentor = rng.choice(s.mentors)
        for r in world.residents:
            if r.specialty is s and r.mentor is not None:
                ended = None if r.status == "active" else r.ends
                rows.append((pk, r.pk, dep["programme"], "clinical", r.mentor.pk, r.starts, ended,
                             END_REASONS.get(r.status, ""),
                             dep["coordinator_user"], aware(r.starts)))
                pk += 1
    w.insert(Assignment, ["id", "resident_id", "programme_id", "kind", "mentor_id", "started_on", "ended_on",
                          "end_reason", "created_by_id", "created_at"], rows)
