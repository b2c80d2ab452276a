"""Track suggestions and decisions (DESIGN.md section 2: standard, support and research tracks).

A resident is suggested for the support track when their latest overall exam score is below the department's
threshold or when too many EPAs are behind the expected level; for the research track when the latest overall
score reaches the research threshold and no EPA is behind. A resident on the support or research track whose
figures no longer justify it is suggested back to the standard track. The coordinator decides, and every
decision is recorded (keeping the current track is a decision too). A suggestion already decided is not shown
again until a newer exam result arrives.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import Exact, GreaterThanOrEqual, IsNull
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from organization.models import Department
from organization.validators import validate_no_patient_identifiers
from residents.curricula import is_coordinator_of
from residents.models import Resident
from residents.selectors import residents_base

from .exams import STAGE_RANK
from .models import AssessmentPolicy, ExamResult, TrackDecision
from .policy import assessment_policy_for
from .standing import with_epas_behind

Track = Resident.Track
ORDER = {Track.SUPPORT: 0, Track.RESEARCH: 1, Track.STANDARD: 2}


@dataclass(frozen=True)
class TrackSuggestion:
    resident: Resident
    current_track: str
    suggested_track: str
    basis: str
    overall: Decimal | None
    epas_behind: int

    @property
    def suggested_label(self) -> str:
        return Track(self.suggested_track).label

    @property
    def current_label(self) -> str:
        return Track(self.current_track).label


def _stage_rank():
    return Case(*[When(stage=stage, then=Value(rank)) for stage, rank in STAGE_RANK.items()],
                default=Value(0), output_field=IntegerField())


def latest_results():
    """The resident's results, latest first: by academic year, then by stage (the final one last)."""
    return (ExamResult.objects.filter(resident=OuterRef("pk")).annotate(stage_rank=_stage_rank())
            .order_by("-academic_year__start_year", "-stage_rank", "-pk"))


def with_track_figures(residents: QuerySet[Resident]) -> QuerySet[Resident]:
    """`residents` annotated with what a suggestion needs, in one query: `latest_overall`, `latest_stage`,
    `epas_behind`, `results_changed_at` and, per track, `decided_<track>_at` (the latest decision that had
    that track as its suggestion)."""
    decisions = {
        f"decided_{track}_at": Subquery(
            TrackDecision.objects.filter(resident=OuterRef("pk"), suggested_track=track)
            .order_by("-decided_at").values("decided_at")[:1])
        for track in Track.values
    }
    return with_epas_behind(residents).annotate(
        latest_overall=Subquery(latest_results().values("overall_score")[:1],
                                output_field=DecimalField(max_digits=5, decimal_places=2)),
        latest_stage=Subquery(latest_results().values("stage")[:1]),
        results_changed_at=Subquery(ExamResult.objects.filter(resident=OuterRef("pk"))
                                    .order_by("-updated_at").values("updated_at")[:1]),
        **decisions,
    )


def _number(value: Decimal) -> str:
    return formats.number_format(value, 2)


def _behind_words(n: int) -> str:
    if n == 0:
        return _("no EPA below the expected level")
    return ngettext("%(n)d EPA below the expected level", "%(n)d EPAs below the expected level", n) % {"n": n}


def _suggest(resident: Resident, policy: AssessmentPolicy) -> tuple[str, str]:
    """(track the figures point to, basis in plain words) for an annotated resident."""
    overall, behind = resident.latest_overall, resident.epas_behind
    low_score = overall is not None and overall < policy.support_score_below
    many_behind = behind >= policy.support_epas_behind
    if low_score or many_behind:
        parts = []
        if low_score:
            parts.append(_("Overall score %(score)s, below %(threshold)s") % {
                "score": _number(overall), "threshold": _number(policy.support_score_below)})
        if many_behind:
            parts.append(_behind_words(behind))
        return Track.SUPPORT, "; ".join(parts)
    if overall is not None and overall >= policy.research_score_from and behind == 0:
        return Track.RESEARCH, "; ".join([
            _("Overall score %(score)s, at or above %(threshold)s") % {
                "score": _number(overall), "threshold": _number(policy.research_score_from)},
            _behind_words(0)])
    # Standard: say why the current support or research track is no longer justified.
    if overall is None:
        parts = [_("No exam result yet")]
    elif resident.track == Track.RESEARCH and overall < policy.research_score_from:
        parts = [_("Overall score %(score)s, below %(threshold)s") % {
            "score": _number(overall), "threshold": _number(policy.research_score_from)}]
    else:
        parts = [_("Overall score %(score)s, not below %(threshold)s") % {
            "score": _number(overall), "threshold": _number(policy.support_score_below)}]
    if resident.track == Track.SUPPORT and behind:
        parts.append(_("%(behind)s (support from %(threshold)d)") % {
            "behind": _behind_words(behind), "threshold": policy.support_epas_behind})
    else:
        parts.append(_behind_words(behind))
    return Track.STANDARD, "; ".join(parts)


def _is_decided(resident: Resident, track: str) -> bool:
    """A decision on this suggestion was taken after the resident's latest exam result."""
    decided_at = getattr(resident, f"decided_{track}_at")
    return decided_at is not None and (resident.results_changed_at is None or decided_at > resident.results_changed_at)


def _suggestion(resident: Resident, policy: AssessmentPolicy) -> TrackSuggestion | None:
    track, basis = _suggest(resident, policy)
    if track == resident.track:
        return None
    return TrackSuggestion(resident=resident, current_track=resident.track, suggested_track=track,
                           basis=basis, overall=resident.latest_overall,
                           epas_behind=resident.epas_behind)


def track_suggestions(department: Department) -> list[TrackSuggestion]:
    """Suggestions for the department's active residents whose figures point to another track, support first.

    A suggestion the coordinator has already decided (after the resident's latest exam result) is left out.
    Computed in a fixed number of queries.
    """
    policy = assessment_policy_for(department)
    residents = with_track_figures(residents_base().filter(specialty__department=department,
                                                           status=Resident.Status.ACTIVE))
    suggestions = [s for r in residents if (s := _suggestion(r, policy)) and not _is_decided(r, s.suggested_track)]
    suggestions.sort(key=lambda s: (ORDER[s.suggested_track], s.resident.user.last_name,
                                    s.resident.user.first_name, s.resident.pk))
    return suggestions


def suggested_track(policy: AssessmentPolicy) -> Case:
    """`_suggest`'s track as a database expression over `with_track_figures` (its basis is not needed to count).

    Support when the latest overall score is below the support threshold or enough EPAs are behind; research when
    the score reaches the research threshold with no EPA behind; standard otherwise. A missing score is neither
    below nor above a threshold (NULL compares as unknown, so its branch is not taken).
    """
    low_score = Q(latest_overall__lt=policy.support_score_below)
    many_behind = Q(epas_behind__gte=policy.support_epas_behind)
    return Case(When(low_score | many_behind, then=Value(Track.SUPPORT)),
                When(latest_overall__gte=policy.research_score_from, epas_behind=0, then=Value(Track.RESEARCH)),
                default=Value(Track.STANDARD), output_field=CharField())


def track_suggestion_count(department: Department) -> int:
    """How many suggestions `track_suggestions(department)` lists, counted in the database (one query, no resident
    loaded): active residents whose suggested track is not their track, less those decided (`_is_decided`: a
    decision on that suggestion after the latest exam result, so it is pending when there is none or when the
    latest result is not older than it).

    The figures (`with_track_figures`) are computed once per resident in a subquery and the count's condition reads
    them. `distinct()` (the rows are distinct anyway) makes Django count over that subquery and keeps PostgreSQL from
    merging it into the outer query, which would copy each figure's subquery into every place the condition reads
    it (the EPAs behind up to eight times per resident)."""
    policy = assessment_policy_for(department)
    suggested = suggested_track(policy)
    decided_at = Case(*[When(Exact(suggested, Value(track)), then=F(f"decided_{track}_at")) for track in Track.values])
    pending = ~Q(Exact(F("track"), suggested)) & (
        Q(IsNull(decided_at, True)) | Q(GreaterThanOrEqual(F("results_changed_at"), decided_at)))
    residents = with_track_figures(Resident.objects.filter(specialty__department=department,
                                                           status=Resident.Status.ACTIVE))
    return residents.distinct().aggregate(n=Count("pk", filter=pending))["n"]


def suggestion_for(resident: Resident) -> TrackSuggestion | None:
    """The current suggestion for one resident (decided or not), or None when the figures fit the track."""
    figures = with_track_figures(residents_base().filter(pk=resident.pk)).first()
    if figures is None or figures.status != Resident.Status.ACTIVE:
        return None
    return _suggestion(figures, assessment_policy_for(figures.specialty.department))


@transaction.atomic
def track_decide(*, resident: Resident, track: str, reason: str, suggested_track: str = "", basis: str = "",
                 by: User) -> TrackDecision:
    """Decide the resident's track and record the decision.

    Rules: only a coordinator of the resident's department; a reason is required and carries no patient
    identifiers; keeping the current track is a valid decision (recorded, track unchanged). The decision keeps
    what suggested it (the suggested track and its basis).
    """
    if not is_coordinator_of(by, resident):
        raise ValidationError(_("Only a coordinator of the resident's department can decide the track."))
    errors = {}
    if track not in Track.values:
        errors["track"] = _("Choose standard, support or research.")
    if suggested_track not in ("", *Track.values):
        errors["suggested_track"] = _("Unknown suggested track “%(track)s”.") % {"track": suggested_track}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the decision.")
    if errors:
        raise ValidationError(errors)
    validate_no_patient_identifiers(reason, field="reason")
    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    decision = TrackDecision.objects.create(
        resident=locked, from_track=locked.track, to_track=track, suggested_track=suggested_track,
        basis=(basis or "")[:300], reason=reason, decided_by=by)
    if locked.track != track:
        locked.track = track
        locked.save(update_fields=["track", "updated_at"])
    resident.track = track
    return decision
