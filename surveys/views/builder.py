"""The questionnaire builder pages: a department's coordinators list, build, reorder, preview and copy questionnaires.

A questionnaire with answers is locked (surveys.builder): its builder page is read-only, the edit pages
redirect to it with the reason, and every change posted to it is refused by the services with that reason.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentoring.views.helpers import paginate
from organization.forms import apply_service_errors, report_refusal
from organization.selectors import department_for_coordinator, departments_for_user

from ..answers import items_of
from ..builder import (
    DOWN,
    UP,
    item_delete,
    item_move,
    item_save,
    locked_message,
    questionnaire_copy,
    questionnaire_is_locked,
    questionnaire_save,
    section_delete,
    section_move,
    section_save,
    with_locked,
)
from ..forms_answer import AnswerForm
from ..forms_builder import KIND_DESCRIPTIONS, ItemForm, QuestionnaireForm, SectionForm
from ..models import Campaign, Item, Questionnaire, Section
from ..selectors import questionnaire_for_coordinator, questionnaires_for_coordinator
from ..shipped import SHIPPED, questionnaire_install_shipped

# --- scope: 404 outside the departments the user coordinates --------------------------------------------------


def _section_for_coordinator(user, pk) -> Section:
    section = (Section.objects.filter(pk=pk, questionnaire__department__in=departments_for_user(user))
               .select_related("questionnaire__department").first())
    if section is None:
        raise Http404
    return section


def _item_for_coordinator(user, pk) -> Item:
    item = (Item.objects.filter(pk=pk, section__questionnaire__department__in=departments_for_user(user))
            .select_related("section__questionnaire__department").prefetch_related("options").first())
    if item is None:
        raise Http404
    return item


def _count(queryset, outer_field: str) -> Coalesce:
    """A correlated COUNT per questionnaire (no join fan-out between items and campaigns)."""
    counted = (queryset.filter(**{outer_field: OuterRef("pk")}).order_by().values(outer_field)
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _detail_url(questionnaire_id: int, anchor: str = "") -> str:
    url = reverse("surveys:questionnaire_detail", args=[questionnaire_id])
    return f"{url}#{anchor}" if anchor else url


def _locked_redirect(request, questionnaire: Questionnaire):
    """For the edit pages of a locked questionnaire: back to its (read-only) builder page, with the reason."""
    if questionnaire_is_locked(questionnaire):
        messages.warning(request, locked_message())
        return redirect(_detail_url(questionnaire.pk))
    return None



# --- questionnaires -------------------------------------------------------------------------------------------


@login_required
@require_GET
def questionnaire_list(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    questionnaires = with_locked(
        questionnaires_for_coordinator(request.user).filter(department=department)
        .annotate(items_count=_count(Item.objects.all(), "section__questionnaire"),
                  campaigns_count=_count(Campaign.objects.all(), "questionnaire"))
        .order_by("title", "id"))
    return render(request, "surveys/builder/questionnaire_list.html", {
        "department": department, "page": paginate(request, questionnaires), "shipped": SHIPPED.values()})


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_new(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = questionnaire_save(department=department, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Questionnaire “%(title)s” created. Add a section, then its questions.")
                             % {"title": questionnaire.title})
            return redirect(_detail_url(questionnaire.pk))
    return render(request, "surveys/builder/questionnaire_form.html", {"department": department, "form": form})


@login_required
@require_POST
def questionnaire_install(request, department_id):
    department = department_for_coordinator(request.user, department_id)
    try:
        questionnaire = questionnaire_install_shipped(department=department, key=request.POST.get("key", ""),
                                                      by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect("surveys:questionnaire_list", department_id=department.pk)
    messages.success(request, _("“%(title)s” added. Change it as you like before its first campaign.")
                     % {"title": questionnaire.title})
    return redirect(_detail_url(questionnaire.pk))


@login_required
@require_GET
def questionnaire_detail(request, pk):
    questionnaire = questionnaire_for_coordinator(request.user, pk)
    sections = list(questionnaire.sections.order_by("position", "id").prefetch_related(
        Prefetch("items", queryset=Item.objects.order_by("position", "id").prefetch_related("options"))))
    return render(request, "surveys/builder/questionnaire_detail.html", {
        "questionnaire": questionnaire, "department": questionnaire.department, "sections": sections,
        "locked": questionnaire_is_locked(questionnaire),
        "campaigns_count": Campaign.objects.filter(questionnaire=questionnaire).count(),
        "up": UP, "down": DOWN})


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_edit(request, pk):
    questionnaire = questionnaire_for_coordinator(request.user, pk)
    if refused := _locked_redirect(request, questionnaire):
        return refused
    form = QuestionnaireForm(request.POST or None, initial=QuestionnaireForm.initial_of(questionnaire))
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire_save(department=questionnaire.department, questionnaire=questionnaire, by=request.user,
                               **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(_detail_url(questionnaire.pk))
    return render(request, "surveys/builder/questionnaire_form.html", {
        "department": questionnaire.department, "questionnaire": questionnaire, "form": form})


@login_required
@require_POST
def questionnaire_copy_view(request, pk):
    questionnaire = questionnaire_for_coordinator(request.user, pk)
    try:
        copy = questionnaire_copy(questionnaire=questionnaire, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
        return redirect(_detail_url(questionnaire.pk))
    messages.success(request, _("Copy made: “%(title)s”. It has no answers yet, so you can change it.")
                     % {"title": copy.title})
    return redirect(_detail_url(copy.pk))


@login_required
@require_GET
def questionnaire_preview(request, pk):
    questionnaire = questionnaire_for_coordinator(request.user, pk)
    return render(request, "surveys/builder/questionnaire_preview.html", {
        "questionnaire": questionnaire, "department": questionnaire.department,
        "form": AnswerForm(items_of(questionnaire), disabled=True)})


# --- sections -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def section_new(request, pk):
    questionnaire = questionnaire_for_coordinator(request.user, pk)
    return _section_form(request, questionnaire, None)


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request, pk):
    section = _section_for_coordinator(request.user, pk)
    return _section_form(request, section.questionnaire, section)


def _section_form(request, questionnaire: Questionnaire, section: Section | None):
    if refused := _locked_redirect(request, questionnaire):
        return refused
    form = SectionForm(request.POST or None, initial={"title": section.title} if section else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = section_save(questionnaire=questionnaire, section=section, by=request.user,
                                 title=form.cleaned_data["title"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Section “%(title)s” saved.") % {"title": saved.title})
            return redirect(_detail_url(questionnaire.pk, f"section-{saved.pk}"))
    return render(request, "surveys/builder/section_form.html", {
        "questionnaire": questionnaire, "department": questionnaire.department, "section": section, "form": form})


@login_required
@require_POST
def section_delete_view(request, pk):
    section = _section_for_coordinator(request.user, pk)
    try:
        section_delete(section=section, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Section “%(title)s” deleted with its questions.") % {"title": section.title})
    return redirect(_detail_url(section.questionnaire_id))


@login_required
@require_POST
def section_move_view(request, pk):
    section = _section_for_coordinator(request.user, pk)
    try:
        section_move(section=section, direction=request.POST.get("direction", ""), by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    return redirect(_detail_url(section.questionnaire_id, f"section-{section.pk}"))


# --- items ----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request, pk):
    section = _section_for_coordinator(request.user, pk)
    questionnaire = section.questionnaire
    if refused := _locked_redirect(request, questionnaire):
        return refused
    kind = request.GET.get("kind", "")
    if request.method == "GET" and kind not in Item.Kind.values:
        # First the kind: the form then shows only what that kind needs (no script to show and hide fields).
        return render(request, "surveys/builder/item_kind.html", {
            "questionnaire": questionnaire, "department": questionnaire.department, "section": section,
            "kinds": [(value, label, KIND_DESCRIPTIONS[value]) for value, label in Item.Kind.choices]})
    return _item_form(request, section, None, ItemForm(request.POST or None, kind=kind))


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    item = _item_for_coordinator(request.user, pk)
    if refused := _locked_redirect(request, item.section.questionnaire):
        return refused
    return _item_form(request, item.section, item, ItemForm(request.POST or None, initial=ItemForm.initial_of(item)))


def _item_form(request, section: Section, item: Item | None, form: ItemForm):
    questionnaire = section.questionnaire
    if request.method == "POST" and form.is_valid():
        try:
            saved = item_save(section=section, item=item, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Question saved (variable name %(code)s).") % {"code": saved.code})
            return redirect(_detail_url(questionnaire.pk, f"item-{saved.pk}"))
    return render(request, "surveys/builder/item_form.html", {
        "questionnaire": questionnaire, "department": questionnaire.department, "section": section, "item": item,
        "form": form})


@login_required
@require_POST
def item_delete_view(request, pk):
    item = _item_for_coordinator(request.user, pk)
    try:
        item_delete(item=item, by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Question deleted."))
    return redirect(_detail_url(item.section.questionnaire_id, f"section-{item.section_id}"))


@login_required
@require_POST
def item_move_view(request, pk):
    item = _item_for_coordinator(request.user, pk)
    try:
        item_move(item=item, direction=request.POST.get("direction", ""), by=request.user)
    except ValidationError as exc:
        report_refusal(request, exc)
    return redirect(_detail_url(item.section.questionnaire_id, f"item-{item.pk}"))
