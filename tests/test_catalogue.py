"""The EPA catalogue: coordinators of the department add, change and retire EPAs with an expected level per
year of study (DESIGN.md section 2, Entrustable professional activities)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.catalogue import epa_save
from assessments.models import EPA, EPAExpectation, Observation
from tests.factories import CoordinatorFactory, DepartmentFactory, SpecialtyFactory
from tests.factories_assessments import EPAFactory, ObservationFactory

pytestmark = pytest.mark.django_db

LEVELS = {1: 2, 2: 3, 3: 4}


def expectations(epa):
    return dict(EPAExpectation.objects.filter(epa=epa).values_list("year_of_study", "level"))


def save(specialty, by, **kwargs):
    kwargs.setdefault("code", "EPA 1")
    kwargs.setdefault("title", "Care of the healthy term newborn from birth to discharge")
    kwargs.setdefault("expected", LEVELS)
    return epa_save(specialty=specialty, by=by, **kwargs)


# The service -----------------------------------------------------------------------------------------------------

def test_creates_an_epa_with_its_expected_levels(specialty, coordinator):
    epa = save(specialty, coordinator, description="  From birth to discharge. ")
    assert (epa.specialty, epa.code, epa.description, epa.is_active) == (
        specialty, "EPA 1", "From birth to discharge.", True)
    assert expectations(epa) == LEVELS
    second = save(specialty, coordinator, code="EPA 2")
    assert second.position == epa.position + 1  # appended to the catalogue by default


def test_edit_replaces_expected_levels_and_retiring_keeps_observations(specialty, coordinator):
    epa = EPAFactory(specialty=specialty, expected=[1, 1, 1])
    observation = ObservationFactory(epa=epa, resident__specialty=specialty)
    saved = save(specialty, coordinator, epa=epa, code=epa.code, title="New title", expected={1: 2, 2: 2, 3: 5},
                 is_active=False, position=7)
    assert saved.pk == epa.pk
    epa.refresh_from_db()
    assert (epa.title, epa.is_active, epa.position) == ("New title", False, 7)
    assert expectations(epa) == {1: 2, 2: 2, 3: 5}
    assert Observation.objects.filter(pk=observation.pk, epa=epa).exists()
    # Position left empty keeps the EPA's place.
    assert save(specialty, coordinator, epa=epa, code=epa.code, position=None).position == 7


def test_code_unique_within_the_specialty(specialty, department, coordinator):
    save(specialty, coordinator)
    with pytest.raises(ValidationError) as exc:
        save(specialty, coordinator, code=" epa 1 ")
    assert exc.value.message_dict["code"] == [f"{specialty} already has an EPA with the code epa 1."]
    other = SpecialtyFactory(department=department)
    assert save(other, coordinator).code == "EPA 1"  # another specialty may use the same code
    first = EPA.objects.get(specialty=specialty)
    assert save(specialty, coordinator, epa=first, title="Renamed").title == "Renamed"  # its own code is fine


def test_expected_levels_must_not_go_down(specialty, coordinator):
    with pytest.raises(ValidationError) as exc:
        save(specialty, coordinator, expected={1: 3, 2: 2, 3: 4})
    assert exc.value.message_dict["expected"] == [
        "The expected level cannot go down from one year to the next: year 1 expects level 3, year 2 level 2."]
    assert not EPA.objects.exists()


def test_years_outside_the_specialty_refused(specialty, coordinator):
    assert specialty.duration_years == 3
    with pytest.raises(ValidationError) as exc:
        save(specialty, coordinator, expected={1: 2, 2: 3, 3: 4, 4: 5})
    assert exc.value.message_dict["expected"] == [f"{specialty} lasts 3 years: there is no year of study 4."]
    with pytest.raises(ValidationError) as exc:
        save(specialty, coordinator, expected={1: 2, 3: 4})
    assert exc.value.message_dict["expected"] == ["Give the expected level for every year of study; missing: 2."]
    with pytest.raises(ValidationError) as exc:
        save(specialty, coordinator, expected={1: 0, 2: 3, 3: 6})
    assert "year 1, 3" in exc.value.message_dict["expected"][0]
    assert not EPA.objects.exists()


def test_code_and_title_required(specialty, coordinator):
    with pytest.raises(ValidationError) as exc:
        save(specialty, coordinator, code="  ", title="")
    assert set(exc.value.message_dict) == {"code", "title"}


def test_only_a_coordinator_of_the_department(specialty, coordinator, make_mentor):
    stranger = CoordinatorFactory(department=DepartmentFactory()).user
    for someone in (stranger, make_mentor().user, None):
        with pytest.raises(ValidationError) as exc:
            save(specialty, someone)
        assert "Only a coordinator of the department" in exc.value.messages[0]
    assert not EPA.objects.exists()


def test_an_epa_stays_in_its_specialty(specialty, department, coordinator):
    epa = EPAFactory(specialty=specialty)
    with pytest.raises(ValidationError) as exc:
        save(SpecialtyFactory(department=department), coordinator, epa=epa)
    assert "cannot move to another specialty" in exc.value.messages[0]


# The pages -------------------------------------------------------------------------------------------------------

def test_catalogue_lists_epas_with_levels_per_year(client, department, specialty, coordinator):
    active = EPAFactory(specialty=specialty, code="EPA 1", title="Newborn care", expected=[2, 3, 4])
    retired = EPAFactory(specialty=specialty, code="EPA 2", expected=[1, 2, 3])
    retired.is_active = False
    retired.save()
    long = SpecialtyFactory(department=department, duration_years=4)
    EPAFactory(specialty=long, code="EPA 9", expected=[1, 2, 3, 4])
    EPAFactory(specialty=SpecialtyFactory(), code="EPA X")  # another department's
    client.force_login(coordinator)
    response = client.get(reverse("assessments:catalogue", args=[department.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Newborn care" in html and "EPA 9" in html and "EPA X" not in html
    assert "Year 4" in html  # columns follow the specialty's length
    row = html[html.index(f'data-epa="{active.pk}"'):]
    row = row[:row.index("</tr>")]
    assert [c for c in ("2", "3", "4") if f'<td class="text-center">{c}</td>' in row] == ["2", "3", "4"]
    assert "in use" in row
    retired_row = html[html.index(f'data-epa="{retired.pk}"'):]
    assert "retired" in retired_row[:retired_row.index("</tr>")]
    assert "Acts with the mentor reachable at a distance" in html  # the levels' wording is explained


def test_catalogue_query_count_does_not_grow(client, department, specialty, coordinator):
    client.force_login(coordinator)
    url = reverse("assessments:catalogue", args=[department.pk])
    EPAFactory.create_batch(3, specialty=specialty)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    EPAFactory.create_batch(30, specialty=specialty)
    EPAFactory.create_batch(5, specialty=SpecialtyFactory(department=department))
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).content.decode().count("data-epa=") == 38
    assert len(small) == len(large)


def test_create_page_saves_through_the_service(client, department, specialty, coordinator):
    client.force_login(coordinator)
    url = reverse("assessments:epa_create", args=[department.pk])
    form = client.get(url)  # the department's only specialty is taken
    assert form.status_code == 200
    assert 'name="expected_3"' in form.content.decode() and 'name="expected_4"' not in form.content.decode()
    data = {"code": "EPA 1", "title": "Resuscitation of the newborn", "description": "", "position": "",
            "is_active": "on", "expected_1": "1", "expected_2": "2", "expected_3": "3"}
    response = client.post(url, data)
    assert response.status_code == 302
    epa = EPA.objects.get()
    assert response["Location"] == reverse("assessments:catalogue", args=[department.pk]) + f"#specialty-{specialty.pk}"
    assert (epa.specialty, epa.title, expectations(epa)) == (specialty, "Resuscitation of the newborn",
                                                             {1: 1, 2: 2, 3: 3})
    # The service's rules come back on the form.
    again = client.post(url, {**data, "expected_2": "1", "expected_1": "2"})
    assert again.status_code == 200
    html = again.content.decode()
    assert "already has an EPA with the code EPA 1" in html
    assert "year 1 expects level 2, year 2 level 1" in html
    assert EPA.objects.count() == 1


def test_create_page_asks_for_the_specialty_when_there_are_several(client, department, specialty, coordinator):
    other = SpecialtyFactory(department=department, duration_years=4)
    client.force_login(coordinator)
    url = reverse("assessments:epa_create", args=[department.pk])
    chooser = client.get(url).content.decode()
    assert f"?specialty={specialty.pk}" in chooser and f"?specialty={other.pk}" in chooser
    assert 'name="expected_4"' in client.get(f"{url}?specialty={other.pk}").content.decode()
    foreign = SpecialtyFactory()  # another department's specialty: 404 on GET and POST
    assert client.get(f"{url}?specialty={foreign.pk}").status_code == 404
    assert client.post(f"{url}?specialty={foreign.pk}", {"code": "EPA 1", "title": "T", "expected_1": "1",
                                                         "expected_2": "1", "expected_3": "1"}).status_code == 404
    assert not EPA.objects.exists()


def test_edit_page(client, specialty, coordinator):
    epa = EPAFactory(specialty=specialty, code="EPA 3", title="Jaundice", expected=[2, 3, 4])
    client.force_login(coordinator)
    url = reverse("assessments:epa_edit", args=[epa.pk])
    html = client.get(url).content.decode()
    assert 'value="Jaundice"' in html
    assert '<option value="3" selected>' in html  # year 2's level shown
    response = client.post(url, {"code": "EPA 3", "title": "Neonatal jaundice", "position": "4",
                                 "expected_1": "2", "expected_2": "3", "expected_3": "3"})  # is_active unticked
    assert response.status_code == 302
    epa.refresh_from_db()
    assert (epa.title, epa.is_active, epa.position, expectations(epa)) == (
        "Neonatal jaundice", False, 4, {1: 2, 2: 3, 3: 3})


def test_other_departments_coordinator_gets_404_and_changes_nothing(client, specialty):
    epa = EPAFactory(specialty=specialty, title="Jaundice")
    stranger = CoordinatorFactory(department=DepartmentFactory()).user
    client.force_login(stranger)
    url = reverse("assessments:epa_edit", args=[epa.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"code": epa.code, "title": "Hijacked", "expected_1": "1", "expected_2": "1",
                             "expected_3": "1"}).status_code == 404
    assert client.post(reverse("assessments:epa_create", args=[specialty.department_id]),
                       {"code": "EPA 77", "title": "T"}).status_code == 404
    epa.refresh_from_db()
    assert epa.title == "Jaundice"
    assert EPA.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_adding_the_same_code_at_once_end_with_one(specialty, coordinator):
    from tests.concurrency import run_concurrently

    assert connection.vendor == "postgresql"
    second = CoordinatorFactory(department=specialty.department).user
    results = run_concurrently([lambda by=by: save(specialty, by).pk for by in (coordinator, second)])
    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    assert "already has an EPA with the code EPA 1" in next(msg for kind, msg in results if kind == "refused")
    assert EPA.objects.filter(specialty=specialty).count() == 1
    assert EPAExpectation.objects.filter(epa__specialty=specialty).count() == 3
