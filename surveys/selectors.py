"""Survey reads, scoped to the user (DESIGN.md section 5): 404 outside the scope."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from organization.selectors import departments_for_user

from .campaigns import annotate_response_rates
from .models import Campaign, Participation, Questionnaire


def questionnaires_for_coordinator(user) -> QuerySet[Questionnaire]:
    return Questionnaire.objects.filter(department__in=departments_for_user(user))


def questionnaire_for_coordinator(user, pk) -> Questionnaire:
    questionnaire = questionnaires_for_coordinator(user).select_related("department").filter(pk=pk).first()
    if questionnaire is None:
        raise Http404
    return questionnaire


def campaigns_for_coordinator(user) -> QuerySet[Campaign]:
    return Campaign.objects.filter(department__in=departments_for_user(user))


def campaign_for_coordinator(user, pk) -> Campaign:
    campaign = (campaigns_for_coordinator(user).select_related("department", "questionnaire")
                .filter(pk=pk).first())
    if campaign is None:
        raise Http404
    return campaign


def campaigns_of_department(department) -> QuerySet[Campaign]:
    """The department's campaigns for their list, latest opening first, each annotated with its response rates
    (`campaigns.annotate_response_rates`; a page of them goes through `campaigns.response_rates_of`)."""
    return annotate_response_rates(Campaign.objects.filter(department=department).select_related("questionnaire")
                                   .order_by("-opens_on", "-pk"))


def open_participations(user, today=None) -> QuerySet[Participation]:
    """The user's invitations to campaigns open today that they have not answered yet."""
    today = today or timezone.localdate()
    if not user.is_authenticated:
        return Participation.objects.none()
    return (Participation.objects.filter(user=user, completed=False, campaign__status=Campaign.Status.OPEN,
                                         campaign__opens_on__lte=today, campaign__closes_on__gte=today)
            .select_related("campaign__questionnaire").order_by("campaign__closes_on", "campaign_id"))


def participation_for_respondent(user, campaign_id) -> Participation:
    """The user's own invitation to the campaign (answered or not); 404 for anyone not invited."""
    participation = (Participation.objects.filter(user=user, campaign_id=campaign_id)
                     .select_related("campaign__questionnaire", "campaign__department").first())
    if participation is None:
        raise Http404
    return participation
