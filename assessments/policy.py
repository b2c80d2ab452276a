from organization.models import Department

from .models import AssessmentPolicy


def assessment_policy_for(department: Department) -> AssessmentPolicy:
    """The department's assessment rules; a department without a row gets one with the defaults."""
    policy = getattr(department, "_assessment_policy", None)
    if policy is None:
        policy, _created = AssessmentPolicy.objects.get_or_create(department=department)
        department._assessment_policy = policy
    return policy
