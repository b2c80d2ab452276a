"""The builder's pages: happy paths, POSTs that change things, the locked questionnaire, scope, query counts."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.builder import item_save, questionnaire_save, section_save
from surveys.models import Item, Option, Questionnaire, Response, Section
from surveys.shipped import SHIPPED
from tests.factories import CoordinatorFactory, DepartmentFactory
from tests.factories_surveys import CampaignFactory, questionnaire_with_items

pytestmark = pytest.mark.django_db

LOCKED = "This questionnaire already has answers, so it cannot change. Make a copy to change it."


@pytest.fixture
def logged_in(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def questionnaire(department):
    return questionnaire_with_items(department, title="Mentor survey")


@pytest.fixture
def section(questionnaire):
    return questionnaire.sections.get()


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def shown_messages(response):
    """The messages shown on the page the redirect led to (showing them uses them up)."""
    return [str(m) for m in response.context["messages"]]


def lock(questionnaire):
    Response.objects.create(campaign=CampaignFactory(questionnaire=questionnaire))


def detail_url(questionnaire):
    return reverse("surveys:questionnaire_detail", args=[questionnaire.pk])


def snapshot():
    return (list(Questionnaire.objects.values()), list(Section.objects.values()), list(Item.objects.values()),
            list(Option.objects.values()))


# --- list, new, install ---------------------------------------------------------------------------------------


def test_list_shows_the_department_questionnaires_with_counts_and_lock(logged_in, department, questionnaire):
    locked = questionnaire_with_items(department, title="Answered survey")
    lock(locked)
    CampaignFactory(questionnaire=locked)
    questionnaire_with_items(DepartmentFactory(), title="Someone else's survey")

    response = logged_in.get(reverse("surveys:questionnaire_list", args=[department.pk]))

    assert response.status_code == 200
    rows = {q.title: q for q in response.context["page"]}
    assert set(rows) == {"Mentor survey", "Answered survey"}
    assert (rows["Mentor survey"].items_count, rows["Mentor survey"].campaigns_count,
            rows["Mentor survey"].locked) == (6, 0, False)
    assert (rows["Answered survey"].items_count, rows["Answered survey"].campaigns_count,
            rows["Answered survey"].locked) == (6, 2, True)
    html = response.content.decode()
    assert html.count('data-locked="1"') == 1
    assert "New questionnaire" in html and "Add a shipped questionnaire" in html
    install_url = reverse("surveys:questionnaire_install", args=[department.pk])
    assert html.count(f'action="{install_url}"') == 3
    for key in SHIPPED:
        assert f'name="key" value="{key}"' in html


def _list_queries(client, department):
    url = reverse("surveys:questionnaire_list", args=[department.pk])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow(logged_in, department):
    for _ in range(2):
        lock(questionnaire_with_items(department))
    small = _list_queries(logged_in, department)
    for n in range(18):
        q = questionnaire_with_items(department)
        CampaignFactory(questionnaire=q)
        if n % 2:
            lock(q)
    large = _list_queries(logged_in, department)
    assert Questionnaire.objects.filter(department=department).count() == 20
    assert small == large


def test_new_questionnaire(logged_in, department, coordinator):
    url = reverse("surveys:questionnaire_new", args=[department.pk])
    assert logged_in.get(url).status_code == 200

    response = logged_in.post(url, {"title": "Night duties", "description": "", "intended_for": "mentors"})

    q = Questionnaire.objects.get()
    assert response.status_code == 302 and response.url == detail_url(q)
    assert (q.title, q.intended_for, q.about_mentor, q.department, q.created_by) == (
        "Night duties", "mentors", False, department, coordinator)


def test_new_questionnaire_shows_service_errors(logged_in, department):
    response = logged_in.post(reverse("surveys:questionnaire_new", args=[department.pk]),
                              {"title": "About mentors", "intended_for": "mentors", "about_mentor": "on"})
    assert response.status_code == 200
    assert "Only a questionnaire for residents can be about" in response.content.decode()
    assert not Questionnaire.objects.exists()


@pytest.mark.parametrize("key", sorted(SHIPPED))
def test_install_shipped(logged_in, department, key):
    response = logged_in.post(reverse("surveys:questionnaire_install", args=[department.pk]), {"key": key})

    q = Questionnaire.objects.get()
    assert response.status_code == 302 and response.url == detail_url(q)
    assert q.shipped_key == key and q.department == department
    assert Item.objects.filter(section__questionnaire=q).exists()


def test_install_unknown_key(logged_in, department):
    response = logged_in.post(reverse("surveys:questionnaire_install", args=[department.pk]), {"key": "nope"})
    assert response.status_code == 302
    assert messages_of(response) == ["There is no such ready-made questionnaire."]
    assert not Questionnaire.objects.exists()


# --- detail, preview ------------------------------------------------------------------------------------------


def test_detail_shows_sections_items_and_actions(logged_in, questionnaire, section):
    response = logged_in.get(detail_url(questionnaire))

    html = response.content.decode()
    assert response.status_code == 200
    assert "My mentor" in html and "Daily" in html and "Bedside teaching" in html
    for item in Item.objects.filter(section=section):
        assert item.text in html and f'id="item-{item.pk}"' in html
        assert reverse("surveys:item_edit", args=[item.pk]) in html
        assert reverse("surveys:item_delete", args=[item.pk]) in html
    assert html.count(reverse("surveys:item_move", args=[Item.objects.get(code="q3").pk])) == 2  # up and down
    for name in ("section_edit", "section_delete", "item_new"):
        assert reverse(f"surveys:{name}", args=[section.pk]) in html
    for name in ("section_new", "questionnaire_edit", "questionnaire_preview", "questionnaire_copy"):
        assert reverse(f"surveys:{name}", args=[questionnaire.pk]) in html
    assert "locked-note" not in html


def test_locked_detail_is_read_only_with_reason_and_copy(logged_in, questionnaire, section):
    lock(questionnaire)

    html = logged_in.get(detail_url(questionnaire)).content.decode()

    assert LOCKED in html
    assert reverse("surveys:questionnaire_copy", args=[questionnaire.pk]) in html
    assert reverse("surveys:questionnaire_preview", args=[questionnaire.pk]) in html
    for name, pk in (("questionnaire_edit", questionnaire.pk), ("section_new", questionnaire.pk),
                     ("section_edit", section.pk), ("section_delete", section.pk), ("section_move", section.pk),
                     ("item_new", section.pk), ("item_edit", section.items.first().pk),
                     ("item_move", section.items.first().pk), ("item_delete", section.items.first().pk)):
        assert reverse(f"surveys:{name}", args=[pk]) not in html, name


def _grow(questionnaire, n_items, by):
    """n_items more questions in two more sections, of every kind."""
    sections = [section_save(questionnaire=questionnaire, by=by, title=f"Part {n}") for n in range(2)]
    kinds = ["likert", "single", "multiple", "yes_no", "number", "text"]
    for n in range(n_items):
        item_save(section=sections[n % 2], by=by, kind=kinds[n % 6], text=f"Question {n}",
                  options=["One", "Two", "Three"], number_min=0, number_max=9)


@pytest.mark.parametrize("name", ["questionnaire_detail", "questionnaire_preview"])
def test_detail_and_preview_query_count_does_not_grow(logged_in, department, coordinator, name):
    small_q = questionnaire_save(department=department, by=coordinator, title="Small")
    _grow(small_q, 5, coordinator)
    large_q = questionnaire_save(department=department, by=coordinator, title="Large")
    _grow(large_q, 40, coordinator)

    counts = []
    for q in (small_q, large_q):
        with CaptureQueriesContext(connection) as ctx:
            response = logged_in.get(reverse(f"surveys:{name}", args=[q.pk]))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert Item.objects.filter(section__questionnaire=large_q).count() == 40
    assert counts[0] == counts[1]


def test_preview_renders_the_answer_form_disabled_without_submit(logged_in, questionnaire):
    response = logged_in.get(reverse("surveys:questionnaire_preview", args=[questionnaire.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: answers are not saved." in html
    assert "Strongly agree" in html and "Weekly" in html and "Choose all that apply." in html
    assert all(field.disabled for field in response.context["form"].fields.values())
    assert 'type="submit"' not in html.split('id="preview-form"')[1].split("</form>")[0]
    assert "<fieldset" in html and "<legend" in html


# --- questionnaire edit and copy ------------------------------------------------------------------------------


def test_edit_questionnaire(logged_in, questionnaire):
    url = reverse("surveys:questionnaire_edit", args=[questionnaire.pk])
    response = logged_in.get(url)
    assert response.status_code == 200 and response.context["form"].initial["title"] == "Mentor survey"

    response = logged_in.post(url, {"title": "Mentor survey 2026", "description": "Spring",
                                    "intended_for": "residents", "about_mentor": "on"})

    assert response.status_code == 302 and response.url == detail_url(questionnaire)
    questionnaire.refresh_from_db()
    assert (questionnaire.title, questionnaire.description) == ("Mentor survey 2026", "Spring")


def test_copy(logged_in, questionnaire):
    lock(questionnaire)

    response = logged_in.post(reverse("surveys:questionnaire_copy", args=[questionnaire.pk]))

    copy = Questionnaire.objects.exclude(pk=questionnaire.pk).get()
    assert response.status_code == 302 and response.url == detail_url(copy)
    assert copy.title == "Mentor survey (copy)" and copy.copied_from == questionnaire
    assert Item.objects.filter(section__questionnaire=copy).count() == 6
    assert reverse("surveys:questionnaire_edit", args=[copy.pk]) in logged_in.get(response.url).content.decode()


# --- sections -------------------------------------------------------------------------------------------------


def test_section_new_edit_move_delete(logged_in, questionnaire, section):
    url = reverse("surveys:section_new", args=[questionnaire.pk])
    assert logged_in.get(url).status_code == 200
    response = logged_in.post(url, {"title": "Comments"})
    comments = Section.objects.get(title="Comments")
    assert response.status_code == 302 and response.url == detail_url(questionnaire) + f"#section-{comments.pk}"
    assert comments.position == 2

    edit = reverse("surveys:section_edit", args=[comments.pk])
    assert logged_in.get(edit).context["form"].initial == {"title": "Comments"}
    logged_in.post(edit, {"title": "Your comments"})
    comments.refresh_from_db()
    assert comments.title == "Your comments"

    logged_in.post(reverse("surveys:section_move", args=[comments.pk]), {"direction": "up"})
    assert list(questionnaire.sections.values_list("title", flat=True)) == ["Your comments", "My mentor"]

    response = logged_in.post(reverse("surveys:section_delete", args=[section.pk]))
    assert response.status_code == 302
    assert list(questionnaire.sections.values_list("title", "position")) == [("Your comments", 1)]
    assert not Item.objects.exists()


def test_section_form_errors(logged_in, questionnaire):
    response = logged_in.post(reverse("surveys:section_new", args=[questionnaire.pk]), {"title": "  "})
    assert response.status_code == 200 and response.context["form"].errors
    assert questionnaire.sections.count() == 1


# --- items ----------------------------------------------------------------------------------------------------


def test_item_new_asks_the_kind_first(logged_in, section):
    url = reverse("surveys:item_new", args=[section.pk])
    html = logged_in.get(url).content.decode()
    for kind in ("likert", "single", "multiple", "yes_no", "number", "text"):
        assert f'href="?kind={kind}"' in html

    single = logged_in.get(url, {"kind": "single"})
    assert single.context["form"].shows_options and 'name="options"' in single.content.decode()
    number = logged_in.get(url, {"kind": "number"})
    assert 'name="number_min"' in number.content.decode() and 'name="options"' not in number.content.decode()
    likert = logged_in.get(url, {"kind": "likert"}).content.decode()
    assert 'name="options"' not in likert and 'name="number_min"' not in likert


def test_item_new_with_options(logged_in, questionnaire, section):
    response = logged_in.post(reverse("surveys:item_new", args=[section.pk]) + "?kind=single", {
        "kind": "single", "text": "Where do you meet?", "help_text": "", "required": "on",
        "options": "Ward\r\n\r\nOffice\r\nCorridor\r\n", "code": "meet_place"})

    item = Item.objects.get(code="meet_place")
    assert response.status_code == 302 and response.url == detail_url(questionnaire) + f"#item-{item.pk}"
    assert (item.kind, item.position, item.required) == ("single", 7, True)
    assert list(item.options.values_list("label", "value")) == [("Ward", 1), ("Office", 2), ("Corridor", 3)]


def test_item_new_refused_options_show_on_the_form(logged_in, section):
    response = logged_in.post(reverse("surveys:item_new", args=[section.pk]), {
        "kind": "multiple", "text": "Which?", "options": "Only one", "code": "q1"})

    assert response.status_code == 200
    form = response.context["form"]
    assert "options" in form.errors and "code" in form.errors
    assert Item.objects.filter(section=section).count() == 6


def test_item_edit_and_kind_change(logged_in, section):
    item = Item.objects.get(section=section, code="q1")
    url = reverse("surveys:item_edit", args=[item.pk])
    assert logged_in.get(url).context["form"].initial["text"] == item.text

    # Likert -> single choice without options: refused, and the form now asks for the options.
    response = logged_in.post(url, {"kind": "single", "text": "How often?", "required": "on", "code": "q1"})
    assert response.status_code == 200 and "options" in response.context["form"].errors
    assert 'name="options"' in response.content.decode()
    item.refresh_from_db()
    assert item.kind == "likert"

    response = logged_in.post(url, {"kind": "single", "text": "How often?", "required": "on", "code": "",
                                    "options": "Often\nRarely"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.kind, item.text, item.code) == ("single", "How often?", "q1")
    assert item.options.count() == 2


def test_item_number_range_on_the_form(logged_in, section):
    response = logged_in.post(reverse("surveys:item_new", args=[section.pk]), {
        "kind": "number", "text": "Night duties a month", "required": "on", "number_min": "10", "number_max": "2"})
    assert response.status_code == 200 and "number_max" in response.context["form"].errors

    logged_in.post(reverse("surveys:item_new", args=[section.pk]), {
        "kind": "number", "text": "Night duties a month", "required": "on", "number_min": "0", "number_max": "12"})
    item = Item.objects.get(text="Night duties a month")
    assert (item.number_min, item.number_max, item.code) == (0, 12, "q7")


def test_item_move_and_delete(logged_in, questionnaire, section):
    q1, q2 = Item.objects.get(code="q1"), Item.objects.get(code="q2")

    response = logged_in.post(reverse("surveys:item_move", args=[q1.pk]), {"direction": "down"})
    assert response.status_code == 302 and response.url == detail_url(questionnaire) + f"#item-{q1.pk}"
    assert list(section.items.values_list("code", flat=True)[:2]) == ["q2", "q1"]

    logged_in.post(reverse("surveys:item_delete", args=[q2.pk]))
    assert list(section.items.values_list("code", "position")) == [
        ("q1", 1), ("q3", 2), ("q4", 3), ("q5", 4), ("q6", 5)]


def test_move_with_a_bad_direction_changes_nothing(logged_in, section):
    before = snapshot()
    response = logged_in.post(reverse("surveys:section_move", args=[section.pk]), {"direction": "left"})
    assert response.status_code == 302 and messages_of(response) == ["Move up or down."]
    assert snapshot() == before


# --- the locked questionnaire ---------------------------------------------------------------------------------


def test_locked_edit_pages_redirect_to_the_builder_with_the_reason(logged_in, questionnaire, section):
    lock(questionnaire)
    item = section.items.first()
    for url in (reverse("surveys:questionnaire_edit", args=[questionnaire.pk]),
                reverse("surveys:section_new", args=[questionnaire.pk]),
                reverse("surveys:section_edit", args=[section.pk]),
                reverse("surveys:item_new", args=[section.pk]),
                reverse("surveys:item_new", args=[section.pk]) + "?kind=likert",
                reverse("surveys:item_edit", args=[item.pk])):
        response = logged_in.get(url, follow=True)
        assert response.redirect_chain == [(detail_url(questionnaire), 302)], url
        assert shown_messages(response) == [LOCKED], url


def test_locked_questionnaire_refuses_every_post_with_the_message(logged_in, questionnaire, section):
    lock(questionnaire)
    item = section.items.first()
    before = snapshot()
    posts = [
        ("questionnaire_edit", questionnaire.pk, {"title": "New", "intended_for": "residents"}),
        ("section_new", questionnaire.pk, {"title": "More"}),
        ("section_edit", section.pk, {"title": "Renamed"}),
        ("section_move", section.pk, {"direction": "down"}),
        ("section_delete", section.pk, {}),
        ("item_new", section.pk, {"kind": "likert", "text": "New", "required": "on"}),
        ("item_edit", item.pk, {"kind": "text", "text": "Changed"}),
        ("item_move", item.pk, {"direction": "down"}),
        ("item_delete", item.pk, {}),
    ]
    for name, pk, data in posts:
        response = logged_in.post(reverse(f"surveys:{name}", args=[pk]), data, follow=True)
        assert response.redirect_chain[0][0].startswith(detail_url(questionnaire)), name
        assert shown_messages(response) == [LOCKED], name
    assert snapshot() == before


# --- scope ----------------------------------------------------------------------------------------------------


def test_another_department_gets_404_and_changes_nothing(client, questionnaire, section):
    other = CoordinatorFactory(department=DepartmentFactory()).user
    client.force_login(other)
    item = section.items.first()
    before = snapshot()
    requests = [
        ("post", "questionnaire_install", {"department_id": questionnaire.department_id}, {"key": "mentoring_need"}),
        ("post", "questionnaire_new", {"department_id": questionnaire.department_id}, {"title": "X"}),
        ("post", "questionnaire_edit", {"pk": questionnaire.pk}, {"title": "X", "intended_for": "residents"}),
        ("post", "questionnaire_copy", {"pk": questionnaire.pk}, {}),
        ("post", "section_new", {"pk": questionnaire.pk}, {"title": "X"}),
        ("post", "section_edit", {"pk": section.pk}, {"title": "X"}),
        ("post", "section_move", {"pk": section.pk}, {"direction": "down"}),
        ("post", "section_delete", {"pk": section.pk}, {}),
        ("post", "item_new", {"pk": section.pk}, {"kind": "likert", "text": "X"}),
        ("post", "item_edit", {"pk": item.pk}, {"kind": "likert", "text": "X"}),
        ("post", "item_move", {"pk": item.pk}, {"direction": "down"}),
        ("post", "item_delete", {"pk": item.pk}, {}),
        ("get", "item_new", {"pk": section.pk}, {"kind": "single"}),
        ("get", "item_edit", {"pk": item.pk}, {}),
        ("get", "section_edit", {"pk": section.pk}, {}),
    ]
    for method, name, kwargs, data in requests:
        response = getattr(client, method)(reverse(f"surveys:{name}", kwargs=kwargs), data)
        assert response.status_code == 404, name
    assert snapshot() == before
