from organization.models import Department

from .models import AssessmentPolicy


def assessment_policy_for(department: Department) -> AssessmentPolicy:
    """The department's assessment rules: its row, or the defaults (unsaved) until an administrator sets them.

    Reading never writes, so a page's first visit costs the same queries as any other.
    """
    policy = getattr(department, "_assessment_policy", None)
    if policy is None:
        policy = (AssessmentPolicy.objects.filter(department=department).first()
                  or AssessmentPolicy(department=department))
        department._assessment_policy = policy
    return policy
