"""Activity log and night duty services (DESIGN.md section 2, Residents and curricula): logging rules,
the mentor's confirmation and return, confirmed entries read-only."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation

from mentoring.services import assignment_create, assignment_end
from residents.activity import (
    LOG_WINDOW_DAYS,
    MAX_BULK_CONFIRM,
    activity_confirm,
    activity_delete,
    activity_log,
    activity_return,
    activity_update,
    night_duty_delete,
    night_duty_log,
    night_duty_return,
    night_duty_update,
)
from residents.models import ActivityEntry, NightDuty, Resident, ReviewStatus
from tests.concurrency import run_concurrently
from tests.factories import ClinicalSiteFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

IIN_MESSAGE = "notes must not contain patient identifiers"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield




def today():
    return timezone.localdate()


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def log(resident, **kwargs):
    kwargs.setdefault("kind", "rounds")
    kwargs.setdefault("hours", "2")
    return activity_log(resident=resident, by=resident.user, **kwargs)


def duty(resident, days_ago=2, start_hour=17, hours=15, **kwargs):
    starts = at(today() - timedelta(days=days_ago), start_hour)
    return night_duty_log(resident=resident, by=resident.user, starts_at=starts,
                          ends_at=starts + timedelta(hours=hours), **kwargs)


def messages_of(exc_info) -> dict:
    exc = exc_info.value
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


# Logging an activity ---------------------------------------------------------------------------------------------

def test_log_defaults_to_today_and_the_residents_site(resident):
    entry = log(resident, hours=Decimal("1.5"), note="  Neonatal resuscitation drill  ")
    assert entry.date == today() and entry.clinical_site == resident.clinical_site
    assert entry.status == ReviewStatus.PENDING and entry.hours == Decimal("1.5")
    assert entry.note == "Neonatal resuscitation drill"


def test_log_manipulation_performed_or_assisted(resident):
    entry = log(resident, kind="manipulation", manipulation_role="assisted", hours=1)
    assert (entry.kind, entry.manipulation_role) == ("manipulation", "assisted")


@pytest.mark.parametrize("kwargs,field,message", [
    ({"date": "future"}, "date", "The date cannot be in the future."),
    ({"date": "too_old"}, "date", f"more than {LOG_WINDOW_DAYS} days ago: activities are logged within "
                                  f"{LOG_WINDOW_DAYS} days"),
    ({"hours": 0}, "hours", "Hours must be more than 0 and at most 24."),
    ({"hours": "24.5"}, "hours", "Hours must be more than 0 and at most 24."),
    ({"hours": -1}, "hours", "Hours must be more than 0 and at most 24."),
    ({"hours": "abc"}, "hours", "Enter the hours as a number, e.g. 1.5."),
    ({"hours": "NaN"}, "hours", "Hours must be more than 0 and at most 24."),
    ({"hours": "1.25"}, "hours", "Give the hours with at most one decimal place, e.g. 1.5."),
    ({"kind": "manipulation"}, "manipulation_role", "Say whether you performed the manipulation or assisted."),
    ({"kind": "manipulation", "manipulation_role": "watched"}, "manipulation_role",
     "Say whether you performed the manipulation or assisted."),
    ({"kind": "rounds", "manipulation_role": "performed"}, "manipulation_role",
     "Only a manipulation is logged as performed or assisted."),
    ({"kind": "gardening"}, "kind", "Choose an activity from the list."),
    ({"note": "Baby of patient IIN 990101300123, stable"}, "note", IIN_MESSAGE),
    ({"note": "ИИН 990 101 300 123"}, "note", IIN_MESSAGE),
])
def test_log_refusals_with_their_message(resident, kwargs, field, message):
    if kwargs.get("date") == "future":
        kwargs["date"] = today() + timedelta(days=1)
    elif kwargs.get("date") == "too_old":
        kwargs["date"] = today() - timedelta(days=LOG_WINDOW_DAYS + 1)
    with pytest.raises(ValidationError) as exc:
        log(resident, **kwargs)
    assert any(message in m for m in messages_of(exc)[field]), messages_of(exc)
    assert not ActivityEntry.objects.exists()


def test_window_boundary_and_24_hours_accepted(resident):
    assert log(resident, date=today() - timedelta(days=LOG_WINDOW_DAYS), hours=24).hours == Decimal("24.0")


def test_every_problem_is_reported_at_once(resident):
    with pytest.raises(ValidationError) as exc:
        log(resident, hours=0, date=today() + timedelta(days=1), note="990101300123")
    assert set(messages_of(exc)) == {"hours", "date", "note"}


def test_a_day_holds_at_most_24_hours(resident):
    log(resident, hours=20)
    with pytest.raises(ValidationError) as exc:
        log(resident, hours=5)
    assert "already has 20 hours logged; with 5 more the day would exceed 24 hours" in messages_of(exc)["hours"][0]
    log(resident, hours=4)


def test_only_the_resident_themself_logs(resident, mentor):
    with pytest.raises(ValidationError) as exc:
        activity_log(resident=resident, by=mentor.user, kind="rounds", hours=2)
    assert exc.value.messages == ["Only the resident logs their own activities and night duties."]
    with pytest.raises(ValidationError):
        night_duty_log(resident=resident, by=UserFactory(), starts_at=at(today() - timedelta(days=2), 17),
                       ends_at=at(today() - timedelta(days=1), 8))
    assert not ActivityEntry.objects.exists() and not NightDuty.objects.exists()


@pytest.mark.parametrize("status,label", [("on_leave", "on leave"), ("graduated", "graduated"),
                                          ("withdrawn", "withdrawn")])
def test_only_an_active_resident_logs(resident, status, label):
    Resident.objects.filter(pk=resident.pk).update(status=status)
    resident.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        log(resident)
    assert exc.value.messages == [
        f"Only an active resident can log activities and night duties; {resident} is {label}."]
    with pytest.raises(ValidationError):
        duty(resident)


def test_site_must_serve_the_residents_department(resident):
    elsewhere = ClinicalSiteFactory(departments=[DepartmentFactory()])
    with pytest.raises(ValidationError) as exc:
        log(resident, clinical_site=elsewhere)
    assert messages_of(exc)["clinical_site"] == [
        f"The clinical site {elsewhere} does not serve your department."]


# Changing and deleting -------------------------------------------------------------------------------------------

def test_returned_entry_is_corrected_and_goes_back_to_the_mentor(resident, mentor):
    entry = log(resident, hours=2)
    activity_return(mentor_user=mentor.user, entry=entry, comment="It was 3 hours, with the consultant.")
    entry.refresh_from_db()
    assert entry.status == ReviewStatus.RETURNED and entry.reviewed_by == mentor.user
    updated = activity_update(entry=entry, by=resident.user, kind="consultation", hours=3, note="with consultant")
    assert (updated.status, updated.kind, updated.hours, updated.date) == ("pending", "consultation", 3, today())
    assert updated.review_comment == "It was 3 hours, with the consultant."  # the mentor sees what they asked


def test_old_returned_entry_can_be_fixed_but_not_moved_out_of_the_window(resident, mentor):
    entry = log(resident, date=today() - timedelta(days=LOG_WINDOW_DAYS))
    ActivityEntry.objects.filter(pk=entry.pk).update(date=today() - timedelta(days=LOG_WINDOW_DAYS + 5),
                                                     status=ReviewStatus.RETURNED)
    entry.refresh_from_db()
    assert activity_update(entry=entry, by=resident.user, kind="rounds", hours=3).hours == 3
    with pytest.raises(ValidationError) as exc:
        activity_update(entry=entry, by=resident.user, kind="rounds", hours=3,
                        date=today() - timedelta(days=LOG_WINDOW_DAYS + 6))
    assert "date" in messages_of(exc)


def test_update_keeps_the_day_total_rule_without_counting_itself(resident):
    entry = log(resident, hours=20)
    assert activity_update(entry=entry, by=resident.user, kind="rounds", hours=24).hours == 24


def test_confirmed_entry_is_read_only(resident, mentor):
    entry = log(resident)
    activity_confirm(mentor_user=mentor.user, entry_ids=[entry.pk])
    message = "This entry has been confirmed by the mentor and can no longer be changed."
    with pytest.raises(ValidationError) as exc:
        activity_update(entry=entry, by=resident.user, kind="rounds", hours=5)
    assert exc.value.messages == [message]
    with pytest.raises(ValidationError) as exc:
        activity_delete(entry=entry, by=resident.user)
    assert exc.value.messages == [message]
    entry.refresh_from_db()
    assert entry.status == ReviewStatus.CONFIRMED and entry.hours == 2


def test_stale_instance_cannot_overwrite_a_confirmation(resident, mentor):
    entry = log(resident)
    stale = ActivityEntry.objects.get(pk=entry.pk)  # loaded before the mentor confirms
    activity_confirm(mentor_user=mentor.user, entry_ids=[entry.pk])
    with pytest.raises(ValidationError):
        activity_update(entry=stale, by=resident.user, kind="rounds", hours=5)
    assert ActivityEntry.objects.get(pk=entry.pk).status == ReviewStatus.CONFIRMED


def test_delete_pending_and_returned(resident, mentor):
    pending, returned = log(resident), log(resident)
    activity_return(mentor_user=mentor.user, entry=returned, comment="wrong day")
    activity_delete(entry=pending, by=resident.user)
    activity_delete(entry=returned, by=resident.user)
    assert not ActivityEntry.objects.exists()


def test_only_the_owner_changes_or_deletes(resident, mentor, make_resident):
    entry = log(resident)
    other = make_resident()
    for by in (mentor.user, other.user):
        with pytest.raises(ValidationError) as exc:
            activity_update(entry=entry, by=by, kind="rounds", hours=5)
        assert exc.value.messages == ["Only the resident who logged this entry can change it."]
        with pytest.raises(ValidationError):
            activity_delete(entry=entry, by=by)
    assert ActivityEntry.objects.get(pk=entry.pk).hours == 2


# Night duties ----------------------------------------------------------------------------------------------------

def test_log_night_duty(resident):
    d = duty(resident, note="Quiet night")
    assert d.status == ReviewStatus.PENDING and d.clinical_site == resident.clinical_site
    assert d.ends_at - d.starts_at == timedelta(hours=15)


def test_naive_datetimes_are_read_in_the_sites_time_zone(resident):
    start = datetime.combine(today() - timedelta(days=3), time(18, 0))
    d = night_duty_log(resident=resident, by=resident.user, starts_at=start, ends_at=start + timedelta(hours=14))
    assert timezone.localtime(d.starts_at).time() == time(18, 0)


@pytest.mark.parametrize("starts,ends,field,message", [
    ((2, 20), (2, 19), "ends_at", "The end must be after the start."),
    ((2, 20), (2, 20), "ends_at", "The end must be after the start."),
    ((3, 8), (2, 8, 30), "ends_at", "A night duty lasts at most 24 hours."),
    ((0, -2), (0, 10), "ends_at", "The end cannot be in the future: log a night duty once it is over."),
    ((LOG_WINDOW_DAYS + 1, 20), (LOG_WINDOW_DAYS, 8), "starts_at",
     f"This duty started more than {LOG_WINDOW_DAYS} days ago"),
])
def test_duty_refusals_with_their_message(resident, starts, ends, field, message):
    now = timezone.localtime()

    def moment(spec):
        days_ago, *rest = spec
        if rest == [-2]:  # two hours ago
            return now - timedelta(hours=2)
        return at(now.date() - timedelta(days=days_ago), *rest)

    start = moment(starts)
    end = now + timedelta(hours=10) if ends == (0, 10) else moment(ends)
    with pytest.raises(ValidationError) as exc:
        night_duty_log(resident=resident, by=resident.user, starts_at=start, ends_at=end)
    assert any(message in m for m in messages_of(exc)[field]), messages_of(exc)
    assert not NightDuty.objects.exists()


def test_exactly_24_hours_is_accepted(resident):
    assert duty(resident, days_ago=3, start_hour=8, hours=24).pk


def test_overlapping_duties_are_refused_with_the_other_duty(resident):
    first = duty(resident, days_ago=3, start_hour=17, hours=15)
    with pytest.raises(ValidationError) as exc:
        duty(resident, days_ago=2, start_hour=7, hours=12)  # starts an hour before the first one ends
    message = messages_of(exc)["starts_at"][0]
    start = formats.date_format(timezone.localtime(first.starts_at), "SHORT_DATETIME_FORMAT")
    end = formats.date_format(timezone.localtime(first.ends_at), "SHORT_DATETIME_FORMAT")
    assert message == f"This duty overlaps another of your night duties ({start} – {end})."
    duty(resident, days_ago=2, start_hour=8, hours=12)  # back to back is fine
    assert NightDuty.objects.count() == 2


def test_other_residents_duties_do_not_overlap_mine(resident, make_resident):
    other = make_resident()
    duty(resident)
    duty(other)
    assert NightDuty.objects.count() == 2


def test_duty_note_refuses_patient_identifier(resident):
    with pytest.raises(ValidationError) as exc:
        duty(resident, note="Mother 880212400321 admitted")
    assert IIN_MESSAGE in messages_of(exc)["note"][0]


def test_duty_update_does_not_clash_with_itself_and_confirmed_is_read_only(resident, mentor):
    d = duty(resident)
    moved = night_duty_update(duty=d, by=resident.user, starts_at=d.starts_at + timedelta(hours=1),
                              ends_at=d.ends_at)
    assert moved.ends_at - moved.starts_at == timedelta(hours=14)
    activity_confirm(mentor_user=mentor.user, duty_ids=[d.pk])
    with pytest.raises(ValidationError) as exc:
        night_duty_update(duty=d, by=resident.user, starts_at=d.starts_at, ends_at=d.ends_at)
    assert exc.value.messages == ["This entry has been confirmed by the mentor and can no longer be changed."]
    with pytest.raises(ValidationError):
        night_duty_delete(duty=d, by=resident.user)
    assert NightDuty.objects.get(pk=d.pk).status == ReviewStatus.CONFIRMED


def test_returned_duty_corrected_goes_back_to_pending(resident, mentor):
    d = duty(resident)
    night_duty_return(mentor_user=mentor.user, duty=d, comment="You left at 06:00")
    d.refresh_from_db()
    assert d.status == ReviewStatus.RETURNED
    fixed = night_duty_update(duty=d, by=resident.user, starts_at=d.starts_at, ends_at=d.ends_at - timedelta(hours=2))
    assert fixed.status == ReviewStatus.PENDING
    night_duty_delete(duty=fixed, by=resident.user)
    assert not NightDuty.objects.exists()


# The mentor's confirmation ---------------------------------------------------------------------------------------

def test_bulk_confirm_only_confirms_pending_entries_of_own_residents(resident, mentor, make_mentor, make_resident):
    mine = [log(resident, hours=1) for _ in range(3)]
    my_duty = duty(resident)
    returned = log(resident, hours=1)
    activity_return(mentor_user=mentor.user, entry=returned, comment="which patient group?")
    other_resident = make_resident()
    assignment_create(resident=other_resident, mentor=make_mentor())
    theirs = log(other_resident)
    their_duty = duty(other_resident)

    result = activity_confirm(mentor_user=mentor.user, entry_ids=[e.pk for e in mine] + [returned.pk, theirs.pk, 99999],
                              duty_ids=[my_duty.pk, their_duty.pk])

    assert (result.entries, result.duties, result.ignored) == (3, 1, 4)
    assert set(ActivityEntry.objects.filter(status="confirmed").values_list("pk", flat=True)) == {e.pk for e in mine}
    assert ActivityEntry.objects.get(pk=theirs.pk).status == "pending"
    assert ActivityEntry.objects.get(pk=returned.pk).status == "returned"
    assert NightDuty.objects.get(pk=their_duty.pk).status == "pending"
    confirmed = ActivityEntry.objects.get(pk=mine[0].pk)
    assert confirmed.reviewed_by == mentor.user and confirmed.reviewed_at is not None


def test_confirming_twice_changes_nothing_the_second_time(resident, mentor):
    entry = log(resident)
    assert activity_confirm(mentor_user=mentor.user, entry_ids=[entry.pk]).entries == 1
    assert activity_confirm(mentor_user=mentor.user, entry_ids=[entry.pk]).ignored == 1


def test_a_former_mentor_can_no_longer_confirm_or_return(resident, mentor):
    entry = log(resident)
    assignment = resident.assignments.get(ended_on__isnull=True)
    assignment_end(assignment=assignment, reason="rotation")
    assert activity_confirm(mentor_user=mentor.user, entry_ids=[entry.pk]).ignored == 1
    with pytest.raises(ValidationError) as exc:
        activity_return(mentor_user=mentor.user, entry=entry, comment="x")
    assert exc.value.messages == ["Only the resident's current mentor reviews their entries."]
    assert ActivityEntry.objects.get(pk=entry.pk).status == "pending"


def test_bulk_confirm_refuses_garbage_and_huge_selections(mentor):
    with pytest.raises(ValidationError):
        activity_confirm(mentor_user=mentor.user, entry_ids=["1", "x"])
    with pytest.raises(ValidationError) as exc:
        activity_confirm(mentor_user=mentor.user, entry_ids=range(MAX_BULK_CONFIRM + 1))
    assert exc.value.messages == [f"Confirm at most {MAX_BULK_CONFIRM} items at once."]


def test_return_needs_a_comment_without_identifiers(resident, mentor):
    entry = log(resident)
    with pytest.raises(ValidationError) as exc:
        activity_return(mentor_user=mentor.user, entry=entry, comment="   ")
    assert messages_of(exc)["comment"] == ["Say what the resident should correct."]
    with pytest.raises(ValidationError) as exc:
        activity_return(mentor_user=mentor.user, entry=entry, comment="patient 990101300123 was not yours")
    assert IIN_MESSAGE in messages_of(exc)["comment"][0]
    assert ActivityEntry.objects.get(pk=entry.pk).status == "pending"


def test_only_pending_entries_are_returned(resident, mentor):
    entry = log(resident)
    activity_confirm(mentor_user=mentor.user, entry_ids=[entry.pk])
    with pytest.raises(ValidationError) as exc:
        activity_return(mentor_user=mentor.user, entry=entry, comment="changed my mind")
    assert exc.value.messages == ["Only an entry awaiting confirmation can be returned."]
    assert ActivityEntry.objects.get(pk=entry.pk).status == "confirmed"


def test_another_mentor_cannot_return(resident, make_mentor):
    entry = log(resident)
    d = duty(resident)
    stranger = make_mentor()
    with pytest.raises(ValidationError):
        activity_return(mentor_user=stranger.user, entry=entry, comment="no")
    with pytest.raises(ValidationError):
        night_duty_return(mentor_user=stranger.user, duty=d, comment="no")
    assert ActivityEntry.objects.get(pk=entry.pk).status == "pending"
    assert NightDuty.objects.get(pk=d.pk).status == "pending"


# Under concurrency (PostgreSQL row locks) ------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_duties_submitted_at_once_keep_one(resident):
    starts = [at(today() - timedelta(days=3), 17, minute) for minute in range(0, 50, 10)]
    results = run_concurrently([
        lambda s=s: night_duty_log(resident=resident, by=resident.user, starts_at=s,
                                   ends_at=s + timedelta(hours=14)).pk
        for s in starts])
    assert sorted(kind for kind, _ in results) == ["ok"] + ["refused"] * 4, results
    assert NightDuty.objects.filter(resident=resident).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_day_stays_within_24_hours_under_concurrent_logging(resident):
    results = run_concurrently([lambda: log(resident, hours=6).pk for _ in range(6)])
    assert [kind for kind, _ in results].count("ok") == 4, results
    assert ActivityEntry.objects.filter(resident=resident, date=today()).count() == 4
