"""The coordinator's campaign pages: list, new / edit (drafts), detail with launch, reminders and close."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentoring.views.helpers import paginate
from organization.forms import apply_service_errors, report_refusal
from organization.selectors import department_for_coordinator

from ..campaigns import (
    campaign_audience,
    campaign_close,
    campaign_launch,
    campaign_remind,
    campaign_save,
    response_rate,
    response_rates_of,
)
from ..forms_campaigns import CampaignForm
from ..models import Campaign
from ..selectors import campaign_for_coordinator, campaigns_of_department


@login_required
@require_GET
def campaign_list(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    page = paginate(request, campaigns_of_department(department))
    page.object_list = response_rates_of(page.object_list)
    return render(request, "surveys/campaigns/list.html", {"department": department, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    questionnaire_id = request.GET.get("questionnaire", "")
    form = CampaignForm(request.POST or None, department=department, user=request.user,
                        initial=CampaignForm.initial_for(questionnaire_id=questionnaire_id if
                                                         questionnaire_id.isdigit() else None))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_save(by=request.user, department=department, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Draft campaign saved. Check the audience, then launch it."))
            return redirect("surveys:campaign_detail", pk=campaign.pk)
    return render(request, "surveys/campaigns/form.html", {"department": department, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk):
    campaign = campaign_for_coordinator(request.user, pk)
    if campaign.status != Campaign.Status.DRAFT:
        messages.error(request, _("This campaign has been launched: it can no longer be changed."))
        return redirect("surveys:campaign_detail", pk=campaign.pk)
    form = CampaignForm(request.POST or None, department=campaign.department, user=request.user,
                        initial=CampaignForm.initial_for(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            campaign_save(by=request.user, campaign=campaign, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("surveys:campaign_detail", pk=campaign.pk)
    return render(request, "surveys/campaigns/form.html", {
        "department": campaign.department, "form": form, "campaign": campaign})


@login_required
@require_GET
def campaign_detail(request, pk):
    campaign = campaign_for_coordinator(request.user, pk)
    answered, invited = response_rate(campaign)
    return render(request, "surveys/campaigns/detail.html", {
        "campaign": campaign, "department": campaign.department, "answered": answered, "invited": invited,
        "departments": list(campaign.departments.all()), "specialties": list(campaign.specialties.all()),
        "cohorts": list(campaign.cohorts.select_related("specialty", "intake_year")),
        # Before the launch, who would be invited now (the launch takes this snapshot).
        "audience": campaign_audience(campaign) if campaign.status == Campaign.Status.DRAFT else None,
    })



@login_required
@require_POST
def campaign_launch_view(request, pk):
    campaign = campaign_for_coordinator(request.user, pk)
    try:
        audience = campaign_launch(campaign=campaign, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        invited = len(audience.user_ids)
        messages.success(request, ngettext(
            "Campaign launched: %(count)d person invited.", "Campaign launched: %(count)d people invited.",
            invited) % {"count": invited})
        if audience.without_mentor:
            messages.warning(request, ngettext(
                "%(count)d resident without an active mentor was not invited: the questions are about the mentor.",
                "%(count)d residents without an active mentor were not invited: the questions are about the mentor.",
                audience.without_mentor) % {"count": audience.without_mentor})
    return redirect("surveys:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_remind_view(request, pk):
    campaign = campaign_for_coordinator(request.user, pk)
    try:
        waiting = campaign_remind(campaign=campaign, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, ngettext(
            "A reminder is on its way to %(count)d person who has not answered.",
            "A reminder is on its way to each of the %(count)d people who have not answered.",
            waiting) % {"count": waiting})
    return redirect("surveys:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_close_view(request, pk):
    campaign = campaign_for_coordinator(request.user, pk)
    try:
        campaign_close(campaign=campaign, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Campaign closed. Results are shown where at least %(k)d people answered.")
                         % {"k": campaign.threshold})
    return redirect("surveys:campaign_detail", pk=campaign.pk)
