"""Demo data: one neonatology department with mentors, residents and assignments.

`seed_demo()` is idempotent: everything is matched by natural keys (e-mail, department name,
specialty code, site name, academic year start) and written through the same services the
product uses, so the demo data obeys the rules of DESIGN.md section 2.

Dates are computed relative to today so the demo stays sensible in any year: the cohorts are the
three current intakes plus the one that graduated last, and the mentors' problems (short
experience, expired certificate, overdue refresher, ...) are relative to the first day of the
current month, so re-running within a month changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_upsert
from assessments.demo import assessments_summary, seed_assessments
from organization.dates import add_years
from organization.models import AcademicYear, ClinicalSite, Department, QualificationCategory, Specialty
from organization.services import coordinator_add, department_create, policy_for
from residents.models import Resident
from residents.services import ResidentData, resident_upsert
from surveys.demo import seed_surveys, surveys_summary

from .demo_goals import seed_goals
from .demo_meetings import seed_meetings
from .demo_programmes import seed_programmes
from .demo_speed import seed_speed
from .demo_training import seed_disciplines, seed_training_year, training_summary
from .eligibility import mentor_eligibility
from .models import Assignment, Goal, Meeting, Mentor, MentorTraining, Programme, SpeedEvent
from .services import MentorData, assignment_create, assignment_end, mentor_upsert, training_record

DEMO_PASSWORD = "demo12345"
DEMO_DOMAIN = "demo.residency.kz"
SEED = 2024

DEPARTMENT_NAME = "Department of Neonatology and Neonatal Surgery"
UNIVERSITY = "Asfendiyarov Kazakh National Medical University"
SPECIALTY_CODE = "7R011114"
SPECIALTY_NAME = "Neonatology"
SPECIALTY_YEARS = 3
FIRST_ACADEMIC_YEAR = 2019
LAST_ACADEMIC_YEAR = 2026  # at least; extended to the current academic year when later

SITE_CITY = "City Perinatal Centre No. 1"
SITE_REGIONAL = "Regional Perinatal Centre"
SITES = {"city": SITE_CITY, "regional": SITE_REGIONAL}

COORDINATOR_EMAIL = f"coordinator@{DEMO_DOMAIN}"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
TRAINING_PROVIDER = "Asfendiyarov KazNMU, Centre for Continuing Professional Development"

# (intake offset from the current academic year, number of residents); offset 3 graduated last summer.
COHORTS = [(3, 10), (2, 11), (1, 11), (0, 11)]
UNASSIGNED_FIRST_YEARS = 3  # the last first-years wait for a mentor: the dashboard shows them


@dataclass(frozen=True)
class DemoMentor:
    key: str
    first_name: str
    middle_name: str
    last_name: str
    site: str
    position: str
    category: str = QualificationCategory.HIGHEST
    experience_months: int = 12 * 12
    certificate: str = "valid"  # valid / expiring / expired
    training: str = "current"  # current / due / overdue
    load: int = 0  # residents assigned by the demo (0 for ineligible mentors)
    email: str = ""

    @property
    def address(self) -> str:
        return self.email or f"{self.first_name}.{self.last_name}@{DEMO_DOMAIN}".lower()


MENTORS = [
    # The coordinator also mentors two residents: flagged as under-used on the dashboard.
    DemoMentor("bekova", "Aigerim", "Nurlanovna", "Bekova", "city",
               "Associate Professor, residency programme coordinator", experience_months=18 * 12 + 4,
               load=2, email=COORDINATOR_EMAIL),
    DemoMentor("akhmetova", "Gulnara", "Serikovna", "Akhmetova", "city",
               "Head of the Neonatal Intensive Care Unit", experience_months=22 * 12 + 7, load=4),
    DemoMentor("volkov", "Dmitry", "Alexandrovich", "Volkov", "city", "Neonatal surgeon",
               category=QualificationCategory.FIRST, experience_months=9 * 12 + 2, load=3),
    DemoMentor("zhaksylykova", "Saule", "Kairatovna", "Zhaksylykova", "city",
               "Head of the Neonatal Pathology Unit", experience_months=14 * 12 + 9, load=3),
    DemoMentor("seitkali", "Yerlan", "Bolatovich", "Seitkali", "city", "Neonatologist",
               category=QualificationCategory.FIRST, experience_months=7 * 12 + 5, certificate="expiring", load=3),
    DemoMentor("ospanova", "Madina", "Askarovna", "Ospanova", "regional", "Head of the Neonatal Department",
               experience_months=12 * 12 + 1, load=3),
    DemoMentor("kim", "Irina", "Vladimirovna", "Kim", "regional", "Neonatologist",
               category=QualificationCategory.FIRST, experience_months=11 * 12 + 6, training="due", load=3),
    DemoMentor("abenov", "Nurlan", "Maratovich", "Abenov", "regional", "Deputy Chief Physician for Neonatology",
               experience_months=25 * 12, load=3),
    DemoMentor("tulegenova", "Aliya", "Bakhytovna", "Tulegenova", "regional", "Neonatologist",
               category=QualificationCategory.FIRST, experience_months=6 * 12 + 5, load=3),
    # Mentors with a problem to show; none of them can receive residents.
    DemoMentor("mukhametkali", "Dana", "Yerzhanovna", "Mukhametkali", "city", "Neonatologist",
               category=QualificationCategory.FIRST, experience_months=4 * 12 + 2),
    DemoMentor("pak", "Sergey", "Nikolayevich", "Pak", "regional", "Neonatologist",
               category=QualificationCategory.SECOND, experience_months=10 * 12 + 3),
    DemoMentor("iskakov", "Bauyrzhan", "Talgatovich", "Iskakov", "city", "Senior neonatologist",
               experience_months=16 * 12 + 8, certificate="expired"),
    DemoMentor("sokolova", "Elena", "Petrovna", "Sokolova", "regional", "Neonatologist",
               category=QualificationCategory.FIRST, experience_months=20 * 12 + 11, training="overdue"),
]

# Two residents changed mentor during their programme, to show the history: (cohort offset, index in
# cohort, previous mentor, current mentor, reason).
HISTORY = [
    (2, 0, "seitkali", "volkov", "Research project in neonatal surgery: supervision moved to a neonatal surgeon"),
    (1, 0, "volkov", "ospanova", "Resident moved to the Regional Perinatal Centre"),
]
# (cohort offset, index in cohort) -> status / track, for the residents who are not active standard ones.
STATUSES = {(2, 4): Resident.Status.ON_LEAVE, (1, 6): Resident.Status.ON_LEAVE, (1, 9): Resident.Status.WITHDRAWN}
TRACKS = {
    (2, 0): Resident.Track.RESEARCH, (1, 3): Resident.Track.RESEARCH,
    (3, 7): Resident.Track.SUPPORT, (1, 5): Resident.Track.SUPPORT, (0, 2): Resident.Track.SUPPORT,
}

# Names, transliterated. Surnames are given in the masculine form; `_feminine` derives the other.
KZ_MALE = ["Arman", "Daniyar", "Askar", "Timur", "Azamat", "Berik", "Dauren", "Yerzhan", "Ruslan", "Alibek",
           "Zhandos", "Olzhas", "Adil", "Miras", "Temirlan", "Sanzhar", "Dias", "Nursultan", "Aidos", "Yernar"]
KZ_FEMALE = ["Aruzhan", "Aizhan", "Dinara", "Zhanna", "Kamila", "Assel", "Saltanat", "Gulnaz", "Togzhan",
             "Balnur", "Akbota", "Moldir", "Zarina", "Ainur", "Meruyert", "Symbat", "Dariga", "Laura", "Aknur",
             "Inkar", "Zhansaya", "Anel", "Tomiris", "Aisulu"]
RU_MALE = ["Alexey", "Andrey", "Maxim", "Pavel", "Ivan", "Artem", "Kirill", "Roman"]
RU_FEMALE = ["Anna", "Olga", "Natalya", "Yekaterina", "Maria", "Svetlana", "Tatyana", "Yulia", "Anastasia",
             "Kristina", "Viktoria", "Darya"]
KZ_SURNAMES = ["Akhmetov", "Baimukhanov", "Dzhaksybekov", "Yesenov", "Zhunusov", "Kassymov", "Mukanov", "Omarov",
               "Sadykov", "Suleimenov", "Utepov", "Kenzhebayev", "Zhakupov", "Sarsenbayev", "Amanov", "Kaliyev",
               "Ibrayev", "Shaikenov", "Temirbekov", "Nurpeisov", "Tursynbayev", "Abdrakhmanov", "Beisenov",
               "Kuanyshev", "Zhumabayev", "Rakhimov", "Smagulov", "Nurgali", "Kudaibergen", "Zhaksylyk"]
RU_SURNAMES = ["Ivanov", "Smirnov", "Kuznetsov", "Popov", "Morozov", "Novikov", "Fedorov", "Lebedev", "Kozlov",
               "Orlov", "Belov", "Romanov", "Zaitsev", "Pavlov"]
KOREAN_SURNAMES = ["Kim", "Li", "Tsoi", "Ten", "Khan", "Nam"]
KZ_PATRONYMICS = ["Nurlan", "Serik", "Bolat", "Marat", "Kairat", "Askar", "Yerlan", "Talgat", "Bakhyt", "Yerzhan",
                  "Dauren", "Murat", "Berik", "Zhanat", "Sabit"]
RU_PATRONYMICS = [("Alexandrovich", "Alexandrovna"), ("Sergeyevich", "Sergeyevna"), ("Nikolayevich", "Nikolayevna"),
                  ("Vladimirovich", "Vladimirovna"), ("Petrovich", "Petrovna"), ("Andreyevich", "Andreyevna"),
                  ("Viktorovich", "Viktorovna"), ("Igorevich", "Igorevna")]


@dataclass
class DemoResident:
    offset: int
    index: int
    first_name: str
    middle_name: str
    last_name: str
    status: str = Resident.Status.ACTIVE
    track: str = Resident.Track.STANDARD
    site: str = "city"
    mentor: str | None = None

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}@{DEMO_DOMAIN}".lower()


def _feminine(surname: str) -> str:
    return surname + "a" if surname.endswith(("ov", "ev", "in")) else surname


def _person(rng: random.Random) -> tuple[str, str, str]:
    """(first name, middle name, last name) of a Kazakh, Russian or Korean-Kazakhstani person."""
    female = rng.random() < 0.65  # most neonatology residents are women
    origin = rng.choices(["kz", "ru", "ko"], weights=[70, 20, 10])[0]
    if origin == "kz":
        first = rng.choice(KZ_FEMALE if female else KZ_MALE)
        last = rng.choice(KZ_SURNAMES)
        middle = rng.choice(KZ_PATRONYMICS) + ("ovna" if female else "ovich")
    else:
        first = rng.choice(RU_FEMALE if female else RU_MALE)
        last = rng.choice(RU_SURNAMES if origin == "ru" else KOREAN_SURNAMES)
        middle = rng.choice(RU_PATRONYMICS)[1 if female else 0]
    return first, middle, _feminine(last) if female else last


def _add_months(d: date, months: int) -> date:
    """`d` moved by whole months; `d` is the first of a month here, so the day always exists."""
    year, month = divmod(d.month - 1 + months, 12)
    return d.replace(year=d.year + year, month=month + 1)


def academic_year_start(today: date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def demo_residents() -> list[DemoResident]:
    """The 43 demo residents with their status, track, site and planned mentor (deterministic)."""
    rng = random.Random(SEED)
    taken = {m.address for m in MENTORS} | {ADMIN_EMAIL}
    residents = []
    for offset, count in COHORTS:
        for index in range(count):
            while True:
                first, middle, last = _person(rng)
                resident = DemoResident(offset, index, first, middle, last)
                if resident.email not in taken:
                    break
            taken.add(resident.email)
            if offset == 3:
                resident.status = Resident.Status.GRADUATED
            resident.status = STATUSES.get((offset, index), resident.status)
            resident.track = TRACKS.get((offset, index), resident.track)
            resident.site = rng.choice(list(SITES))
            residents.append(resident)

    active = [r for r in residents if r.status == Resident.Status.ACTIVE]
    first_years = [r for r in active if r.offset == 0]
    waiting = first_years[-UNASSIGNED_FIRST_YEARS:]
    for resident, site in zip(waiting, ["city", "city", "regional"], strict=True):
        resident.site = site

    # The residents with history go to their current mentor first; the others are dealt round-robin
    # over the mentors so each mentor has residents of several years.
    capacity = {m.key: m.load for m in MENTORS if m.load}
    by_position = {(r.offset, r.index): r for r in residents}
    for offset, index, _previous, current, _reason in HISTORY:
        by_position[(offset, index)].mentor = current
        capacity[current] -= 1
    keys = [m.key for m in MENTORS if m.load]
    to_deal = [r for r in active if not r.mentor and r not in waiting]
    if len(to_deal) != sum(capacity.values()):
        raise RuntimeError("The demo mentors' loads must add up to the active residents to assign.")
    turn = 0
    for resident in to_deal:
        while capacity[keys[turn % len(keys)]] == 0:
            turn += 1
        resident.mentor = keys[turn % len(keys)]
        capacity[resident.mentor] -= 1
        turn += 1
    site_of = {m.key: m.site for m in MENTORS}
    for resident in residents:
        if resident.mentor:
            resident.site = site_of[resident.mentor]
    return residents


def _mentor_dates(mentor: DemoMentor, anchor: date, rng: random.Random) -> dict:
    """Certificate and training dates giving the mentor's intended status, relative to `anchor`."""
    if mentor.certificate == "expired":
        expires = anchor - timedelta(days=40)
    elif mentor.certificate == "expiring":
        expires = anchor + timedelta(days=55)  # within 60 days of any day this month: a warning
    else:
        expires = _add_months(anchor, rng.randint(14, 48))
    if mentor.training == "overdue":
        primary, refresher = _add_months(anchor, -96), _add_months(anchor, -40)  # 3 years 4 months ago
    elif mentor.training == "due":
        primary = _add_months(anchor, -84)
        refresher = add_years(anchor + timedelta(days=50), -3)  # falls due in 20-50 days
    else:
        refresher_months = rng.randint(4, 26)
        primary, refresher = _add_months(anchor, -refresher_months - rng.randint(14, 60)), _add_months(
            anchor, -refresher_months)
    return {
        "practice_started_on": _add_months(anchor, -mentor.experience_months),
        "certificate_number": f"KZ-NEO-{rng.randint(100000, 999999)}",
        "certificate_expires_on": expires,
        "primary": primary,
        "refresher": refresher,
    }


class _Passwords:
    """Every demo user gets DEMO_PASSWORD once; a password the user has changed is kept.

    The hash is computed once and shared: hashing ~60 times would make seeding slow, and the
    password is public anyway.
    """

    def __init__(self):
        self._hash = None

    def ensure(self, user: User) -> None:
        if user.has_usable_password():
            return
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
        user.password = self._hash
        user.save(update_fields=["password"])


def _academic_years(today: date) -> dict[int, AcademicYear]:
    last = max(LAST_ACADEMIC_YEAR, academic_year_start(today))
    first = min(FIRST_ACADEMIC_YEAR, academic_year_start(today) - COHORTS[0][0])
    years = {}
    for start in range(first, last + 1):
        years[start], _created = AcademicYear.objects.get_or_create(
            start_year=start, defaults={"starts_on": date(start, 9, 1), "ends_on": date(start + 1, 8, 31)})
    return years


def _department() -> tuple[Department, Specialty, dict[str, ClinicalSite]]:
    department = Department.objects.filter(name=DEPARTMENT_NAME).first()
    if department is None:
        department = department_create(name=DEPARTMENT_NAME, university=UNIVERSITY)
    elif department.university != UNIVERSITY:
        department.university = UNIVERSITY
        department.save(update_fields=["university"])
    policy_for(department)

    specialty, _created = Specialty.objects.get_or_create(
        code=SPECIALTY_CODE,
        defaults={"department": department, "name": SPECIALTY_NAME, "duration_years": SPECIALTY_YEARS})
    wanted = {"department": department, "name": SPECIALTY_NAME, "duration_years": SPECIALTY_YEARS}
    changed = [k for k, v in wanted.items() if getattr(specialty, k) != v]
    if changed:
        for k in changed:
            setattr(specialty, k, wanted[k])
        specialty.save(update_fields=changed)

    sites = {}
    for key, name in SITES.items():
        site, _created = ClinicalSite.objects.get_or_create(name=name, defaults={"city": "Almaty"})
        site.departments.add(department)  # no-op when already linked
        sites[key] = site
    return department, specialty, sites


def _seed_mentors(department, specialty, sites, anchor, today, passwords) -> dict[str, Mentor]:
    rng = random.Random(SEED)
    mentors = {}
    for demo in MENTORS:
        dates = _mentor_dates(demo, anchor, rng)
        mentor, _outcome = mentor_upsert(department=department, today=today, data=MentorData(
            email=demo.address, first_name=demo.first_name, middle_name=demo.middle_name,
            last_name=demo.last_name, specialty=specialty, clinical_site=sites[demo.site],
            qualification_category=demo.category, practice_started_on=dates["practice_started_on"],
            position=demo.position, certificate_number=dates["certificate_number"],
            certificate_expires_on=dates["certificate_expires_on"]))
        training_record(mentor=mentor, kind=MentorTraining.Kind.PRIMARY, completed_on=dates["primary"],
                        provider=TRAINING_PROVIDER, today=today)
        training_record(mentor=mentor, kind=MentorTraining.Kind.REFRESHER, completed_on=dates["refresher"],
                        provider=TRAINING_PROVIDER, today=today)
        passwords.ensure(mentor.user)
        mentors[demo.key] = mentor
    return mentors


def _seed_residents(plan, department, specialty, sites, years, today, passwords) -> dict[str, Resident]:
    current = academic_year_start(today)
    residents = {}
    for demo in plan:
        year_of_study = min(demo.offset + 1, SPECIALTY_YEARS)
        resident, _outcome = resident_upsert(department=department, data=ResidentData(
            email=demo.email, first_name=demo.first_name, middle_name=demo.middle_name, last_name=demo.last_name,
            specialty=specialty, intake_year=years[current - demo.offset], year_of_study=year_of_study,
            clinical_site=sites[demo.site], status=demo.status, track=demo.track))
        passwords.ensure(resident.user)
        residents[demo.email] = resident
    return residents


def _seed_assignments(plan, residents, mentors, coordinator, today) -> None:
    """Assign the planned residents; a resident with any assignment (active or past) is left alone."""
    current = academic_year_start(today)
    history = {(offset, index): (previous, reason) for offset, index, previous, _current, reason in HISTORY}
    seen = set(Assignment.objects.filter(resident__in=residents.values()).values_list("resident_id", flat=True))
    # Residents with history first, so the previous mentors have room at the time.
    for demo in sorted(plan, key=lambda r: (r.offset, r.index) not in history):
        resident = residents[demo.email]
        if demo.mentor is None or resident.pk in seen:
            continue
        started_on = min(date(current - demo.offset, 9, 15), today)
        if (demo.offset, demo.index) in history:
            previous, reason = history[(demo.offset, demo.index)]
            first = assignment_create(resident=resident, mentor=mentors[previous], by=coordinator,
                                      started_on=started_on)
            started_on = max(started_on, today.replace(day=1) - timedelta(days=90))
            assignment_end(assignment=first, by=coordinator, reason=reason, ended_on=started_on)
        assignment_create(resident=resident, mentor=mentors[demo.mentor], by=coordinator, started_on=started_on)


def _seed_admin(passwords) -> User:
    admin, _changed = user_upsert(email=ADMIN_EMAIL, first_name="Admin", last_name="Demo")
    if not (admin.is_staff and admin.is_superuser):
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    passwords.ensure(admin)
    return admin


def demo_logins(plan: list[DemoResident]) -> dict[str, dict[str, str]]:
    resident = next(r for r in plan if r.mentor == "akhmetova")
    akhmetova = next(m for m in MENTORS if m.key == "akhmetova")
    return {
        role: {"email": email, "password": DEMO_PASSWORD}
        for role, email in [("coordinator", COORDINATOR_EMAIL), ("mentor", akhmetova.address),
                            ("resident", resident.email), ("admin", ADMIN_EMAIL)]
    }


@transaction.atomic
def seed_demo(*, stdout=None) -> dict[str, dict[str, str]]:
    """Create or complete the demo data; running it again changes nothing. Returns the demo logins."""
    today = timezone.localdate()
    anchor = today.replace(day=1)
    passwords = _Passwords()
    years = _academic_years(today)
    department, specialty, sites = _department()
    mentors = _seed_mentors(department, specialty, sites, anchor, today, passwords)
    coordinator = mentors["bekova"].user
    coordinator_add(user=coordinator, department=department)
    plan = demo_residents()
    residents = _seed_residents(plan, department, specialty, sites, years, today, passwords)
    _seed_assignments(plan, residents, mentors, coordinator, today)
    _seed_admin(passwords)
    seed_disciplines(specialty)
    logins = demo_logins(plan)
    seed_training_year(residents=list(residents.values()), coordinator=coordinator,
                       showcase=residents[logins["resident"]["email"]], today=today)
    seed_assessments(specialty=specialty, coordinator=coordinator, mentors=mentors,
                     residents={(r.offset, r.index): residents[r.email] for r in plan},
                     showcase=residents[logins["resident"]["email"]], today=today)
    seed_surveys(department=department, coordinator=coordinator, today=today,
                 showcase_users={residents[logins["resident"]["email"]].user_id, coordinator.pk})
    # Issue 6: programmes first (pairs), then the speed-mentoring events (assignments for those waiting), then
    # meetings of the pairs, then goals (a progress note links to a past meeting).
    programme_kwargs = {"department": department, "coordinator": coordinator, "mentors": mentors,
                        "residents": list(residents.values()), "showcase": residents[logins["resident"]["email"]],
                        "today": today}
    for seed in (seed_programmes, seed_speed, seed_meetings, seed_goals):
        seed(**programme_kwargs)

    if stdout is not None:
        policy = policy_for(department)
        eligible = sum(mentor_eligibility(m, policy=policy, today=today).eligible for m in mentors.values())
        statuses = {s: sum(r.status == s for r in residents.values()) for s in Resident.Status.values}
        active_assignments = Assignment.objects.filter(mentor__in=mentors.values(), ended_on__isnull=True,
                                                       kind="clinical").count()
        stdout.write(f"{department}: {len(mentors)} mentors ({eligible} eligible), {len(residents)} residents "
                     f"({', '.join(f'{n} {s}' for s, n in statuses.items())}), "
                     f"{active_assignments} active assignments; {training_summary(residents.values())}")
        stdout.write(f"Assessments: {assessments_summary(department)}")
        stdout.write(f"Surveys: {surveys_summary(department)}")
        stdout.write(f"Mentoring programmes: {programmes_summary(department)}")
    return logins


def programmes_summary(department) -> str:
    """One line for `seed_demo`'s output: what issue 6's demo data holds."""
    programmes = Programme.objects.filter(department=department).exclude(kind=Programme.Kind.CLINICAL).count()
    pairs = Assignment.objects.filter(programme__department=department, ended_on__isnull=True).exclude(
        kind=Programme.Kind.CLINICAL).count()
    meetings = Meeting.objects.filter(programme__department=department).count()
    goals = Goal.objects.filter(resident__specialty__department=department).count()
    events = SpeedEvent.objects.filter(department=department).count()
    return (f"{programmes} near-peer/group programmes with {pairs} active pairs, {meetings} meetings, {goals} goals, "
            f"{events} speed-mentoring events")
