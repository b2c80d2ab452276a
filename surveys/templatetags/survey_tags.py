"""Survey panels for pages owned by apps that must not import surveys (mentoring's home pages and dashboard).

The dependency points one way (DESIGN.md section 5): the project-wide templates load these tags.
"""

from django import template

from ..campaigns import with_response_rates
from ..models import Campaign
from ..selectors import open_participations

register = template.Library()


@register.inclusion_tag("surveys/includes/open_questionnaires_card.html")
def open_questionnaires_card(user):
    """The user's open invitations not answered yet, each linked to its answer page (one query; nothing shown
    when there are none)."""
    return {"participations": list(open_participations(user))}


@register.inclusion_tag("surveys/includes/department_survey_card.html")
def department_survey_card(department):
    """The department's open campaigns with their response rates, for the coordinator's dashboard (one query)."""
    campaigns = with_response_rates(Campaign.objects.filter(department=department, status=Campaign.Status.OPEN)
                                    .order_by("closes_on", "pk"))
    return {"department": department, "campaigns": list(campaigns)}
