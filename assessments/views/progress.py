"""EPA progress pages: a resident's EPAs against the expected levels (the resident, the mentor, the coordinator),
one EPA's chart, observations and decision history, and the coordinator's cohort grid. Outside the viewer's scope
every page is a 404."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from mentoring.views.helpers import paginate
from organization.models import Specialty
from organization.selectors import department_for_coordinator
from residents.selectors import resident_profile_of

from ..charts import level_chart
from ..entrustment import decision_history, proposal_for
from ..forms_entrustment import EntrustmentDecisionForm
from ..levels import short_label
from ..policy import assessment_policy_for
from ..scope import Viewer, resident_for_viewer
from ..selectors_progress import (
    active_epas,
    chart_points,
    cohorts_of,
    decision_of,
    epa_of_resident,
    epa_rows,
    expectations_of,
    grid_residents,
    grid_rows,
    observations_of,
)

OBSERVATIONS_PER_PAGE = 25
GRID_PAGE_SIZE = 50
_ID_MARKS = (918273645, 918273646)  # ids no row has, reversed then replaced by the real ones


def id_link(viewname: str, ids: int):
    """`f(*ids) -> URL` of a view taking `ids` integer ids: reverse() once, then the ids filled into the text.
    The same URL as reverse() at a fraction of its cost, for a page of hundreds of links (the grid: 50 residents
    x 10 EPAs, where reverse() per cell took most of the page's time)."""
    marks = _ID_MARKS[:ids]
    url = reverse(viewname, args=marks).replace("{", "{{").replace("}", "}}")
    for i, mark in enumerate(marks):
        assert url.count(str(mark)) == 1, (viewname, url)
        url = url.replace(str(mark), f"{{{i}}}")
    return url.format


def observe_url(resident) -> str | None:
    """The mentor's observation form for this resident, when that page exists."""
    try:
        return f"{reverse('assessments:observe')}?resident={resident.pk}"
    except NoReverseMatch:
        return None


def _progress(request, viewer: Viewer):
    resident = viewer.resident
    window = assessment_policy_for(resident.specialty.department).proposal_window
    rows = epa_rows(resident, window=window, with_proposals=viewer.is_coordinator)
    return render(request, "assessments/progress.html", {
        "viewer": viewer, "resident": resident, "rows": rows,
        "behind_count": sum(1 for r in rows if r.behind),
        "proposal_count": sum(1 for r in rows if r.proposal),
        "observe_url": observe_url(resident) if viewer.is_mentor else None,
    })


@login_required
@require_GET
def my_progress(request):
    """The resident's own EPAs."""
    resident = resident_profile_of(request.user)
    return _progress(request, resident_for_viewer(request.user, resident.pk))


@login_required
@require_GET
def resident_progress(request, pk):
    """A resident's EPAs for their mentor, their coordinator, or themself."""
    return _progress(request, resident_for_viewer(request.user, pk))


def epa_progress_context(request, viewer: Viewer, epa, *, decide_form=None) -> dict:
    resident = viewer.resident
    policy = assessment_policy_for(resident.specialty.department)
    expected = expectations_of(epa)
    decision = decision_of(resident, epa)
    points = chart_points(resident, epa)
    chart = level_chart(points, expected=expected, intake=resident.cohort.intake_year.starts_on,
                        year_of_study=resident.year_of_study, today=timezone.localdate(), epa_code=epa.code)
    page = paginate(request, observations_of(resident, epa), OBSERVATIONS_PER_PAGE)
    proposal = None
    if viewer.is_coordinator:
        proposal = proposal_for(resident, epa, policy=policy)
        if decide_form is None:
            decide_form = EntrustmentDecisionForm(level=proposal.level if proposal else None)
    expected_now = expected.get(resident.year_of_study)
    current = decision.level if decision else 1
    return {
        "viewer": viewer, "resident": resident, "epa": epa, "decision": decision,
        "history": decision_history(decision), "chart": chart, "page": page, "points": points,
        "expected": sorted(expected.items()), "expected_now": expected_now, "current": current,
        "current_label": short_label(current), "behind": expected_now is not None and current < expected_now,
        "latest": points[-1] if points else None, "proposal": proposal, "window": policy.proposal_window,
        "decide_form": decide_form, "observe_url": observe_url(resident) if viewer.is_mentor else None,
    }


@login_required
@require_GET
def epa_progress(request, resident_pk, epa_pk):
    """One EPA of a resident: the chart against the expected levels, the observations, the decision and its
    history; for the coordinator, the proposal and the decide form."""
    viewer = resident_for_viewer(request.user, resident_pk)
    epa = epa_of_resident(viewer.resident, epa_pk)
    return render(request, "assessments/epa_progress.html", epa_progress_context(request, viewer, epa))


def _grid_filters(request, cohorts, specialties):
    """The cohort, specialty and year of study of the grid. With no filter given, the first cohort with active
    residents (else the first cohort); an empty cohort means all cohorts of the specialty."""
    cohort = specialty = year = None
    by_pk = {str(c.pk): c for c in cohorts}
    if "cohort" not in request.GET:
        cohort = next((c for c in cohorts if c.active_count), cohorts[0] if cohorts else None)
    else:
        cohort = by_pk.get(request.GET["cohort"])
    if cohort is not None:
        specialty = next(s for s in specialties if s.pk == cohort.specialty_id)
    else:
        specialty = next((s for s in specialties if str(s.pk) == request.GET.get("specialty")),
                         specialties[0] if specialties else None)
    raw_year = request.GET.get("year", "")
    if raw_year.isdigit() and specialty is not None and 1 <= int(raw_year) <= specialty.duration_years:
        year = int(raw_year)
    return cohort, specialty, year


@login_required
@require_GET
def cohort_grid(request, department_id):
    """Residents x EPAs of a cohort and/or year of study: the current level against the expected one."""
    department = department_for_coordinator(request.user, department_id)
    cohorts = cohorts_of(department)
    specialties = list(Specialty.objects.filter(department=department).order_by("code"))
    cohort, specialty, year = _grid_filters(request, cohorts, specialties)
    page = rows = epas = None
    if specialty is not None:
        epas = list(active_epas(specialty))
        residents = grid_residents(department, specialty=specialty, cohort=cohort, year=year)
        page = paginate(request, residents, GRID_PAGE_SIZE)
        rows = grid_rows(list(page.object_list), epas, window=assessment_policy_for(department).proposal_window,
                         links=(id_link("assessments:resident_progress", 1), id_link("assessments:epa_progress", 2)))
    params = request.GET.copy()
    params.pop("page", None)
    if "cohort" not in params:
        params["cohort"] = cohort.pk if cohort else ""
    return render(request, "assessments/cohort_grid.html", {
        "department": department, "cohorts": cohorts, "specialties": specialties, "cohort": cohort,
        "specialty": specialty, "year": year, "years": range(1, (specialty.duration_years if specialty else 0) + 1),
        "epas": epas, "rows": rows, "page": page, "querystring": params.urlencode(),
    })
