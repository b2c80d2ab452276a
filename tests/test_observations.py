"""EPA observations: who records, for whom, which EPA and level, the date rules and the late flag, and the
resident's acknowledgement (DESIGN.md section 2, Entrustable professional activities)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import AssessmentPolicy, Observation
from assessments.observations import observation_acknowledge, observation_record
from assessments.selectors_observations import (
    epas_to_observe,
    observations_by_mentor,
    recent_observations_for_resident,
    unacknowledged_count,
)
from mentoring.services import assignment_create, assignment_end
from residents.models import Resident
from tests.factories import SpecialtyFactory
from tests.factories_assessments import EPAFactory, ObservationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_mentor, make_resident):
    """A mentor, their active mentee and an EPA of the mentee's specialty."""
    mentor, resident = make_mentor(), make_resident()
    assignment_create(resident=resident, mentor=mentor)
    return mentor, resident, EPAFactory(specialty=resident.specialty)


def record(mentor, resident, epa, **kwargs):
    kwargs.setdefault("level", 2)
    return observation_record(mentor_user=mentor.user, resident=resident, epa=epa, **kwargs)


def at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def messages_of(exc_info, field=None):
    if field is None:
        return " ".join(exc_info.value.messages)
    return " ".join(exc_info.value.message_dict[field])


# Recording -------------------------------------------------------------------------------------------------------

def test_records_with_the_mentor_and_defaults_to_today(pair):
    mentor, resident, epa = pair
    obs = record(mentor, resident, epa, level=3, setting="ward", went_well="  Calm and systematic. ",
                 to_improve="Explain the plan to the parents.")
    obs.refresh_from_db()
    assert obs.observed_on == timezone.localdate()
    assert (obs.mentor, obs.resident, obs.epa, obs.level, obs.setting) == (mentor, resident, epa, 3, "ward")
    assert obs.went_well == "Calm and systematic."
    assert obs.is_late is False
    assert obs.acknowledged_at is None


def test_default_date_is_the_local_date_of_now(pair):
    mentor, resident, epa = pair
    now = at_noon(timezone.localdate() - dt.timedelta(days=3))
    obs = record(mentor, resident, epa, now=now)
    assert obs.observed_on == timezone.localdate() - dt.timedelta(days=3)


@pytest.mark.parametrize("days_ago,late", [(0, False), (13, False), (14, False), (15, True), (200, True)])
def test_late_after_fourteen_days(pair, days_ago, late):
    mentor, resident, epa = pair
    today = timezone.localdate()
    obs = record(mentor, resident, epa, observed_on=today - dt.timedelta(days=days_ago), now=at_noon(today))
    assert obs.is_late is late
    assert Observation.objects.get(pk=obs.pk).is_late is late


def test_late_follows_the_department_policy(pair, department):
    mentor, resident, epa = pair
    AssessmentPolicy.objects.update_or_create(department=department, defaults={"late_after_days": 7})
    today = timezone.localdate()
    assert record(mentor, resident, epa, observed_on=today - dt.timedelta(days=7)).is_late is False
    assert record(mentor, resident, epa, observed_on=today - dt.timedelta(days=8)).is_late is True


def test_future_date_refused(pair):
    mentor, resident, epa = pair
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        record(mentor, resident, epa, observed_on=tomorrow)
    assert messages_of(exc, "observed_on") == "The date of the encounter cannot be in the future."
    # "Future" is measured from `now`: the same day is accepted when it is today.
    assert record(mentor, resident, epa, observed_on=tomorrow, now=at_noon(tomorrow)).observed_on == tomorrow
    assert Observation.objects.count() == 1


def test_not_the_active_mentor_refused(pair, make_mentor, make_resident):
    mentor, resident, epa = pair
    other_mentor = make_mentor()
    with pytest.raises(ValidationError) as exc:
        record(other_mentor, resident, epa)
    assert "Only the resident's current mentor" in messages_of(exc)
    # Nor a resident of another mentor, nor a former mentee.
    outsider = make_resident()
    assignment_create(resident=outsider, mentor=other_mentor)
    with pytest.raises(ValidationError):
        record(mentor, outsider, EPAFactory(specialty=outsider.specialty))
    assignment_end(assignment=resident.assignments.get(), reason="Rotation ended")
    with pytest.raises(ValidationError):
        record(mentor, resident, epa)
    with pytest.raises(ValidationError):
        observation_record(mentor_user=None, resident=resident, epa=epa, level=2)
    assert Observation.objects.count() == 0


def test_inactive_resident_refused(pair):
    mentor, resident, epa = pair
    Resident.objects.filter(pk=resident.pk).update(status=Resident.Status.ON_LEAVE)
    resident.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        record(mentor, resident, epa)
    assert "active residents only" in messages_of(exc)
    assert Observation.objects.count() == 0


def test_epa_of_another_specialty_refused(pair, department):
    mentor, resident, _epa = pair
    foreign = EPAFactory(specialty=SpecialtyFactory(department=department), code="EPA 99")
    with pytest.raises(ValidationError) as exc:
        record(mentor, resident, foreign)
    message = messages_of(exc, "epa")
    assert "EPA 99 belongs to another specialty's catalogue" in message
    assert str(resident.specialty) in message
    assert Observation.objects.count() == 0


def test_retired_epa_refused(pair):
    mentor, resident, epa = pair
    epa.is_active = False
    epa.save()
    with pytest.raises(ValidationError) as exc:
        record(mentor, resident, epa)
    assert "has been retired" in messages_of(exc, "epa")


@pytest.mark.parametrize("level", [0, 6, None, "x"])
def test_level_outside_one_to_five_refused(pair, level):
    mentor, resident, epa = pair
    with pytest.raises(ValidationError) as exc:
        record(mentor, resident, epa, level=level)
    assert messages_of(exc, "level") == "Choose a supervision level from 1 to 5."


def test_feedback_with_a_patient_identifier_refused(pair):
    mentor, resident, epa = pair
    with pytest.raises(ValidationError) as exc:
        record(mentor, resident, epa, went_well="Newborn 240101500123 examined well",
               to_improve="Chart of 2401 0150 0123")
    assert set(exc.value.message_dict) == {"went_well", "to_improve"}
    assert "patient identifiers" in messages_of(exc, "went_well")
    assert Observation.objects.count() == 0


def test_unknown_setting_refused(pair):
    mentor, resident, epa = pair
    with pytest.raises(ValidationError) as exc:
        record(mentor, resident, epa, setting="car park")
    assert "setting" in exc.value.message_dict


# Acknowledging ---------------------------------------------------------------------------------------------------

def test_only_the_resident_acknowledges_and_again_keeps_the_first_time(pair, make_resident, coordinator):
    mentor, resident, epa = pair
    obs = record(mentor, resident, epa)
    for someone in (mentor.user, make_resident().user, coordinator, None):
        with pytest.raises(ValidationError) as exc:
            observation_acknowledge(observation=obs, by=someone)
        assert messages_of(exc) == "Only the resident can acknowledge their own observations."
    obs.refresh_from_db()
    assert obs.acknowledged_at is None

    first = observation_acknowledge(observation=obs, by=resident.user).acknowledged_at
    assert first is not None
    again = observation_acknowledge(observation=obs, by=resident.user)
    assert again.acknowledged_at == first
    obs.refresh_from_db()
    assert obs.acknowledged_at == first


# Selectors -------------------------------------------------------------------------------------------------------

def test_unacknowledged_count_and_recent(pair):
    mentor, resident, epa = pair
    today = timezone.localdate()
    made = [ObservationFactory(resident=resident, epa=epa, mentor=mentor, observed_on=today - dt.timedelta(days=d))
            for d in range(7)]
    made[3].acknowledged_at = timezone.now()
    made[3].save()
    ObservationFactory()  # someone else's
    assert unacknowledged_count(resident) == 6
    recent = recent_observations_for_resident(resident, limit=3)
    assert [o.pk for o in recent] == [made[0].pk, made[1].pk, made[2].pk]
    assert len(recent_observations_for_resident(resident)) == 5


def test_observations_by_mentor_only_own_of_current_residents(pair, make_mentor, make_resident):
    mentor, resident, epa = pair
    mine = ObservationFactory(resident=resident, epa=epa, mentor=mentor)
    other_mentor = make_mentor()
    ObservationFactory(resident=resident, epa=epa, mentor=other_mentor)  # a previous mentor's
    former = make_resident()
    ObservationFactory(resident=former, epa=EPAFactory(specialty=former.specialty), mentor=mentor)  # not a mentee now
    assert list(observations_by_mentor(mentor.user)) == [mine]
    assert list(observations_by_mentor(other_mentor.user)) == []


def test_epas_to_observe_recently_used_first_then_catalogue_order(pair, department):
    mentor, resident, first = pair
    second, third, fourth = (EPAFactory(specialty=resident.specialty) for _ in range(3))
    retired = EPAFactory(specialty=resident.specialty, position=0)
    retired.is_active = False
    retired.save()
    EPAFactory(specialty=SpecialtyFactory(department=department))  # not asked for
    record(mentor, resident, third)
    record(mentor, resident, fourth)  # latest
    ObservationFactory(resident=resident, epa=second, mentor=ObservationFactory().mentor)  # someone else used it
    got = epas_to_observe(mentor.user, [resident.specialty_id])
    assert [e.pk for e in got] == [fourth.pk, third.pk, first.pk, second.pk]
    assert got[0].last_used_at is not None and got[2].last_used_at is None
    assert epas_to_observe(mentor.user, []) == []
