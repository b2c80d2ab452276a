"""Results pages: a campaign's results and export, its comments and their themes, per-mentor pooled results.

Coordinators see their departments' campaigns and questionnaires; a mentor sees only their own pooled results.
What may be shown is decided in `surveys.results` (with `surveys.pooling` and `surveys.disclosure`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentoring.models import Mentor
from organization.forms import apply_service_errors, report_refusal
from organization.selectors import department_for_coordinator
from organization.tabular import file_response

from .. import export, themes
from ..forms_results import CommentTagForm, ThemeDeleteForm, ThemeForm
from ..models import Theme
from ..results import campaign_results as results_of
from ..results import mentor_results_table, my_pooled_results
from ..selectors import campaign_for_coordinator, questionnaire_for_coordinator


@login_required
@require_GET
def campaign_results(request, pk):
    campaign = campaign_for_coordinator(request.user, pk)
    return render(request, "surveys/results/campaign_results.html", {
        "campaign": campaign, "department": campaign.department, "results": results_of(campaign),
        "formats": export.FORMATS})


@login_required
@require_GET
def campaign_export(request, pk, fmt):
    """The export file; 404 when the campaign's results may not be shown (open, not released, fewer than k): the
    results page offers the export only when it is allowed, so only a typed address gets there."""
    campaign = campaign_for_coordinator(request.user, pk)
    try:
        return file_response(*export.campaign_export(campaign=campaign, fmt=fmt))
    except ValidationError:
        raise Http404 from None


@login_required
@require_GET
def campaign_comments(request, pk):
    campaign = campaign_for_coordinator(request.user, pk)
    if not themes.comments_readable(campaign):
        raise Http404
    department_themes = list(Theme.objects.filter(department=campaign.department_id).order_by("name", "pk"))
    return render(request, "surveys/results/comments.html", {
        "campaign": campaign, "department": campaign.department, "themes": department_themes,
        "groups": themes.campaign_comments(campaign, department_themes)})


@login_required
@require_POST
def comment_tag(request, pk):
    answer = themes.comment_for_coordinator(request.user, pk)
    campaign = answer.response.campaign
    form = CommentTagForm(request.POST, themes=Theme.objects.filter(department=campaign.department_id))
    if form.is_valid():
        try:
            themes.comment_tag(answer=answer, themes=form.cleaned_data["themes"], by=request.user)
        except ValidationError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Themes saved."))
    else:
        messages.error(request, _("Choose themes of this department."))
    return redirect(reverse("surveys:campaign_comments", args=[campaign.pk]) + f"#c-{answer.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def themes_page(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    form = ThemeForm(request.POST if request.POST.get("action") in ("add", "rename") else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete":
            delete = ThemeDeleteForm(request.POST)
            if delete.is_valid():
                theme = themes.theme_for_coordinator(request.user, delete.cleaned_data["theme"])
                try:
                    themes.theme_delete(theme=theme, by=request.user)
                except ValidationError as exc:
                    report_refusal(request, exc)
                else:
                    messages.success(request, _("Theme “%(name)s” deleted.") % {"name": theme.name})
            return redirect("surveys:themes", department_id=department.pk)
        if form.is_valid():
            theme = None
            if form.cleaned_data["theme"]:
                theme = themes.theme_for_coordinator(request.user, form.cleaned_data["theme"])
            try:
                saved = themes.theme_save(department=department, name=form.cleaned_data["name"], by=request.user,
                                          theme=theme)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Theme “%(name)s” saved.") % {"name": saved.name})
                return redirect("surveys:themes", department_id=department.pk)
    return render(request, "surveys/results/themes.html", {
        "department": department, "form": form, "themes": themes.themes_with_counts(department),
        "renaming": form.data.get("theme") if form.is_bound else ""})


@login_required
@require_GET
def mentor_results(request, pk):
    questionnaire = questionnaire_for_coordinator(request.user, pk)
    return render(request, "surveys/results/mentor_results.html", {
        "questionnaire": questionnaire, "department": questionnaire.department,
        "results": mentor_results_table(questionnaire) if questionnaire.about_mentor else None})


@login_required
@require_GET
def my_results(request):
    mentor = Mentor.objects.filter(user=request.user).first()
    if mentor is None:
        raise Http404
    return render(request, "surveys/results/my_results.html", {"mentor": mentor,
                                                                "questionnaires": my_pooled_results(mentor)})
