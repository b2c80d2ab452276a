from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from .models import AcademicYear, ClinicalSite, Coordinator, Department, Specialty


def departments_for_user(user) -> QuerySet[Department]:
    """Departments the user coordinates."""
    if not user.is_authenticated:
        return Department.objects.none()
    return Department.objects.filter(coordinators__user=user).distinct()


def coordinates(user, department_id) -> bool:
    """Whether `user` coordinates the department `department_id` (the one check behind every coordinator-only rule)."""
    return bool(user and user.is_authenticated) and Coordinator.objects.filter(
        user=user, department_id=department_id).exists()


def department_for_coordinator(user, pk) -> Department:
    """The department `pk` if the user coordinates it; 404 otherwise."""
    department = departments_for_user(user).select_related("policy").filter(pk=pk).first()
    if department is None:
        raise Http404
    return department


def sites_for_departments(departments) -> QuerySet[ClinicalSite]:
    return ClinicalSite.objects.filter(departments__in=departments).distinct().order_by("name")


def specialties_for_departments(departments) -> QuerySet[Specialty]:
    return Specialty.objects.filter(department__in=departments).order_by("code")


def specialty_ids(department: Department) -> list[int]:
    """The ids of the department's specialties (one small query). Lists of residents and curricula filter by them
    instead of joining the specialty to filter by its department: with the join PostgreSQL hashed every resident of
    the table (10,000 at scale) instead of reading the department's through the index on specialty."""
    return list(Specialty.objects.filter(department=department).values_list("pk", flat=True))


def current_academic_year(today=None) -> AcademicYear | None:
    """The academic year containing `today` (default: the local date); None between years."""
    today = today or timezone.localdate()
    return AcademicYear.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
