"""Track suggestions (support / research / back to standard) and the coordinator's recorded decisions."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import TrackDecision
from assessments.policy import assessment_policy_for
from assessments.tracks import track_decide, track_suggestions
from residents.models import Resident
from tests.factories import AcademicYearFactory, CoordinatorFactory, DepartmentFactory, ResidentFactory
from tests.factories_assessments import EPAFactory, ExamResultFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    return AcademicYearFactory(start_year=2025)


def scored(resident, overall, year, stage="year_1"):
    return ExamResultFactory(resident=resident, stage=stage, academic_year=year, overall_score=Decimal(overall))


def behind(specialty, n):
    """n EPAs a first-year resident is behind on (expected level 2, nothing granted)."""
    for _ in range(n):
        EPAFactory(specialty=specialty, expected=[2, 3, 4])


def suggestions_by_resident(department):
    return {s.resident.pk: s for s in track_suggestions(department)}


# --- thresholds -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("overall", "track"), [
    ("69.99", "support"),
    ("70.00", None),  # exactly the threshold is not below it
    ("89.99", None),
    ("90.00", "research"),  # the research threshold is inclusive
    ("100.00", "research"),
])
def test_score_thresholds(department, make_resident, year, overall, track):
    resident = make_resident()
    scored(resident, overall, year)

    suggestion = suggestions_by_resident(department).get(resident.pk)

    assert (suggestion.suggested_track if suggestion else None) == track


def test_support_basis_in_plain_words(department, make_resident, year, specialty):
    resident = make_resident()
    scored(resident, "64.50", year)
    behind(specialty, 3)

    suggestion = suggestions_by_resident(department)[resident.pk]

    assert suggestion.suggested_track == "support" and suggestion.current_track == "standard"
    assert suggestion.basis == "Overall score 64.50, below 70.00; 3 EPAs below the expected level"
    assert (suggestion.overall, suggestion.epas_behind) == (Decimal("64.50"), 3)


def test_epas_behind_threshold(department, make_resident, specialty):
    resident = make_resident()
    behind(specialty, 1)
    assert resident.pk not in suggestions_by_resident(department)  # 1 EPA behind, the threshold is 2

    behind(specialty, 1)
    suggestion = suggestions_by_resident(department)[resident.pk]
    assert suggestion.suggested_track == "support"
    assert suggestion.basis == "2 EPAs below the expected level"


def test_research_needs_no_epa_behind(department, make_resident, year, specialty):
    resident = make_resident()
    scored(resident, "95.00", year)
    EPAFactory(specialty=specialty, expected=[1, 2, 3])  # on target in year 1
    suggestion = suggestions_by_resident(department)[resident.pk]
    assert suggestion.suggested_track == "research"
    assert suggestion.basis == "Overall score 95.00, at or above 90.00; no EPA below the expected level"

    behind(specialty, 1)
    assert resident.pk not in suggestions_by_resident(department)


def test_high_score_with_many_epas_behind_is_support(department, make_resident, year, specialty):
    resident = make_resident()
    scored(resident, "95.00", year)
    behind(specialty, 2)
    assert suggestions_by_resident(department)[resident.pk].suggested_track == "support"


def test_thresholds_come_from_the_department_policy(department, make_resident, year):
    policy = assessment_policy_for(department)
    policy.support_score_below = Decimal("60.00")
    policy.research_score_from = Decimal("80.00")
    policy.save()
    low, high = make_resident(), make_resident()
    scored(low, "65.00", year)
    scored(high, "80.00", year)

    found = suggestions_by_resident(department)

    assert low.pk not in found
    assert found[high.pk].basis.startswith("Overall score 80.00, at or above 80.00")


def test_latest_result_counts_by_academic_year_then_stage(department, make_resident):
    resident = make_resident(year_of_study=2)
    scored(resident, "95.00", AcademicYearFactory(start_year=2025), stage="year_2")
    scored(resident, "50.00", AcademicYearFactory(start_year=2024), stage="year_1")
    assert suggestions_by_resident(department)[resident.pk].suggested_track == "research"

    scored(resident, "60.00", AcademicYearFactory(start_year=2025), stage="final")  # same year, later stage
    assert suggestions_by_resident(department)[resident.pk].basis.startswith("Overall score 60.00")


def test_back_to_standard_when_figures_no_longer_justify_the_track(department, make_resident, year, specialty):
    on_support = make_resident(track="support")
    scored(on_support, "80.00", year)
    on_research = make_resident(track="research")
    scored(on_research, "85.00", year)
    fitting_support = make_resident(track="support")
    scored(fitting_support, "60.00", year)

    found = suggestions_by_resident(department)

    assert found[on_support.pk].suggested_track == "standard"
    assert found[on_support.pk].basis == "Overall score 80.00, not below 70.00; no EPA below the expected level"
    assert found[on_research.pk].suggested_track == "standard"
    assert found[on_research.pk].basis.startswith("Overall score 85.00, below 90.00")
    assert fitting_support.pk not in found


def test_research_resident_now_weak_is_suggested_support(department, make_resident, year):
    resident = make_resident(track="research")
    scored(resident, "55.00", year)
    suggestion = suggestions_by_resident(department)[resident.pk]
    assert (suggestion.current_track, suggestion.suggested_track) == ("research", "support")


def test_only_active_residents_of_the_department(department, make_resident, year):
    on_leave = make_resident(status="on_leave")
    scored(on_leave, "40.00", year)
    elsewhere = ResidentFactory()
    scored(elsewhere, "40.00", year)
    active = make_resident()
    scored(active, "40.00", year)

    assert set(suggestions_by_resident(department)) == {active.pk}


def test_support_comes_first(department, make_resident, year):
    research = make_resident()
    scored(research, "99.00", year)
    support = make_resident()
    scored(support, "10.00", year)
    assert [s.suggested_track for s in track_suggestions(department)] == ["support", "research"]


# --- decisions ------------------------------------------------------------------------------------------------


def test_decision_is_recorded_and_the_track_changed(department, make_resident, year, coordinator):
    resident = make_resident()
    scored(resident, "64.50", year)
    suggestion = suggestions_by_resident(department)[resident.pk]

    decision = track_decide(resident=resident, track="support", reason="Agreed with the resident.",
                            suggested_track=suggestion.suggested_track, basis=suggestion.basis, by=coordinator)

    decision.refresh_from_db()
    assert (decision.from_track, decision.to_track, decision.suggested_track, decision.basis, decision.reason,
            decision.decided_by) == ("standard", "support", "support", "Overall score 64.50, below 70.00",
                                     "Agreed with the resident.", coordinator)
    assert Resident.objects.get(pk=resident.pk).track == "support"
    assert resident.pk not in suggestions_by_resident(department)  # the figures now fit the track


def test_keeping_the_current_track_is_a_decision_and_hides_the_suggestion(department, make_resident, year,
                                                                         coordinator):
    resident = make_resident()
    scored(resident, "64.50", year)

    track_decide(resident=resident, track="standard", reason="Illness during the exam; retake planned.",
                 suggested_track="support", basis="Overall score 64.50, below 70.00", by=coordinator)

    decision = TrackDecision.objects.get()
    assert (decision.from_track, decision.to_track) == ("standard", "standard")
    assert Resident.objects.get(pk=resident.pk).track == "standard"
    assert resident.pk not in suggestions_by_resident(department)


def test_a_newer_exam_result_brings_a_decided_suggestion_back(department, make_resident, year, coordinator):
    resident = make_resident(year_of_study=2)
    scored(resident, "64.50", year)
    track_decide(resident=resident, track="standard", reason="Retake planned.", suggested_track="support",
                 by=coordinator)
    assert resident.pk not in suggestions_by_resident(department)

    scored(resident, "61.00", AcademicYearFactory(start_year=2026), stage="year_2")

    assert suggestions_by_resident(department)[resident.pk].basis.startswith("Overall score 61.00")


def test_a_decision_on_another_suggestion_does_not_hide_this_one(department, make_resident, year, coordinator):
    resident = make_resident()
    scored(resident, "64.50", year)
    track_decide(resident=resident, track="standard", reason="Earlier talk.", suggested_track="research",
                 by=coordinator)
    assert suggestions_by_resident(department)[resident.pk].suggested_track == "support"


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_is_required(make_resident, coordinator, reason):
    resident = make_resident()
    with pytest.raises(ValidationError) as exc:
        track_decide(resident=resident, track="support", reason=reason, by=coordinator)
    assert "reason" in exc.value.message_dict
    assert TrackDecision.objects.count() == 0 and Resident.objects.get(pk=resident.pk).track == "standard"


def test_unknown_track_and_outsiders_refused(make_resident, make_mentor, coordinator):
    resident = make_resident()
    with pytest.raises(ValidationError) as exc:
        track_decide(resident=resident, track="elite", reason="x", by=coordinator)
    assert "track" in exc.value.message_dict
    for user in (CoordinatorFactory(department=DepartmentFactory()).user, make_mentor().user, resident.user):
        with pytest.raises(ValidationError, match="Only a coordinator"):
            track_decide(resident=resident, track="support", reason="Because.", by=user)
    assert TrackDecision.objects.count() == 0


# --- the pages ------------------------------------------------------------------------------------------------


def test_page_lists_suggestions_with_basis_and_a_form_each(client, coordinator, department, make_resident, year):
    low, high = make_resident(), make_resident()
    scored(low, "64.50", year)
    scored(high, "92.00", year)
    client.force_login(coordinator)

    response = client.get(reverse("assessments:track_suggestions", args=[department.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Overall score 64.50, below 70.00" in html and "Overall score 92.00, at or above 90.00" in html
    for resident in (low, high):
        assert reverse("assessments:track_decide", args=[resident.pk]) in html
    assert "Accept the suggestion: Support" in html and "Keep the current track: Standard" in html
    assert "Other track: Research" in html


def test_page_decision_records_and_moves_to_recent_decisions(client, coordinator, department, make_resident, year):
    resident = make_resident()
    scored(resident, "64.50", year)
    client.force_login(coordinator)

    response = client.post(reverse("assessments:track_decide", args=[resident.pk]),
                           {"track": "support", "reason": "Weekly tutoring agreed."}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("assessments:track_suggestions", args=[department.pk])
    decision = TrackDecision.objects.get()
    # The suggestion and its basis are the server's, not the browser's.
    assert (decision.to_track, decision.suggested_track, decision.basis) == (
        "support", "support", "Overall score 64.50, below 70.00")
    assert Resident.objects.get(pk=resident.pk).track == "support"
    assert response.context["rows"] == []
    assert [d.pk for d in response.context["decisions"]] == [decision.pk]
    assert "Weekly tutoring agreed." in response.content.decode()


def test_page_decision_without_reason_shows_the_error(client, coordinator, department, make_resident, year):
    resident = make_resident()
    scored(resident, "64.50", year)
    client.force_login(coordinator)

    response = client.post(reverse("assessments:track_decide", args=[resident.pk]), {"track": "support", "reason": ""})

    assert response.status_code == 200
    row = response.context["rows"][0]
    assert row["resident"] == resident and "reason" in row["form"].errors
    assert TrackDecision.objects.count() == 0


def test_decide_outside_scope_is_404_and_get_is_405(client, department, make_resident, make_mentor, year):
    resident = make_resident()
    url = reverse("assessments:track_decide", args=[resident.pk])
    mentor = make_mentor()
    for user in (CoordinatorFactory(department=DepartmentFactory()).user, mentor.user, resident.user):
        client.force_login(user)
        assert client.post(url, {"track": "support", "reason": "x"}).status_code == 404
        assert client.get(url).status_code == 405
    assert TrackDecision.objects.count() == 0
    assert client.get(reverse("assessments:track_suggestions", args=[department.pk])).status_code == 404


def _page_queries(client, coordinator, department):
    client.force_login(coordinator)
    url = reverse("assessments:track_suggestions", args=[department.pk])
    client.get(url)  # warm up (policy row)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_suggestions_page_query_count_does_not_grow(client, coordinator, department, make_resident, specialty,
                                                    year):
    def add(n):
        resident = make_resident(year_of_study=1 + n % 2, track=("standard", "support", "research")[n % 3])
        scored(resident, ("50.00", "80.00", "95.00", "65.00")[n % 4], year)
        if n % 2:
            track_decide(resident=resident, track=resident.track, reason="Reviewed.", suggested_track="support",
                         by=coordinator)
        return resident

    add(0)
    behind(specialty, 1)
    small = _page_queries(client, coordinator, department)

    for n in range(1, 25):
        add(n)
    behind(specialty, 2)
    assert len(track_suggestions(department)) > 5
    large = _page_queries(client, coordinator, department)

    assert small == large
