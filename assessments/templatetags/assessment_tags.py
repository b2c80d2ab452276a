"""Assessment panels for pages owned by apps that must not import assessments (mentoring's home pages).

The dependency points one way (DESIGN.md section 5): the templates, which are project-wide, load these tags.
"""

from django import template

from ..selectors_observations import recent_observations_for_resident, unacknowledged_count

register = template.Library()


@register.inclusion_tag("assessments/includes/feedback_card.html")
def feedback_card(resident, limit=3):
    """The resident's newest EPA observations and how many they have not acknowledged yet (two queries)."""
    return {"unacknowledged": unacknowledged_count(resident),
            "recent_observations": recent_observations_for_resident(resident, limit=limit)}
