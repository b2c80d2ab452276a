"""The answer form (surveys.forms_answer) and its include: one field per item, answers() feeds normalize_answers."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from surveys.answers import items_of, normalize_answers
from surveys.forms_answer import LIKERT_LABELS, AnswerForm
from surveys.models import Item, Section
from tests.factories_surveys import questionnaire_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(department):
    return questionnaire_with_items(department)


@pytest.fixture
def items(questionnaire):
    return {item.code: item for item in items_of(questionnaire)}


def post_data(items, **overrides):
    """Form data answering every item (q5 and q6 optional), overridable per code; None leaves it out."""
    single, multiple = items["q2"].options.all(), items["q3"].options.all()
    data = {"q1": "4", "q2": str(single[1].pk), "q3": [str(multiple[0].pk), str(multiple[2].pk)], "q4": "0",
            "q5": "7,5", "q6": "  More bedside teaching.  "} | overrides
    return {f"item_{items[code].pk}": value for code, value in data.items() if value is not None}


def test_one_field_per_item_with_label_help_and_required(questionnaire, items):
    Item.objects.filter(pk=items["q1"].pk).update(help_text="Think of the last three months.")
    form = AnswerForm(items_of(questionnaire))

    assert list(form.fields) == [f"item_{items[c].pk}" for c in ("q1", "q2", "q3", "q4", "q5", "q6")]
    q1 = form.fields[f"item_{items['q1'].pk}"]
    assert q1.label == items["q1"].text and q1.help_text == "Think of the last three months."
    assert [f.required for f in form.fields.values()] == [True, True, True, True, False, False]
    assert [(v, str(label)) for v, label in q1.choices] == [
        (1, "Strongly disagree"), (2, "Disagree"), (3, "Neither agree nor disagree"), (4, "Agree"),
        (5, "Strongly agree")]
    assert {v: str(label) for v, label in LIKERT_LABELS.items()} == dict((v, str(label)) for v, label in q1.choices)
    assert [v for v, _ in form.fields[f"item_{items['q2'].pk}"].choices] == [o.pk for o in items["q2"].options.all()]
    assert [(v, str(label)) for v, label in form.fields[f"item_{items['q4'].pk}"].choices] == [(1, "Yes"), (0, "No")]
    q5 = form.fields[f"item_{items['q5'].pk}"]
    assert (q5.min_value, q5.max_value) == (0, 60) and "A number from 0 to 60." in q5.help_text
    assert form.fields[f"item_{items['q6'].pk}"].max_length == 4000


def test_valid_answers_pass_the_form_and_normalize_answers(questionnaire, items):
    form = AnswerForm(items_of(questionnaire), data=post_data(items))

    assert form.is_valid(), form.errors
    answers = form.answers()
    single, multiple = items["q2"].options.all(), items["q3"].options.all()
    assert normalize_answers(items_of(questionnaire), answers) == {
        str(items["q1"].pk): ["n", "4"],
        str(items["q2"].pk): ["o", [single[1].pk]],
        str(items["q3"].pk): ["o", [multiple[0].pk, multiple[2].pk]],
        str(items["q4"].pk): ["n", "0"],
        str(items["q5"].pk): ["n", "7.50"],
        str(items["q6"].pk): ["t", "More bedside teaching."],
    }


def test_empty_optional_answers_are_left_out(questionnaire, items):
    form = AnswerForm(items_of(questionnaire), data=post_data(items, q5="", q6="   "))

    assert form.is_valid(), form.errors
    assert set(form.answers()) == {items[c].pk for c in ("q1", "q2", "q3", "q4")}
    assert set(normalize_answers(items_of(questionnaire), form.answers())) == {
        str(items[c].pk) for c in ("q1", "q2", "q3", "q4")}


@pytest.mark.parametrize("code,value", [
    ("q1", None),  # required, missing
    ("q1", "6"),  # off the scale
    ("q1", "0"),
    ("q2", "999999"),  # not an option of the item
    ("q3", ["999999"]),
    ("q3", None),
    ("q4", "2"),
    ("q5", "61"),  # above the item's range
    ("q5", "-1"),
    ("q5", "seven"),
    ("q5", "1.234"),  # more than two decimals
    ("q6", "x" * 4001),
])
def test_bad_answers_are_refused_by_the_form(questionnaire, items, code, value):
    form = AnswerForm(items_of(questionnaire), data=post_data(items, **{code: value}))

    assert not form.is_valid()
    assert list(form.errors) == [f"item_{items[code].pk}"]


def test_options_of_another_item_are_refused(questionnaire, items):
    other_option = items["q3"].options.first().pk  # a real option, but of the multiple-choice item
    form = AnswerForm(items_of(questionnaire), data=post_data(items, q2=str(other_option)))

    assert not form.is_valid() and f"item_{items['q2'].pk}" in form.errors


@pytest.mark.parametrize("code,value", [
    ("q1", 6), ("q2", 999999), ("q3", [999999]), ("q4", 2), ("q5", 61), ("q6", "x" * 4001), ("q1", None),
])
def test_normalize_answers_refuses_what_the_form_would_refuse(questionnaire, items, code, value):
    """The service is the gate: answers that bypass the form are refused there too."""
    form = AnswerForm(items_of(questionnaire), data=post_data(items))
    assert form.is_valid(), form.errors
    answers = form.answers()
    if value is None:
        answers.pop(items[code].pk)
    else:
        answers[items[code].pk] = value

    with pytest.raises(ValidationError) as exc:
        normalize_answers(items_of(questionnaire), answers)
    assert items[code].text in " ".join(exc.value.messages)


def test_sections_group_fields_in_order(questionnaire, items):
    second = Section.objects.create(questionnaire=questionnaire, title="Comments", position=2)
    Item.objects.filter(pk=items["q6"].pk).update(section=second)
    form = AnswerForm(items_of(questionnaire))

    groups = [(section.title, [f.name for f in fields]) for section, fields in form.sections()]
    assert groups == [("My mentor", [f"item_{items[c].pk}" for c in ("q1", "q2", "q3", "q4", "q5")]),
                      ("Comments", [f"item_{items['q6'].pk}"])]


def test_include_labels_every_control(questionnaire, items):
    form = AnswerForm(items_of(questionnaire), data=post_data(items, q1="9"))
    form.is_valid()

    html = render_to_string("surveys/includes/answer_fields.html", {"form": form})

    assert html.count("<fieldset") == 4 and html.count("<legend") == 4  # likert, single, multiple, yes/no
    assert "My mentor" in html and "Strongly agree" in html and "Choose all that apply." in html
    for item in items.values():
        assert item.text in html
    # Every radio and checkbox has its own label.
    for input_id in re.findall(r'<input type="(?:radio|checkbox)"[^>]* id="([^"]+)"', html):
        assert f'for="{input_id}"' in html
    assert f'for="id_item_{items["q5"].pk}"' in html and f'for="id_item_{items["q6"].pk}"' in html
    assert f'id="id_item_{items["q1"].pk}_errors"' in html  # the error is shown next to its question
    assert f'value="{items["q3"].options.first().pk}" autocomplete="off" checked' in html  # answers kept


def test_disabled_form_renders_disabled_controls(questionnaire, items):
    html = render_to_string("surveys/includes/answer_fields.html",
                            {"form": AnswerForm(items_of(questionnaire), disabled=True)})

    assert html.count(" disabled") >= 5 + 3 + 3 + 2 + 2  # every radio, checkbox and box

