from django.db import transaction

from .models import Coordinator, Department, MentoringPolicy


@transaction.atomic
def department_create(*, name: str, university: str = "") -> Department:
    """Create a department together with its mentoring policy (the defaults of DESIGN.md section 2)."""
    department = Department.objects.create(name=name, university=university)
    MentoringPolicy.objects.create(department=department)
    return department


def policy_for(department: Department) -> MentoringPolicy:
    """The department's policy; created with the defaults if an older row has none."""
    try:
        return department.policy
    except MentoringPolicy.DoesNotExist:
        policy, _ = MentoringPolicy.objects.get_or_create(department=department)
        return policy


def coordinator_add(*, user, department: Department) -> Coordinator:
    coordinator, _ = Coordinator.objects.get_or_create(user=user, department=department)
    return coordinator
