"""Accounts: e-mail login, lockout after 5 failures, password reset by e-mail, session expiry, language."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"


def login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password},
                       REMOTE_ADDR="10.0.0.7")


def test_custom_user_logs_in_by_email_case_insensitively(client):
    user = UserFactory(email="aigerim@example.org")
    response = login(client, "Aigerim@Example.org", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_shows_message(client):
    UserFactory(email="a@example.org")
    response = login(client, "a@example.org", "nope")
    assert response.status_code == 200
    assert "Please enter a correct e-mail and password" in response.content.decode()


def test_five_failures_lock_user_and_ip_for_thirty_minutes(client):
    UserFactory(email="locked@example.org")
    for _ in range(4):
        assert login(client, "locked@example.org", "wrong").status_code == 200
    response = login(client, "locked@example.org", "wrong")
    assert response.status_code == 429
    assert "locked for 30 minutes" in response.content.decode()
    # Even the right password is refused while the lock lasts.
    assert login(client, "locked@example.org", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username="locked@example.org").exists()
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60


def test_password_reset_sends_link_that_works(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="reset@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("accounts:password_reset"), {"email": "reset@example.org"})
    assert len(callbacks) == 1  # the e-mail is queued only once the request's transaction commits
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["reset@example.org"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "A-new-long-secret-42", "new_password2": "A-new-long-secret-42"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("A-new-long-secret-42")


def test_password_reset_for_unknown_address_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and mail.outbox == []


def test_sessions_expire():
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_session_is_gone_after_its_age(client, settings):
    user = UserFactory()
    client.force_login(user)
    session = client.session
    session.set_expiry(-1)
    session.save()
    assert client.get(reverse("mentoring:resident_home")).status_code == 302  # back to login


def test_logout_is_post_only(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_language_switch_sets_cookie_and_remembers_choice(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    user.refresh_from_db()
    assert user.language == "ru"
    page = client.get(reverse("accounts:password_change"))
    assert '<html lang="ru">' in page.content.decode()


def test_remembered_language_applied_at_login(client):
    UserFactory(email="kk@example.org", language="kk")
    response = login(client, "kk@example.org", PASSWORD)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "kk"


def test_unknown_language_is_ignored(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == ""


def test_home_sends_each_role_to_its_page(client, coordinator, department, make_mentor, make_resident):
    client.force_login(coordinator)
    assert client.get("/").url == reverse("mentoring:dashboard", kwargs={"department_id": department.pk})
    client.force_login(make_mentor().user)
    assert client.get("/").url == reverse("mentoring:mentor_home")
    client.force_login(make_resident().user)
    assert client.get("/").url == reverse("mentoring:resident_home")


def test_home_takes_no_post(client, coordinator):
    """The home page only sends people on: a POST is refused (405) rather than handled like a GET."""
    client.force_login(coordinator)
    assert client.post("/", {"anything": "1"}).status_code == 405


def test_coordinator_who_is_also_mentor_chooses(client, department, make_mentor):
    from organization.services import coordinator_add

    mentor = make_mentor()
    coordinator_add(user=mentor.user, department=department)
    client.force_login(mentor.user)
    page = client.get("/")
    assert page.status_code == 200
    assert reverse("mentoring:mentor_home") in page.content.decode()
    assert reverse("mentoring:dashboard", kwargs={"department_id": department.pk}) in page.content.decode()


def test_user_email_unique_case_insensitive():
    from django.db import IntegrityError

    User.objects.create_user("x@example.org", "p", first_name="A", last_name="B")
    with pytest.raises(IntegrityError):
        User.objects.create(email="X@example.org", first_name="A", last_name="B")
