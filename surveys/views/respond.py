"""The respondent's pages: my questionnaires, and answering one (DESIGN.md section 3: the guarantee comes first).

Nothing here logs or stores anything about the respondent with the answers: the page hands them to
`surveys.submission.response_submit` and redirects.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mentoring.models import Assignment
from organization.forms import apply_service_errors

from ..answers import items_of
from ..forms_answer import AnswerForm
from ..models import Campaign, Participation
from ..selectors import open_participations, participation_for_respondent
from ..submission import accepting_answers, response_submit


@login_required
@require_GET
def my_questionnaires(request):
    """Open invitations not answered yet, then the campaigns answered (titles only: never when)."""
    return render(request, "surveys/respond/my_questionnaires.html", {
        "open": list(open_participations(request.user)),
        "answered": list(Participation.objects.filter(user=request.user, completed=True)
                         .select_related("campaign").order_by("campaign__title", "campaign_id")),
    })


def _unavailable(participation: Participation, today) -> str | None:
    """Why the page shows no form, in plain words; None when the person can answer."""
    campaign = participation.campaign
    if participation.completed:
        return _("You have already answered this questionnaire. Thank you.")
    if campaign.status == Campaign.Status.CLOSED or campaign.closes_on < today:
        return _("This questionnaire has closed; answers are no longer accepted.")
    if campaign.status != Campaign.Status.OPEN or campaign.opens_on > today:
        return _("This questionnaire is not open yet. It opens on %(date)s.") % {
            "date": date_format(campaign.opens_on)}
    return None


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, pk):
    participation = participation_for_respondent(request.user, pk)
    campaign = participation.campaign
    today = timezone.localdate()
    context = {"campaign": campaign, "participation": participation}
    unavailable = _unavailable(participation, today)
    if unavailable:
        if request.method == "POST":
            messages.info(request, unavailable)
            return redirect("surveys:my_questionnaires")
        return render(request, "surveys/respond/answer.html", {**context, "unavailable": unavailable})
    if campaign.about_mentor:
        # The subject is the active assignment, never a choice; the service looks it up again on submission.
        current = (Assignment.objects.filter(resident__user=request.user, ended_on__isnull=True, kind="clinical")
                   .select_related("mentor__user").first())
        if current is None:
            return render(request, "surveys/respond/answer.html", {**context, "no_mentor": True})
        context["mentor"] = current.mentor
    form = AnswerForm(items_of(campaign.questionnaire), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            response_submit(campaign=campaign, user=request.user, answers=form.answers(), today=today)
        except ValidationError as exc:
            participation.refresh_from_db(fields=["completed"])
            if participation.completed or not accepting_answers(campaign, today):
                # Answered meanwhile (another tab or device), or closed meanwhile: say so, show no form.
                messages.info(request, " ".join(exc.messages))
                return redirect("surveys:my_questionnaires")
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your answers have been recorded anonymously."))
            return redirect("surveys:my_questionnaires")
    return render(request, "surveys/respond/answer.html", {**context, "form": form})
