"""The data migration of issue 6: every department gets its clinical programme and every assignment that
existed before programmes belongs to it (a hospital's existing data must survive the upgrade)."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("mentoring", "0001_initial")]
AFTER = [("mentoring", "0004_assignment_programme_required")]


def _migrate(targets):
    """Migrate the database to `targets`; return the models as the database now has them (every applied
    migration: apps that depend on a later state of the targets' apps, e.g. reports, were unapplied with them)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    applied = [key for key in executor.loader.applied_migrations if key in executor.loader.graph.nodes]
    return executor.loader.project_state(applied).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_existing_assignments_join_their_departments_clinical_programme():
    try:
        old = _migrate(BEFORE)
        department_ids = []
        for n in range(2):
            Department = old.get_model("organization", "Department")
            department = Department.objects.create(name=f"Migration department {n}")
            department_ids.append(department.pk)
            specialty = old.get_model("organization", "Specialty").objects.create(
                department=department, code=f"7R9{n}", name="Neonatology", duration_years=3)
            site = old.get_model("organization", "ClinicalSite").objects.create(name=f"Site {n}", city="Almaty")
            year = old.get_model("organization", "AcademicYear").objects.get_or_create(
                start_year=2025, defaults={"starts_on": date(2025, 9, 1), "ends_on": date(2026, 8, 31)})[0]
            cohort = old.get_model("residents", "Cohort").objects.create(specialty=specialty, intake_year=year)
            User = old.get_model("accounts", "User")
            mentor = old.get_model("mentoring", "Mentor").objects.create(
                user=User.objects.create(email=f"m{n}@example.org"), specialty=specialty, clinical_site=site,
                practice_started_on=date(2010, 1, 1))
            for i in range(2):
                resident = old.get_model("residents", "Resident").objects.create(
                    user=User.objects.create(email=f"r{n}{i}@example.org"), specialty=specialty, cohort=cohort,
                    year_of_study=1, clinical_site=site)
                old.get_model("mentoring", "Assignment").objects.create(
                    resident=resident, mentor=mentor, started_on=date(2025, 9, 1),
                    ended_on=date(2025, 12, 1) if i else None)

        new = _migrate(AFTER)
        Programme = new.get_model("mentoring", "Programme")
        Assignment = new.get_model("mentoring", "Assignment")
        for department_id in department_ids:
            programme = Programme.objects.get(department_id=department_id)
            assert programme.kind == "clinical"
            moved = Assignment.objects.filter(resident__specialty__department_id=department_id)
            assert moved.count() == 2
            assert set(moved.values_list("programme_id", "kind")) == {(programme.pk, "clinical")}
    finally:
        _migrate(_latest())
