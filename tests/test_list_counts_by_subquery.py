"""Long lists count their rows' children by correlated subqueries (issue 7's page benchmarks): the survey campaigns
list (participations) and the curricula review (items). The figures are those of a plain count per row, rows
without children included, and counting the rows for the paginator no longer joins the children."""

from decimal import Decimal

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from residents.models import Curriculum
from residents.selectors_curricula import curricula_of_department, curricula_of_resident
from surveys.campaigns import annotate_response_rates, response_rate, with_response_rates
from surveys.models import Campaign
from tests.factories import AcademicYearFactory, UserFactory
from tests.factories_curricula import curriculum_with_items
from tests.factories_surveys import CampaignFactory, answer, invite, questionnaire_with_items

pytestmark = pytest.mark.django_db


def paginator_count_sql(queryset) -> str:
    with CaptureQueriesContext(connection) as ctx:
        assert Paginator(queryset, 2).count > 0
    [query] = ctx.captured_queries
    return query["sql"]


def test_campaign_rates_are_the_plain_counts_and_counting_campaigns_joins_no_participation(department):
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    draft = CampaignFactory(questionnaire=questionnaire, status="draft")  # nobody invited
    partly = CampaignFactory(questionnaire=questionnaire)
    invite(partly, [UserFactory() for _ in range(3)])
    for _ in range(2):
        answer(partly, UserFactory())
    everyone = CampaignFactory(questionnaire=questionnaire)
    for _ in range(4):
        answer(everyone, UserFactory())

    campaigns = with_response_rates(Campaign.objects.filter(department=department).order_by("pk"))
    assert {c.pk: (c.answered, c.invited) for c in campaigns} == {
        draft.pk: (0, 0), partly.pk: (2, 5), everyone.pk: (4, 4)}
    assert all((c.answered, c.invited) == response_rate(c) for c in campaigns)
    assert "participation" not in paginator_count_sql(
        annotate_response_rates(Campaign.objects.filter(department=department)))


def test_curriculum_totals_are_the_plain_sums_and_counting_curricula_joins_no_item(department, make_resident):
    year = AcademicYearFactory(start_year=2025)
    resident = make_resident()
    curricula = [curriculum_with_items(resident, items=3, academic_year=year),
                 curriculum_with_items(make_resident(), items=1, academic_year=year),
                 curriculum_with_items(make_resident(), items=0, academic_year=year)]
    expected = {c.pk: (c.n, c.total) for c in Curriculum.objects.filter(pk__in=[c.pk for c in curricula])
                .annotate(n=Count("items"), total=Sum("items__total_hours"))}
    assert expected[curricula[0].pk] == (3, Decimal("360.0")) and expected[curricula[2].pk] == (0, None)

    listed = curricula_of_department(department)
    assert {c.pk: (c.item_count, c.hours) for c in listed} == expected
    assert [(c.item_count, c.hours) for c in curricula_of_resident(resident)] == [expected[curricula[0].pk]]
    assert "curriculumitem" not in paginator_count_sql(listed.all())
    assert "curriculumitem" not in paginator_count_sql(curricula_of_department(department, status="draft"))
