"""Every URL pattern x every kind of visitor, with the expected status.

Outside the visitor's scope the answer is 404. A URL pattern with no entry here fails
`test_every_url_pattern_has_an_entry`, so a new page cannot skip the matrix.
The Django admin is left out: it has its own staff permission model (`is_staff`).
"""

from datetime import datetime, time, timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from mentoring.services import assignment_create
from organization.selectors import current_academic_year
from residents.activity import activity_log, night_duty_log
from surveys.models import Answer, Campaign, Theme
from tests.access_rows import (
    exams,
    goals,
    meetings,
    observations,
    programmes,
    progress,
    reports,
    speed,
    surveys_builder,
    surveys_campaigns,
    surveys_results,
)
from tests.factories import AcademicYearFactory, CoordinatorFactory, DepartmentFactory, UserFactory
from tests.factories_assessments import EPAFactory, ExamResultFactory, MentorEvaluationFactory, ObservationFactory
from tests.factories_curricula import curriculum_with_items
from tests.factories_surveys import CampaignFactory, answer_and_release, invite, questionnaire_with_items

pytestmark = pytest.mark.django_db


def survey_world(department, resident):
    """An open campaign about the mentor; the resident is invited and has not answered yet. A closed
    campaign of the same questionnaire with 5 released responses (one free-text answer to tag)."""
    questionnaire = questionnaire_with_items(department)
    campaign = CampaignFactory(questionnaire=questionnaire)
    invite(campaign, [resident.user])
    closed = CampaignFactory(questionnaire=questionnaire, about_mentor=False)
    answer_and_release(closed, [UserFactory() for _ in range(5)], text="More time at the bedside, please.")
    Campaign.objects.filter(pk=closed.pk).update(status="closed")
    comment = Answer.objects.filter(response__campaign=closed, item__kind="text").first()
    section = questionnaire.sections.first()
    return {"questionnaire": questionnaire, "section": section, "item": section.items.first(),
            "campaign": campaign, "closed_campaign": closed, "comment": comment,
            "theme": Theme.objects.create(department=department, name="Time for teaching")}

ROLES = ("anonymous", "resident", "mentor", "coordinator", "other_coordinator")
EXCLUDED_NAMESPACES = {"admin"}

# name -> (kwargs factory, expected statuses in the order of ROLES)
LOGIN = 302  # anonymous visitors are sent to the log-in page
MATRIX = {
    "home": (lambda o: {}, (LOGIN, 302, 302, 302, 302)),
    # Monitoring: public, tells only "ok"/"failing" per component (tests/test_operations.py).
    "health": (lambda o: {}, (200, 200, 200, 200, 200)),
    "set_language": (lambda o: {}, (405, 405, 405, 405, 405)),
    "accounts:login": (lambda o: {}, (200, 302, 302, 302, 302)),
    "accounts:logout": (lambda o: {}, (405, 405, 405, 405, 405)),
    "accounts:password_reset": (lambda o: {}, (200, 200, 200, 200, 200)),
    "accounts:password_reset_done": (lambda o: {}, (200, 200, 200, 200, 200)),
    "accounts:password_reset_confirm": (lambda o: {"uidb64": "MQ", "token": "bad-token"}, (200,) * 5),
    "accounts:password_reset_complete": (lambda o: {}, (200, 200, 200, 200, 200)),
    "accounts:password_change": (lambda o: {}, (LOGIN, 200, 200, 200, 200)),
    "mentoring:dashboard": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
    "mentoring:mentor_list": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
    "mentoring:mentor_create": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
    "mentoring:resident_list": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
    "mentoring:resident_create": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
    "mentoring:roster_import": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
    "mentoring:roster_template": (lambda o: {"department_id": o["department"].pk, "kind": "mentors", "fmt": "csv"},
                                  (LOGIN, 404, 404, 200, 404)),
    "mentoring:mentor_detail": (lambda o: {"pk": o["mentor"].pk}, (LOGIN, 404, 404, 200, 404)),
    "mentoring:mentor_edit": (lambda o: {"pk": o["mentor"].pk}, (LOGIN, 404, 404, 200, 404)),
    # POST-only: a GET is refused before anything is looked up; the POST scope is checked below.
    "mentoring:training_add": (lambda o: {"pk": o["mentor"].pk}, (LOGIN, 405, 405, 405, 405)),
    "mentoring:resident_detail": (lambda o: {"pk": o["resident"].pk}, (LOGIN, 404, 404, 200, 404)),
    "mentoring:resident_edit": (lambda o: {"pk": o["resident"].pk}, (LOGIN, 404, 404, 200, 404)),
    "mentoring:assign": (lambda o: {"pk": o["resident"].pk}, (LOGIN, 404, 404, 200, 404)),
    "mentoring:assignment_end": (lambda o: {"pk": o["assignment"].pk}, (LOGIN, 404, 404, 200, 404)),
    "mentoring:mentor_home": (lambda o: {}, (LOGIN, 404, 200, 404, 404)),
    "mentoring:resident_home": (lambda o: {}, (LOGIN, 200, 404, 404, 404)),
    # Curricula: the owner, the owner's active mentor (read-only: 403 on edit) and the coordinator.
    "residents:my_curricula": (lambda o: {}, (LOGIN, 200, 404, 404, 404)),
    "residents:curriculum_start": (lambda o: {}, (LOGIN, 405, 405, 405, 405)),
    "residents:curriculum_detail": (lambda o: {"pk": o["curriculum"].pk}, (LOGIN, 200, 200, 200, 404)),
    "residents:curriculum_edit": (lambda o: {"pk": o["curriculum"].pk}, (LOGIN, 200, 403, 200, 404)),
    "residents:curriculum_submit": (lambda o: {"pk": o["curriculum"].pk}, (LOGIN, 405, 405, 405, 405)),
    "residents:curriculum_approve": (lambda o: {"pk": o["curriculum"].pk}, (LOGIN, 405, 405, 405, 405)),
    "residents:curriculum_return": (lambda o: {"pk": o["curriculum"].pk}, (LOGIN, 405, 405, 405, 405)),
    "residents:curriculum_print": (lambda o: {"pk": o["curriculum"].pk}, (LOGIN, 200, 200, 200, 404)),
    "residents:curricula_review": (lambda o: {"department_id": o["department"].pk}, (LOGIN, 404, 404, 200, 404)),
    # Activity log and night duties: the resident logs, the active mentor confirms, the coordinator reads.
    "residents:activity_log": (lambda o: {}, (LOGIN, 200, 404, 404, 404)),
    "residents:activity_new": (lambda o: {}, (LOGIN, 405, 405, 405, 405)),
    "residents:activity_edit": (lambda o: {"pk": o["entry"].pk}, (LOGIN, 200, 404, 404, 404)),
    "residents:activity_delete": (lambda o: {"pk": o["entry"].pk}, (LOGIN, 405, 405, 405, 405)),
    "residents:duty_new": (lambda o: {}, (LOGIN, 200, 404, 404, 404)),
    "residents:duty_edit": (lambda o: {"pk": o["duty"].pk}, (LOGIN, 200, 404, 404, 404)),
    "residents:duty_delete": (lambda o: {"pk": o["duty"].pk}, (LOGIN, 405, 405, 405, 405)),
    "residents:confirmation_queue": (lambda o: {}, (LOGIN, 404, 200, 404, 404)),
    "residents:confirm": (lambda o: {}, (LOGIN, 405, 405, 405, 405)),
    "residents:activity_return": (lambda o: {"pk": o["entry"].pk}, (LOGIN, 405, 405, 405, 405)),
    "residents:duty_return": (lambda o: {"pk": o["duty"].pk}, (LOGIN, 405, 405, 405, 405)),
    "residents:resident_activity": (lambda o: {"pk": o["resident"].pk}, (LOGIN, 404, 200, 200, 404)),
    # Assessments: rows kept beside each part (tests/access_rows/).
    **observations.ROWS, **progress.ROWS, **exams.ROWS,
    # Surveys: rows in tests/access_rows/surveys_*.py.
    **surveys_builder.ROWS, **surveys_campaigns.ROWS, **surveys_results.ROWS,
    # Programmes, meetings, goals, speed mentoring (issue 6): rows in tests/access_rows/<part>.py.
    **programmes.ROWS, **meetings.ROWS, **goals.ROWS, **speed.ROWS,
    # Reports (issue 7): rows in tests/access_rows/reports.py.
    **reports.ROWS,
}


def url_names(patterns=None, namespace=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace in EXCLUDED_NAMESPACES:
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            if p.name is None:
                continue  # static files in DEBUG
            yield f"{namespace}{p.name}"


def test_every_url_pattern_has_an_entry():
    names = set(url_names())
    missing = names - MATRIX.keys()
    assert not missing, f"URL patterns without an access-matrix entry: {sorted(missing)}"
    assert not MATRIX.keys() - names, "matrix entries for URLs that no longer exist"


@pytest.fixture
def world(department, coordinator, make_mentor, make_resident):
    mentor = make_mentor()
    resident = make_resident()
    assignment = assignment_create(resident=resident, mentor=mentor)
    other = CoordinatorFactory(department=DepartmentFactory()).user
    year = current_academic_year() or AcademicYearFactory(start_year=timezone.localdate().year
                                                          - (timezone.localdate().month < 9))
    epa = EPAFactory(specialty=resident.specialty)
    evening = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=2), time(17, 0)))
    base = {
        "department": department, "mentor": mentor, "resident": resident, "assignment": assignment,
        "curriculum": curriculum_with_items(resident),
        "entry": activity_log(resident=resident, by=resident.user, kind="rounds", hours=2),
        "duty": night_duty_log(resident=resident, by=resident.user, starts_at=evening,
                               ends_at=evening + timedelta(hours=15)),
        "epa": epa, "academic_year": year,
        "observation": ObservationFactory(resident=resident, epa=epa, mentor=mentor),
        "exam_result": ExamResultFactory(resident=resident, academic_year=year),
        "evaluation": MentorEvaluationFactory(mentor=mentor, academic_year=year, evaluated_by=coordinator),
        **survey_world(department, resident),
        "coordinator": coordinator,
        "users": {"anonymous": None, "resident": resident.user, "mentor": mentor.user, "coordinator": coordinator,
                  "other_coordinator": other},
    }
    for part in (programmes, meetings, goals, speed, reports):
        base.update(part.world(base))
    return base


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(name, world, client):
    kwargs_of, expected = MATRIX[name]
    url = reverse(name, kwargs=kwargs_of(world))
    got = []
    for role in ROLES:
        client.logout()
        if world["users"][role] is not None:
            client.force_login(world["users"][role])
        got.append(client.get(url).status_code)
    assert tuple(got) == expected, f"{name}: {dict(zip(ROLES, got, strict=True))}"


# Changes by someone outside the object's scope: 404 and nothing changes. (Inside the scope but in the wrong
# role, e.g. the mentor on a curriculum, is 403: tests/test_curricula.py; the activity log's own POST matrix
# is in tests/test_activity_pages.py.)
@pytest.mark.parametrize("name,kwargs_of,data", [
    ("mentoring:training_add", lambda o: {"pk": o["mentor"].pk}, {"kind": "refresher", "completed_on": "2026-01-01"}),
    ("mentoring:assign", lambda o: {"pk": o["resident"].pk}, {"mentor": "1", "reason": "x"}),
    ("mentoring:assignment_end", lambda o: {"pk": o["assignment"].pk}, {"reason": "x"}),
    ("mentoring:mentor_edit", lambda o: {"pk": o["mentor"].pk}, {}),
    ("mentoring:resident_edit", lambda o: {"pk": o["resident"].pk}, {}),
])
def test_post_outside_scope_is_404_and_changes_nothing(name, kwargs_of, data, world, client):
    from mentoring.models import Assignment, MentorTraining

    before = (Assignment.objects.filter(ended_on__isnull=True).count(), MentorTraining.objects.count())
    url = reverse(name, kwargs=kwargs_of(world))
    for role in ("resident", "mentor", "other_coordinator"):
        client.force_login(world["users"][role])
        assert client.post(url, data).status_code == 404, role
    assert (Assignment.objects.filter(ended_on__isnull=True).count(), MentorTraining.objects.count()) == before


def test_every_url_refuses_a_post_without_the_csrf_token(world):
    """CSRF on every POST: whoever posts (anonymous or any role) without the token gets Django's CSRF refusal
    (403) on every URL of the matrix — the check runs before the view, so no view can forget it, and no view is
    csrf_exempt."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    refused, accepted = 0, []
    for name in sorted(MATRIX):
        url = reverse(name, kwargs=MATRIX[name][0](world))
        for role in ROLES:
            client.logout()
            if world["users"][role] is not None:
                client.force_login(world["users"][role])
            response = client.post(url, {"anything": "1"})
            if response.status_code == 403 and b"CSRF" in response.content:
                refused += 1
            else:
                accepted.append((name, role, response.status_code))
    assert not accepted, f"POSTs without a CSRF token not refused: {accepted[:20]}"
    assert refused == len(MATRIX) * len(ROLES)


def test_no_view_is_csrf_exempt():
    exempt = [p.name for p in _patterns() if getattr(p.callback, "csrf_exempt", False)]
    assert not exempt


def _patterns(patterns=None):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield p


# URLs whose arguments are not an object of a department: a secret token (the feed answers whoever holds it) or
# a password-reset link.
NOT_OBJECT_URLS = {"mentoring:calendar_feed_ics", "accounts:password_reset_confirm"}


def test_every_object_url_gives_404_to_people_of_another_department(world, client):
    """For every URL that names an object (its arguments are ids), the coordinator, a mentor and a resident of
    another department get 404 (405 for a POST-only URL, refused before any lookup): they cannot even learn that
    the object exists. The coordinator of another department is also a column of the matrix above."""
    from tests.factories import MentorFactory, ResidentFactory, SpecialtyFactory

    elsewhere = SpecialtyFactory(department=DepartmentFactory())
    mentor = MentorFactory(specialty=elsewhere)
    resident = ResidentFactory(specialty=elsewhere)
    assignment_create(resident=resident, mentor=mentor)
    people = {"coordinator": world["users"]["other_coordinator"], "mentor": mentor.user, "resident": resident.user}
    checked, wrong = 0, []
    for name, (kwargs_of, expected) in sorted(MATRIX.items()):
        kwargs = kwargs_of(world)
        if not kwargs or name in NOT_OBJECT_URLS:
            continue
        url = reverse(name, kwargs=kwargs)
        allowed = {405} if set(expected[1:]) == {405} else {404}
        for role, user in people.items():
            client.force_login(user)
            status = client.get(url).status_code
            checked += 1
            if status not in allowed:
                wrong.append((name, role, status))
    assert not wrong, wrong
    assert checked >= 3 * 100  # every object URL of the product (111 today), three people each
