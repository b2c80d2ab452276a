"""Observation pages: the mentor logs on a phone, the resident reads and acknowledges."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentoring.selectors import mentor_profile_of
from mentoring.views.helpers import paginate
from organization.forms import apply_service_errors, is_id, report_refusal
from residents.selectors import resident_profile_of

from ..forms_observations import LEVELS, ObservationForm
from ..levels import short_label
from ..observations import observation_acknowledge as acknowledge_service
from ..observations import observation_record
from ..scope import mentee_for_mentor
from ..selectors_observations import (
    epas_to_observe,
    mentees_to_observe,
    observations_by_mentor,
    observations_for_resident,
    own_observation,
    unacknowledged_count,
)

PER_PAGE = 20


def _mentee_or_404(user, raw: str):
    """The mentor's mentee with id `raw`; 404 for anything else, also a number no id can be (any digit but 0-9,
    or more digits than a database integer has)."""
    if not is_id(raw):
        raise Http404
    return mentee_for_mentor(user, int(raw))


def _observe_url(resident_id=None) -> str:
    url = reverse("assessments:observe")
    return f"{url}?resident={resident_id}" if resident_id else url


def _epa_groups(epas, residents, first_specialty_id=None) -> list[tuple]:
    """EPAs grouped by specialty (a heading is shown only with more than one), the chosen resident's first."""
    specialties = {r.specialty_id: r.specialty for r in residents}
    groups: dict[int, list] = {}
    for epa in epas:
        groups.setdefault(epa.specialty_id, []).append(epa)
    order = sorted(groups, key=lambda sid: (sid != first_specialty_id, specialties[sid].code))
    return [(specialties[sid], groups[sid]) for sid in order]


# The mentor ------------------------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def observe(request):
    mentor_profile_of(request.user)  # 404 for anyone who is not a mentor
    preselected = None
    if request.GET.get("resident"):
        preselected = _mentee_or_404(request.user, request.GET["resident"])
    if request.method == "POST" and request.POST.get("resident"):
        _mentee_or_404(request.user, request.POST["resident"])  # not one of the mentor's residents: 404
    residents = list(mentees_to_observe(request.user))
    if preselected is not None and preselected.pk not in {r.pk for r in residents}:
        messages.warning(request, _("%(name)s is %(status)s: observations are recorded for active residents only.")
                         % {"name": preselected, "status": preselected.get_status_display()})
        preselected = None
    if preselected is None and len(residents) == 1:
        preselected = residents[0]
    epas = epas_to_observe(request.user, sorted({r.specialty_id for r in residents}))
    form = ObservationForm(request.POST or None, residents=residents, epas=epas,
                           initial={"resident": preselected.pk} if preselected else {})
    if request.method == "POST" and form.is_valid():
        try:
            observation = observation_record(mentor_user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Observation saved for %(name)s: %(epa)s, level %(level)d (%(short)s).") % {
                "name": observation.resident, "epa": observation.epa, "level": observation.level,
                "short": short_label(observation.level)})
            if observation.is_late:
                messages.info(request, _("Recorded long after the encounter, so it is marked late."))
            return redirect(_observe_url(observation.resident_id))
    chosen = form.chosen("resident")
    chosen_resident = next((r for r in residents if r.pk == chosen), None)
    return render(request, "assessments/observation_form.html", {
        "form": form, "residents": residents, "levels": LEVELS, "chosen_resident": chosen_resident,
        "epa_groups": _epa_groups(epas, residents, chosen_resident.specialty_id if chosen_resident else None),
        "chosen_epa": form.chosen("epa"), "chosen_level": form.chosen("level"),
    })


@login_required
@require_GET
def mentor_observations(request):
    mentor_profile_of(request.user)
    page = paginate(request, observations_by_mentor(request.user), PER_PAGE)
    return render(request, "assessments/observation_list.html", {
        "page": page, "residents": list(mentees_to_observe(request.user))})


# The resident ----------------------------------------------------------------------------------------------------

@login_required
@require_GET
def my_observations(request):
    resident = resident_profile_of(request.user)
    only_new = request.GET.get("show") == "new"
    qs = observations_for_resident(resident)
    if only_new:
        qs = qs.filter(acknowledged_at__isnull=True)
    page = paginate(request, qs, PER_PAGE)
    return render(request, "assessments/my_observations.html", {
        "resident": resident, "page": page, "only_new": only_new, "unacknowledged": unacknowledged_count(resident),
        "querystring": "show=new" if only_new else ""})


@login_required
@require_POST
def observation_acknowledge(request, pk):
    observation = own_observation(request.user, pk)
    try:
        acknowledge_service(observation=observation, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Acknowledged: %(epa)s of %(date)s.") % {
            "epa": observation.epa.code, "date": formats.date_format(observation.observed_on, "SHORT_DATE_FORMAT")})
    # Back to the page the resident was reading.
    params = {}
    if request.POST.get("show") == "new":
        params["show"] = "new"
    if request.POST.get("page", "").isdigit():
        params["page"] = request.POST["page"]
    query = f"?{urlencode(params)}" if params else ""
    return redirect(f"{reverse('assessments:my_observations')}{query}#observation-{observation.pk}")
