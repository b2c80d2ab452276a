"""Export of a campaign's responses (surveys.export): no identifier, shuffled rows, only at least k, inert
formulas, a codebook; CSV and XLSX."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from surveys.export import campaign_export, neutralise
from surveys.models import Option, Response
from tests.factories import uncommonly_named
from tests.factories_surveys import CampaignFactory, answer_and_release, questionnaire_with_items
from tests.test_survey_results_data import (
    by_code,
    closed_about_mentors,
    closed_general,
    release_and_close,
    roomy_mentors,
    submit,
)

pytestmark = pytest.mark.django_db

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def answered(department):
    """Eight people with different answers (so that their rows differ)."""
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    campaign = CampaignFactory(questionnaire=questionnaire)
    for i in range(8):
        submit(campaign, {"q1": 1 + i % 5, "q2": ["Daily", "Weekly", "Monthly"][i % 3],
                          "q3": [["Bedside teaching"], ["Case review", "Simulation"]][i % 2], "q4": i % 2,
                          "q5": 2.5 * i, "q6": f"Comment number {i}"})
    return release_and_close(campaign)


def export(client, user, campaign, fmt):
    client.force_login(user)
    return client.get(reverse("surveys:campaign_export", args=[campaign.pk, fmt]))


def test_csv_has_item_codes_and_values_and_nothing_else(client, coordinator, answered):
    response = export(client, coordinator, answered, "csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="campaign-' in response["Content-Disposition"]
    header, *rows = rows_of(response.content)
    assert header == ["q1", "q2", "q3_1", "q3_2", "q3_3", "q4", "q5"]  # free text is not a column
    assert len(rows) == 8
    as_tuples = sorted(tuple(r) for r in rows)
    # e.g. the third person: Likert 3, Monthly (3), bedside teaching only, no, 5 hours.
    assert ("3", "3", "1", "0", "0", "0", "5") in as_tuples
    assert ("2", "2", "0", "1", "1", "1", "2.5") in as_tuples
    assert all(r[2:5] in (["1", "0", "0"], ["0", "1", "1"]) for r in rows)


def test_no_identifier_of_any_kind(client, coordinator, department, make_mentor, make_resident):
    roomy_mentors(department)
    questionnaire = questionnaire_with_items(department)
    make_mentor = uncommonly_named(make_mentor)
    mentors = [make_mentor(), make_mentor()]
    campaign = closed_about_mentors(questionnaire, {mentors[0]: 3, mentors[1]: 3}, make_resident,
                                    closes_on=answered_day(), text="Fine.")
    for fmt in ("csv", "codebook", "comments"):
        text = export(client, coordinator, campaign, fmt).content.decode("utf-8-sig")
        assert not UUID.search(text)
        for mentor in mentors:
            assert mentor.user.last_name not in text and mentor.user.email not in text
        assert "@" not in text and str(campaign.title) not in text
    workbook = load_workbook(io.BytesIO(export(client, coordinator, campaign, "xlsx").content))
    cells = " ".join(str(c) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    assert not UUID.search(cells) and "@" not in cells
    assert all(m.user.last_name not in cells for m in mentors)


def answered_day():
    from datetime import date

    return date(2025, 5, 31)


def test_rows_come_in_a_fresh_random_order(client, coordinator, answered):
    orders = {tuple(tuple(r) for r in rows_of(export(client, coordinator, answered, "csv").content)[1:])
              for _ in range(6)}
    assert len(orders) > 1  # 8! orders: six identical exports would happen once in ~10^22
    # Not the order the database keeps the responses in either (checked on the values of q5, all different).
    q5 = by_code(answered.questionnaire)["q5"]
    stored = [float(r.answers.get(item=q5).number) for r in Response.objects.filter(campaign=answered)]
    assert sorted(stored) == [2.5 * i for i in range(8)]
    assert any([float(r[-1]) for r in order] != stored for order in orders)


def test_refused_while_open_or_below_k(client, coordinator, department):
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    still_open = CampaignFactory(questionnaire=questionnaire)
    from tests.factories import UserFactory

    answer_and_release(still_open, [UserFactory() for _ in range(6)])
    four = closed_general(questionnaire, 4)
    for campaign in (still_open, four):
        for fmt in ("csv", "xlsx", "codebook", "comments"):
            assert export(client, coordinator, campaign, fmt).status_code == 404
        with pytest.raises(Exception, match="results|Results"):
            campaign_export(campaign=campaign, fmt="csv")


def test_unknown_format_and_other_department_are_404(client, answered):
    from tests.factories import CoordinatorFactory, DepartmentFactory

    assert export(client, CoordinatorFactory(department=answered.department).user, answered, "pdf").status_code == 404
    assert export(client, CoordinatorFactory(department=DepartmentFactory()).user, answered, "csv").status_code == 404


def test_an_item_fewer_than_k_answered_is_left_empty(client, coordinator, department):
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    campaign = CampaignFactory(questionnaire=questionnaire)
    for i in range(5):
        submit(campaign, {"q1": 4, "q2": "Daily", "q3": ["Simulation"], "q4": 1, **({"q5": 7} if i < 2 else {})})
    release_and_close(campaign)
    header, *rows = rows_of(export(client, coordinator, campaign, "csv").content)
    assert {r[header.index("q5")] for r in rows} == {""}
    codebook = {r[0]: r for r in rows_of(export(client, coordinator, campaign, "codebook").content)}
    assert "fewer people than the anonymity threshold" in codebook["q5"][-1]


def test_codebook_lists_variables_types_and_value_labels(client, coordinator, answered):
    header, *rows = rows_of(export(client, coordinator, answered, "codebook").content)
    assert header == ["variable", "question", "section", "type", "values", "required", "note"]
    book = {r[0]: r for r in rows}
    assert book["q1"][4] == ("1 = Strongly disagree; 2 = Disagree; 3 = Neither agree nor disagree; 4 = Agree; "
                             "5 = Strongly agree")
    assert book["q1"][2] == "My mentor" and book["q1"][5] == "yes"
    assert book["q2"][4] == "1 = Daily; 2 = Weekly; 3 = Monthly"
    assert book["q3_2"][1] == "Which forms of mentoring did you have?: Case review"
    assert book["q3_2"][4] == "1 = chosen; 0 = not chosen"
    assert book["q4"][4] == "1 = Yes; 0 = No"
    assert (book["q5"][4], book["q5"][5]) == ("0–60", "no")
    assert "comments sheet" in book["q6"][-1]


def test_comments_are_apart_and_shuffled(client, coordinator, answered):
    header, *rows = rows_of(export(client, coordinator, answered, "comments").content)
    assert header == ["variable", "comment"]
    assert sorted(r[1] for r in rows) == [f"Comment number {i}" for i in range(8)]
    orders = {tuple(r[1] for r in rows_of(export(client, coordinator, answered, "comments").content)[1:])
              for _ in range(6)}
    assert len(orders) > 1


def test_formulas_are_neutralised_in_csv_and_xlsx(client, coordinator, department):
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    items = by_code(questionnaire)
    Option.objects.filter(item=items["q2"], value=1).update(label="=HYPERLINK(\"http://x\")")
    items["q1"].text = "+1 is how I rate"
    items["q1"].save()
    campaign = CampaignFactory(questionnaire=questionnaire)
    for text in ["=1+1", "@SUM(A1)", "-2", "plain", "+ more rounds"]:
        submit(campaign, {"q1": 4, "q2": "=HYPERLINK(\"http://x\")", "q3": ["Simulation"], "q4": 1, "q5": 3,
                          **({"q6": text} if text else {})})
    release_and_close(campaign)

    comments = [r[1] for r in rows_of(export(client, coordinator, campaign, "comments").content)[1:]]
    assert sorted(comments) == sorted(["'=1+1", "'@SUM(A1)", "'-2", "plain", "'+ more rounds"])
    codebook = {r[0]: r for r in rows_of(export(client, coordinator, campaign, "codebook").content)}
    assert codebook["q1"][1] == "'+1 is how I rate"
    assert codebook["q2"][4].startswith("1 = =HYPERLINK")  # inside the text, not at the start: harmless

    workbook = load_workbook(io.BytesIO(export(client, coordinator, campaign, "xlsx").content))
    assert workbook.sheetnames == ["responses", "codebook", "comments"]
    texts = [c for row in workbook["comments"].iter_rows(min_row=2) for c in row if c.column == 2]
    assert sorted(c.value for c in texts) == sorted(["'=1+1", "'@SUM(A1)", "'-2", "plain", "'+ more rounds"])
    assert all(c.data_type == "s" for c in texts)
    assert workbook["codebook"]["B2"].value == "'+1 is how I rate"


def test_neutralise():
    assert [neutralise(v) for v in ["=A1", "+1", "-1", "@x", "\tx", "\rx", "ok", 5, -5, None]] == [
        "'=A1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "ok", 5, -5, None]


def test_xlsx_has_both_sheets_with_the_rows(client, coordinator, answered):
    response = export(client, coordinator, answered, "xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    responses = list(workbook["responses"].iter_rows(values_only=True))
    assert responses[0] == ("q1", "q2", "q3_1", "q3_2", "q3_3", "q4", "q5")
    assert len(responses) == 9
    assert all(isinstance(v, int | float) for row in responses[1:] for v in row)
    codebook = list(workbook["codebook"].iter_rows(values_only=True))
    assert codebook[0] == ("variable", "question", "section", "type", "values", "required", "note")
    assert [r[0] for r in codebook[1:]] == ["q1", "q2", "q3_1", "q3_2", "q3_3", "q4", "q5", "q6"]
