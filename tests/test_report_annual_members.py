"""The annual report's resident figures (progress, and the sites' residents) are computed over the year's residents
only, each resident's subqueries once (annual_common.once_each), the EPAs with an expected level counted once per
specialty and year of study (annual_residents.expected_counts): the figures are those of the plain computation,
where every resident's EPAs and observations were looked up for every year and the aggregate named the
subqueries directly. Compared on the fixed dataset of test_report_annual,
grown with more mentors, residents, decisions and observations, for the department and for one clinical site.
"""

from datetime import date

import pytest
from django.db.models import Exists, OuterRef, Q

from assessments.models import EntrustmentDecision, Observation
from reports.context import ReportContext
from reports.models import ReportRun
from reports.sections.annual_common import (
    EVERYONE,
    clinical_during,
    count_of,
    once_each,
    residents_in_scope,
    years_of,
)
from reports.sections.annual_residents import (
    expected_counts,
    progress_annotations,
    progress_figures,
    standing_annotations,
)
from reports.services import report_request
from tests import test_report_annual
from tests.factories import UserFactory
from tests.factories_assessments import ObservationFactory
from tests.test_report_annual import AS_OF, _grow, at

pytestmark = pytest.mark.django_db

world = test_report_annual.world  # the fixture: sites S1 and S2, mentors A-C, residents r1-r9


def context_of(coordinator, department, year, site=None) -> ReportContext:
    run = report_request(by=coordinator, kind="annual", department=department, academic_year=year,
                         clinical_site=site)
    ReportRun.objects.filter(pk=run.pk).update(requested_at=at(AS_OF, 12))
    return ReportContext.of(run)


def plain_annotations(year, i: int) -> dict:
    """The computation before: every resident's standing and observations, whether they had a mentor or not."""
    received = Observation.objects.filter(resident=OuterRef("pk"), observed_on__gte=year.starts_on,
                                          observed_on__lte=year.day)
    return {f"_in{i}": Exists(clinical_during(year, resident=OuterRef("pk"))), **standing_annotations(year, i),
            f"_received{i}": count_of(received, "resident")}


def figures_of(context, groups, annotations_of, shape) -> dict:
    annotations, figures = {}, {}
    for i, year in enumerate(years_of(context)):
        annotations.update(annotations_of(year, i))
        figures.update({k: v for key, where in groups for k, v in progress_figures(i, f"{key}_{i}", where).items()})
    return shape(residents_in_scope(context).order_by().annotate(**annotations)).aggregate(**figures)


@pytest.mark.parametrize("one_site", [False, True])
def test_the_residents_figures_are_those_of_the_plain_computation(coordinator, department, specialty, world,
                                                                   make_mentor, make_resident, one_site):
    _grow(world, department, specialty, make_mentor, make_resident, 6)
    context = context_of(coordinator, department, world["year"], world["s1"] if one_site else None)
    groups = [("s1", Q(clinical_site=world["s1"].pk)), ("s2", Q(clinical_site=world["s2"].pk)), ("all", EVERYONE)]
    plain = figures_of(context, groups, plain_annotations, lambda residents: residents)
    expected = expected_counts(context)
    assert figures_of(context, groups, lambda year, i: progress_annotations(year, i, expected), once_each) == plain
    assert plain["residentsall_3"] > 8 and plain["observationsall_2"] > 0  # the grown data counts


def test_the_sites_residents_are_the_years_residents(coordinator, department, specialty, world, make_mentor,
                                                      make_resident):
    _grow(world, department, specialty, make_mentor, make_resident, 4)
    # Observed and granted a level in the year, but never assigned a clinical mentor: counts nowhere.
    unassigned = make_resident(clinical_site=world["s2"], year_of_study=2)
    ObservationFactory(resident=unassigned, epa=world["epas"][0], mentor=make_mentor(), observed_on=date(2025, 10, 1))
    EntrustmentDecision.objects.create(resident=unassigned, epa=world["epas"][0], level=4, rationale="Seen.",
                                       decided_by=UserFactory(), decided_at=at(date(2025, 11, 1)))
    context = context_of(coordinator, department, world["year"])
    year = years_of(context)[-1]
    groups = [("s1", Q(clinical_site=world["s1"].pk)), ("s2", Q(clinical_site=world["s2"].pk)), ("all", EVERYONE)]
    figures = {k: v for key, where in groups for k, v in progress_figures(0, key, where).items()}
    members = (residents_in_scope(context).order_by()
               .annotate(**progress_annotations(year, 0, expected_counts(context))).filter(_in0=True))
    plain = residents_in_scope(context).order_by().annotate(**plain_annotations(year, 0)).aggregate(**figures)
    assert once_each(members).aggregate(**figures) == plain
    assert plain["residentss2"] == 4  # r4, r7-r9: not the unassigned resident
