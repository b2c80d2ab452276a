"""Survey panels for pages owned by apps that must not import surveys (mentoring's home pages and dashboard).

The dependency points one way (DESIGN.md section 5): the project-wide templates load these tags.
"""

from django import template
from django.template.base import render_value_in_context
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

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


# A campaign's response rate and status badge, written in Python: the includes surveys/includes/response_rate.html
# and surveys/campaigns/_status.html call these tags (one text for every page), and the campaign list calls them
# directly (rendering an include per row cost most of a 25-row page at scale). Values are put in as the template
# language puts them (localized, escaped when the page autoescapes); the strings are the templates' former messages.


@register.simple_tag(takes_context=True)
def response_rate(context, *, answered, invited, k, status):
    """The response rate of a campaign and when results appear (newline at the end, as the include wrote it).
    Never who answered."""
    if status == "draft":
        text = render_value_in_context(gettext("Not launched yet"), context)
    else:
        values = {"counter": render_value_in_context(answered, context),
                  "invited": render_value_in_context(invited, context), "k": render_value_in_context(k, context)}
        if answered < k:
            text = ngettext("%(counter)s of %(invited)s answered; results hidden until %(k)s",
                            "%(counter)s of %(invited)s answered; results hidden until %(k)s", answered) % values
        elif status == "open":
            text = ngettext(
                "%(counter)s of %(invited)s answered; results appear when the questionnaire closes",
                "%(counter)s of %(invited)s answered; results appear when the questionnaire closes", answered) % values
        else:
            text = ngettext("%(counter)s of %(invited)s answered", "%(counter)s of %(invited)s answered",
                            answered) % values
    return mark_safe(f'<span class="response-rate">{text}</span>\n')  # the parts escaped as the template does


_BADGES = {"open": "text-bg-success", "closed": "text-bg-secondary"}


@register.simple_tag(takes_context=True)
def campaign_status(context, *, status, label):
    """A campaign's status as a badge (newline at the end, as the include wrote it)."""
    badge = _BADGES.get(status, "text-bg-light border")
    return mark_safe(f'<span class="badge {badge}">{render_value_in_context(label, context)}</span>\n')
