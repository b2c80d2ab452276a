import os

import pytest
from django.db import connection

from tests.factories import (
    ClinicalSiteFactory,
    CoordinatorFactory,
    DepartmentFactory,
    MentorFactory,
    ResidentFactory,
    SpecialtyFactory,
    UserFactory,
)

IN_CI = os.environ.get("CI", "").lower() == "true"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL. Under CI=true a missing PostgreSQL fails them; on a laptop
    with SQLite they are skipped, and `-ra` lists each skip with its reason at the end of the run."""
    has_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql", "pgsql"))
    has_redis = os.environ.get("REDIS_URL", "").startswith("redis")
    for item in items:
        if "postgres" in item.keywords and not has_postgres:
            if IN_CI:
                item.add_marker(pytest.mark.usefixtures("require_postgres"))  # fails, never skips
            else:
                item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://..."))
        if "redis" in item.keywords and not has_redis:
            if IN_CI:
                item.add_marker(pytest.mark.usefixtures("require_redis"))
            else:
                item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://..."))


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in Russian must not leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _celery_in_process():
    """Tasks run in-process in tests, even when REDIS_URL is set; the `redis` tests use a real worker."""
    from config.celery_app import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def require_redis():
    if not os.environ.get("REDIS_URL", "").startswith("redis"):
        pytest.fail("this test needs Redis (REDIS_URL)")


@pytest.fixture
def require_postgres():
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (DATABASE_URL)")


@pytest.fixture
def department(db):
    return DepartmentFactory()


@pytest.fixture
def specialty(department):
    return SpecialtyFactory(department=department)


@pytest.fixture
def site(department):
    return ClinicalSiteFactory(departments=[department])


@pytest.fixture
def coordinator(department):
    return CoordinatorFactory(department=department).user


@pytest.fixture
def make_mentor(specialty, site):
    def make(**kwargs):
        kwargs.setdefault("specialty", specialty)
        kwargs.setdefault("clinical_site", site)
        return MentorFactory(**kwargs)

    return make


@pytest.fixture
def make_resident(specialty, site):
    def make(**kwargs):
        kwargs.setdefault("specialty", specialty)
        kwargs.setdefault("clinical_site", site)
        return ResidentFactory(**kwargs)

    return make


@pytest.fixture
def mentor(make_mentor):
    return make_mentor()


@pytest.fixture
def resident(make_resident, mentor):
    """An active resident assigned to `mentor` (files that need an unassigned one define their own)."""
    from mentoring.services import assignment_create

    resident = make_resident()
    assignment_create(resident=resident, mentor=mentor)
    return resident


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """The demo data (seed_demo), once for the module that asks for it, rolled back at the end; each test runs
    in its own savepoint inside, as usual. Passwords are hashed with the fast hasher, as in every test."""
    from django.db import transaction
    from django.test import override_settings

    from mentoring.demo import seed_demo

    with (django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic()):
        yield seed_demo()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once):
    """The demo logins; the demo data is in the database for the test."""
    return _seeded_once


@pytest.fixture
def user(db):
    return UserFactory()
