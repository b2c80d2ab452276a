"""The database conditions of mentoring/eligibility_db.py and reports/sections/rules.py agree with the Python rules
they restate, on varied rows, so the report's compliance figures cannot drift from what the mentor and curriculum
pages say."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Case, Value, When

from mentoring.eligibility import CertificateStatus, TrainingStatus, mentor_eligibility
from mentoring.eligibility_db import CRITERIA, eligibility_conditions, practised_since_at_most, trained_on_or_after
from mentoring.models import MentorTraining
from mentoring.selectors import mentors_annotated
from organization.models import MentoringPolicy
from reports.sections.rules import split_conditions, split_within_bounds
from residents.curricula import SHARES, split_check
from residents.models import CurriculumItem
from tests.factories import MentorFactory, ResidentFactory, SpecialtyFactory
from tests.factories_curricula import CurriculumFactory, DisciplineFactory

pytestmark = pytest.mark.django_db

# Days that test the calendar: a leap day, the day after it, the end of February in a common year, a month end.
TODAYS = [date(2026, 3, 15), date(2028, 2, 29), date(2028, 3, 1), date(2027, 2, 28), date(2025, 12, 31)]


def flags(queryset, conditions):
    annotations = {name: Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
                   for name, condition in conditions.items()}
    return {row["pk"]: row for row in queryset.annotate(**annotations).values("pk", *annotations)}


def near(day: date, rng: random.Random) -> date:
    return day + timedelta(days=rng.choice([-366, -2, -1, 0, 1, 2, 365]))


def varied_mentors(specialty, site, rng, todays, policies):
    """Mentors around every boundary of every (today, policy) pair: start of practice, certificate expiry, last
    training, plus the 29 February dates."""
    mentors = []
    for today in todays:
        for policy in policies:
            experience_edge = practised_since_at_most(today, policy.min_experience_years)
            training_edge = trained_on_or_after(today, policy.training_cycle_years)
            for _ in range(6):
                mentor = MentorFactory(
                    specialty=specialty, clinical_site=site, trained=False, is_active=rng.random() > 0.15,
                    qualification_category=rng.choice(["highest", "first", "second", "none"]),
                    practice_started_on=rng.choice([near(experience_edge, rng), date(2024, 2, 29),
                                                    date(2023, 2, 28), today + timedelta(days=30)]),
                    certificate_number=rng.choice(["", "KZ-1", "KZ-2", "KZ-3"]),
                    certificate_expires_on=rng.choice([None, near(today, rng)]))
                kind = rng.choice(["none", "primary", "both", "refresher only"])
                if kind in ("primary", "both"):
                    MentorTraining.objects.create(mentor=mentor, kind="primary",
                                                  completed_on=rng.choice([near(training_edge, rng),
                                                                           date(2024, 2, 29)]))
                if kind in ("both", "refresher only"):
                    MentorTraining.objects.create(mentor=mentor, kind="refresher",
                                                  completed_on=rng.choice([near(training_edge, rng),
                                                                           date(2025, 2, 28)]))
                mentors.append(mentor)
    return mentors


def test_eligibility_in_the_database_agrees_with_mentor_eligibility(department, specialty, site):
    rng = random.Random(20260315)
    policies = [MentoringPolicy(department=department, min_experience_years=5, training_cycle_years=3,
                                accepted_categories=["highest", "first"]),
                MentoringPolicy(department=department, min_experience_years=1, training_cycle_years=1,
                                accepted_categories=["second"]),
                MentoringPolicy(department=department, min_experience_years=0, training_cycle_years=4,
                                accepted_categories=["highest", "first", "second", "none"])]
    varied_mentors(specialty, site, rng, TODAYS, policies)
    mentors = list(mentors_annotated().order_by("pk"))
    assert len(mentors) == len(TODAYS) * len(policies) * 6
    checked = {c: {True: 0, False: 0} for c in (*CRITERIA, "eligible")}
    for today in TODAYS:
        for policy in policies:
            in_database = flags(mentors_annotated(), eligibility_conditions(policy, today))
            for mentor in mentors:
                python = mentor_eligibility(mentor, policy=policy, today=today)
                row = in_database[mentor.pk]
                expected = {
                    "experience": python.experience_months >= policy.min_experience_years * 12,
                    "certificate": python.certificate_status in (CertificateStatus.VALID, CertificateStatus.EXPIRING),
                    "training": python.training_status in (TrainingStatus.CURRENT, TrainingStatus.DUE),
                    "eligible": python.eligible,
                }
                context = (today, policy.min_experience_years, policy.training_cycle_years, mentor.pk)
                assert {k: row[k] for k in expected} == expected, context
                # Every reason evaluate gives is exactly one criterion failed in the database.
                assert sum(not row[c] for c in CRITERIA) == len(python.reasons), (context, python.reasons)
                for criterion in checked:
                    checked[criterion][row[criterion]] += 1
    # The varied set really exercises both outcomes of every criterion.
    assert all(outcomes[True] and outcomes[False] for outcomes in checked.values()), checked


def test_the_boundary_days_by_hand():
    # 60 whole months from 15 March 2021 to 15 March 2026; 16 March 2021 gives 59.
    assert practised_since_at_most(date(2026, 3, 15), 5) == date(2021, 3, 15)
    # On 29 February 2028, a start on 28 February 2023 has 60 whole months (there is no 29 February 2023).
    assert practised_since_at_most(date(2028, 2, 29), 5) == date(2023, 2, 28)
    # A last training on 28 February 2027 falls due on 28 February 2028: overdue on the 29th; 1 March is not.
    assert trained_on_or_after(date(2028, 2, 29), 1) == date(2027, 3, 1)
    assert trained_on_or_after(date(2028, 2, 29), 4) == date(2024, 2, 29)
    assert trained_on_or_after(date(2026, 3, 15), 3) == date(2023, 3, 15)


def tenths(rng, low, high):
    return Decimal(rng.randrange(int(low * 10), int(high * 10) + 1)) / 10


def test_the_split_in_the_database_agrees_with_split_check(department, site):
    rng = random.Random(7)
    bounds = [dict(classroom_min_pct=10, classroom_max_pct=30, clinical_min_pct=60, clinical_max_pct=80,
                   independent_min_pct=10, independent_max_pct=10),
              dict(classroom_min_pct=0, classroom_max_pct=100, clinical_min_pct=33, clinical_max_pct=67,
                   independent_min_pct=5, independent_max_pct=25)]
    items = []
    for specialty_bounds in bounds:
        specialty = SpecialtyFactory(department=department, **specialty_bounds)
        resident = ResidentFactory(specialty=specialty, clinical_site=site)
        curriculum = CurriculumFactory(resident=resident)
        for total in (Decimal("100.0"), Decimal("120.0"), Decimal("37.3"), Decimal("250.5")):
            for _ in range(12):
                # Aim at the rounding edges: x.5 % and x.4 % of the total around each bound, or anywhere.
                edge = rng.choice([specialty.classroom_min_pct, specialty.classroom_max_pct,
                                   specialty.independent_min_pct, specialty.independent_max_pct])
                aimed = (Decimal(edge) + rng.choice([Decimal("-0.5"), Decimal("-0.4"), Decimal("0.4"),
                                                     Decimal("0.5")])) * total / 100
                classroom = min(total, max(Decimal(0), aimed.quantize(Decimal("0.1"))) if rng.random() < 0.6
                                else tenths(rng, 0, float(total) * 0.4))
                independent = min(total - classroom, tenths(rng, 0, float(total) * 0.2))
                clinical = total - classroom - independent
                discipline = DisciplineFactory(specialty=specialty, hours=total)
                try:
                    with transaction.atomic():
                        items.append(CurriculumItem.objects.create(
                            curriculum=curriculum, discipline=discipline, total_hours=total,
                            classroom_hours=classroom, clinical_hours=clinical, independent_hours=independent))
                except IntegrityError:
                    # SQLite checks "the parts add up" in floating point and refuses a few exact decimal sums
                    # (9.6 + 79.6 + 10.8); such a row cannot exist there, so there is nothing to compare.
                    assert connection.vendor == "sqlite"
    in_database = flags(CurriculumItem.objects.all(), {"ok": split_within_bounds(), **split_conditions()})
    outcomes = {True: 0, False: 0}
    for item in CurriculumItem.objects.select_related("discipline", "curriculum__resident__specialty"):
        specialty = item.curriculum.resident.specialty
        python = split_check(specialty=specialty, discipline_name=item.discipline.name, total=item.total_hours,
                             classroom=item.classroom_hours, clinical=item.clinical_hours,
                             independent=item.independent_hours)
        assert in_database[item.pk]["ok"] == python.ok, (item.total_hours, item.classroom_hours,
                                                         item.clinical_hours, item.independent_hours,
                                                         python.percents)
        # Each part on its own too (the cohort report counts the disciplines outside each share's bounds).
        assert in_database[item.pk]["adds_up"] == python.adds_up
        assert {share for share in SHARES if not in_database[item.pk][share]} == python.out_of_bounds, (
            item.total_hours, item.classroom_hours, item.clinical_hours, item.independent_hours, python.percents)
        outcomes[python.ok] += 1
    assert len(items) > 60 and outcomes[True] > 10 and outcomes[False] > 10, (len(items), outcomes)
