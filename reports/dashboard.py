"""A department's headline figures for the coordinator's dashboard, refreshed every 10 minutes (Celery beat).

The figures are computed with aggregate queries, a fixed handful per department whatever the number of residents,
mentors, observations or answers (one loop over the departments), and stored in reports.models.DashboardFigures,
one row per department, replaced on every refresh (idempotent). The stored figures are numbers only; their labels
are translated when the card is shown, in the reader's language.

They include what of the dashboard grows with the department's number of residents: the two counts of the
assessment card (every active resident's EPAs): the entrustment proposals and the track suggestions awaiting the
coordinator, and the residents below the night-duty requirement in the last completed month (every active
resident's duties of that month), the first DUTY_LIST_LIMIT as (resident id, confirmed, required). The dashboard
shows them "as of" the refresh, the counts with links to the proposals and track suggestions pages, which stay live;
before a department's first refresh (or a month's) it computes them itself.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.entrustment import proposal_count
from assessments.models import ExamResult, Observation
from assessments.policy import assessment_policy_for
from assessments.tracks import track_suggestion_count
from mentoring.eligibility import Load
from mentoring.selectors import mentor_counts
from organization.models import AcademicYear, Department
from organization.selectors import current_academic_year
from organization.services import policy_for
from residents.models import Curriculum, Resident
from residents.requirements import month_start, previous_month, residents_below_duty_requirement
from surveys.models import Campaign, Participation

from .models import DashboardFigures
from .result import pct
from .sections.cohort_common import active_clinical

RECENT_DAYS = 30
DUTY_LIST_LIMIT = 50  # residents listed below the night-duty requirement, as the dashboard's other alert lists


def duty_month_of(today: date) -> date:
    """The month the dashboard judges the night-duty requirement on: the last completed one (mid-month almost
    everyone is below)."""
    return previous_month(month_start(today))


@dataclass(frozen=True)
class Figure:
    key: str
    label: object
    unit: str = ""  # "%" or "" (a count or a score)
    warn_above_zero: bool = False  # a count the coordinator should bring down to zero


FIGURES = (
    Figure("active_residents", _("active residents")),
    Figure("without_mentor", _("active residents without a clinical mentor"), warn_above_zero=True),
    Figure("active_mentors", _("active mentors")),
    Figure("outside_load", _("mentors outside the load policy"), warn_above_zero=True),
    Figure("ineligible", _("active mentors not eligible"), warn_above_zero=True),
    Figure("curricula_approved_pct", _("active residents with a curriculum approved for this academic year"),
           unit="%"),
    Figure("observations_recent", _("EPA observations in the last 30 days")),
    Figure("exam_mean", _("mean overall exam score this academic year")),
    Figure("response_rate_pct", _("response rate of the open questionnaires"), unit="%"),
)


def department_figures(department: Department, *, now: datetime, year: AcademicYear | None) -> dict:
    """The headline figures of one department as of `now` (eight aggregate queries and the policies). The mentors
    are counted as on the dashboard (mentoring.selectors.mentor_counts), the entrustment proposals and the track
    suggestions as the live card counts them (assessments.entrustment.proposal_count,
    assessments.tracks.track_suggestion_count): the numbers the proposals and track suggestions pages list."""
    today = timezone.localdate(now)
    duty_month = duty_month_of(today)
    policy = policy_for(department)
    active_mentor = Exists(active_clinical(resident=OuterRef("pk")))
    approved = Exists(Curriculum.objects.filter(resident=OuterRef("pk"), academic_year=year,
                                                status=Curriculum.Status.APPROVED))
    active = Q(status=Resident.Status.ACTIVE)
    counts = {"active": Count("pk", filter=active), "without_mentor": Count("pk", filter=active & ~active_mentor)}
    if year is not None:
        counts["approved"] = Count("pk", filter=active & approved)
    residents = Resident.objects.filter(specialty__department=department).order_by().aggregate(**counts)
    mentors = mentor_counts(department, policy, today)
    observations = Observation.objects.filter(resident__specialty__department=department,
                                              observed_on__gt=today - timedelta(days=RECENT_DAYS),
                                              observed_on__lte=today).count()
    exam_mean = (ExamResult.objects.filter(resident__specialty__department=department, academic_year=year)
                 .aggregate(mean=Avg("overall_score"))["mean"]) if year else None
    answers = Participation.objects.filter(campaign__department=department,
                                           campaign__status=Campaign.Status.OPEN).aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(completed=True)))
    return {
        "active_residents": residents["active"],
        "without_mentor": residents["without_mentor"],
        "active_mentors": mentors["active"],
        "outside_load": mentors[f"load_{Load.UNDER}"] + mentors[f"load_{Load.OVER}"],
        "ineligible": mentors["ineligible"],
        "curricula_approved_pct": pct(residents["approved"], residents["active"]) if year else None,
        "observations_recent": observations,
        "exam_mean": round(float(exam_mean), 1) if exam_mean is not None else None,
        "response_rate_pct": pct(answers["answered"], answers["invited"]),
        "answered": answers["answered"],
        "invited": answers["invited"],
        "academic_year": str(year) if year else "",
        # Shown by the assessment card (assessments' department_assessment_card), not in FIGURES.
        "proposals": proposal_count(department, window=assessment_policy_for(department).proposal_window),
        "track_suggestions": track_suggestion_count(department),
        # Shown by the dashboard's night-duty alerts (report_tags.dashboard_duty_alerts).
        "duty_month": duty_month.isoformat(),
        "below_duty": [[row.resident.pk, row.figures.confirmed, row.figures.required]
                       for row in residents_below_duty_requirement(department=department, month=duty_month,
                                                                   limit=DUTY_LIST_LIMIT)],
    }


def dashboard_figures_refresh(*, department: Department | None = None, now: datetime | None = None) -> int:
    """Compute and store the headline figures of every department (or one). Idempotent: each department keeps
    one row, replaced with the figures as of `now`. Returns the number of departments refreshed."""
    now = now or timezone.now()
    year = current_academic_year(timezone.localdate(now))
    departments = [department] if department is not None else list(Department.objects.order_by("pk"))
    for d in departments:
        figures = department_figures(d, now=now, year=year)
        DashboardFigures.objects.update_or_create(department=d, defaults={"figures": figures, "computed_at": now})
    return len(departments)
