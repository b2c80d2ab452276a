"""Clash detection (issue 6): a meeting that overlaps a participant's night duty or absence is flagged."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from mentoring.meetings import meeting_clashes
from mentoring.models import Absence
from residents.models import NightDuty, ReviewStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A local moment `days` from today."""
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, minute)))


def duty(resident, starts_at, hours=15, status=ReviewStatus.PENDING):
    # Duties are logged once over (residents.activity); a planned one is written directly, as an import would.
    return NightDuty.objects.create(resident=resident, starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                                    clinical_site=resident.clinical_site, status=status)


def absence(user, first: int, last: int, kind=Absence.Kind.LEAVE):
    today = timezone.localdate()
    return Absence.objects.create(user=user, kind=kind, starts_on=today + timedelta(days=first),
                                  ends_on=today + timedelta(days=last))


def test_a_night_duty_overlapping_the_meeting_is_a_clash(mentor, resident):
    duty(resident, at(3, 17))  # 17:00 to 08:00 the next morning
    clashes = meeting_clashes(users=[mentor.user, resident.user], starts_at=at(4, 7), ends_at=at(4, 9))
    assert len(clashes) == 1
    clash = clashes[0]
    assert clash.person == resident.user and clash.is_night_duty
    assert clash.message.startswith(f"{resident.user.full_name} has a night duty from ")
    assert "17:00" in clash.message and "08:00" in clash.message


def test_touching_intervals_are_not_clashes(mentor, resident):
    duty(resident, at(3, 17))  # ends at 08:00 on day 4
    assert meeting_clashes(users=[resident.user], starts_at=at(4, 8), ends_at=at(4, 9)) == []
    assert meeting_clashes(users=[resident.user], starts_at=at(3, 16), ends_at=at(3, 17)) == []
    # One minute of overlap is a clash.
    assert len(meeting_clashes(users=[resident.user], starts_at=at(3, 16), ends_at=at(3, 17, 1))) == 1


def test_another_persons_duty_or_absence_is_not_a_clash(mentor, resident, make_resident):
    someone = make_resident()
    duty(someone, at(3, 17))
    absence(someone.user, 3, 5)
    assert meeting_clashes(users=[mentor.user, resident.user], starts_at=at(4, 7), ends_at=at(4, 9)) == []


def test_a_returned_duty_is_not_a_clash_a_confirmed_one_is(mentor, resident):
    duty(resident, at(3, 17), status=ReviewStatus.RETURNED)
    assert meeting_clashes(users=[resident.user], starts_at=at(4, 7), ends_at=at(4, 9)) == []
    duty(resident, at(5, 17), status=ReviewStatus.CONFIRMED)
    assert len(meeting_clashes(users=[resident.user], starts_at=at(5, 20), ends_at=at(5, 21))) == 1


def test_an_absence_on_a_day_of_the_meeting_is_a_clash(mentor, resident):
    absence(mentor.user, 10, 14, kind=Absence.Kind.STUDY)
    for day in (10, 12, 14):
        clashes = meeting_clashes(users=[mentor.user, resident.user], starts_at=at(day, 14), ends_at=at(day, 15))
        assert [(c.person, c.kind) for c in clashes] == [(mentor.user, "study")], day
    assert "is away (course or study leave) from" in clashes[0].message
    assert meeting_clashes(users=[mentor.user], starts_at=at(9, 14), ends_at=at(9, 15)) == []
    assert meeting_clashes(users=[mentor.user], starts_at=at(15, 14), ends_at=at(15, 15)) == []


def test_a_meeting_ending_at_midnight_does_not_touch_the_next_day(mentor):
    absence(mentor.user, 11, 11)
    assert meeting_clashes(users=[mentor.user], starts_at=at(10, 23), ends_at=at(11, 0)) == []
    assert len(meeting_clashes(users=[mentor.user], starts_at=at(10, 23), ends_at=at(11, 0, 30))) == 1


@pytest.mark.parametrize("side", ["mentor", "resident"])
def test_a_clash_of_either_side_of_the_pair_counts(side, mentor, resident):
    person = {"mentor": mentor, "resident": resident}[side]
    absence(person.user, 2, 2, kind=Absence.Kind.SICK)
    clashes = meeting_clashes(users=[mentor.user, resident.user], starts_at=at(2, 10), ends_at=at(2, 11))
    assert [c.person for c in clashes] == [person.user]


def test_duties_and_absences_are_listed_together(mentor, resident):
    duty(resident, at(6, 17))
    absence(mentor.user, 6, 6)
    clashes = meeting_clashes(users=[mentor.user, resident.user], starts_at=at(6, 16), ends_at=at(6, 18))
    assert sorted((c.person.pk, c.kind) for c in clashes) == sorted([(resident.user.pk, "night_duty"),
                                                                     (mentor.user.pk, "leave")])
