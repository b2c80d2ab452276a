"""The builder's services (surveys.builder): locking, order, copies, variable names, options, number ranges, scope."""

import pytest
from django.core.exceptions import ValidationError

from surveys.builder import (
    item_delete,
    item_move,
    item_save,
    questionnaire_copy,
    questionnaire_is_locked,
    questionnaire_save,
    section_delete,
    section_move,
    section_save,
)
from surveys.models import Item, Option, Participation, PendingSubmission, Questionnaire, Response, Section
from tests.factories import CoordinatorFactory, DepartmentFactory, UserFactory
from tests.factories_surveys import CampaignFactory, answer, invite, questionnaire_with_items

pytestmark = pytest.mark.django_db

LOCKED = "This questionnaire already has answers, so it cannot change. Make a copy to change it."


@pytest.fixture
def questionnaire(department, coordinator):
    return questionnaire_save(department=department, by=coordinator, title="Feedback on rounds")


@pytest.fixture
def section(questionnaire, coordinator):
    return section_save(questionnaire=questionnaire, by=coordinator, title="Rounds")


def likert(section, by, text="The rounds are useful.", **kwargs):
    return item_save(section=section, by=by, kind="likert", text=text, **kwargs)


def positions(queryset):
    return list(queryset.values_list("pk", "position"))


# --- questionnaires -------------------------------------------------------------------------------------------


def test_questionnaire_save_creates_and_changes(department, coordinator):
    q = questionnaire_save(department=department, by=coordinator, title="  Mentor survey ", description="For all",
                           intended_for="residents", about_mentor=True)
    assert (q.title, q.description, q.intended_for, q.about_mentor, q.created_by) == (
        "Mentor survey", "For all", "residents", True, coordinator)

    questionnaire_save(department=department, by=coordinator, questionnaire=q, title="Training quality",
                       intended_for="mentors", about_mentor=False)
    q.refresh_from_db()
    assert (q.title, q.intended_for, q.about_mentor) == ("Training quality", "mentors", False)


@pytest.mark.parametrize("kwargs,field", [
    ({"title": "  "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "Survey", "intended_for": "patients"}, "intended_for"),
    ({"title": "Survey", "intended_for": "mentors", "about_mentor": True}, "about_mentor"),
])
def test_questionnaire_save_refuses(department, coordinator, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        questionnaire_save(department=department, by=coordinator, **kwargs)
    assert field in exc.value.message_dict
    assert not Questionnaire.objects.exists()


def test_questionnaire_stays_in_its_department(questionnaire, coordinator):
    elsewhere = DepartmentFactory()
    CoordinatorFactory(department=elsewhere, user=coordinator)
    with pytest.raises(ValidationError, match="stays in its department"):
        questionnaire_save(department=elsewhere, by=coordinator, questionnaire=questionnaire, title="Moved")


# --- the coordinator check ------------------------------------------------------------------------------------


def test_coordinator_of_another_department_changes_nothing(questionnaire, section, coordinator, department):
    item = likert(section, coordinator)
    other = CoordinatorFactory(department=DepartmentFactory()).user
    before = (Questionnaire.objects.count(), Section.objects.count(), list(Item.objects.values()))
    calls = [
        lambda: questionnaire_save(department=department, by=other, title="Mine"),
        lambda: questionnaire_save(department=department, by=other, questionnaire=questionnaire, title="Mine"),
        lambda: questionnaire_copy(questionnaire=questionnaire, by=other),
        lambda: section_save(questionnaire=questionnaire, by=other, title="More"),
        lambda: section_save(questionnaire=questionnaire, by=other, title="More", section=section),
        lambda: section_move(section=section, direction="down", by=other),
        lambda: section_delete(section=section, by=other),
        lambda: likert(section, other),
        lambda: likert(section, other, item=item, text="Changed"),
        lambda: item_move(item=item, direction="down", by=other),
        lambda: item_delete(item=item, by=other),
    ]
    for call in calls:
        with pytest.raises(ValidationError, match="Only a coordinator of the department"):
            call()
    for nobody in (UserFactory(), None):
        with pytest.raises(ValidationError, match="Only a coordinator"):
            section_save(questionnaire=questionnaire, by=nobody, title="More")
    assert (Questionnaire.objects.count(), Section.objects.count(), list(Item.objects.values())) == before


# --- locking --------------------------------------------------------------------------------------------------


def _completed_participation(campaign):
    Participation.objects.create(campaign=campaign, user=UserFactory(), completed=True)


def _pending_submission(campaign):
    PendingSubmission.objects.create(campaign=campaign, answers={})


def _response(campaign):
    Response.objects.create(campaign=campaign)


@pytest.mark.parametrize("record", [_completed_participation, _pending_submission, _response])
def test_any_answer_record_locks_every_change(record, department, coordinator):
    questionnaire = questionnaire_with_items(department)
    section = questionnaire.sections.get()
    item = section.items.first()
    campaign = CampaignFactory(questionnaire=questionnaire)
    invite(campaign, [UserFactory()])  # an invitation alone is not an answer
    assert not questionnaire_is_locked(questionnaire)

    record(campaign)

    assert questionnaire_is_locked(questionnaire)
    before = (list(Questionnaire.objects.values()), list(Section.objects.values()), list(Item.objects.values()),
              list(Option.objects.values()))
    calls = [
        lambda: questionnaire_save(department=department, by=coordinator, questionnaire=questionnaire, title="New"),
        lambda: section_save(questionnaire=questionnaire, by=coordinator, title="More"),
        lambda: section_save(questionnaire=questionnaire, by=coordinator, title="Renamed", section=section),
        lambda: section_move(section=section, direction="up", by=coordinator),
        lambda: section_delete(section=section, by=coordinator),
        lambda: likert(section, coordinator),
        lambda: item_save(section=section, by=coordinator, item=item, kind="text", text=item.text),
        lambda: item_move(item=item, direction="down", by=coordinator),
        lambda: item_delete(item=item, by=coordinator),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as exc:
            call()
        assert exc.value.messages == [LOCKED]
    assert (list(Questionnaire.objects.values()), list(Section.objects.values()), list(Item.objects.values()),
            list(Option.objects.values())) == before

    copy = questionnaire_copy(questionnaire=questionnaire, by=coordinator)  # the way to change it
    assert not questionnaire_is_locked(copy)
    likert(copy.sections.get(), coordinator)


def test_an_answer_through_the_service_locks(department, coordinator, make_mentor, make_resident):
    from mentoring.services import assignment_create

    questionnaire = questionnaire_with_items(department)
    campaign = CampaignFactory(questionnaire=questionnaire)
    resident = make_resident()
    assignment_create(resident=resident, mentor=make_mentor())
    answer(campaign, resident.user)

    assert questionnaire_is_locked(questionnaire)
    assert not questionnaire_is_locked(questionnaire_with_items(department))


# --- order ----------------------------------------------------------------------------------------------------


def test_sections_are_added_at_the_end_and_move_up_and_down(questionnaire, coordinator):
    a, b, c = (section_save(questionnaire=questionnaire, by=coordinator, title=t) for t in "ABC")
    assert [s.position for s in (a, b, c)] == [1, 2, 3]

    section_move(section=c, direction="up", by=coordinator)
    assert list(questionnaire.sections.values_list("title", "position")) == [("A", 1), ("C", 2), ("B", 3)]
    section_move(section=a, direction="up", by=coordinator)  # already first: nothing moves
    section_move(section=b, direction="down", by=coordinator)  # already last
    assert list(questionnaire.sections.values_list("title", "position")) == [("A", 1), ("C", 2), ("B", 3)]
    section_move(section=a, direction="down", by=coordinator)
    assert list(questionnaire.sections.values_list("title", flat=True)) == ["C", "A", "B"]
    with pytest.raises(ValidationError):
        section_move(section=a, direction="sideways", by=coordinator)


def test_positions_are_renumbered_after_gaps_and_deletes(questionnaire, coordinator):
    a, b, c = (section_save(questionnaire=questionnaire, by=coordinator, title=t) for t in "ABC")
    Section.objects.filter(pk=c.pk).update(position=40)  # e.g. an admin edit left gaps
    section_delete(section=a, by=coordinator)
    assert list(questionnaire.sections.values_list("title", "position")) == [("B", 1), ("C", 2)]
    section_move(section=c, direction="up", by=coordinator)
    assert list(questionnaire.sections.values_list("title", "position")) == [("C", 1), ("B", 2)]


def test_section_delete_takes_its_items(questionnaire, section, coordinator):
    likert(section, coordinator)
    item_save(section=section, by=coordinator, kind="single", text="How often?", options=["Often", "Rarely"])
    section_delete(section=section, by=coordinator)
    assert not Item.objects.exists() and not Option.objects.exists()


def test_items_move_within_their_section(questionnaire, section, coordinator):
    other = section_save(questionnaire=questionnaire, by=coordinator, title="Other")
    one, two, three = (likert(section, coordinator, text=t) for t in ("One", "Two", "Three"))
    elsewhere = likert(other, coordinator, text="Elsewhere")
    assert [i.position for i in (one, two, three, elsewhere)] == [1, 2, 3, 1]

    item_move(item=one, direction="down", by=coordinator)
    item_move(item=three, direction="down", by=coordinator)  # last of its section: stays
    assert list(section.items.values_list("text", "position")) == [("Two", 1), ("One", 2), ("Three", 3)]
    Item.objects.filter(pk=three.pk).update(position=9)
    item_delete(item=two, by=coordinator)
    assert list(section.items.values_list("text", "position")) == [("One", 1), ("Three", 2)]
    assert list(other.items.values_list("text", "position")) == [("Elsewhere", 1)]


# --- copy -----------------------------------------------------------------------------------------------------


def test_copy_is_deep_and_independent(department, coordinator):
    original = questionnaire_with_items(department, title="Mentor survey", description="About the mentor")
    second = section_save(questionnaire=original, by=coordinator, title="Comments")
    likert(second, coordinator, text="Anything else", code="extra")
    CampaignFactory(questionnaire=original)

    copy = questionnaire_copy(questionnaire=original, by=coordinator)

    assert (copy.title, copy.description, copy.copied_from, copy.department_id, copy.about_mentor,
            copy.created_by) == ("Mentor survey (copy)", "About the mentor", original, department.pk, True,
                                 coordinator)

    def shape(q):
        return [(s.title, s.position, [(i.kind, i.text, i.help_text, i.required, i.position, i.code, i.number_min,
                                        i.number_max, [(o.label, o.value, o.position) for o in i.options.all()])
                                       for i in s.items.all()])
                for s in q.sections.prefetch_related("items__options")]

    assert shape(copy) == shape(original)
    assert not set(Item.objects.filter(section__questionnaire=copy).values_list("pk", flat=True)) & set(
        Item.objects.filter(section__questionnaire=original).values_list("pk", flat=True))
    assert not copy.campaigns.exists()

    original_shape = shape(original)
    first = copy.sections.first()
    single = first.items.get(kind="single")
    item_save(section=first, by=coordinator, item=single, kind="single", text="Changed", options=["A", "B"])
    section_delete(section=copy.sections.last(), by=coordinator)
    assert shape(original) == original_shape


def test_copy_of_a_long_title_fits(department, coordinator):
    original = questionnaire_save(department=department, by=coordinator, title="x" * 200)
    copy = questionnaire_copy(questionnaire=original, by=coordinator)
    assert len(copy.title) == 200 and copy.title.endswith(" (copy)")


# --- items: variable names ------------------------------------------------------------------------------------


def test_codes_are_given_automatically_and_unique(questionnaire, section, coordinator):
    other = section_save(questionnaire=questionnaire, by=coordinator, title="Other")
    first = likert(section, coordinator)
    taken = likert(section, coordinator, code="q3")
    third = likert(other, coordinator)
    fourth = likert(other, coordinator)
    assert (first.code, taken.code, third.code, fourth.code) == ("q1", "q3", "q4", "q5")


def test_blank_code_on_a_change_keeps_the_code(section, coordinator):
    item = likert(section, coordinator, code="respect")
    item = likert(section, coordinator, item=item, text="Changed", code="")
    assert item.code == "respect"
    item = likert(section, coordinator, item=item, text="Changed", code="respect")  # its own code is not a clash
    assert item.code == "respect"


@pytest.mark.parametrize("code", ["1abc", "_abc", "with space", "q-1", "é1", "x" * 33])
def test_bad_codes_are_refused(section, coordinator, code):
    with pytest.raises(ValidationError) as exc:
        likert(section, coordinator, code=code)
    assert "code" in exc.value.message_dict
    assert not Item.objects.exists()


def test_code_unique_in_the_questionnaire_ignoring_case(questionnaire, section, coordinator, department):
    likert(section, coordinator, code="Respect")
    other = section_save(questionnaire=questionnaire, by=coordinator, title="Other")
    with pytest.raises(ValidationError) as exc:
        likert(other, coordinator, code="respect")
    assert "already has the variable name" in exc.value.message_dict["code"][0]
    elsewhere = questionnaire_save(department=department, by=coordinator, title="Another")
    likert(section_save(questionnaire=elsewhere, by=coordinator, title="S"), coordinator, code="respect")


def test_longest_code(section, coordinator):
    assert likert(section, coordinator, code="a" + "b_1" * 10 + "z").code == "a" + "b_1" * 10 + "z"


# --- items: options -------------------------------------------------------------------------------------------


def test_options_are_coded_in_order_and_blank_lines_dropped(section, coordinator):
    item = item_save(section=section, by=coordinator, kind="multiple", text="Forms of mentoring",
                     options=[" Bedside ", "", "Case review", "  ", "Simulation"])
    assert list(item.options.values_list("label", "value", "position")) == [
        ("Bedside", 1, 1), ("Case review", 2, 2), ("Simulation", 3, 3)]

    item_save(section=section, by=coordinator, item=item, kind="multiple", text="Forms of mentoring",
              options=["Simulation", "Bedside"])
    assert list(item.options.values_list("label", "value")) == [("Simulation", 1), ("Bedside", 2)]


@pytest.mark.parametrize("options,message", [
    ([], "at least 2 options"),
    (["Only one", " "], "at least 2 options"),
    (["Weekly", "Monthly", "weekly "], "repeated: weekly"),
    (["x" * 201, "Short"], "at most 200 characters"),
    ([f"Option {n}" for n in range(31)], "at most 30 options"),
])
@pytest.mark.parametrize("kind", ["single", "multiple"])
def test_bad_options_are_refused(section, coordinator, kind, options, message):
    with pytest.raises(ValidationError) as exc:
        item_save(section=section, by=coordinator, kind=kind, text="How often?", options=options)
    assert message in " ".join(exc.value.message_dict["options"])
    assert not Item.objects.exists()


def test_other_kinds_have_no_options_and_lose_them_when_the_kind_changes(section, coordinator):
    assert not likert(section, coordinator, options=["A", "B"]).options.exists()
    item = item_save(section=section, by=coordinator, kind="single", text="How often?", options=["Often", "Rarely"])
    item = item_save(section=section, by=coordinator, item=item, kind="yes_no", text="Often?",
                     options=["Often", "Rarely"])
    assert item.kind == "yes_no" and not item.options.exists()


# --- items: numbers and texts ---------------------------------------------------------------------------------


def test_number_range(section, coordinator):
    item = item_save(section=section, by=coordinator, kind="number", text="Residents mentored", number_min=0,
                     number_max=10)
    assert (item.number_min, item.number_max) == (0, 10)
    item = item_save(section=section, by=coordinator, item=item, kind="number", text="Any", number_min=None,
                     number_max=5)
    assert (item.number_min, item.number_max) == (None, 5)
    equal = item_save(section=section, by=coordinator, kind="number", text="Exactly", number_min=3, number_max=3)
    assert (equal.number_min, equal.number_max) == (3, 3)


@pytest.mark.parametrize("low,high,field", [(10, 0, "number_max"), (-10_000_000, None, "number_min"),
                                            (None, 10_000_000, "number_max")])
def test_bad_number_ranges_are_refused(section, coordinator, low, high, field):
    with pytest.raises(ValidationError) as exc:
        item_save(section=section, by=coordinator, kind="number", text="Hours", number_min=low, number_max=high)
    assert field in exc.value.message_dict


def test_other_kinds_keep_no_range(section, coordinator):
    item = item_save(section=section, by=coordinator, kind="number", text="Hours", number_min=1, number_max=5)
    item = likert(section, coordinator, item=item, number_min=1, number_max=5)
    assert (item.kind, item.number_min, item.number_max) == ("likert", None, None)


@pytest.mark.parametrize("kwargs,field", [
    ({"kind": "slider", "text": "How much?"}, "kind"),
    ({"kind": "likert", "text": "   "}, "text"),
    ({"kind": "likert", "text": "x" * 501}, "text"),
    ({"kind": "likert", "text": "Fine", "help_text": "x" * 301}, "help_text"),
])
def test_bad_items_are_refused(section, coordinator, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        item_save(section=section, by=coordinator, **kwargs)
    assert field in exc.value.message_dict


def test_every_problem_is_reported_at_once(section, coordinator):
    with pytest.raises(ValidationError) as exc:
        item_save(section=section, by=coordinator, kind="single", text="", options=["One"], code="1x")
    assert set(exc.value.message_dict) == {"text", "options", "code"}


def test_item_and_section_stay_where_they_are(department, coordinator, questionnaire, section):
    item = likert(section, coordinator)
    other_q = questionnaire_save(department=department, by=coordinator, title="Other")
    other_section = section_save(questionnaire=other_q, by=coordinator, title="Other")
    with pytest.raises(ValidationError, match="another section"):
        likert(other_section, coordinator, item=item)
    with pytest.raises(ValidationError, match="another questionnaire"):
        section_save(questionnaire=other_q, by=coordinator, title="Moved", section=section)


def test_section_title_required(questionnaire, coordinator):
    with pytest.raises(ValidationError) as exc:
        section_save(questionnaire=questionnaire, by=coordinator, title=" ")
    assert "title" in exc.value.message_dict


# --- concurrency (PostgreSQL) ---------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_questions_added_at_once_get_distinct_codes_and_positions(department, coordinator):
    from django.db import connection

    from tests.concurrency import run_concurrently

    assert connection.vendor == "postgresql"
    second = CoordinatorFactory(department=department).user
    questionnaire = questionnaire_save(department=department, by=coordinator, title="Rounds")
    section = section_save(questionnaire=questionnaire, by=coordinator, title="Rounds")

    results = run_concurrently([lambda n=n: likert(section, (coordinator, second)[n % 2], text=f"Question {n}").pk
                                for n in range(8)])

    assert [kind for kind, _ in results] == ["ok"] * 8, results
    rows = list(section.items.values_list("code", "position"))
    assert sorted(code for code, _ in rows) == sorted(f"q{n}" for n in range(1, 9))
    assert sorted(position for _, position in rows) == list(range(1, 9))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sections_moved_at_once_keep_positions_one_to_n(department, coordinator):
    from django.db import connection

    from tests.concurrency import run_concurrently

    assert connection.vendor == "postgresql"
    questionnaire = questionnaire_save(department=department, by=coordinator, title="Rounds")
    sections = [section_save(questionnaire=questionnaire, by=coordinator, title=f"S{n}") for n in range(6)]

    results = run_concurrently([lambda s=s, d=d: section_move(section=s, direction=d, by=coordinator)
                                for s in sections for d in ("up", "down")])

    assert all(kind == "ok" for kind, _ in results), results
    assert sorted(questionnaire.sections.values_list("position", flat=True)) == list(range(1, 7))
