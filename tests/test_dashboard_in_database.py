"""The coordinator's dashboard counts and picks its mentors in the database (mentoring.eligibility_db): the alert
conditions agree with mentoring.eligibility.evaluate on varied rows, and the dashboard's figures and lists are
those of the Python rule applied to every active mentor of the department (what it did before)."""

import random
from datetime import date, timedelta

import pytest
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.eligibility import CertificateStatus, Load, TrainingStatus, load_status, mentor_eligibility
from mentoring.eligibility_db import certificate_alert, eligibility_conditions, training_alert
from mentoring.models import Mentor
from mentoring.selectors import (
    DASHBOARD_LIST_LIMIT,
    department_dashboard,
    mentors_annotated,
    mentors_of_department,
)
from mentoring.services import assignment_create
from organization.models import Department, MentoringPolicy
from organization.services import policy_for
from tests.test_report_cohort_rules import TODAYS, flags, varied_mentors

pytestmark = pytest.mark.django_db

ALERTING = (TrainingStatus.DUE, TrainingStatus.OVERDUE, TrainingStatus.MISSING)


def policies(department):
    return [MentoringPolicy(department_id=department.pk, min_experience_years=5, training_cycle_years=3,
                            warning_days=60, accepted_categories=["highest", "first"]),
            MentoringPolicy(department_id=department.pk, min_experience_years=1, training_cycle_years=1,
                            warning_days=0, accepted_categories=["second"]),
            MentoringPolicy(department_id=department.pk, min_experience_years=0, training_cycle_years=4,
                            warning_days=366, accepted_categories=["highest", "first", "second", "none"])]


def test_alert_conditions_agree_with_evaluate(department, specialty, site):
    rng = random.Random(20261123)
    # The training edges of the alerts are one warning period after those of eligibility: vary around both.
    todays = [*TODAYS, *(d + timedelta(days=60) for d in TODAYS), date(2027, 12, 31)]
    varied_mentors(specialty, site, rng, todays, policies(department))
    mentors = list(mentors_annotated().order_by("pk"))
    seen = {"certificate": set(), "training": set()}
    for today in todays:
        for policy in policies(department):
            in_database = flags(mentors_annotated(), {"certificate": certificate_alert(policy, today),
                                                      "training": training_alert(policy, today)})
            horizon = today + timedelta(days=policy.warning_days)
            for mentor in mentors:
                python = mentor_eligibility(mentor, policy=policy, today=today)
                expected = {"certificate": bool(mentor.certificate_expires_on
                                                and mentor.certificate_expires_on <= horizon),
                            "training": python.training_status in ALERTING}
                row = in_database[mentor.pk]
                assert {k: row[k] for k in expected} == expected, (today, policy.warning_days, mentor.pk, python)
                for name in seen:
                    seen[name].add(row[name])
    assert seen == {"certificate": {True, False}, "training": {True, False}}


def test_the_conditions_and_their_negations_are_never_null(department, specialty, site):
    """A condition that is NULL for some rows (a missing date) is neither true nor false as an annotation: counting
    `flag=False` (as the dashboards count mentors not eligible) would miss those mentors. True and false must
    split the mentors."""
    rng = random.Random(3)
    varied_mentors(specialty, site, rng, TODAYS[:2], policies(department))
    mentors = Mentor.objects.count()
    assert Mentor.objects.filter(certificate_expires_on__isnull=True).exists()
    for today in TODAYS[:2]:
        for policy in policies(department):
            conditions = {**eligibility_conditions(policy, today),
                          "certificate_alert": certificate_alert(policy, today),
                          "training_alert": training_alert(policy, today)}
            for name, condition in conditions.items():
                flagged = mentors_annotated().annotate(flag=ExpressionWrapper(condition, output_field=BooleanField()))
                counts = flagged.aggregate(held=Count("pk", filter=Q(flag=True)),
                                           failed=Count("pk", filter=Q(flag=False)))
                assert counts["held"] + counts["failed"] == mentors, (name, today, counts)


def python_dashboard(department, today):
    """The dashboard's mentor figures as they were computed before: every active mentor judged in Python."""
    policy = policy_for(department)
    mentors = list(mentors_of_department(department).filter(is_active=True).order_by("user__last_name",
                                                                                      "user__first_name", "pk"))
    judged = [(m, mentor_eligibility(m, policy=policy, today=today)) for m in mentors]
    horizon = today + timedelta(days=policy.warning_days)
    expiring = sorted((m for m, _e in judged if m.certificate_expires_on and m.certificate_expires_on <= horizon),
                      key=lambda m: m.certificate_expires_on)
    trainings = sorted(((m, e) for m, e in judged if e.training_status in ALERTING),
                       key=lambda me: me[1].training_due_on or date.min)
    loads = {load: 0 for load in (Load.UNDER, Load.OK, Load.FULL, Load.OVER)}
    for m in mentors:
        loads[load_status(m.active_count, policy)] += 1
    return {"rows": [m.pk for m in mentors], "ineligible": sum(not e.eligible for _m, e in judged),
            "expiring": [m.pk for m in expiring], "trainings": [m.pk for m, _e in trainings], "loads": loads,
            "due_dates": [e.training_due_on for _m, e in trainings]}


def test_the_dashboard_figures_are_those_of_the_python_rule(department, specialty, site, make_mentor,
                                                             make_resident):
    rng = random.Random(7)
    today = date(2026, 3, 15)
    varied_mentors(specialty, site, rng, [today], policies(department)[:1])
    for n in (1, 3, 4):  # under-used, ok, full with the default policy (3 to 4)
        mentor = make_mentor()
        for _ in range(n):
            assignment_create(resident=make_resident(), mentor=mentor)
    expected = python_dashboard(department, today)
    dashboard = department_dashboard(department, today=today, alert_limit=1000)
    assert [r.mentor.pk for r in dashboard.rows] == expected["rows"]
    assert dashboard.active_mentors == len(expected["rows"])
    assert dashboard.ineligible_count == expected["ineligible"] > 0
    assert [r.mentor.pk for r in dashboard.expiring_certificates] == expected["expiring"]
    # Mentors falling due on the same day may come in either order; the dates are the same.
    assert sorted(r.mentor.pk for r in dashboard.training_alerts) == sorted(expected["trainings"])
    assert [r.eligibility.training_due_on for r in dashboard.training_alerts] == expected["due_dates"]
    assert dashboard.load_counts == expected["loads"]
    assert all(expected["loads"][load] for load in (Load.UNDER, Load.OK, Load.FULL))
    assert dashboard.certificate_alerts_more == dashboard.training_alerts_more == 0
    # Over capacity once the policy's maximum is lowered below a mentor's load.
    MentoringPolicy.objects.filter(department=department).update(max_residents_per_mentor=3)
    department = Department.objects.get(pk=department.pk)
    expected = python_dashboard(department, today)["loads"]
    assert department_dashboard(department, today=today).load_counts == expected
    assert expected[Load.OVER] == expected[Load.FULL] == 1


def test_the_lists_are_limited_and_the_counts_are_not(client, coordinator, department, make_mentor):
    today = date(2026, 3, 15)
    for i in range(6):
        make_mentor(certificate_expires_on=today + timedelta(days=i), trained=False)
    dashboard = department_dashboard(department, today=today, alert_limit=4)
    assert len(dashboard.rows) == len(dashboard.expiring_certificates) == len(dashboard.training_alerts) == 4
    assert dashboard.active_mentors == dashboard.certificate_alerts_count == dashboard.training_alerts_count == 6
    assert dashboard.certificate_alerts_more == dashboard.training_alerts_more == 2
    assert [r.mentor.certificate_expires_on for r in dashboard.expiring_certificates] == [
        today + timedelta(days=i) for i in range(4)]
    assert all(r.eligibility.training_status == TrainingStatus.MISSING for r in dashboard.training_alerts)
    assert all(r.eligibility.certificate_status != CertificateStatus.VALID for r in dashboard.expiring_certificates)


def test_the_page_says_how_many_more_and_links_the_mentor_list(client, coordinator, department, make_mentor):
    assert DASHBOARD_LIST_LIMIT == 20  # the page's lists show 20 rows each (a product decision: an overview)
    for _ in range(22):
        make_mentor(certificate_expires_on=timezone.localdate() + timedelta(days=3))
    client.force_login(coordinator)
    with translation.override("en"):
        page = client.get(reverse("mentoring:dashboard", kwargs={"department_id": department.pk})).content.decode()
    assert 'id="stat-active-mentors">22<' in page
    assert page.split('id="mentor-load"')[1].split("</table>")[0].count("data-mentor=") == 20
    assert reverse("mentoring:mentor_list", kwargs={"department_id": department.pk}) + "?active=1" in page
    certificates = page.split('id="alerts-certificates"')[1].split("</ul>")[0]
    assert certificates.count("<li>") == 20 and "and 2 more" in certificates
