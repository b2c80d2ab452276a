"""An id given in a query string is used only when it is one: "²" (a digit to str.isdigit, not to int()), a
number beyond a database integer, or a word is ignored like a missing filter, never a server error (found by
fuzzing)."""

import pytest
from django.urls import reverse

from organization.forms import is_id

pytestmark = pytest.mark.django_db

NOT_IDS = ["²", "١٢", "9" * 19, "9" * 4301, "-1", "1.0", " 1", ""]


def test_is_id():
    assert is_id("1") and is_id("9" * 18)
    assert not any(is_id(value) for value in NOT_IDS)
    assert not is_id(None) and not is_id(1)


@pytest.mark.parametrize("value", NOT_IDS)
def test_filters_given_something_else_answer_as_without_them(client, coordinator, department, mentor, value):
    client.force_login(coordinator)
    pages = [
        (reverse("assessments:mentor_evaluate", args=[mentor.pk]), "year"),
        (reverse("assessments:exam_results", args=[department.pk]), "cohort"),
        (reverse("assessments:exam_results", args=[department.pk]), "year"),
        (reverse("residents:curricula_review", args=[department.pk]), "year"),
        (reverse("assessments:epa_create", args=[department.pk]), "specialty"),
        (reverse("reports:index", args=[department.pk]), "mentor"),
    ]
    for url, parameter in pages:
        assert client.get(url, {parameter: value}).status_code == 200, (url, parameter)
