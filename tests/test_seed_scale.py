"""seed_scale (reports/scale.py) at a tiny factor: counts proportional to the factor, the constraints and the
domain rules hold, the product's pages and a report run work on the data, the same seed gives the same data,
and the writes are bulk (the number of queries does not grow with the rows)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from assessments.exams import overall_score
from assessments.models import EPA, EntrustmentDecision, ExamResult, MentorEvaluation, Observation
from mentoring.models import Assignment, Meeting, MeetingParticipant, Mentor, MentorTraining
from organization.models import Coordinator, Department
from reports.models import ReportRun
from reports.scale import DEFAULTS, scaled, seed_scale
from reports.services import report_request
from residents.models import ActivityEntry, Curriculum, CurriculumItem, NightDuty, Resident
from surveys.models import Answer, Campaign, Participation, Response
from surveys.release import MIN_ABOUT_MENTOR

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
FACTOR = 0.01  # 100 residents, 25 mentors, 10,000 observations, 3,000 activities, 1,000 responses


def seed(factor=FACTOR, seed=7, **kwargs):
    return seed_scale(factor=factor, seed=seed, today=TODAY, **kwargs)


HEADLINE = {"residents": Resident, "mentors": Mentor, "observations": Observation, "activities": ActivityEntry,
            "responses": Response}


@pytest.mark.parametrize("factor", [FACTOR, 2 * FACTOR])
def test_the_headline_counts_are_the_defaults_times_the_factor(factor):
    written = seed(factor)
    for key, model in HEADLINE.items():
        assert model.objects.count() == scaled(DEFAULTS[key], factor), key
        assert written[model._meta.label] == model.objects.count()
    assert scaled(DEFAULTS["observations"], factor) == round(1_000_000 * factor)
    # Every answer belongs to a response, and every response has answers (several items each).
    assert Answer.objects.count() > 5 * Response.objects.count()
    assert not Response.objects.filter(answers__isnull=True).exists()


def test_the_derived_tables_grow_with_the_factor():
    small = seed(FACTOR)
    with transaction.atomic():
        for model in (Answer, Response, Participation, MeetingParticipant, Meeting, NightDuty, ActivityEntry,
                      Observation, ExamResult, MentorEvaluation, CurriculumItem, Curriculum, MentorTraining,
                      Assignment):
            model.objects.all().delete()
    big = seed(4 * FACTOR, force=True)
    for label in ("residents.Curriculum", "residents.NightDuty", "assessments.ExamResult", "mentoring.Meeting",
                  "surveys.Participation", "assessments.MentorEvaluation"):
        assert 2.5 * small[label] < big[label] < 6 * small[label], label


def test_the_database_constraints_and_the_domain_rules_hold():
    seed()
    connection.check_constraints()  # foreign keys (SQLite defers them to the commit a test never reaches)
    # One active clinical assignment per resident, only for active residents, with an active mentor of the same
    # specialty, and no mentor over the department's maximum.
    active = Assignment.objects.filter(ended_on__isnull=True)
    assert not active.exclude(resident__status="active").exists()
    assert not active.exclude(mentor__specialty=F("resident__specialty")).exists()
    assert not active.filter(mentor__is_active=False).exists()
    loads = Mentor.objects.annotate(n=Count("assignments", filter=Q(assignments__ended_on__isnull=True)))
    assert not loads.filter(n__gt=F("specialty__department__policy__max_residents_per_mentor")).exists()
    assert loads.filter(n__gte=3).count() > loads.count() / 2  # mostly 3-4 residents per mentor
    assert Resident.objects.values("pk").annotate(n=Count("assignments", filter=Q(
        assignments__ended_on__isnull=True))).filter(n__gt=1).count() == 0
    # Nothing after today; observations by the resident's mentor; late ones recorded over 14 days late.
    assert not Observation.objects.filter(observed_on__gt=TODAY).exists()
    assert not Observation.objects.exclude(resident__assignments__mentor=F("mentor")).exists()
    for late in Observation.objects.filter(is_late=True)[:20]:
        assert (late.created_at.date() - late.observed_on).days > 14
    assert not ActivityEntry.objects.filter(date__gt=TODAY).exists()
    # Curricula: one per resident and year (a unique constraint), hours that add up (a check constraint).
    assert CurriculumItem.objects.filter(total_hours=F("classroom_hours") + F("clinical_hours")
                                         + F("independent_hours")).count() == CurriculumItem.objects.count()
    # Granted levels: the decision holds the latest level of its history, which never goes down.
    history = EntrustmentDecision.history.model.objects
    assert history.count() >= EntrustmentDecision.objects.count() > 0
    for decision in EntrustmentDecision.objects.order_by("?")[:20]:
        levels = list(history.filter(id=decision.pk).order_by("history_date").values_list("level", "history_type"))
        assert levels[0][1] == "+" and levels[-1][0] == decision.level
        assert [lv for lv, _t in levels] == sorted(lv for lv, _t in levels)
    # Exam results: the overall score as the exam service computes it.
    for result in ExamResult.objects.all()[:50]:
        assert result.overall_score == overall_score(result.test_score, result.osce_score, result.test_weight_pct)
    # Surveys (DESIGN.md section 3): closed campaigns with as many responses as completed participations, a
    # mentor named only where at least MIN_ABOUT_MENTOR responses of the campaign are about them.
    campaigns = Campaign.objects.annotate(
        done=Count("participations", filter=Q(participations__completed=True), distinct=True),
        answered=Count("responses", distinct=True))
    assert campaigns.exists() and not campaigns.exclude(status="closed").exists()
    assert all(c.done == c.answered for c in campaigns)
    per_mentor = Response.objects.filter(subject__isnull=False).values("campaign", "subject").annotate(n=Count("pk"))
    assert per_mentor.exists() and not per_mentor.filter(n__lt=MIN_ABOUT_MENTOR).exists()
    assert not Response.objects.filter(campaign__about_mentor=False, subject__isnull=False).exists()
    # Field-level rules (choices, validators, decimal places) on a sample of every big table.
    for model in (User, Resident, Mentor, Assignment, EntrustmentDecision, Observation, ActivityEntry, NightDuty,
                  Curriculum, CurriculumItem, ExamResult, MentorEvaluation, Meeting, MeetingParticipant, Participation,
                  Response, Answer):
        for obj in model.objects.order_by("?")[:15]:
            obj.full_clean(validate_unique=False)


@pytest.mark.postgres
def test_on_postgresql_copy_writes_the_set_and_the_sequences_continue_after_it(require_postgres):
    seed()
    connection.check_constraints()
    assert Observation.objects.count() == scaled(DEFAULTS["observations"], FACTOR)
    top = Resident.objects.order_by("-pk").values_list("pk", flat=True).first()
    user = User.objects.create_user("after.scale@example.com", first_name="A", last_name="B")
    assert user.pk > User.objects.exclude(pk=user.pk).order_by("-pk").values_list("pk", flat=True).first()
    assert top == Resident.objects.order_by("-pk").values_list("pk", flat=True).first()


def test_the_pages_of_every_role_and_a_report_run_work_on_the_data(client, django_capture_on_commit_callbacks):
    seed()
    department = Department.objects.order_by("pk").first()
    coordinator = Coordinator.objects.filter(department=department).select_related("user").first().user
    mentor = (Mentor.objects.filter(specialty__department=department)
              .annotate(n=Count("assignments", filter=Q(assignments__ended_on__isnull=True)))
              .filter(n__gte=3).select_related("user").first())
    resident = Resident.objects.filter(assignments__mentor=mentor, assignments__ended_on__isnull=True).first()
    pages = {
        coordinator: [reverse("mentoring:dashboard", args=[department.pk]),
                      reverse("mentoring:mentor_list", args=[department.pk]),
                      reverse("mentoring:resident_list", args=[department.pk]),
                      reverse("assessments:exam_results", args=[department.pk]),
                      reverse("assessments:cohort_grid", args=[department.pk]),
                      reverse("surveys:campaign_list", args=[department.pk]),
                      reverse("mentoring:resident_detail", args=[resident.pk])],
        mentor.user: [reverse("mentoring:mentor_home"), reverse("residents:confirmation_queue"),
                      reverse("assessments:observe"), reverse("assessments:mentor_observations")],
        resident.user: [reverse("mentoring:resident_home"), reverse("residents:activity_log"),
                        reverse("assessments:my_progress"), reverse("assessments:my_observations")],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, url
    year = resident.cohort.intake_year
    with django_capture_on_commit_callbacks(execute=True):
        runs = [report_request(by=coordinator, kind="cohort", department=department, cohort=resident.cohort),
                report_request(by=coordinator, kind="mentor", department=department, mentor=mentor,
                               academic_year=year),
                report_request(by=coordinator, kind="annual", department=department, academic_year=year)]
    for run in runs:
        run.refresh_from_db()
        assert run.status == ReportRun.Status.DONE, run.error
        assert run.result["kind"] == run.kind


class Rollback(Exception):
    pass


def rows(model, *fields, ordered=True) -> list:
    query = model.objects.values_list(*fields)
    return list(query.order_by("pk")) if ordered else sorted(query)


def fingerprint_of(**kwargs) -> list:
    """Seed inside a savepoint, read the data back, roll it back."""
    try:
        with transaction.atomic():
            seed(**kwargs)
            out = [
                rows(User, "pk", "email", "first_name", "last_name", "password"),
                rows(Resident, "pk", "specialty__code", "cohort__intake_year__start_year", "year_of_study", "status",
                     "track", "clinical_site__name"),
                rows(Assignment, "resident", "mentor", "started_on", "ended_on"),
                rows(Observation, "resident", "epa__code", "mentor", "observed_on", "level", "is_late", "created_at"),
                rows(ActivityEntry, "resident", "date", "kind", "hours", "status"),
                rows(NightDuty, "resident", "starts_at", "status"),
                rows(ExamResult, "resident", "stage", "overall_score"),
                rows(EntrustmentDecision.history.model, "id", "level", "history_date", "history_type"),
                rows(Participation, "campaign__title", "user", "completed"),
                rows(Response, "id", "campaign__title", "subject", ordered=False),
                rows(Answer, "id", "response", "item__code", "option__value", "number", "text", ordered=False),
            ]
            raise Rollback
    except Rollback:
        return out


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = fingerprint_of(seed=11)
    assert not User.objects.exists()  # rolled back
    assert fingerprint_of(seed=11) == first
    other = fingerprint_of(seed=12)
    assert other[3] != first[3] and other[8] != first[8]


def test_the_writes_are_bulk_the_number_of_queries_does_not_grow_with_the_rows():
    counts = []
    for factor in (FACTOR / 2, FACTOR):  # every table under one chunk (reports.scale.CHUNK rows)
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
                seed(factor)
                raise Rollback
        except Rollback:
            counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] < 2500  # nearly all install the shipped questionnaires (a fixed number per department)


def test_a_database_with_data_is_refused_unless_forced():
    User.objects.create_user("someone@example.com", first_name="S", last_name="O")
    with pytest.raises(CommandError, match="already has"):
        call_command("seed_scale", "--factor", "0.001", stdout=StringIO())
    assert not Department.objects.exists()
    out = StringIO()
    call_command("seed_scale", "--factor", "0.001", "--force", "--seed", "3", stdout=out)
    assert Resident.objects.count() == scaled(DEFAULTS["residents"], 0.001)
    assert "assessments.Observation" in out.getvalue() and "rows" in out.getvalue()
    assert EPA.objects.exists()  # the structure came with it
