"""Reads for the progress pages: a resident's EPAs against the expected levels, one EPA in detail, the cohort grid
and the department's pending proposals. Each runs a fixed number of queries, whatever the number of observations.

The caller has already checked the viewer's scope (assessments.scope, organization.selectors).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404

from organization.models import Department, Specialty
from residents.models import Cohort, Resident
from residents.selectors import residents_base

from .charts import Sparkline, sparkline
from .entrustment import Proposal, granted_levels, proposals_for_residents, with_based_on
from .models import EPA, EntrustmentDecision, EPAExpectation, Observation
from .standing import BASE_LEVEL

SPARK_POINTS = 10  # observations drawn in a row's sparkline
GRID_STATUSES = (Resident.Status.ACTIVE, Resident.Status.ON_LEAVE)


def active_epas(specialty: Specialty) -> QuerySet[EPA]:
    return EPA.objects.filter(specialty=specialty, is_active=True).order_by("position", "code")


def epa_of_resident(resident: Resident, epa_pk) -> EPA:
    """An EPA of the resident's specialty (retired ones too: their observations stay readable); 404 otherwise."""
    epa = EPA.objects.filter(pk=epa_pk, specialty_id=resident.specialty_id).first()
    if epa is None:
        raise Http404
    return epa


class Standing:
    """Where a resident stands on an EPA: the granted level (base level 1 when none) against the expected one."""

    granted: int | None
    expected: int | None

    @property
    def current(self) -> int:
        return self.granted or BASE_LEVEL

    @property
    def behind(self) -> bool:
        return self.expected is not None and self.current < self.expected


@dataclass
class EpaRow(Standing):
    """One EPA of a resident: where they stand against the level expected for their year of study."""

    epa: EPA
    expected: int | None
    granted: int | None
    observation_count: int
    latest_level: int | None
    spark: Sparkline
    proposal: Proposal | None = None


def _level_of(model, **filters):
    return Subquery(model.objects.filter(**filters).order_by().values("level")[:1], output_field=IntegerField())


def epa_rows(resident: Resident, *, window: int, with_proposals: bool) -> list[EpaRow]:
    """The active EPAs of the resident's specialty with the expected, granted and latest observed levels, the
    number of observations and the latest few levels for a sparkline; proposals when asked for."""
    mine = Observation.objects.filter(resident=resident, epa=OuterRef("pk"))
    epas = list(active_epas(resident.specialty).annotate(
        expected=_level_of(EPAExpectation, epa=OuterRef("pk"), year_of_study=resident.year_of_study),
        granted=_level_of(EntrustmentDecision, resident=resident, epa=OuterRef("pk")),
        latest_level=Subquery(mine.order_by("-observed_on", "-id").values("level")[:1]),
        observation_count=Coalesce(Subquery(mine.order_by().values("epa").annotate(n=Count("pk")).values("n")),
                                   0),
    ))
    recent: dict[int, list[int]] = {}
    for epa_id, level in (Observation.objects.filter(resident=resident, epa__in=[e.pk for e in epas])
                          .annotate(recency=_recency()).filter(recency__lte=SPARK_POINTS)
                          .order_by("epa_id", "observed_on", "id").values_list("epa_id", "level")):
        recent.setdefault(epa_id, []).append(level)
    proposals = proposals_for_residents([resident], window=window) if with_proposals else {}
    return [EpaRow(epa=epa, expected=epa.expected, granted=epa.granted, observation_count=epa.observation_count,
                   latest_level=epa.latest_level, spark=sparkline(recent.get(epa.pk, []), expected=epa.expected),
                   proposal=proposals.get((resident.pk, epa.pk)))
            for epa in epas]


def _recency():
    return Window(RowNumber(), partition_by=[F("epa_id")], order_by=[F("observed_on").desc(), F("id").desc()])


# One EPA of a resident -----------------------------------------------------------------------------------------


def observations_of(resident: Resident, epa: EPA) -> QuerySet[Observation]:
    return (Observation.objects.filter(resident=resident, epa=epa).select_related("mentor__user")
            .order_by("-observed_on", "-id"))


def chart_points(resident: Resident, epa: EPA) -> list[tuple]:
    return list(Observation.objects.filter(resident=resident, epa=epa).order_by("observed_on", "id")
                .values_list("observed_on", "level"))


def expectations_of(epa: EPA) -> dict[int, int]:
    return dict(EPAExpectation.objects.filter(epa=epa).values_list("year_of_study", "level"))


def decision_of(resident: Resident, epa: EPA) -> EntrustmentDecision | None:
    return EntrustmentDecision.objects.filter(resident=resident, epa=epa).select_related("decided_by").first()


# The cohort grid ------------------------------------------------------------------------------------------------


def cohorts_of(department: Department) -> list[Cohort]:
    """The department's cohorts (newest intake first per specialty) with their number of active residents."""
    return list(Cohort.objects.filter(specialty__department=department)
                .select_related("specialty", "intake_year")
                .annotate(active_count=Count("residents", filter=Q(residents__status=Resident.Status.ACTIVE)))
                .order_by("specialty__code", "-intake_year__start_year"))


def grid_residents(department: Department, *, specialty: Specialty, cohort: Cohort | None,
                   year: int | None) -> QuerySet[Resident]:
    """Residents of the grid: active or on leave, of the specialty (and cohort, year of study when given). Only
    their user is loaded with them: a row shows the name, year of study and status."""
    qs = Resident.objects.select_related("user").filter(specialty__department=department, specialty=specialty,
                                                        status__in=GRID_STATUSES)
    if cohort is not None:
        qs = qs.filter(cohort=cohort)
    if year:
        qs = qs.filter(year_of_study=year)
    return qs.order_by("user__last_name", "user__first_name", "pk")


@dataclass(frozen=True)
class GridCell(Standing):
    epa: EPA
    granted: int | None
    expected: int | None
    proposal: Proposal | None
    link: str = ""  # the page of the resident's EPA


@dataclass
class GridRow:
    resident: Resident
    cells: list[GridCell] = field(default_factory=list)
    link: str = ""  # the resident's progress page

    @property
    def behind_count(self) -> int:
        return sum(1 for c in self.cells if c.behind)


def grid_rows(residents: list[Resident], epas: list[EPA], *, window: int,
              links: tuple[Callable, Callable] | None = None) -> list[GridRow]:
    """Cells of residents x EPAs: the granted (or base) level against the level expected for each resident's year
    of study, and the pending proposals. Three reads: expectations, decisions, proposals. `links`: functions
    (resident id) -> URL of the row and (resident id, EPA id) -> URL of a cell, when they are linked."""
    if not residents or not epas:
        return [GridRow(resident=r) for r in residents]
    expected = {(e.epa_id, e.year_of_study): e.level for e in EPAExpectation.objects.filter(epa__in=epas)}
    granted = granted_levels(residents)
    proposals = proposals_for_residents(residents, window=window)
    row_link, cell_link = links or (lambda *ids: "", lambda *ids: "")
    return [GridRow(resident=r, link=row_link(r.pk), cells=[
        GridCell(epa=epa, granted=granted.get((r.pk, epa.pk)), expected=expected.get((epa.pk, r.year_of_study)),
                 proposal=proposals.get((r.pk, epa.pk)), link=cell_link(r.pk, epa.pk))
        for epa in epas]) for r in residents]


# Pending proposals ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingProposal:
    resident: Resident
    epa: EPA
    proposal: Proposal


def pending_proposals(department: Department, *, window: int) -> list[PendingProposal]:
    """Every pending proposal of the department's active residents, by resident then EPA (the observations behind
    them are loaded by `with_observations` for the page shown)."""
    proposals = proposals_for_residents(
        Resident.objects.filter(specialty__department=department, status=Resident.Status.ACTIVE), window=window)
    if not proposals:
        return []
    residents = {r.pk: r for r in residents_base().filter(pk__in={k[0] for k in proposals})}
    epas = {e.pk: e for e in EPA.objects.filter(pk__in={k[1] for k in proposals})}
    pending = [PendingProposal(resident=residents[rid], epa=epas[eid], proposal=p)
               for (rid, eid), p in proposals.items()]
    pending.sort(key=lambda p: (p.resident.user.last_name, p.resident.user.first_name, p.resident.pk,
                                p.epa.position, p.epa.code))
    return pending


def with_observations(pending: list[PendingProposal], *, window: int) -> list[PendingProposal]:
    """The same proposals with the observations behind them (one query)."""
    if not pending:
        return pending
    loaded = with_based_on({(p.resident.pk, p.epa.pk): p.proposal for p in pending}, window=window)
    return [PendingProposal(resident=p.resident, epa=p.epa, proposal=loaded[(p.resident.pk, p.epa.pk)])
            for p in pending]
