"""Reads for mentoring pages, each scoped to the user who asks."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from organization.models import Department, MentoringPolicy
from organization.selectors import departments_for_user, specialty_ids
from organization.services import policy_for
from residents.models import Curriculum, Resident
from residents.selectors import residents_base

from .eligibility import Eligibility, Load, load_status, mentor_eligibility
from .eligibility_db import (
    certificate_alert,
    eligibility_conditions,
    load_conditions,
    primary_training_missing,
    training_alert,
)
from .models import Assignment, Mentor, MentorTraining


def _active_count_subquery():
    return Coalesce(
        Subquery(
            Assignment.objects.filter(mentor=OuterRef("pk"), ended_on__isnull=True, kind="clinical")
            .values("mentor").annotate(c=Count("pk")).values("c")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def mentored_by(user) -> Q:
    """Assignments in which `user` is the mentor side: a `Mentor` or a senior resident (near-peer `peer`)."""
    return Q(mentor__user=user) | Q(peer__user=user)


def involving(user) -> Q:
    """Assignments in which `user` takes part on either side (mentee, mentor or near-peer mentor)."""
    return Q(resident__user=user) | mentored_by(user)


def mentors_annotated() -> QuerySet[Mentor]:
    """Mentors with what eligibility and load need, as annotations (no per-row queries)."""
    trainings = MentorTraining.objects.filter(mentor=OuterRef("pk"))
    return (
        Mentor.objects.select_related("user", "specialty__department", "clinical_site")
        .annotate(
            active_count=_active_count_subquery(),
            primary_training_on=Subquery(
                trainings.filter(kind=MentorTraining.Kind.PRIMARY).order_by("completed_on").values("completed_on")[:1]
            ),
            last_training_on=Subquery(trainings.order_by("-completed_on").values("completed_on")[:1]),
        )
    )


def mentors_of_department(department: Department) -> QuerySet[Mentor]:
    return mentors_annotated().filter(specialty__department=department)


def mentor_for_coordinator(user, pk) -> Mentor:
    mentor = mentors_annotated().filter(pk=pk, specialty__department__in=departments_for_user(user)).first()
    if mentor is None:
        raise Http404
    return mentor


def mentor_profile_of(user) -> Mentor:
    mentor = mentors_annotated().filter(user=user).first() if user.is_authenticated else None
    if mentor is None:
        raise Http404
    return mentor


def filter_mentors(qs, *, q="", site="", category="", active=""):
    if q:
        for word in q.split():
            qs = qs.filter(Q(user__last_name__icontains=word) | Q(user__first_name__icontains=word)
                           | Q(user__email__icontains=word) | Q(certificate_number__icontains=word))
    if site:
        qs = qs.filter(clinical_site_id=site)
    if category:
        qs = qs.filter(qualification_category=category)
    if active == "1":
        qs = qs.filter(is_active=True)
    elif active == "0":
        qs = qs.filter(is_active=False)
    return qs


@dataclass
class MentorRow:
    mentor: Mentor
    eligibility: Eligibility
    load: str


def mentor_rows(mentors, policy, today=None) -> list[MentorRow]:
    """Attach eligibility and load to already-annotated mentors (pure Python, no queries)."""
    today = today or timezone.localdate()
    return [
        MentorRow(m, mentor_eligibility(m, policy=policy, today=today), load_status(m.active_count, policy))
        for m in mentors
    ]


def active_assignment_prefetch():
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(ended_on__isnull=True, kind="clinical").select_related("mentor__user"),
        to_attr="active_assignments",
    )


def residents_with_mentor(department: Department) -> QuerySet[Resident]:
    return residents_base().filter(specialty__department=department).prefetch_related(active_assignment_prefetch())


def has_clinical_mentor() -> Exists:
    """On a Resident queryset: whether the resident has an active clinical mentor."""
    return Exists(Assignment.objects.filter(resident=OuterRef("pk"), ended_on__isnull=True, kind="clinical"))


def without_mentor(qs: QuerySet[Resident]) -> QuerySet[Resident]:
    return qs.annotate(has_mentor=has_clinical_mentor()).filter(has_mentor=False)


def resident_history(resident: Resident) -> QuerySet[Assignment]:
    return (resident.assignments.filter(kind="clinical").select_related("mentor__user", "created_by", "ended_by")
            .order_by("-started_on", "-id"))


def mentor_assignments(mentor: Mentor, active_only=False) -> QuerySet[Assignment]:
    qs = mentor.assignments.filter(kind="clinical").select_related(
        "resident__user", "resident__cohort__intake_year", "resident__cohort__specialty", "resident__clinical_site",
        "ended_by")
    if active_only:
        qs = qs.filter(ended_on__isnull=True, kind="clinical")
    return qs.order_by(F("ended_on").desc(nulls_first=True), "resident__user__last_name")


# The Mentor fields mentoring.eligibility.mentor_eligibility reads (besides the trainings, annotated).
ELIGIBILITY_FIELDS = ("is_active", "qualification_category", "practice_started_on", "certificate_number",
                      "certificate_expires_on")


@dataclass
class Dashboard:
    department: Department
    policy: object
    rows: list[MentorRow]  # the first `alert_limit` active mentors by name (the mentor list has them all)
    active_mentors: int
    load_counts: dict
    expiring_certificates: list[MentorRow]
    training_alerts: list[MentorRow]
    certificate_alerts_count: int
    training_alerts_count: int
    ineligible_count: int
    residents_without_mentor: list
    residents_without_mentor_count: int
    active_residents: int
    curricula_awaiting: int

    @property
    def certificate_alerts_more(self) -> int:
        """Certificate alerts beyond those listed."""
        return self.certificate_alerts_count - len(self.expiring_certificates)

    @property
    def training_alerts_more(self) -> int:
        """Training alerts beyond those listed."""
        return self.training_alerts_count - len(self.training_alerts)


def mentor_counts(department: Department, policy: MentoringPolicy, today: date) -> dict[str, int]:
    """The department's active mentors counted in one aggregate with the eligibility rule's database conditions
    (mentoring.eligibility_db): active, ineligible, certificates and trainings (alerts), load_<load> for each
    Load. The dashboard and the nightly figures (reports.dashboard) both count with it."""
    flags = {"eligible": eligibility_conditions(policy, today)["eligible"],
             "certificate_alert": certificate_alert(policy, today), "training_alert": training_alert(policy, today)}
    # Only the count of residents is annotated (the conditions read the trainings themselves), and `distinct()` (the
    # rows are distinct anyway) makes Django count over a subquery that PostgreSQL keeps: merged into the outer
    # query, the count's subquery would run once per load condition that reads it (six times per mentor).
    return Mentor.objects.filter(specialty__department=department, is_active=True).annotate(
        active_count=_active_count_subquery(),
        **{name: ExpressionWrapper(condition, output_field=BooleanField()) for name, condition in flags.items()}
    ).order_by().distinct().aggregate(
        active=Count("pk"), ineligible=Count("pk", filter=Q(eligible=False)),
        certificates=Count("pk", filter=Q(certificate_alert=True)),
        trainings=Count("pk", filter=Q(training_alert=True)),
        **{f"load_{load}": Count("pk", filter=condition) for load, condition in load_conditions(policy).items()})


# Rows of each of the dashboard's lists (mentor load, certificate and training alerts, residents without a mentor).
# An overview, not the register: the first 20 of each, the most urgent first for the alerts, with the count of the
# rest ("and N more") or a link to the whole list ("See all"); the mentor and resident lists have them all, with
# filters. (It was 50: at 10,000 residents the three mentor lists were most of what the page built and rendered
# per row, and 50 rows are no longer an overview.)
DASHBOARD_LIST_LIMIT = 20


def department_dashboard(department: Department, today: date | None = None,
                         alert_limit: int = DASHBOARD_LIST_LIMIT) -> Dashboard:
    """Everything on the coordinator's dashboard, in a fixed number of queries whatever the department's size.

    The mentors are counted in the database (one aggregate: active, not eligible, by load) with the eligibility
    rule's database conditions (mentoring.eligibility_db); only the rows shown are loaded, at most `alert_limit`
    of each list, and judged in Python by mentoring.eligibility for their badges and dates. (The residents below the
    night-duty requirement are listed by the page from the reports' refreshed figures: report_tags.
    dashboard_duty_alerts.)"""
    today = today or timezone.localdate()
    policy = policy_for(department)
    # The lists show a mentor's name and clinical site (the policy is given to the eligibility rule, so the specialty
    # and department, which mentors_annotated joins for other pages, are not loaded for their up to 150 rows).
    # Only the fields the rows show and the eligibility rule reads (the users' and sites' other columns were most of
    # what the three lists read and built per row).
    active = (mentors_of_department(department).filter(is_active=True)
              .select_related(None).select_related("user", "clinical_site")
              .only(*ELIGIBILITY_FIELDS, "user__last_name", "user__first_name", "user__middle_name",
                    "clinical_site__name"))
    certificates, trainings = certificate_alert(policy, today), training_alert(policy, today)
    counts = mentor_counts(department, policy, today)
    by_name = ("user__last_name", "user__first_name", "pk")
    expiring = active.filter(certificates).order_by("certificate_expires_on", *by_name)[:alert_limit]
    # By due date (add_years of the last training, so by the last training), a missing primary training first.
    due = active.filter(trainings).annotate(missing=ExpressionWrapper(primary_training_missing(),
                                                                      output_field=BooleanField()))
    due = due.order_by(F("missing").desc(), F("last_training_on").asc(nulls_first=True), *by_name)[:alert_limit]
    # The residents and curricula below are read by the department's specialties as ids (organization.selectors.
    # specialty_ids), through the index on specialty and status.
    specialties = specialty_ids(department)
    active_residents = Resident.objects.filter(specialty_id__in=specialties, status=Resident.Status.ACTIVE)
    # The condition of `without_mentor` as a filter only (its annotation, selected too, made PostgreSQL read the
    # active assignments twice). Listed with their names only (the list shows them and links by id): joined with
    # every profile relation, PostgreSQL joined the department's every active resident to them before it kept those
    # without a mentor. The window counts them all before the limit, in the same query.
    listed = list(active_residents.filter(~has_clinical_mentor()).select_related("user")
                  .only("user__last_name", "user__first_name", "user__middle_name")
                  .annotate(total=Window(Count("pk")))
                  .order_by("user__last_name", "user__first_name", "pk")[:alert_limit])
    curricula_awaiting = Curriculum.objects.filter(resident__specialty_id__in=specialties,
                                                   status=Curriculum.Status.SUBMITTED).count()
    return Dashboard(
        department=department, policy=policy,
        rows=mentor_rows(active.order_by(*by_name)[:alert_limit], policy, today),
        active_mentors=counts["active"],
        load_counts={load: counts[f"load_{load}"] for load in (Load.UNDER, Load.OK, Load.FULL, Load.OVER)},
        expiring_certificates=mentor_rows(expiring, policy, today),
        training_alerts=mentor_rows(due, policy, today),
        certificate_alerts_count=counts["certificates"], training_alerts_count=counts["trainings"],
        ineligible_count=counts["ineligible"],
        residents_without_mentor=listed,
        residents_without_mentor_count=listed[0].total if listed else 0,
        # Counted on the index of the residents by specialty and status, without reading the rows.
        active_residents=active_residents.count(),
        curricula_awaiting=curricula_awaiting,
    )


def assignable_mentors(department: Department, today=None) -> list[MentorRow]:
    """Mentors offered in the assignment form, best candidates first: eligible with room, by load."""
    policy = policy_for(department)
    rows = mentor_rows(mentors_of_department(department).filter(is_active=True), policy, today)
    rows.sort(key=lambda r: (not r.eligibility.eligible, r.mentor.active_count >= policy.max_residents_per_mentor,
                             r.mentor.active_count, r.mentor.user.last_name))
    return rows


