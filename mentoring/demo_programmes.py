"""Demo data of the programmes part (issue 6): a near-peer and a group programme with their pairs.

`seed_programmes` uses only the demo data it is given and goes through the services, so the demo obeys the
rules. It is idempotent: programmes are matched by (department, name), and a programme that already has
assignments (active or ended) is left alone, so a later seed that changes who has a clinical mentor does not
change these pairs. Only residents with a clinical mentor join: those still waiting for one stay waiting, as
the dashboard shows.
"""

from datetime import date, timedelta

from organization.services import policy_for
from residents.models import Resident

from .eligibility import programme_eligibility
from .models import Assignment, Mentor, Programme
from .programmes import programme_create
from .services import assignment_create

NEAR_PEER_NAME = "Near-peer mentoring: senior residents for first-years"
NEAR_PEER_DESCRIPTION = ("Residents from the second year on help first-years settle in: the rota, night duties, "
                         "the activity log and the first EPAs. One or two first-years each.")
GROUP_NAME = "Neonatal resuscitation skills group"
GROUP_DESCRIPTION = ("Monthly simulation sessions on neonatal resuscitation (NRP algorithm, airway, chest "
                     "compressions, umbilical venous access), led by one mentor for a group of four to eight "
                     "residents.")
GROUP_LEADERS = ["zhaksylykova", "ospanova", "abenov", "volkov"]  # preferred leaders, if eligible
NEAR_PEER_PAIRS = 4
GROUP_MEMBERS = 5  # the showcase resident and four others: "5 of 8"


def _programme(*, department, coordinator, kind, name, description, minimum, maximum) -> Programme:
    existing = Programme.objects.filter(department=department, name=name).first()
    if existing is not None:
        return existing
    return programme_create(department=department, by=coordinator, kind=kind, name=name, description=description,
                            min_per_mentor=minimum, max_per_mentor=maximum)


def _started_on(resident: Resident, today: date, days: int) -> date:
    """`days` ago, but not before the resident's intake year began (first-years arrive in September)."""
    return min(today, max(today - timedelta(days=days), resident.cohort.intake_year.starts_on))


def _key(resident: Resident):
    return (resident.user.last_name, resident.user.first_name, resident.user.email)


def seed_programmes(*, department, coordinator, mentors: dict[str, Mentor], residents: list[Resident],
                    showcase: Resident, today: date) -> None:
    active = sorted((r for r in residents if r.status == Resident.Status.ACTIVE), key=_key)
    with_mentor = set(Assignment.objects.filter(resident__in=active, ended_on__isnull=True, kind="clinical")
                      .values_list("resident_id", flat=True))
    policy = policy_for(department)

    near_peer = _programme(department=department, coordinator=coordinator, kind=Programme.Kind.NEAR_PEER,
                           name=NEAR_PEER_NAME, description=NEAR_PEER_DESCRIPTION, minimum=1, maximum=2)
    if not Assignment.objects.filter(programme=near_peer).exists():
        seniors = sorted((r for r in active if r.year_of_study >= 2 and r.pk != showcase.pk),
                         key=lambda r: (-r.year_of_study, *_key(r)))
        first_years = [r for r in active if r.year_of_study == 1 and r.pk != showcase.pk
                       and r.pk in with_mentor][:NEAR_PEER_PAIRS]
        # The first senior takes two first-years (full), the next ones one each.
        for mentee, senior in zip(first_years, [seniors[0], *seniors] if seniors else [], strict=False):
            assignment_create(resident=mentee, peer=senior, programme=near_peer, by=coordinator,
                              started_on=_started_on(mentee, today, 45))

    group = _programme(department=department, coordinator=coordinator, kind=Programme.Kind.GROUP, name=GROUP_NAME,
                       description=GROUP_DESCRIPTION, minimum=4, maximum=8)
    if not Assignment.objects.filter(programme=group).exists():
        leader = _group_leader(group, mentors, showcase, policy, today)
        if leader is None:
            return
        others = [r for r in active if r.pk != showcase.pk and r.pk in with_mentor][:GROUP_MEMBERS - 1]
        for member in [showcase, *others]:
            assignment_create(resident=member, mentor=leader, programme=group, by=coordinator,
                              started_on=_started_on(member, today, 120))


def _group_leader(group, mentors, showcase, policy, today) -> Mentor | None:
    """An eligible clinical mentor who is not the showcase resident's clinical mentor (preferred ones first)."""
    clinical_mentor_ids = set(Assignment.objects.filter(resident=showcase, ended_on__isnull=True, kind="clinical")
                              .values_list("mentor_id", flat=True))
    keys = [k for k in GROUP_LEADERS if k in mentors] + sorted(k for k in mentors if k not in GROUP_LEADERS)
    for key in keys:
        mentor = mentors[key]
        if mentor.pk in clinical_mentor_ids:
            continue
        if not programme_eligibility(group, mentee=showcase, mentor=mentor, policy=policy, today=today):
            return mentor
    return None
