"""A resident's entrustment against the expected levels, computed in the database.

The current level for an EPA is the level the coordinator has granted, or level 1 (direct supervision) when
nothing has been granted yet. An EPA is *behind* when that level is below the level expected for the
resident's year of study. Used by the cohort grid, the track suggestions and the reports.
"""

from django.db.models import Count, F, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from residents.models import Resident

from .models import EntrustmentDecision

BASE_LEVEL = 1


def granted_level(resident_ref="pk", epa_ref="epa"):
    """The granted level of (resident, EPA) as an expression, BASE_LEVEL when there is no decision."""
    return Coalesce(
        Subquery(EntrustmentDecision.objects.filter(resident=OuterRef(resident_ref), epa=OuterRef(epa_ref))
                 .order_by().values("level")[:1], output_field=IntegerField()),
        Value(BASE_LEVEL),
    )


def with_epas_behind(residents: QuerySet[Resident]) -> QuerySet[Resident]:
    """`residents` annotated with `epas_behind`: active EPAs of their specialty below the expected level.

    One join and a count per resident (the queryset is grouped by resident): each resident's active EPAs, the
    expectation of each at the resident's year of study (at most one per EPA) and the level granted for it (at most
    one per resident and EPA), counted where the granted level, BASE_LEVEL without a decision, is below the expected
    one. No subquery per resident or per expectation: at the default scale a department's 2,400 residents take one
    hash join of 24,000 rows. An EPA with no expectation for the year is never behind. Callers that add other
    counts over multi-valued relations must count them in subqueries (the joins here would multiply them).
    """
    return residents.alias(
        standing_epas=FilteredRelation("specialty__epas", condition=Q(specialty__epas__is_active=True)),
        standing_expected=FilteredRelation(
            "standing_epas__expectations",
            condition=Q(standing_epas__expectations__year_of_study=F("year_of_study"))),
        standing_granted=FilteredRelation("entrustments", condition=Q(entrustments__epa=F("standing_epas__id"))),
    ).annotate(epas_behind=Count(
        "standing_expected",
        filter=Q(standing_expected__level__gt=Coalesce(F("standing_granted__level"), Value(BASE_LEVEL)))))
