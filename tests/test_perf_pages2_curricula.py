"""The coordinator's curricula review list reads only the tables its rows show (issue 7: at scale, planning the
nine-table join of `curricula_base` took longer than the query), and shows the same rows as before."""

import pytest

from residents.selectors_curricula import curricula_base, curricula_of_department, with_item_totals
from tests.factories import AcademicYearFactory, ResidentFactory
from tests.factories_curricula import curriculum_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def curricula(make_resident, department):
    year, last_year = AcademicYearFactory(start_year=2025), AcademicYearFactory(start_year=2024)
    made = [curriculum_with_items(make_resident(), items=1 + i % 3, academic_year=(year, last_year)[i % 2],
                                  status=("submitted", "draft", "approved")[i % 3]) for i in range(9)]
    curriculum_with_items(ResidentFactory(), academic_year=year, status="submitted")  # another department
    return made


def former_list(department, status):
    """The list as it was read before: `curricula_base` with every join, the same filter and order."""
    qs = with_item_totals(curricula_base().filter(resident__specialty__department=department))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("submitted_at", "resident__user__last_name", "resident__user__first_name", "pk")


def shown(curriculum) -> tuple:
    """What a row of the review list shows of a curriculum."""
    return (curriculum.pk, str(curriculum.resident), str(curriculum.resident.clinical_site),
            str(curriculum.academic_year), curriculum.year_of_study, curriculum.item_count, curriculum.hours,
            curriculum.status, curriculum.get_status_display(), curriculum.submitted_at)


@pytest.mark.parametrize("status", ["", "submitted", "draft", "approved"])
def test_the_list_shows_the_same_rows_in_the_same_order(curricula, department, status):
    listed = [shown(c) for c in curricula_of_department(department, status=status)]
    assert listed == [shown(c) for c in former_list(department, status)]
    assert len(listed) == len([c for c in curricula if not status or c.status == status])


def test_the_list_joins_only_the_tables_a_row_shows(department, specialty):
    sql = str(curricula_of_department(department, status="submitted").query)
    # One join each for the row's resident name, site and year (the approver, a second user, is not loaded).
    for table in ("residents_cohort", "organization_academicyear", "organization_clinicalsite", "accounts_user"):
        assert sql.count(f'JOIN "{table}"') == (table != "residents_cohort"), table
    # The department's specialties are given as ids (read before): neither is joined.
    assert '"organization_department"' not in sql and '"organization_specialty"' not in sql

