"""What a section function gets: the run's parameters resolved, and the day the report is "as of"."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from mentoring.models import Mentor
from organization.models import AcademicYear, ClinicalSite, Department
from residents.models import Cohort

from .models import ReportRun


@dataclass(frozen=True)
class ReportContext:
    run_id: int | None
    kind: str
    department: Department
    as_of: date  # the day the run was requested: figures "as of" it, so running the run again gives the same
    cohort: Cohort | None = None
    mentor: Mentor | None = None
    academic_year: AcademicYear | None = None
    clinical_site: ClinicalSite | None = None

    @classmethod
    def of(cls, run: ReportRun) -> "ReportContext":
        run = (ReportRun.objects.select_related("department", "department__policy", "cohort__specialty",
                                                "cohort__intake_year", "mentor__user", "mentor__specialty",
                                                "academic_year", "clinical_site")
               .get(pk=run.pk))
        return cls(run_id=run.pk, kind=run.kind, department=run.department,
                   as_of=timezone.localdate(run.requested_at), cohort=run.cohort, mentor=run.mentor,
                   academic_year=run.academic_year, clinical_site=run.clinical_site)
