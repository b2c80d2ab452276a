"""The questionnaires shipped with the product (surveys.shipped) and their installation into a department."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from surveys.answers import items_of
from surveys.builder import questionnaire_is_locked
from surveys.models import Item, Questionnaire
from surveys.shipped import SHIPPED, questionnaire_install_shipped
from tests.factories import CoordinatorFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


def kinds(questionnaire):
    return Counter(item.kind for item in items_of(questionnaire))


def test_three_shipped_keys():
    assert set(SHIPPED) == {"mentor_satisfaction", "mentoring_need", "training_quality"}


def test_mentor_satisfaction(department, coordinator):
    q = questionnaire_install_shipped(department=department, key="mentor_satisfaction", by=coordinator)

    assert (q.shipped_key, q.department, q.intended_for, q.about_mentor, q.created_by) == (
        "mentor_satisfaction", department, "residents", True, coordinator)
    assert q.title == "Residents' satisfaction with their clinical mentor"
    assert list(q.sections.values_list("title", flat=True)) == [
        "Relationship", "Teaching and guidance", "Overall", "Comments"]
    assert kinds(q) == {"likert": 10, "multiple": 1, "single": 1, "text": 2}
    items = {item.code: item for item in items_of(q)}
    assert items["ms_interest"].text == "My mentor is interested in my success."
    assert items["ms_demanding"].text == "My mentor is demanding and holds me to high standards."
    assert [o.label for o in items["ms_forms"].options.all()] == [
        "Bedside teaching during rounds", "Supervised procedures and manipulations", "Joint case discussions",
        "Review of my documentation", "Simulation training", "Guidance on research", "Career advice",
        "Informal conversations"]
    assert [(o.value, o.label) for o in items["ms_meetings"].options.all()] == [
        (1, "Weekly"), (2, "Every two weeks"), (3, "Monthly"), (4, "Less often"), (5, "Never")]


def test_mentoring_need(department, coordinator):
    q = questionnaire_install_shipped(department=department, key="mentoring_need", by=coordinator)

    assert (q.shipped_key, q.intended_for, q.about_mentor) == ("mentoring_need", "residents", False)
    assert kinds(q) == {"multiple": 1, "yes_no": 1, "single": 1, "likert": 2, "text": 1}
    items = {item.code: item for item in items_of(q)}
    assert items["mn_mandatory"].text == "Should having a mentor be mandatory for residents?"
    assert len(items["mn_stages"].options.all()) == 6 and len(items["mn_form"].options.all()) == 4


def test_training_quality(department, coordinator):
    q = questionnaire_install_shipped(department=department, key="training_quality", by=coordinator)

    assert (q.shipped_key, q.intended_for, q.about_mentor) == ("training_quality", "mentors", False)
    assert kinds(q) == {"likert": 8, "number": 1, "text": 1}
    number = Item.objects.get(section__questionnaire=q, kind="number")
    assert (number.number_min, number.number_max, number.required) == (0, 10, True)


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_required_except_free_text_codes_unique_positions_in_order(department, coordinator, key):
    q = questionnaire_install_shipped(department=department, key=key, by=coordinator)
    items = items_of(q)

    assert all(item.required == (item.kind != "text") for item in items)
    assert len({item.code for item in items}) == len(items)
    assert list(q.sections.values_list("position", flat=True)) == list(range(1, q.sections.count() + 1))
    for section in q.sections.all():
        assert list(section.items.values_list("position", flat=True)) == list(range(1, section.items.count() + 1))
    assert not questionnaire_is_locked(q)


def test_a_second_install_gives_a_second_independent_questionnaire(department, coordinator):
    first = questionnaire_install_shipped(department=department, key="mentoring_need", by=coordinator)
    second = questionnaire_install_shipped(department=department, key="mentoring_need", by=coordinator)

    assert first.pk != second.pk
    assert Questionnaire.objects.filter(shipped_key="mentoring_need").count() == 2
    assert kinds(first) == kinds(second)
    assert not set(i.pk for i in items_of(first)) & set(i.pk for i in items_of(second))


def test_texts_are_written_in_the_active_language(department, coordinator):
    with translation.override("ru"):
        ru = questionnaire_install_shipped(department=department, key="training_quality", by=coordinator)
        expected = str(SHIPPED["training_quality"].title)
    assert ru.title == expected
    assert Questionnaire.objects.get(pk=ru.pk).title == expected  # a plain string, not a lazy one


def test_unknown_key_and_other_departments_are_refused(department, coordinator):
    with pytest.raises(ValidationError, match="no such ready-made questionnaire"):
        questionnaire_install_shipped(department=department, key="nonsense", by=coordinator)
    other = CoordinatorFactory(department=DepartmentFactory()).user
    with pytest.raises(ValidationError, match="Only a coordinator"):
        questionnaire_install_shipped(department=department, key="mentoring_need", by=other)
    assert not Questionnaire.objects.exists()
