"""A resident's entrustment against the expected levels, computed in the database.

The current level for an EPA is the level the coordinator has granted, or level 1 (direct supervision) when
nothing has been granted yet. An EPA is *behind* when that level is below the level expected for the
resident's year of study. Used by the cohort grid, the track suggestions and the reports.
"""

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from residents.models import Resident

from .models import EntrustmentDecision, EPAExpectation

BASE_LEVEL = 1


def granted_level(resident_ref="pk", epa_ref="epa"):
    """The granted level of (resident, EPA) as an expression, BASE_LEVEL when there is no decision."""
    return Coalesce(
        Subquery(EntrustmentDecision.objects.filter(resident=OuterRef(resident_ref), epa=OuterRef(epa_ref))
                 .order_by().values("level")[:1], output_field=IntegerField()),
        Value(BASE_LEVEL),
    )


def with_epas_behind(residents: QuerySet[Resident]) -> QuerySet[Resident]:
    """`residents` annotated with `epas_behind`: active EPAs of their specialty below the expected level."""
    behind = (
        EPAExpectation.objects.filter(epa__specialty=OuterRef("specialty"), epa__is_active=True,
                                      year_of_study=OuterRef("year_of_study"))
        .annotate(current=granted_level(resident_ref=OuterRef("pk"), epa_ref="epa"))
        .filter(current__lt=F("level"))
        .order_by().values("epa__specialty").annotate(n=Count("pk")).values("n")[:1]
    )
    return residents.annotate(epas_behind=Coalesce(Subquery(behind, output_field=IntegerField()), Value(0)))
