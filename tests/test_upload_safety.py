"""Uploads (issue 8 security review): the two imports (roster, exam results) take a .csv or .xlsx file within
ROSTER_MAX_UPLOAD_BYTES, read it in memory and keep only the parsed rows: a file is never stored, never served
back and never executed. Size and type refusals of each import: tests/test_roster_import.py,
tests/test_exam_import.py; this file checks the promises across the product."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import Resolver404, resolve, reverse

from accounts.models import User
from mentoring.models import Mentor
from tests.test_roster_import import MENTOR_HEADER, mentor_row, to_csv

pytestmark = pytest.mark.django_db

IMPORTS = ["mentoring:roster_import", "assessments:exam_import"]


def test_no_model_stores_a_file():
    stored = [f"{m._meta.label}.{f.name}" for m in apps.get_models() for f in m._meta.get_fields()
              if isinstance(f, models.FileField)]
    assert not stored


def test_no_url_serves_uploaded_files(settings):
    with pytest.raises(Resolver404):
        resolve(f"/{settings.MEDIA_URL}anything.csv")


@pytest.mark.parametrize("name", IMPORTS)
@pytest.mark.parametrize(("file_name", "content"), [
    ("payload.exe", b"MZ\x90\x00\x03\x00\x00\x00"),  # a program
    ("payload.html", b"<html><script>alert(1)</script></html>"),
    ("payload.xlsm", b"PK\x03\x04 macro workbook"),
    ("payload.csv.php", b"<?php system($_GET['c']); ?>"),
    ("payload.xlsx", b"MZ\x90\x00 a program named .xlsx"),
])
def test_other_types_are_refused_with_a_message_and_nothing_saved(client, coordinator, department, name, file_name,
                                                                   content, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    before = (User.objects.count(), Mentor.objects.count())
    client.force_login(coordinator)
    response = client.post(reverse(name, args=[department.pk]), {"file": SimpleUploadedFile(file_name, content)})
    assert response.status_code == 200  # the form again, with the reason
    text = response.content.decode()
    assert ".csv or .xlsx" in text or "Excel" in text
    assert "<script>alert(1)</script>" not in text  # nothing of the file is echoed as markup
    assert (User.objects.count(), Mentor.objects.count()) == before
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("name", IMPORTS)
def test_a_file_over_the_limit_is_refused_before_it_is_read(client, coordinator, department, name, settings):
    settings.ROSTER_MAX_UPLOAD_BYTES = 1024
    client.force_login(coordinator)
    response = client.post(reverse(name, args=[department.pk]),
                           {"file": SimpleUploadedFile("big.csv", b"email\n" + b"x" * 2048)})
    assert response.status_code == 200 and "larger than 1 KB" in response.content.decode()


def test_a_csv_whose_cells_are_markup_or_formulas_is_stored_as_plain_text(client, coordinator, department, specialty,
                                                                          site):
    """A cell is data: markup is escaped when shown, a formula stays text (exports neutralise it again)."""
    row = mentor_row(1, specialty, site, email="evil@example.org", last_name="<script>alert(1)</script>",
                     first_name='=HYPERLINK("http://x")')
    client.force_login(coordinator)
    response = client.post(reverse("mentoring:roster_import", args=[department.pk]),
                           {"kind": "mentors", "file": SimpleUploadedFile("m.csv", to_csv(MENTOR_HEADER, [row]))})
    mentor = Mentor.objects.select_related("user").get(user__email="evil@example.org")
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert mentor.user.last_name == "<script>alert(1)</script>"
    assert mentor.user.first_name == "=HYPERLINK(\"http://x\")"
    page = client.get(reverse("mentoring:mentor_detail", args=[mentor.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
