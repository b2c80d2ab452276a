"""The programmes demo data: a near-peer and a group programme with their pairs, through the services; running
the seed again changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mentoring.demo_programmes import GROUP_NAME, NEAR_PEER_NAME, seed_programmes
from mentoring.eligibility import mentor_eligibility
from mentoring.models import Assignment, Mentor, Programme
from mentoring.services import assignment_create
from residents.models import Resident

pytestmark = pytest.mark.django_db


def snapshot(department):
    return (sorted(Programme.objects.filter(department=department).values_list("kind", "name", "min_per_mentor",
                                                                             "max_per_mentor", "is_active")),
            sorted(Assignment.objects.filter(programme__department=department).exclude(kind="clinical").values_list(
                "programme__name", "resident_id", "mentor_id", "peer_id", "started_on", "ended_on")))


@pytest.fixture
def demo(department, coordinator, make_mentor, make_resident):
    today = timezone.localdate()
    mentors = {
        "akhmetova": make_mentor(),
        "pak": make_mentor(qualification_category="second"),  # not eligible: never a group leader
        "zhaksylykova": make_mentor(practice_started_on=today - timedelta(days=400)),  # not eligible either
        "ospanova": make_mentor(),
    }
    residents = [make_resident(year_of_study=year) for year in (1, 1, 1, 1, 1, 2, 2, 3, 3)]
    residents.append(make_resident(year_of_study=2, status="on_leave"))
    showcase = residents[5]
    # Clinical mentors for four first-years, the showcase resident and a third-year; one first-year waits.
    for r in [*residents[:2], showcase]:
        assignment_create(resident=r, mentor=mentors["akhmetova"])
    for r in [*residents[2:4], residents[7]]:
        assignment_create(resident=r, mentor=mentors["ospanova"])
    return {"department": department, "coordinator": coordinator, "mentors": mentors, "residents": residents,
            "showcase": showcase, "today": today, "waiting": residents[4]}


def test_seed_programmes(demo):
    waiting = demo.pop("waiting")
    seed_programmes(**demo)
    department, showcase = demo["department"], demo["showcase"]
    near_peer = Programme.objects.get(department=department, name=NEAR_PEER_NAME)
    group = Programme.objects.get(department=department, name=GROUP_NAME)
    assert (near_peer.kind, near_peer.min_per_mentor, near_peer.max_per_mentor) == ("near_peer", 1, 2)
    assert (group.kind, group.min_per_mentor, group.max_per_mentor) == ("group", 4, 8)

    pairs = list(Assignment.objects.filter(programme=near_peer, ended_on__isnull=True).select_related("peer",
                                                                                                    "resident"))
    assert len(pairs) == 4
    assert all(a.peer.year_of_study >= 2 and a.resident.year_of_study == 1 for a in pairs)
    loads = sorted(sum(1 for a in pairs if a.peer_id == p) for p in {a.peer_id for a in pairs})
    assert loads == [1, 1, 2]

    members = Assignment.objects.filter(programme=group, ended_on__isnull=True)
    assert members.count() == 5 and members.filter(resident=showcase).exists()
    leader = Mentor.objects.get(pk=members.values_list("mentor_id", flat=True).distinct().get())
    assert leader == demo["mentors"]["ospanova"]  # the first eligible preferred leader, not her clinical mentor
    assert mentor_eligibility(leader).eligible
    assert not members.filter(resident__status=Resident.Status.ON_LEAVE).exists()
    # Only residents with a clinical mentor join: the one waiting for a mentor stays waiting.
    assert not Assignment.objects.filter(resident=waiting).exists()
    assert not members.exclude(resident__assignments__kind="clinical",
                               resident__assignments__ended_on__isnull=True).exists()


def test_a_seeded_programme_is_left_alone(demo):
    """A second run after the clinical assignments changed (another seed assigned the waiting resident) adds no
    pair: the programmes already have theirs."""
    waiting = demo.pop("waiting")
    seed_programmes(**demo)
    before = snapshot(demo["department"])
    assignment_create(resident=waiting, mentor=demo["mentors"]["akhmetova"])
    seed_programmes(**demo)
    assert snapshot(demo["department"]) == before


def test_seed_programmes_twice_changes_nothing(demo):
    demo.pop("waiting")
    seed_programmes(**demo)
    before = snapshot(demo["department"])
    seed_programmes(**demo)
    assert snapshot(demo["department"]) == before


def test_seed_programmes_on_the_demo_data(seeded):
    """On the product's demo data (whether or not seed_demo already ran it): a leader and pairs are found."""
    from mentoring.demo import DEPARTMENT_NAME, MENTORS
    from organization.models import Department

    department = Department.objects.get(name=DEPARTMENT_NAME)
    showcase = Resident.objects.get(user__email=seeded["resident"]["email"])
    kwargs = {
        "department": department, "coordinator": department.coordinators.first().user,
        "mentors": {m.key: Mentor.objects.get(user__email=m.address) for m in MENTORS},
        "residents": list(Resident.objects.filter(specialty__department=department).select_related(
            "user", "cohort__intake_year")),
        "showcase": showcase, "today": timezone.localdate(),
    }
    seed_programmes(**kwargs)
    before = snapshot(department)
    seed_programmes(**kwargs)
    assert snapshot(department) == before
    group = Programme.objects.get(department=department, name=GROUP_NAME)
    assert Assignment.objects.filter(programme=group, resident=showcase, ended_on__isnull=True).exists()
    assert Assignment.objects.filter(programme=group, ended_on__isnull=True).count() == 5
    assert Assignment.objects.filter(programme__name=NEAR_PEER_NAME, ended_on__isnull=True).count() == 4
