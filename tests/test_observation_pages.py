"""Observation pages: the mentor's quick form and list, the resident's list and acknowledgement; scope (404
outside it) and query counts that do not grow with the data."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Observation
from mentoring.services import assignment_create
from residents.models import Resident
from tests.factories import SpecialtyFactory
from tests.factories_assessments import EPAFactory, ObservationFactory

pytestmark = pytest.mark.django_db

OBSERVE = reverse("assessments:observe")
MINE = reverse("assessments:my_observations")
MENTOR_LIST = reverse("assessments:mentor_observations")


@pytest.fixture
def team(make_mentor, make_resident):
    """A mentor with two active mentees (one on leave is not offered), another mentor's resident, and EPAs."""
    mentor, other_mentor = make_mentor(), make_mentor()
    first = make_resident(user__last_name="Abenova")
    second = make_resident(user__last_name="Bekov")
    outsider = make_resident(user__last_name="Zhumabayeva")
    for resident, its_mentor in ((first, mentor), (second, mentor), (outsider, other_mentor)):
        assignment_create(resident=resident, mentor=its_mentor)
    epas = [EPAFactory(specialty=first.specialty, code=f"EPA {n}") for n in (1, 2, 3)]
    return {"mentor": mentor, "other_mentor": other_mentor, "first": first, "second": second, "outsider": outsider,
            "epas": epas}


def post_data(resident, epa, level=3, **extra):
    return {"resident": resident.pk, "epa": epa.pk, "level": level, "went_well": "", "to_improve": "",
            "observed_on": "", "setting": "", **extra}


def radios(html, name):
    return [int(v) for v in re.findall(rf'name="{name}" id="{name}-\d+" value="(\d+)"', html)]


def checked(html, name):
    return [int(v) for v in re.findall(rf'name="{name}" id="{name}-\d+" value="(\d+)"[^>]*checked', html)]


# The observe form ------------------------------------------------------------------------------------------------

def test_form_offers_only_own_active_mentees_and_preselects(client, team):
    Resident.objects.filter(pk=team["second"].pk).update(status=Resident.Status.ON_LEAVE)
    on_leave = Resident.objects.get(pk=team["second"].pk)
    client.force_login(team["mentor"].user)
    html = client.get(OBSERVE).content.decode()
    assert radios(html, "resident") == [team["first"].pk]  # on leave: not offered; another's: never
    assert str(team["outsider"]) not in html
    assert checked(html, "resident") == [team["first"].pk]  # the only one offered is preselected
    # From the resident's page, and one on leave is explained instead of preselected.
    assert checked(client.get(f"{OBSERVE}?resident={team['first'].pk}").content.decode(), "resident") == [
        team["first"].pk]
    html = client.get(f"{OBSERVE}?resident={on_leave.pk}").content.decode()
    assert "observations are recorded for active residents only" in html


def test_form_has_large_choices_for_epa_and_level_with_both_wordings(client, team):
    client.force_login(team["mentor"].user)
    html = client.get(f"{OBSERVE}?resident={team['second'].pk}").content.decode()
    assert checked(html, "resident") == [team["second"].pk]
    assert radios(html, "epa") == [e.pk for e in team["epas"]]
    assert radios(html, "level") == [1, 2, 3, 4, 5]
    assert 'class="btn-check"' in html and "<select" in html  # radios as buttons; only the setting is a select
    for short, full in (("Direct supervision", "Acts under direct supervision, the mentor present"),
                        ("Supervises others", "Supervises and manages others")):
        assert short in html and full in html
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html and 'type="date"' in html
    assert "Save observation" in html


def test_recently_used_epas_come_first(client, team):
    first, e1, e2, e3 = team["first"], *team["epas"]
    mentor = team["mentor"]
    ObservationFactory(resident=first, epa=e3, mentor=mentor)
    ObservationFactory(resident=first, epa=e2, mentor=team["other_mentor"])  # not this mentor's use
    client.force_login(mentor.user)
    html = client.get(f"{OBSERVE}?resident={first.pk}").content.decode()
    assert radios(html, "epa") == [e3.pk, e1.pk, e2.pk]


def test_not_a_mentee_is_404_on_get_and_post(client, team):
    client.force_login(team["mentor"].user)
    outsider = team["outsider"]
    assert client.get(f"{OBSERVE}?resident={outsider.pk}").status_code == 404
    assert client.get(f"{OBSERVE}?resident=abc").status_code == 404
    response = client.post(OBSERVE, post_data(outsider, team["epas"][0]))
    assert response.status_code == 404
    assert client.post(f"{OBSERVE}?resident={team['first'].pk}", post_data(outsider, team["epas"][0])).status_code \
        == 404
    assert not Observation.objects.exists()


@pytest.mark.parametrize("raw", ["9" * 5000, "9" * 20, "²", "١٢"])
def test_a_resident_id_no_row_can_have_is_404(client, team, raw):
    """Found by tests/test_fuzz_forms.py: a number of more than 4,300 digits (or a digit other than 0-9) made
    int() fail: 500."""
    client.force_login(team["mentor"].user)
    assert client.get(OBSERVE, {"resident": raw}).status_code == 404
    assert client.post(OBSERVE, {**post_data(team["outsider"], team["epas"][0]), "resident": raw}).status_code == 404


def test_save_redirects_to_the_form_for_the_same_resident_with_a_message(client, team):
    first, epa = team["first"], team["epas"][1]
    client.force_login(team["mentor"].user)
    response = client.post(f"{OBSERVE}?resident={first.pk}",
                           post_data(first, epa, level=4, went_well="Clear handover.", setting="ward"))
    assert response.status_code == 302
    assert response["Location"] == f"{OBSERVE}?resident={first.pk}"
    obs = Observation.objects.get()
    assert (obs.resident, obs.epa, obs.level, obs.mentor, obs.went_well, obs.setting, obs.observed_on) == (
        first, epa, 4, team["mentor"], "Clear handover.", "ward", timezone.localdate())
    page = client.get(response["Location"]).content.decode()
    assert f"Observation saved for {first}: {epa}, level 4 (Without a mentor)." in page
    assert checked(page, "resident") == [first.pk]
    assert f'href="{reverse("assessments:resident_progress", args=[first.pk])}"' in page


def test_late_entry_is_saved_and_said_to_be_late(client, team):
    first = team["first"]
    client.force_login(team["mentor"].user)
    day = timezone.localdate() - dt.timedelta(days=20)
    response = client.post(OBSERVE, post_data(first, team["epas"][0], observed_on=f"{day:%Y-%m-%d}"), follow=True)
    assert "marked late" in response.content.decode()
    assert Observation.objects.get().is_late is True


def test_service_errors_come_back_on_the_form(client, team, department):
    first, second = team["first"], team["second"]
    client.force_login(team["mentor"].user)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    html = client.post(OBSERVE, post_data(first, team["epas"][0], observed_on=f"{tomorrow:%Y-%m-%d}",
                                          to_improve="Baby 240101500123")).content.decode()
    assert "The date of the encounter cannot be in the future." in html
    assert "patient identifiers" in html
    assert "<details" in html and 'id="date-setting" open' in html  # the date's error is not hidden
    assert checked(html, "epa") == [team["epas"][0].pk]  # the choices survive the error
    # An EPA of another specialty, offered because another mentee is in it, is refused for this resident.
    other_specialty = SpecialtyFactory(department=department)
    Resident.objects.filter(pk=second.pk).update(specialty=other_specialty)
    foreign = EPAFactory(specialty=other_specialty, code="EPA 50")
    page = client.get(OBSERVE).content.decode()
    assert foreign.pk in radios(page, "epa") and str(other_specialty) in page  # grouped under its specialty
    html = client.post(OBSERVE, post_data(first, foreign)).content.decode()
    assert "EPA 50 belongs to another specialty&#x27;s catalogue" in html
    assert not Observation.objects.exists()


def test_missing_choices_are_named(client, team):
    client.force_login(team["mentor"].user)
    html = client.post(OBSERVE, {"resident": "", "epa": "", "level": ""}).content.decode()
    for message in ("Choose the resident you observed.", "Choose the EPA you observed.",
                    "Choose the supervision level the resident needed."):
        assert message in html


def test_observe_query_count_does_not_grow_with_epas_used(client, team):
    first, mentor = team["first"], team["mentor"]
    client.force_login(mentor.user)
    url = f"{OBSERVE}?resident={first.pk}"
    ObservationFactory(resident=first, epa=team["epas"][0], mentor=mentor)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    more = EPAFactory.create_batch(10, specialty=first.specialty)
    for epa in [*team["epas"], *more]:
        ObservationFactory.create_batch(3, resident=first, epa=epa, mentor=mentor)
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    assert len(radios(html, "epa")) == 13
    assert len(small) == len(large)


# The mentor's list -----------------------------------------------------------------------------------------------

def test_mentor_list_shows_own_observations_of_own_residents(client, team):
    mentor, first, outsider = team["mentor"], team["first"], team["outsider"]
    mine = ObservationFactory(resident=first, epa=team["epas"][0], mentor=mentor)
    theirs = ObservationFactory(resident=outsider, epa=EPAFactory(specialty=outsider.specialty),
                                mentor=team["other_mentor"])
    client.force_login(mentor.user)
    html = client.get(MENTOR_LIST).content.decode()
    assert f'data-observation="{mine.pk}"' in html
    assert f'data-observation="{theirs.pk}"' not in html and str(outsider) not in html
    for resident in (first, team["second"]):
        assert f'href="{OBSERVE}?resident={resident.pk}"' in html
    assert f'href="{OBSERVE}"' in html


@pytest.mark.parametrize("url", [MENTOR_LIST, OBSERVE])
def test_mentor_cannot_see_another_mentors_resident(client, team, url):
    obs = ObservationFactory(resident=team["outsider"], epa=EPAFactory(specialty=team["outsider"].specialty),
                             mentor=team["other_mentor"], went_well="Excellent intubation.")
    client.force_login(team["mentor"].user)
    html = client.get(url).content.decode()
    assert str(team["outsider"]) not in html and "Excellent intubation." not in html
    assert client.post(reverse("assessments:observation_acknowledge", args=[obs.pk])).status_code == 404


def test_mentor_list_query_count_does_not_grow(client, team):
    mentor, first = team["mentor"], team["first"]
    client.force_login(mentor.user)
    ObservationFactory.create_batch(5, resident=first, epa=team["epas"][0], mentor=mentor)
    with CaptureQueriesContext(connection) as small:
        assert client.get(MENTOR_LIST).status_code == 200
    for epa in team["epas"]:
        ObservationFactory.create_batch(15, resident=team["second"], epa=epa, mentor=mentor)
    with CaptureQueriesContext(connection) as large:
        assert client.get(MENTOR_LIST).content.decode().count("data-observation=") == 20  # a page
    assert len(small) == len(large)


# The resident ----------------------------------------------------------------------------------------------------

def test_resident_sees_own_observations_newest_first_with_feedback(client, team):
    first, mentor, epa = team["first"], team["mentor"], team["epas"][0]
    today = timezone.localdate()
    old = ObservationFactory(resident=first, epa=epa, mentor=mentor, observed_on=today - dt.timedelta(days=30),
                             is_late=True, level=1, went_well="Careful history.", to_improve="Faster notes.",
                             acknowledged_at=timezone.now())
    new = ObservationFactory(resident=first, epa=epa, mentor=mentor, observed_on=today, level=3)
    ObservationFactory(resident=team["second"], epa=epa, mentor=mentor, went_well="Not yours.")
    client.force_login(first.user)
    html = client.get(MINE).content.decode()
    assert html.index(f'data-observation="{new.pk}"') < html.index(f'data-observation="{old.pk}"')
    assert "Not yours." not in html
    assert "Careful history." in html and "Faster notes." in html
    assert "Acts with the mentor reachable at a distance" in html and str(mentor) in html
    assert html.count('class="badge text-bg-warning"') == 1  # the late one
    assert "1 new observation to acknowledge" in html
    assert re.search(rf'data-observation="{new.pk}" data-acknowledged="no"', html)
    only_new = client.get(f"{MINE}?show=new").content.decode()
    assert f'data-observation="{new.pk}"' in only_new and f'data-observation="{old.pk}"' not in only_new


def test_acknowledge_by_the_owner_only_and_idempotent(client, team, coordinator):
    first = team["first"]
    obs = ObservationFactory(resident=first, epa=team["epas"][0], mentor=team["mentor"])
    url = reverse("assessments:observation_acknowledge", args=[obs.pk])
    for someone in (team["second"].user, team["mentor"].user, coordinator, team["other_mentor"].user):
        client.force_login(someone)
        assert client.post(url).status_code == 404
    obs.refresh_from_db()
    assert obs.acknowledged_at is None

    client.force_login(first.user)
    assert client.get(url).status_code == 405
    response = client.post(url, {"page": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{MINE}?page=1#observation-{obs.pk}"
    obs.refresh_from_db()
    first_time = obs.acknowledged_at
    assert first_time is not None
    assert client.post(url, {"show": "new"}).status_code == 302
    obs.refresh_from_db()
    assert obs.acknowledged_at == first_time
    html = client.get(MINE).content.decode()
    assert "You have acknowledged every observation." in html and "Acknowledged on" in html


def test_my_observations_query_count_does_not_grow(client, team):
    first, mentor = team["first"], team["mentor"]
    client.force_login(first.user)
    ObservationFactory.create_batch(5, resident=first, epa=team["epas"][0], mentor=mentor)
    with CaptureQueriesContext(connection) as small:
        assert client.get(MINE).status_code == 200
    for epa in team["epas"]:
        ObservationFactory.create_batch(15, resident=first, epa=epa, mentor=mentor)
    with CaptureQueriesContext(connection) as large:
        assert client.get(MINE).content.decode().count('data-acknowledged="no"') == 20  # a page
    assert len(small) == len(large)
