"""Absences (issue 6): recorded by mentors and residents, own only; used by the meeting clash check."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.meetings import absence_delete, absence_record
from mentoring.models import Absence

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def day(n: int):
    return timezone.localdate() + timedelta(days=n)


def test_an_absence_is_recorded(mentor):
    absence = absence_record(user=mentor.user, kind="study", starts_on=day(5), ends_on=day(7), note=" Congress ")
    assert (absence.kind, absence.starts_on, absence.ends_on, absence.note) == ("study", day(5), day(7), "Congress")


@pytest.mark.parametrize("kind,first,last,note,field", [
    ("holiday", 1, 2, "", "kind"),
    ("leave", 5, 4, "", "ends_on"),
    ("leave", 1, 400, "", "ends_on"),
    ("sick", 1, 2, "Patient 030512601234", "note"),
])
def test_absence_rules(kind, first, last, note, field, mentor):
    with pytest.raises(ValidationError) as exc:
        absence_record(user=mentor.user, kind=kind, starts_on=day(first), ends_on=day(last), note=note)
    assert field in exc.value.message_dict
    assert not Absence.objects.exists()


def test_absences_of_one_person_do_not_overlap(mentor, resident):
    absence_record(user=mentor.user, kind="leave", starts_on=day(10), ends_on=day(20))
    with pytest.raises(ValidationError) as exc:
        absence_record(user=mentor.user, kind="sick", starts_on=day(20), ends_on=day(22))
    assert "overlaps your absence" in exc.value.message_dict["starts_on"][0]
    absence_record(user=mentor.user, kind="sick", starts_on=day(21), ends_on=day(22))
    absence_record(user=resident.user, kind="leave", starts_on=day(10), ends_on=day(20))  # someone else's: fine
    assert Absence.objects.count() == 3


def test_only_ones_own_absence_is_deleted(mentor, resident):
    absence = absence_record(user=mentor.user, kind="leave", starts_on=day(1), ends_on=day(2))
    with pytest.raises(ValidationError):
        absence_delete(absence=absence, user=resident.user)
    absence_delete(absence=absence, user=mentor.user)
    assert not Absence.objects.exists()


def test_the_absence_page_records_and_lists_mine_only(client, mentor, resident):
    absence_record(user=resident.user, kind="sick", starts_on=day(1), ends_on=day(1), note="Hers")
    client.force_login(mentor.user)
    response = client.post(reverse("mentoring:absence_list"), {
        "kind": "study", "starts_on": day(3).isoformat(), "ends_on": day(4).isoformat(), "note": "Course"})
    assert response.status_code == 302
    page = client.get(reverse("mentoring:absence_list"))
    assert [a.note for a in page.context["page"].object_list] == ["Course"]
    assert "Hers" not in page.content.decode()
    response = client.post(reverse("mentoring:absence_list"), {
        "kind": "leave", "starts_on": day(4).isoformat(), "ends_on": day(6).isoformat()})
    assert response.status_code == 200 and "overlaps your absence" in response.content.decode()


def test_deleting_someone_elses_absence_is_404(client, mentor, resident, coordinator):
    absence = absence_record(user=resident.user, kind="leave", starts_on=day(1), ends_on=day(2))
    for outsider in (mentor.user, coordinator):
        client.force_login(outsider)
        assert client.post(reverse("mentoring:absence_delete", args=[absence.pk])).status_code == 404
    assert Absence.objects.filter(pk=absence.pk).exists()
    client.force_login(resident.user)
    assert client.post(reverse("mentoring:absence_delete", args=[absence.pk])).status_code == 302
    assert not Absence.objects.exists()


def test_the_absence_page_is_for_mentors_and_residents_only(client, coordinator, user):
    for someone in (coordinator, user):
        client.force_login(someone)
        assert client.get(reverse("mentoring:absence_list")).status_code == 404


def test_the_absence_page_query_count_does_not_grow(client, mentor):
    client.force_login(mentor.user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("mentoring:absence_list")).status_code == 200
        return len(ctx)

    absence_record(user=mentor.user, kind="leave", starts_on=day(1), ends_on=day(2))
    small = count()
    for n in range(3):
        absence_record(user=mentor.user, kind="study", starts_on=day(10 + 3 * n), ends_on=day(11 + 3 * n))
    assert count() == small
