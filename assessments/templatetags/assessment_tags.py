"""Assessment panels for pages owned by apps that must not import assessments (mentoring's home pages).

The dependency points one way (DESIGN.md section 5): the templates, which are project-wide, load these tags.
"""

from django import template

from ..entrustment import proposal_count
from ..policy import assessment_policy_for
from ..selectors_observations import recent_observations_for_resident, unacknowledged_count
from ..tracks import track_suggestion_count

register = template.Library()


@register.inclusion_tag("assessments/includes/feedback_card.html")
def feedback_card(resident, limit=3):
    """The resident's newest EPA observations and how many they have not acknowledged yet (two queries)."""
    return {"unacknowledged": unacknowledged_count(resident),
            "recent_observations": recent_observations_for_resident(resident, limit=limit)}


@register.inclusion_tag("assessments/includes/department_card.html")
def department_assessment_card(department):
    """How many entrustment proposals and track suggestions await the coordinator (two count queries)."""
    policy = assessment_policy_for(department)
    # Counted in the database, one query each: the same numbers as the proposals and track suggestions pages list,
    # without loading or judging every resident in Python.
    return {"department": department,
            "proposals": proposal_count(department, window=policy.proposal_window),
            "suggestions": track_suggestion_count(department)}
