from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.services import user_upsert
from organization.models import AcademicYear, ClinicalSite, Department, Specialty

from .models import Cohort, Resident


@dataclass
class ResidentData:
    email: str
    first_name: str
    last_name: str
    specialty: Specialty
    intake_year: AcademicYear
    year_of_study: int
    clinical_site: ClinicalSite
    middle_name: str = ""
    status: str = Resident.Status.ACTIVE
    track: str = Resident.Track.STANDARD


def _validate(data: ResidentData, department: Department) -> None:
    errors = {}
    if data.specialty.department_id != department.pk:
        errors["specialty"] = _("The specialty %(code)s does not belong to this department.") % {
            "code": data.specialty.code}
    if not data.clinical_site.departments.filter(pk=department.pk).exists():
        errors["clinical_site"] = _("The clinical site %(site)s does not serve this department.") % {
            "site": data.clinical_site.name}
    if not 1 <= data.year_of_study <= data.specialty.duration_years:
        errors["year_of_study"] = _("Year of study must be between 1 and %(max)d for %(specialty)s.") % {
            "max": data.specialty.duration_years, "specialty": data.specialty.name}
    if data.status not in Resident.Status.values:
        errors["status"] = _("Unknown status: %(value)s") % {"value": data.status}
    if data.track not in Resident.Track.values:
        errors["track"] = _("Unknown track: %(value)s") % {"value": data.track}
    if errors:
        raise ValidationError(errors)


def cohort_get_or_create(*, specialty: Specialty, intake_year: AcademicYear) -> Cohort:
    cohort, _created = Cohort.objects.get_or_create(specialty=specialty, intake_year=intake_year)
    return cohort


@transaction.atomic
def resident_upsert(*, department: Department, data: ResidentData) -> tuple[Resident, str]:
    """Create or update the resident with this e-mail in `department`.

    Returns (resident, outcome) with outcome one of "created", "updated", "unchanged".
    Refuses a person who is a resident of another department.
    """
    _validate(data, department)
    existing = Resident.objects.filter(user__email__iexact=data.email.strip()).select_related("specialty").first()
    if existing is not None and existing.specialty.department_id != department.pk:
        raise ValidationError(
            {"email": _("%(email)s is a resident of another department.") % {"email": data.email}})
    user, user_changed = user_upsert(email=data.email, first_name=data.first_name,
                                     last_name=data.last_name, middle_name=data.middle_name)
    cohort = cohort_get_or_create(specialty=data.specialty, intake_year=data.intake_year)
    values = {
        "specialty": data.specialty, "cohort": cohort, "year_of_study": data.year_of_study,
        "clinical_site": data.clinical_site, "status": data.status, "track": data.track,
    }
    resident = Resident.objects.select_for_update().filter(user=user).first()
    if resident is None:
        resident = Resident.objects.create(user=user, **values)
        return resident, "created"
    changed = [k for k, v in values.items() if getattr(resident, k) != v]
    if changed:
        for k in changed:
            setattr(resident, k, values[k])
        resident.save(update_fields=[*changed, "updated_at"])
    return resident, "updated" if (changed or user_changed) else "unchanged"
