"""Assessment panels for pages owned by apps that must not import assessments (mentoring's home pages).

The dependency points one way (DESIGN.md section 5): the templates, which are project-wide, load these tags.
"""

from django import template

from ..entrustment import proposals_for_residents
from ..policy import assessment_policy_for
from ..selectors_observations import recent_observations_for_resident, unacknowledged_count
from ..tracks import track_suggestions

register = template.Library()


@register.inclusion_tag("assessments/includes/feedback_card.html")
def feedback_card(resident, limit=3):
    """The resident's newest EPA observations and how many they have not acknowledged yet (two queries)."""
    return {"unacknowledged": unacknowledged_count(resident),
            "recent_observations": recent_observations_for_resident(resident, limit=limit)}


@register.inclusion_tag("assessments/includes/department_card.html")
def department_assessment_card(department):
    """Pending entrustment proposals and track suggestions of the department, for the coordinator's dashboard."""
    policy = assessment_policy_for(department)
    return {"department": department,
            # Only the number: the proposals themselves (no residents or EPAs loaded for thousands of them).
            "proposals": len(proposals_for_residents(department, window=policy.proposal_window)),
            "suggestions": len(track_suggestions(department))}
