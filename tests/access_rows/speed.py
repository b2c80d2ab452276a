"""Access-matrix rows for the speed pages (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)).
`world(base)` adds this part's objects to the world fixture; `base` holds department, mentor, resident,
assignment (the resident under the mentor in the clinical programme), coordinator and the users.

`build_event` is also the speed tests' way to set up an event through the services.
"""

from datetime import time

from django.utils import timezone

from mentoring import speed
from mentoring.speed_events import (
    choices_submit,
    event_save,
    event_set_people,
    matching_propose,
    ranking_open,
    schedule_generate,
)
from tests.factories import MentorFactory, ResidentFactory

LOGIN = 302
COORDINATOR_ONLY = (LOGIN, 404, 404, 200, 404)
POST_ONLY = (LOGIN, 405, 405, 405, 405)
PARTICIPANTS = (LOGIN, 200, 200, 404, 404)


def build_event(*, department, coordinator, experts, groups, rounds=None, held_on=None,
                title="Speed mentoring: meet the mentors", schedule=True, open_ranking=False):
    """An event planned through the services: `experts` at tables 1, 2, ...; `groups` a list of lists of
    residents; as many rounds as it takes for every group to meet every expert unless `rounds` is given."""
    event = event_save(department=department, by=coordinator, title=title,
                       held_on=held_on or timezone.localdate(), starts_at=time(14, 0), round_minutes=10,
                       rounds=rounds or speed.rounds_needed(groups, experts) or 1, place="Conference hall, 2nd floor")
    event_set_people(event=event, mentors=experts, groups=groups)
    if schedule:
        schedule_generate(event=event)
    if open_ranking:
        ranking_open(event=event)
    event.refresh_from_db()
    return event


def _department(o):
    return {"department_id": o["department"].pk}


def _event(o):
    return {"pk": o["speed_event"].pk}


def _planning(o):
    return {"pk": o["speed_planning_event"].pk}


ROWS = {
    "mentoring:speed_event_list": (_department, COORDINATOR_ONLY),
    "mentoring:speed_event_new": (_department, COORDINATOR_ONLY),
    "mentoring:speed_event_edit": (_planning, COORDINATOR_ONLY),
    "mentoring:speed_event_detail": (_event, COORDINATOR_ONLY),
    "mentoring:speed_event_people": (_planning, COORDINATOR_ONLY),
    "mentoring:speed_schedule": (_event, COORDINATOR_ONLY),
    "mentoring:speed_rankings": (_event, COORDINATOR_ONLY),
    "mentoring:speed_matching": (_event, COORDINATOR_ONLY),
    # POST-only: a GET is refused before anything is looked up.
    "mentoring:speed_schedule_generate": (_planning, POST_ONLY),
    "mentoring:speed_ranking_open": (_planning, POST_ONLY),
    "mentoring:speed_matching_propose": (_event, POST_ONLY),
    "mentoring:speed_match_set": (_event, POST_ONLY),
    "mentoring:speed_confirm": (_event, POST_ONLY),
    # The mentee's and the expert's pages: the resident is a mentee and the mentor an expert of the event.
    "mentoring:my_speed_events": (lambda o: {}, PARTICIPANTS),
    "mentoring:speed_rank": (_event, PARTICIPANTS),
}


def world(base):
    """An event of the base department collecting rankings: the base mentor and another mentor are the experts;
    the base resident (who already has a clinical mentor) and a resident without one are the mentees, who
    ranked; a proposed match for the latter. And an event still being planned."""
    department, coordinator = base["department"], base["coordinator"]
    specialty, site = base["resident"].specialty, base["resident"].clinical_site
    other_mentor = MentorFactory(specialty=specialty, clinical_site=site)
    newcomer = ResidentFactory(specialty=specialty, clinical_site=site)
    event = build_event(department=department, coordinator=coordinator, experts=[base["mentor"], other_mentor],
                        groups=[[base["resident"]], [newcomer]], open_ranking=True)
    choices_submit(event=event, resident=newcomer, mentors_ranked=[base["mentor"], other_mentor])
    choices_submit(event=event, resident=base["resident"], mentors_ranked=[other_mentor])
    matching_propose(event=event)
    planning = build_event(department=department, coordinator=coordinator, experts=[other_mentor],
                           groups=[[newcomer]], title="Speed mentoring: autumn")
    return {"speed_event": event, "speed_planning_event": planning, "speed_newcomer": newcomer}
