"""Every form of the product fuzzed with Hypothesis: no input gives a server error (issue 8).

The pages that take a POST are found, not listed: every URL of the access matrix (tests/test_access_matrix.py)
whose view accepts a POST. Its form is read from the HTML of a page that shows it, fetched as a role allowed to
use it (the page itself, or for a POST-only URL the page holding its form), and posted as that role with data
Hypothesis makes from the form's fields (tests/fuzz_support.py): values of the field's own kind and options
mixed with hostile ones (any unicode text, NUL bytes, very long strings, numbers out of every range, malformed
dates, empty and missing values, several values for one field, unknown fields, random files). The answer must
never be a 5xx and the view must raise nothing (the test client re-raises a view's exception). Each example
runs in a savepoint rolled back afterwards, so no example sees another's changes.
"""

import os
from copy import deepcopy
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings

from tests import conftest
from tests.fuzz_support import (
    accepts_post,
    allowed_methods,
    encode,
    form_data,
    links_in,
    post_forms_in,
    url_name_of,
    views_by_name,
)
from tests.test_access_matrix import MATRIX, ROLES
from tests.test_access_matrix import world as matrix_world

pytestmark = pytest.mark.django_db

VIEWS = views_by_name()
POST_URLS = sorted(name for name in MATRIX if accepts_post(VIEWS[name]))
# Examples per form: a few for every run (each run draws new ones); FUZZ_EXAMPLES=200 for a deep run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
    HealthCheck.large_base_example])


@dataclass
class Target:
    """Where the form of a POST URL is shown: the page (followed through redirects), who opens it, and the
    form's position among the page's POST forms."""
    page: str
    role: str
    index: int


def more_states(o):
    """Objects in states the access matrix's world does not set up, where more forms show: a draft
    questionnaire (the builder's section and item forms), a draft campaign (launch), the planning speed event
    (schedule, open the rankings), a goal the resident proposed (the mentor agrees), a submitted curriculum and a
    weak exam result of another resident (approve, return; a track suggestion), a valid password-reset link.
    Returns the world's keys to swap for a second look at the matrix's pages, and extra (page, role) pairs."""
    from decimal import Decimal

    from django.contrib.auth.tokens import default_token_generator

    from mentoring.goals import goal_create
    from residents.curricula import curriculum_submit
    from surveys.models import Campaign, Section
    from tests.factories import ResidentFactory, UserFactory
    from tests.factories_assessments import ExamResultFactory
    from tests.factories_curricula import curriculum_with_items
    from tests.factories_surveys import CampaignFactory, questionnaire_with_items

    resident = o["resident"]
    other = ResidentFactory(specialty=resident.specialty, clinical_site=resident.clinical_site)
    ExamResultFactory(resident=other, academic_year=o["academic_year"], overall_score=Decimal("50.00"))
    submitted = curriculum_submit(curriculum=curriculum_with_items(other), by=other.user)
    draft = questionnaire_with_items(o["department"])
    section = draft.sections.first()
    Section.objects.create(questionnaire=draft, title="About me", position=2)  # sections to move
    stranger = UserFactory()  # never logs in, so the reset token stays valid
    reset_link = reverse("accounts:password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(stranger.pk)),
        "token": default_token_generator.make_token(stranger)})
    swapped = {
        "questionnaire": draft, "section": section, "item": section.items.first(),
        "campaign": CampaignFactory(questionnaire=o["questionnaire"], status=Campaign.Status.DRAFT),
        "speed_event": o["speed_planning_event"], "curriculum": submitted,
        "goal": goal_create(resident=resident, by=resident.user, title="Present a case at the journal club",
                            due_on=timezone.localdate() + timedelta(days=30)),
    }
    return swapped, [(reset_link, "anonymous")]


def matrix_pages(objects):
    """(URL, role) of every page of the matrix that answers a GET, for each role that may see it or is sent on
    by it (e.g. the builder's edit pages of a locked questionnaire, open when it is a draft)."""
    return [(reverse(name, kwargs=kwargs_of(objects)), role)
            for name, (kwargs_of, expected) in sorted(MATRIX.items()) if "GET" in allowed_methods(VIEWS[name])
            for role, status in zip(ROLES, expected, strict=True)
            if status == 200 or (status == 302 and role != "anonymous")]


def _open(client, objects, role, page):
    """GET `page` as `role` (following redirects); the response and the path it ended on."""
    client.logout()
    if objects["users"][role] is not None:
        client.force_login(objects["users"][role])
    response = client.get(page, follow=True)
    return response, response.request["PATH_INFO"]


def crawl(objects):
    """{URL name: Target} for every URL some page's POST form points at, and the forms pointing at a URL that
    does not take a POST. The pages: the matrix's own, opened by every role that may see them, in the world and
    in the world with `more_states` swapped in; the pages of the POST URLs first, and no further once every POST
    URL has its form."""
    swapped, extra = more_states(objects)
    base = matrix_pages(objects)
    pages = base + [page for page in matrix_pages({**objects, **swapped}) if page not in base] + extra
    pages.sort(key=lambda page: url_name_of(page[0]) not in POST_URLS)  # stable: otherwise in the matrix's order
    client = Client()
    targets, strays, links = {}, [], {}
    for page, role in pages:
        if len(targets) == len(POST_URLS):
            break
        response, path = _open(client, objects, role, page)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for index, form in enumerate(post_forms_in(html, path)):
            name = url_name_of(form.action)
            if name not in MATRIX or not accepts_post(VIEWS[name]):
                strays.append((page, role, form.action))
            elif name not in targets or url_name_of(page) == name != url_name_of(targets[name].page):
                targets[name] = Target(page, role, index)  # the URL's own page first
        for link in links_in(html, path):
            links.setdefault(url_name_of(link), (link, role))
    for name in sorted(set(POST_URLS) - set(targets)):  # a form one link further (e.g. a new item, of a kind)
        if name in links:
            page, role = links[name]
            response, path = _open(client, objects, role, page)
            for index, form in enumerate(post_forms_in(response.content.decode(), path)):
                if url_name_of(form.action) == name and name not in targets:
                    targets[name] = Target(page, role, index)
    return targets, strays


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The access matrix's world, built once for the module (with its fixture's own function, on the conftest
    fixtures' own functions), and the forms found in it; rolled back at the end."""
    from config.celery_app import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    with (django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=conftest.FAST_HASHERS),
          transaction.atomic()):
        department = conftest.department.__wrapped__(None)
        specialty, site = conftest.specialty.__wrapped__(department), conftest.site.__wrapped__(department)
        objects = matrix_world.__wrapped__(department, conftest.coordinator.__wrapped__(department),
                                           conftest.make_mentor.__wrapped__(specialty, site),
                                           conftest.make_resident.__wrapped__(specialty, site))
        targets, strays = crawl(objects)
        yield objects, targets, strays
        transaction.set_rollback(True)
    app.conf.task_always_eager = eager


def test_every_view_says_which_methods_it_takes():
    """So the POST URLs are exactly the views that take a POST (a view declaring nothing would take any)."""
    assert not [name for name in MATRIX if allowed_methods(VIEWS[name]) is None]
    assert {"accounts:login", "mentoring:mentor_edit", "mentoring:training_add"} <= set(POST_URLS)
    assert "mentoring:dashboard" not in POST_URLS


def test_every_other_url_refuses_a_post(fuzz_world):
    """A URL left out of the fuzzing answers a POST with 405, whoever signed in posts."""
    objects, _, _ = fuzz_world
    client = Client()
    client.force_login(objects["users"]["coordinator"])
    answers = {name: client.post(reverse(name, kwargs=kwargs_of(objects)), {"x": "1"}).status_code
               for name, (kwargs_of, _) in MATRIX.items() if name not in POST_URLS}
    assert answers and set(answers.values()) == {405}, answers


def test_every_post_url_has_a_form_and_is_fuzzed(fuzz_world):
    """As many forms are fuzzed as there are URLs taking a POST: a new form cannot escape."""
    _, targets, _ = fuzz_world
    assert sorted(set(POST_URLS) - set(targets)) == [], "POST URLs with no form found on any page"
    assert len(targets) == len(POST_URLS)


def test_every_post_form_points_at_a_url_taking_a_post(fuzz_world):
    _, _, strays = fuzz_world
    assert not strays


@pytest.mark.parametrize("name", POST_URLS)
def test_fuzzed_form_never_gives_a_server_error(name, fuzz_world):
    """The form posting to `name`, opened as the role the crawl found it with, posted EXAMPLES times with
    Hypothesis's data: never a 5xx, never an exception out of the view."""
    objects, targets, _ = fuzz_world
    if name not in targets:
        pytest.fail(f"no page shows a form posting to {name}")
    target = targets[name]
    client = Client()
    response, path = _open(client, objects, target.role, target.page)
    form = post_forms_in(response.content.decode(), path)[target.index]
    assert url_name_of(form.action) == name
    cookies = deepcopy(client.cookies)

    @FUZZ
    @given(data=form_data(form))
    def post(data):
        client.cookies = deepcopy(cookies)
        cache.clear()
        with transaction.atomic():
            answer = client.post(form.action, encode(data))
            transaction.set_rollback(True)
        assert answer.status_code < 500, f"{name} as {target.role}: {answer.status_code}"

    post()
