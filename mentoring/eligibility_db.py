"""Mentor eligibility as database conditions, so that pages and reports count and pick mentors in the database.

Each condition restates, for the database, a rule whose definition lives in Python in mentoring.eligibility
(`evaluate`, DESIGN.md section 2, Mentors); tests check on varied rows that the two agree, so they cannot drift
apart (tests/test_report_cohort_rules.py for eligibility, tests/test_dashboard_in_database.py for the alerts).
"""

import calendar
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q

from organization.dates import add_years
from organization.models import MentoringPolicy

from .eligibility import Load
from .models import MentorTraining

CRITERIA = ("active", "category", "experience", "certificate", "training")


def practised_since_at_most(today: date, years: int) -> date:
    """The latest start of practice with at least `years` whole years by `today`: whole_months_between(start,
    today) >= 12 * years exactly when start <= this day (29 February falls back to the 28th, like add_years)."""
    return add_years(today, -years)


def trained_on_or_after(today: date, years: int) -> date:
    """The earliest last training whose refresher is not yet overdue on `today`: add_years(day, years) >= today
    exactly when day >= this (a 29 February `today` needs 1 March of a common year: the 28th falls due on the
    28th)."""
    year = today.year - years
    if today.month == 2 and today.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return add_years(today, -years)


def _trainings():
    return MentorTraining.objects.filter(mentor=OuterRef("pk"))


def eligibility_conditions(policy: MentoringPolicy, today: date) -> dict[str, Q]:
    """{criterion: condition on a Mentor queryset} for the rules of mentoring.eligibility.evaluate on `today`:
    active; an accepted qualification category; enough whole years of practice; a specialist certificate with a
    number, valid on `today` (one expiring soon is still valid); the primary training done and the last training
    (primary or refresher) within the training cycle. A mentor is eligible when all hold (`eligible`)."""
    trainings = _trainings()
    years = policy.min_experience_years
    conditions = {
        "active": Q(is_active=True),
        "category": Q(qualification_category__in=list(policy.accepted_categories)),
        # No minimum: any start counts (evaluate counts a start in the future as 0 months, which is enough).
        "experience": (Q(practice_started_on__lte=practised_since_at_most(today, years)) if years
                       else Q(pk__isnull=False)),
        # The expiry may be missing: `isnull=False` keeps the condition true or false, never NULL, so that its
        # negation (`~`, or `eligible=False` on an annotation) holds for the mentors without one.
        "certificate": ~Q(certificate_number="") & Q(certificate_expires_on__isnull=False)
        & Q(certificate_expires_on__gte=today),
        "training": Q(Exists(trainings.filter(kind=MentorTraining.Kind.PRIMARY)))
        & Q(Exists(trainings.filter(completed_on__gte=trained_on_or_after(today, policy.training_cycle_years)))),
    }
    eligible = Q()
    for condition in conditions.values():
        eligible &= condition
    return {**conditions, "eligible": eligible}


def certificate_alert(policy: MentoringPolicy, today: date) -> Q:
    """A certificate expired or expiring within the policy's warning days (the dashboard's certificate alert:
    an expiry date on or before today + warning_days, whatever evaluate's certificate status)."""
    return Q(certificate_expires_on__isnull=False) & Q(certificate_expires_on__lte=today
                                                       + timedelta(days=policy.warning_days))


def primary_training_missing() -> Q:
    """evaluate's training status `missing`: no primary mentor training recorded."""
    return ~Q(Exists(_trainings().filter(kind=MentorTraining.Kind.PRIMARY)))


def training_alert(policy: MentoringPolicy, today: date) -> Q:
    """evaluate's training status due, overdue or missing: no primary training, or the refresher falls due on or
    before today + warning_days, that is add_years(last training, cycle) <= horizon, exactly when no training was
    completed on or after trained_on_or_after(horizon + 1 day, cycle)."""
    horizon = today + timedelta(days=policy.warning_days)
    current = _trainings().filter(completed_on__gte=trained_on_or_after(horizon + timedelta(days=1),
                                                                        policy.training_cycle_years))
    return primary_training_missing() | ~Q(Exists(current))


def load_conditions(policy: MentoringPolicy, count: str = "active_count") -> dict[str, Q]:
    """{load: condition} on an annotated count of active clinical residents, for counting mentors of each load in
    one aggregate: mentoring.eligibility.load_of's tests in its order (over above the maximum, full at it, under
    below the minimum, ok otherwise)."""
    low, high = policy.min_residents_per_mentor, policy.max_residents_per_mentor
    over, full = Q(**{f"{count}__gt": high}), Q(**{count: high})
    under = Q(**{f"{count}__lt": low}) & ~over & ~full
    return {Load.OVER: over, Load.FULL: full, Load.UNDER: under, Load.OK: ~over & ~full & ~under}
