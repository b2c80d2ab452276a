"""The cohort report on the demo data (seed_demo): every cohort of every department computes, and its figures hold
together (the breakdowns add up to the cohort's size, shares lie within 0-100 %)."""

import pytest

from reports.services import compute, report_request
from residents.models import Cohort, Resident
from tests.test_report_cohort_data import rows_of, section_of

pytestmark = pytest.mark.django_db


def test_every_demo_cohort_gives_a_consistent_report(seeded):
    from organization.models import Coordinator

    cohorts = list(Cohort.objects.select_related("specialty__department"))
    assert cohorts
    for cohort in cohorts:
        coordinator = Coordinator.objects.filter(department=cohort.specialty.department).first()
        run = report_request(by=coordinator.user, kind="cohort", department=cohort.specialty.department,
                             cohort=cohort)
        result = compute(run)
        size = section_of(result, "size")
        total = Resident.objects.filter(cohort=cohort).count()
        assert sum(r[1] for r in rows_of(size, "by_status")) == total
        assert sum(r[1] for r in rows_of(size, "by_track")) == total
        for section in result["sections"]:
            for table in section["tables"]:
                for i, col in enumerate(table["columns"]):
                    if col["type"] == "pct":
                        assert all(r[i] is None or 0 <= r[i] <= 100 for r in table["rows"]), (section["key"],
                                                                                             table["key"])
