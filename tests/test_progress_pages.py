"""EPA progress pages, the cohort grid and the proposals page (issue 4, items 4 and 5): what each viewer sees,
scope (404 outside it) and query counts that do not grow with the observations."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from assessments.entrustment import entrustment_decide
from assessments.models import Observation
from assessments.policy import assessment_policy_for
from assessments.views.progress import id_link
from mentoring.services import assignment_create, assignment_end
from tests.factories import AcademicYearFactory, CohortFactory, CoordinatorFactory, DepartmentFactory, today
from tests.factories_assessments import EPAFactory, ObservationFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(department, coordinator, specialty, make_mentor, make_resident):
    mentor, other_mentor = make_mentor(), make_mentor()
    resident = make_resident(user__last_name="Abenova", year_of_study=2)
    stranger = make_resident(user__last_name="Bekova", year_of_study=1)  # another mentor's resident
    assignment_create(resident=resident, mentor=mentor)
    assignment_create(resident=stranger, mentor=other_mentor)
    epas = [EPAFactory(specialty=specialty, expected=[2, 3, 4]), EPAFactory(specialty=specialty, expected=[1, 2, 3])]
    assessment_policy_for(department)  # the policy row exists before any page is counted
    return {"department": department, "coordinator": coordinator, "mentor": mentor, "other_mentor": other_mentor,
            "resident": resident, "stranger": stranger, "epas": epas}


def observe(resident, epa, mentor, *levels, days_ago=1):
    """Observations with these levels on consecutive days, the last one `days_ago` days ago (oldest first)."""
    start = today() - timedelta(days=days_ago + len(levels) - 1)
    return [ObservationFactory(resident=resident, epa=epa, mentor=mentor, level=level,
                               observed_on=start + timedelta(days=i)) for i, level in enumerate(levels)]


def urls_of(w, resident):
    epa = w["epas"][0]
    return [reverse("assessments:resident_progress", kwargs={"pk": resident.pk}),
            reverse("assessments:epa_progress", kwargs={"resident_pk": resident.pk, "epa_pk": epa.pk})]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# Scope -------------------------------------------------------------------------------------------------------


def test_mentor_cannot_see_a_resident_who_is_not_theirs(client, world):
    client.force_login(world["mentor"].user)
    for url in urls_of(world, world["stranger"]):
        assert client.get(url).status_code == 404, url
    decide = reverse("assessments:entrustment_decide",
                     kwargs={"resident_pk": world["stranger"].pk, "epa_pk": world["epas"][0].pk})
    assert client.post(decide, {"level": "2", "rationale": "x"}).status_code == 404
    assert client.get(reverse("assessments:my_progress")).status_code == 404
    for name in ("assessments:cohort_grid", "assessments:proposals"):
        assert client.get(reverse(name, kwargs={"department_id": world["department"].pk})).status_code == 404
    for url in urls_of(world, world["resident"]):
        assert client.get(url).status_code == 200, url


def test_former_mentor_loses_access(client, world):
    assignment = world["resident"].assignments.get(ended_on__isnull=True)
    assignment_end(assignment=assignment, reason="Moved to another site.")
    client.force_login(world["mentor"].user)
    for url in urls_of(world, world["resident"]):
        assert client.get(url).status_code == 404, url


def test_resident_sees_only_themself(client, world):
    client.force_login(world["resident"].user)
    for url in urls_of(world, world["resident"]):
        assert client.get(url).status_code == 200, url
    for url in urls_of(world, world["stranger"]):
        assert client.get(url).status_code == 404, url


def test_other_departments_coordinator_gets_404(client, world):
    client.force_login(CoordinatorFactory(department=DepartmentFactory()).user)
    for url in urls_of(world, world["resident"]):
        assert client.get(url).status_code == 404, url


def test_epa_of_another_specialty_is_404(client, world, department):
    from tests.factories import SpecialtyFactory

    foreign = EPAFactory(specialty=SpecialtyFactory(department=department))
    client.force_login(world["coordinator"])
    url = reverse("assessments:epa_progress", kwargs={"resident_pk": world["resident"].pk, "epa_pk": foreign.pk})
    assert client.get(url).status_code == 404


# What the pages show -----------------------------------------------------------------------------------------


def test_my_progress_shows_each_epa_against_the_expected_level(client, world):
    w = world
    resident, mentor, (first, second) = w["resident"], w["mentor"], w["epas"]
    observe(resident, first, mentor, 2, 3, 3)
    entrustment_decide(resident=resident, epa=second, level=2, rationale="Committee.", by=w["coordinator"])
    client.force_login(resident.user)
    response = client.get(reverse("assessments:my_progress"))
    assert response.status_code == 200
    rows = {row.epa.pk: row for row in response.context["rows"]}
    # Year 2: the first EPA expects 3 and nothing is granted (base 1): behind; the second expects 2, granted 2.
    assert (rows[first.pk].expected, rows[first.pk].current, rows[first.pk].latest_level,
            rows[first.pk].observation_count, rows[first.pk].behind) == (3, 1, 3, 3, True)
    assert (rows[second.pk].expected, rows[second.pk].current, rows[second.pk].behind) == (2, 2, False)
    assert rows[first.pk].spark.levels == [2, 3, 3]
    body = text(response)
    assert f'data-epa="{first.pk}" data-behind="yes"' in body
    assert f'data-epa="{second.pk}" data-behind="no"' in body
    assert "1 EPA behind the expected level" in body
    assert 'role="img"' in body
    # A proposal exists (2, 3, 3 -> 2), but it is the coordinator's business.
    assert rows[first.pk].proposal is None
    assert 'data-marker="proposal"' not in body
    assert 'id="log-observation"' not in body


def test_coordinator_sees_the_proposal_badge(client, world):
    w = world
    observe(w["resident"], w["epas"][0], w["mentor"], 3, 4, 3)
    client.force_login(w["coordinator"])
    response = client.get(reverse("assessments:resident_progress", kwargs={"pk": w["resident"].pk}))
    body = text(response)
    assert 'data-marker="proposal"' in body
    assert "Proposal: level 3" in body
    assert "1 proposal to decide" in body


def test_mentor_gets_the_log_observation_button(client, world):
    client.force_login(world["mentor"].user)
    response = client.get(reverse("assessments:resident_progress", kwargs={"pk": world["resident"].pk}))
    href = f'{reverse("assessments:observe")}?resident={world["resident"].pk}'
    assert f'href="{href}" id="log-observation"' in text(response)


def test_epa_progress_for_the_coordinator(client, world):
    w = world
    resident, epa = w["resident"], w["epas"][0]
    observations = observe(resident, epa, w["mentor"], 1, 3, 4, 3)
    entrustment_decide(resident=resident, epa=epa, level=2, rationale="First committee.", by=w["coordinator"])
    client.force_login(w["coordinator"])
    response = client.get(reverse("assessments:epa_progress", kwargs={"resident_pk": resident.pk, "epa_pk": epa.pk}))
    context, body = response.context, text(response)
    assert context["proposal"].level == 3
    assert [o.pk for o in context["proposal"].based_on] == [o.pk for o in observations[:0:-1]]
    assert context["decide_form"]["level"].value() == 3  # preselected to the proposal
    assert re.findall(r'<input[^>]*name="level"[^>]*value="(\d)"[^>]*checked', body) == ["3"]
    assert f'action="{reverse("assessments:entrustment_decide", args=[resident.pk, epa.pk])}"' in body
    assert "Proposed: level 3." in body
    # The chart: an accessible SVG with one point per observation and the expected step line.
    assert re.search(r'<svg [^>]*role="img" aria-labelledby="chart-title" aria-describedby="chart-desc"', body)
    assert len(context["chart"].points) == 4
    assert 'data-series="expected"' in body
    assert "4 observations from" in body
    # The decision and its history.
    assert context["current"] == 2
    assert len(context["history"]) == 1
    assert "First committee." in body
    assert body.count("data-observation=") == 4


def test_epa_progress_without_a_proposal_still_offers_the_form(client, world):
    w = world
    client.force_login(w["coordinator"])
    response = client.get(reverse("assessments:epa_progress", args=[w["resident"].pk, w["epas"][0].pk]))
    assert response.context["proposal"] is None
    assert response.context["decide_form"]["level"].value() is None
    assert 'id="no-proposal"' in text(response)


def test_epa_progress_for_the_mentor_and_resident_has_no_decide_form(client, world):
    w = world
    observe(w["resident"], w["epas"][0], w["mentor"], 3, 3, 3)
    for user in (w["mentor"].user, w["resident"].user):
        client.force_login(user)
        response = client.get(reverse("assessments:epa_progress", args=[w["resident"].pk, w["epas"][0].pk]))
        body = text(response)
        assert response.status_code == 200
        assert response.context["decide_form"] is None
        assert 'id="decide"' not in body
        assert "entrustment_decide" not in body and "/decide/" not in body


def test_history_shows_every_change(client, world):
    w = world
    resident, epa, coordinator = w["resident"], w["epas"][0], w["coordinator"]
    second = CoordinatorFactory(department=w["department"]).user
    entrustment_decide(resident=resident, epa=epa, level=2, rationale="Start of year two.", by=coordinator)
    entrustment_decide(resident=resident, epa=epa, level=4, rationale="Committee in March.", by=second)
    entrustment_decide(resident=resident, epa=epa, level=3, rationale="Handover errors.", by=coordinator)
    client.force_login(w["resident"].user)
    body = text(client.get(reverse("assessments:epa_progress", args=[resident.pk, epa.pk])))
    entries = re.findall(r'data-history="\d+">(.*?)</li>', body)
    assert len(entries) == 3
    assert "Level 4 → 3" in entries[0] and "Handover errors." in entries[0] and str(coordinator) in entries[0]
    assert "Level 2 → 4" in entries[1] and str(second) in entries[1]
    assert "Level 2 granted" in entries[2]


def test_cohort_grid_default_cohort_and_cells(client, world, specialty, make_resident):
    w = world
    resident, (first, second) = w["resident"], w["epas"]
    later = CohortFactory(specialty=specialty, intake_year=AcademicYearFactory(start_year=2030))  # listed first
    observe(resident, first, w["mentor"], 3, 3, 3)
    entrustment_decide(resident=resident, epa=second, level=3, rationale="Committee.", by=w["coordinator"])
    client.force_login(w["coordinator"])
    url = reverse("assessments:cohort_grid", kwargs={"department_id": w["department"].pk})
    response = client.get(url)
    assert response.context["cohort"] == resident.cohort  # the later cohort has no active residents
    assert response.context["cohorts"][0] == later
    rows = {row.resident.pk: row for row in response.context["rows"]}
    assert set(rows) == {resident.pk, w["stranger"].pk}
    cells = {c.epa.pk: c for c in rows[resident.pk].cells}
    assert (cells[first.pk].current, cells[first.pk].expected, cells[first.pk].behind) == (1, 3, True)
    assert cells[first.pk].proposal.level == 3
    assert (cells[second.pk].current, cells[second.pk].expected, cells[second.pk].behind) == (3, 2, False)
    body = text(response)
    cell = re.search(rf'<td [^>]*data-epa="{first.pk}" data-behind="yes" data-proposal="3">(.*?)</td>', body).group(1)
    assert "▼" in cell and "behind:" in cell  # marked by a symbol and text, not only by colour
    assert reverse("assessments:epa_progress", args=[resident.pk, first.pk]) in cell
    # Year filter.
    response = client.get(url, {"cohort": resident.cohort_id, "year": 1})
    assert [row.resident for row in response.context["rows"]] == [w["stranger"]]
    # The later cohort, chosen explicitly, is empty.
    response = client.get(url, {"cohort": later.pk})
    assert response.context["rows"] == []
    assert "No residents match." in text(response)


def test_cohort_grid_is_paginated_by_fifty(client, world, make_resident):
    for _ in range(55):
        make_resident()
    client.force_login(world["coordinator"])
    url = reverse("assessments:cohort_grid", kwargs={"department_id": world["department"].pk})
    first = client.get(url)
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.count == 57
    second = client.get(url, {"cohort": world["resident"].cohort_id, "page": 2})
    assert len(second.context["rows"]) == 7


def test_cohort_grid_links_every_cell_and_resident_as_reverse_would(client, world):
    """The grid fills the ids into one reversed URL instead of reversing 500 links (issue 7, page latency): each
    link is still the one reverse() gives."""
    w = world
    client.force_login(w["coordinator"])
    response = client.get(reverse("assessments:cohort_grid", kwargs={"department_id": w["department"].pk}))
    body = response.content.decode()
    rows = response.context["rows"]
    assert len(rows) == 2 and all(len(row.cells) == 2 for row in rows)
    for row in rows:
        assert row.link == reverse("assessments:resident_progress", args=[row.resident.pk])
        assert f'<a href="{row.link}">{row.resident}</a>' in body
        for cell in row.cells:
            assert cell.link == reverse("assessments:epa_progress", args=[row.resident.pk, cell.epa.pk])
            assert f'href="{cell.link}"' in body
    assert id_link("assessments:epa_progress", 2)(1234567, 7) == reverse("assessments:epa_progress",
                                                                         args=[1234567, 7])


def test_cohort_grid_cells_escape_the_epa_code_and_speak_the_readers_language(client, world, specialty):
    """The cells are written in Python (assessments/templatetags/grid_tags.py): texts escaped, hidden texts
    translated, the expected level a dash when the EPA expects nothing for the year."""
    w = world
    EPAFactory(specialty=specialty, code="<b>EPA&9", expected=[])
    observe(w["resident"], w["epas"][0], w["mentor"], 3, 3, 3)
    client.force_login(w["coordinator"])
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    body = text(client.get(reverse("assessments:cohort_grid", kwargs={"department_id": w["department"].pk})))
    assert "<b>EPA&9" not in body and body.count('<span class="visually-hidden">&lt;b&gt;EPA&amp;9</span>') == 2
    assert body.count('<span class="text-muted">/—</span>') == 2
    assert '<span class="visually-hidden">отставание:</span>' in body
    assert f'<td class="text-center text-nowrap table-warning" data-epa="{w["epas"][0].pk}" data-behind="yes" ' \
           f'data-proposal="3">' in body


def test_proposals_page_lists_pending_proposals_of_the_department(client, world, make_mentor):
    w = world
    resident, stranger, (first, second) = w["resident"], w["stranger"], w["epas"]
    observe(resident, first, w["mentor"], 3, 4, 3)
    observe(stranger, second, w["other_mentor"], 2, 2, 2)
    observe(resident, second, w["mentor"], 3, 3, 3)
    entrustment_decide(resident=resident, epa=second, level=3, rationale="Committee.", by=w["coordinator"])
    # Another department's proposal is not listed.
    other_epa = EPAFactory()
    ObservationFactory.create_batch(3, epa=other_epa, level=4, resident__specialty=other_epa.specialty)
    client.force_login(w["coordinator"])
    response = client.get(reverse("assessments:proposals", kwargs={"department_id": w["department"].pk}))
    pending = [(p.resident, p.epa, p.proposal.level, p.proposal.granted) for p in response.context["page"]]
    assert pending == [(resident, first, 3, None), (stranger, second, 2, None)]
    body = text(response)
    assert "2 proposals await your decision." in body
    row = re.search(rf'<tr data-resident="{resident.pk}" data-epa="{first.pk}">(.*?)</tr>', body).group(1)
    assert reverse("assessments:epa_progress", args=[resident.pk, first.pk]) in row
    assert row.count("</span>, ") == 2  # three observations behind it
    assert "Open the proposal for" in row


# Query counts --------------------------------------------------------------------------------------------------


def bulk_observe(w, n):
    """n observations spread over both residents and EPAs and the last 300 days, levels 1-5."""
    pairs = [(w["resident"], w["mentor"]), (w["stranger"], w["other_mentor"])]
    Observation.objects.bulk_create(
        Observation(resident=pairs[i % 2][0], mentor=pairs[i % 2][1], epa=w["epas"][(i // 2) % 2],
                    observed_on=today() - timedelta(days=10 + i % 300), level=1 + (i * 7) % 5,
                    went_well="Calm and systematic.", to_improve="Talk to the parents.")
        for i in range(n))


@pytest.mark.parametrize("page,role", [
    ("my_progress", "resident"),
    ("resident_progress", "mentor"),
    ("resident_progress", "coordinator"),
    ("epa_progress", "mentor"),
    ("epa_progress", "coordinator"),
    ("cohort_grid", "coordinator"),
    ("proposals", "coordinator"),
])
def test_query_counts_equal_at_10_and_1000_observations(client, world, page, role):
    w = world
    resident, epa = w["resident"], w["epas"][0]
    # A proposal and a decision with history on both sides of the comparison.
    observe(resident, epa, w["mentor"], 3, 3, 3)
    entrustment_decide(resident=resident, epa=w["epas"][1], level=2, rationale="Committee.", by=w["coordinator"])
    entrustment_decide(resident=resident, epa=w["epas"][1], level=3, rationale="Committee again.",
                       by=w["coordinator"])
    kwargs = {
        "my_progress": {}, "resident_progress": {"pk": resident.pk},
        "epa_progress": {"resident_pk": resident.pk, "epa_pk": epa.pk},
        "cohort_grid": {"department_id": w["department"].pk}, "proposals": {"department_id": w["department"].pk},
    }[page]
    url = reverse(f"assessments:{page}", kwargs=kwargs)
    client.force_login({"resident": resident.user, "mentor": w["mentor"].user, "coordinator": w["coordinator"]}[role])
    bulk_observe(w, 10)
    small = count_queries(client, url)
    bulk_observe(w, 990)
    assert Observation.objects.count() == 1003
    large = count_queries(client, url)
    assert small == large, f"{small} queries at 10 observations, {large} at 1,000"
