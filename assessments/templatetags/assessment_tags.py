"""Assessment panels for pages owned by apps that must not import assessments (mentoring's home pages).

The dependency points one way (DESIGN.md section 5): the templates, which are project-wide, load these tags.
"""

from django import template
from django.utils import timezone

from ..entrustment import proposal_count
from ..policy import assessment_policy_for
from ..selectors_observations import recent_observations_for_resident, unacknowledged_count
from ..tracks import track_suggestion_count

register = template.Library()

STORED_COUNTS = ("proposals", "track_suggestions")  # the keys of the stored figures the department card reads


@register.inclusion_tag("assessments/includes/feedback_card.html")
def feedback_card(resident, limit=3):
    """The resident's newest EPA observations and how many they have not acknowledged yet (two queries)."""
    return {"unacknowledged": unacknowledged_count(resident),
            "recent_observations": recent_observations_for_resident(resident, limit=limit)}


@register.inclusion_tag("assessments/includes/department_card.html")
def department_assessment_card(department, counted=None, as_of=None):
    """How many entrustment proposals and track suggestions await the coordinator.

    Both counts read every active resident's EPAs, so the dashboard gives the ones its periodic refresh stored
    (`counted`: the stored figures, with "proposals" and "track_suggestions"; `as_of`: when they were computed) and
    the card says when they were counted; the pages it links to are live. Without stored counts (before the
    department's first refresh) it counts them now, in the database, one query each: the same numbers as the
    proposals and track suggestions pages list.
    """
    if counted and as_of and all(key in counted for key in STORED_COUNTS):
        proposals, suggestions = counted["proposals"], counted["track_suggestions"]
    else:
        policy = assessment_policy_for(department)
        proposals = proposal_count(department, window=policy.proposal_window)
        suggestions, as_of = track_suggestion_count(department), None
    return {"department": department, "proposals": proposals, "suggestions": suggestions, "as_of": as_of,
            "as_of_today": as_of is not None and timezone.localdate(as_of) == timezone.localdate()}
