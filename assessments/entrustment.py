"""Entrustment: the level the product proposes from recent observations, and the coordinator's decision
(DESIGN.md section 2, Entrustable professional activities).

The proposal rule. For a resident and an EPA, take the latest N observations (N is the department's
`AssessmentPolicy.proposal_window`, 3 by default; latest by date of the encounter, then by id, so two
observations on the same day count in the order they were recorded). With fewer than N observations nothing
is proposed. Otherwise the proposed level is the lowest level among those N (all N are at or above it), and it
is proposed only when it is above the level currently granted. With nothing granted the resident stands at
level 1 (direct supervision, the base every resident starts from), so a proposal needs a level of 2 or more.

The decision is the coordinator's: they may confirm the proposed level, decide another one, or decide without
a proposal (a committee decision). Every change is kept by django-simple-history in `EntrustmentDecision.history`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from organization.models import Department
from organization.validators import validate_no_patient_identifiers
from residents.curricula import is_coordinator_of
from residents.models import Resident

from .models import EPA, AssessmentPolicy, EntrustmentDecision, Observation, SupervisionLevel
from .policy import assessment_policy_for
from .standing import BASE_LEVEL, granted_level


@dataclass(frozen=True)
class Proposal:
    """A level proposed for (resident, EPA): the lowest of the latest `window` observations."""

    resident_id: int
    epa_id: int
    level: int
    granted: int | None  # the level granted now; None when nothing has been granted yet
    window: int
    based_on: tuple[Observation, ...] = field(default=(), compare=False)  # the latest first

    @property
    def current(self) -> int:
        """The level the resident stands at now: the granted one, or the base level."""
        return self.granted or BASE_LEVEL


def proposed_level(levels: list[int], *, window: int, granted: int | None) -> int | None:
    """The proposal rule on the levels of the latest observations (the latest first); None: no proposal."""
    if window < 1 or len(levels) < window:
        return None
    level = min(levels[:window])
    return level if level > (granted or BASE_LEVEL) else None


def _window_of(department: Department, policy: AssessmentPolicy | None) -> int:
    return (policy or assessment_policy_for(department)).proposal_window


def proposal_for(resident: Resident, epa: EPA, *, policy: AssessmentPolicy | None = None) -> Proposal | None:
    """The proposal for one resident and EPA (see the module's docstring), or None."""
    window = _window_of(resident.specialty.department, policy)
    latest = tuple(Observation.objects.filter(resident=resident, epa=epa)
                   .select_related("mentor__user").order_by("-observed_on", "-id")[:window])
    granted = (EntrustmentDecision.objects.filter(resident=resident, epa=epa).values_list("level", flat=True)
               .first())
    level = proposed_level([o.level for o in latest], window=window, granted=granted)
    if level is None:
        return None
    return Proposal(resident_id=resident.pk, epa_id=epa.pk, level=level, granted=granted, window=window,
                    based_on=latest)


def latest_observations(residents, *, window: int) -> QuerySet[Observation]:
    """The latest `window` observations of each (resident, EPA) of `residents`, in one query.

    Ranked with ROW_NUMBER() over each pair (latest date first, then latest id); Django filters on the window
    function by wrapping the ranked query, on SQLite and PostgreSQL alike. Only the active EPAs of each
    resident's own specialty count.
    """
    ranked = (Observation.objects.filter(_of_own_specialty(residents), epa__is_active=True)
              .annotate(recency=Window(RowNumber(), partition_by=[F("resident_id"), F("epa_id")],
                                       order_by=[F("observed_on").desc(), F("id").desc()])))
    return ranked.filter(recency__lte=window)


def _loaded(residents) -> bool:
    """Whether `residents` is a list of Resident objects whose specialty is loaded."""
    return (isinstance(residents, list | tuple) and bool(residents)
            and all(isinstance(r, Resident) and "specialty_id" not in r.get_deferred_fields() for r in residents))


def _of_own_specialty(residents) -> Q:
    """Observations of `residents` on an EPA of their resident's own specialty.

    For residents loaded with their specialty, written per specialty (resident id IN theirs AND the EPA's specialty
    is it): PostgreSQL then reads their observations from the index alone, where the comparison with the
    resident's specialty made it hash every resident of the table (10,000 at scale) for a page of 50.
    """
    if not _loaded(residents):
        if isinstance(residents, list | tuple | set):
            residents = [r.pk if isinstance(r, Resident) else r for r in residents]
        return Q(resident__in=residents, epa__specialty=F("resident__specialty"))
    by_specialty: dict[int, list[int]] = {}
    for resident in residents:
        by_specialty.setdefault(resident.specialty_id, []).append(resident.pk)
    return reduce(or_, (Q(resident_id__in=ids, epa__specialty_id=specialty)
                        for specialty, ids in by_specialty.items()))


def _lowest_of_latest(latest: QuerySet[Observation], *, window: int) -> list[dict]:
    """The pairs of `latest` with `window` observations all above the base level: {resident_id, epa_id, n, lowest}.

    For a bounded list of residents (a page, one resident), counted from their levels in Python: the database can
    not aggregate over the window-filtered query, and reading the observations again by id (as for a department)
    cost more than the few hundred levels it counts.
    """
    counted: dict[tuple[int, int], list[int]] = {}
    for resident_id, epa_id, level in latest.order_by().values_list("resident_id", "epa_id", "level"):
        counted.setdefault((resident_id, epa_id), []).append(level)
    return [{"resident_id": key[0], "epa_id": key[1], "n": len(levels), "lowest": min(levels)}
            for key, levels in counted.items() if len(levels) >= window and min(levels) > BASE_LEVEL]


def proposals_for_residents(residents, *, window: int | None = None,
                            with_observations: bool = False) -> dict[tuple[int, int], Proposal]:
    """Every proposal for `residents` x the active EPAs of their specialty, keyed by (resident id, EPA id).

    `residents` is a Department (its active residents) or residents (a queryset, Resident objects or ids);
    `window` defaults to the department's policy (a Department must then be given). A fixed number of queries
    whatever the number of observations: one ranks and aggregates the latest `window` observations per pair
    (count and lowest level), one reads the granted levels of the pairs with enough observations, and with
    `with_observations` one more loads the observations behind the proposals.
    """
    if isinstance(residents, Department):
        window = window or _window_of(residents, None)
        residents = Resident.objects.filter(specialty__department=residents, status=Resident.Status.ACTIVE)
    elif window is None:
        raise TypeError("proposals_for_residents needs a window unless it is given a department")
    elif not isinstance(residents, QuerySet):
        residents = list(residents)
    latest = latest_observations(residents, window=window)
    if isinstance(residents, QuerySet):
        pairs = list(Observation.objects.filter(pk__in=latest.values("pk")).order_by()
                     .values("resident_id", "epa_id").annotate(n=Count("pk"), lowest=Min("level"))
                     .filter(n__gte=window, lowest__gt=BASE_LEVEL))
    else:
        pairs = _lowest_of_latest(latest, window=window)
    if not pairs:
        return {}
    resident_ids = {p["resident_id"] for p in pairs}
    granted = {(d["resident_id"], d["epa_id"]): d["level"] for d in EntrustmentDecision.objects.filter(
        resident_id__in=resident_ids).values("resident_id", "epa_id", "level")}
    proposals = {}
    for pair in pairs:
        key = (pair["resident_id"], pair["epa_id"])
        level = pair["lowest"]
        if level > (granted.get(key) or BASE_LEVEL):
            proposals[key] = Proposal(resident_id=key[0], epa_id=key[1], level=level, granted=granted.get(key),
                                      window=window)
    if with_observations and proposals:
        proposals = with_based_on(proposals, window=window)
    return proposals


class LowestOfLatest(Subquery):
    """The lowest level of a sliced subquery of observations' levels (the latest `window` of one pair), or NULL
    when it has fewer than `window` rows: `SELECT MIN(level) FROM (the latest N) ...`, which reads the N index
    entries of the pair and nothing else (an aggregate over a LIMIT, which Django's `aggregate()` builds only when
    it evaluates a queryset, not inside another query)."""

    template = "(SELECT CASE WHEN COUNT(*) = %(window)s THEN MIN(latest.level) END FROM (%(subquery)s) latest)"
    output_field = IntegerField()

    def __init__(self, levels: QuerySet, *, window: int):
        super().__init__(levels[:window])
        self.window = int(window)

    def as_sql(self, compiler, connection, template=None, **extra_context):
        return super().as_sql(compiler, connection, template=template, window=self.window, **extra_context)


def proposal_count(department: Department, *, window: int | None = None) -> int:
    """How many proposals `proposals_for_residents(department)` gives, counted in the database (one query).

    One row per pair of an active resident of the department and an active EPA of their specialty; for each, the
    lowest level of its latest `window` observations (read from the end of the index on (resident, EPA, date, id),
    without ranking the others) against the granted level or the base level. The work grows with the number of
    pairs, not with the number of observations behind them.
    """
    window = window or _window_of(department, None)
    if window < 1:
        return 0
    latest = (Observation.objects.filter(resident=OuterRef("pk"), epa=OuterRef("pair_epa"))
              .order_by("-observed_on", "-id").values("level"))
    return (Resident.objects.filter(specialty__department=department, status=Resident.Status.ACTIVE,
                                    specialty__epas__is_active=True)
            .annotate(pair_epa=F("specialty__epas"))
            .annotate(lowest=LowestOfLatest(latest, window=window),
                      current=granted_level(resident_ref="pk", epa_ref="pair_epa"))
            .filter(lowest__gt=F("current")).order_by().count())


def with_based_on(proposals: dict[tuple[int, int], Proposal], *, window: int) -> dict[tuple[int, int], Proposal]:
    """The same proposals with the observations they are based on (one query)."""
    behind: dict[tuple[int, int], list[Observation]] = {key: [] for key in proposals}
    residents = {key[0] for key in proposals}
    for observation in (latest_observations(residents, window=window)
                        .select_related("mentor__user").order_by("resident_id", "epa_id", "-observed_on", "-id")):
        key = (observation.resident_id, observation.epa_id)
        if key in behind:
            behind[key].append(observation)
    return {key: Proposal(resident_id=p.resident_id, epa_id=p.epa_id, level=p.level, granted=p.granted,
                          window=p.window, based_on=tuple(behind[key]))
            for key, p in proposals.items()}


# The decision ----------------------------------------------------------------------------------------------------


@transaction.atomic
def entrustment_decide(*, resident: Resident, epa: EPA, level: int, rationale: str, by: User,
                       now=None) -> EntrustmentDecision:
    """Grant `resident` supervision level `level` for `epa`, or change the level granted.

    Rules: `by` coordinates the resident's department; the EPA belongs to the resident's specialty; the level is
    one of the five; a rationale is always given, and lowering a granted level needs a reason (its own message);
    deciding the level already granted is refused as no change. A proposal is not required: the coordinator may
    decide for a committee. The resident row, then the decision row, are locked for the transaction, so two
    coordinators deciding at once are applied one after the other and neither change is lost. Every change is
    written to the decision's history with `by` as the history user (also outside a request).
    """
    resident = (Resident.objects.select_for_update(of=("self",)).select_related("specialty")
                .get(pk=resident.pk))
    if not is_coordinator_of(by, resident):
        raise ValidationError(_("Only a coordinator of the resident's department can decide entrustment."))
    if epa.specialty_id != resident.specialty_id:
        raise ValidationError({"epa": _("%(epa)s is not an EPA of %(specialty)s.") % {
            "epa": epa, "specialty": resident.specialty.name}})
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in SupervisionLevel.values:
        raise ValidationError({"level": _("Choose a supervision level from 1 to 5.")})
    rationale = (rationale or "").strip()
    decision = EntrustmentDecision.objects.select_for_update().filter(resident=resident, epa=epa).first()
    if decision is not None and level == decision.level:
        raise ValidationError({"level": _("Level %(level)d is already granted for %(epa)s: nothing to change.") % {
            "level": level, "epa": epa.code}})
    if not rationale:
        if decision is not None and level < decision.level:
            raise ValidationError({"rationale": _("Lowering a granted level requires a reason.")})
        raise ValidationError({"rationale": _("Give the rationale for this decision.")})
    validate_no_patient_identifiers(rationale, field="rationale")
    if decision is None:
        decision = EntrustmentDecision(resident=resident, epa=epa)
    decision.level = level
    decision.rationale = rationale
    decision.decided_by = by
    decision.decided_at = now or timezone.now()
    decision._history_user = by  # read by django-simple-history instead of the request's user
    decision.save()
    return decision


def decision_history(decision: EntrustmentDecision | None) -> list:
    """The decision's history, the latest change first, each record with `previous_level` (None for the first)."""
    if decision is None:
        return []
    records = list(decision.history.select_related("history_user").order_by("history_date", "history_id"))
    previous = None
    for record in records:
        record.previous_level = previous
        previous = record.level
    records.reverse()
    return records


def granted_levels(residents: Iterable) -> dict[tuple[int, int], int]:
    """{(resident id, EPA id): granted level} for the residents (one query)."""
    ids = [r.pk if isinstance(r, Resident) else r for r in residents]
    return {(d["resident_id"], d["epa_id"]): d["level"]
            for d in EntrustmentDecision.objects.filter(resident_id__in=ids).values("resident_id", "epa_id", "level")}
