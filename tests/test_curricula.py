"""Individual curricula: the workflow services, the pages, the scope, the query counts."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.services import assignment_create, assignment_end
from residents.curricula import (
    Split,
    curriculum_approve,
    curriculum_item_update,
    curriculum_items_update,
    curriculum_return,
    curriculum_start,
    curriculum_submit,
)
from residents.models import Curriculum, CurriculumEvent, CurriculumItem
from tests.concurrency import run_concurrently
from tests.factories import AcademicYearFactory, CoordinatorFactory, DepartmentFactory, ResidentFactory
from tests.factories_curricula import CurriculumFactory, CurriculumItemFactory, DisciplineFactory, curriculum_with_items

pytestmark = pytest.mark.django_db
IIN = "900101300123"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def this_start_year() -> int:
    today = timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


@pytest.fixture
def year():
    """The academic year of today, so that the pages offer to start it."""
    return AcademicYearFactory(start_year=this_start_year())


@pytest.fixture
def last_year():
    return AcademicYearFactory(start_year=this_start_year() - 1)


@pytest.fixture
def programme(specialty):
    """Year 1 of the specialty's programme: three disciplines."""
    return [
        DisciplineFactory(specialty=specialty, year_of_study=1, name=name, hours=D(hours), position=i)
        for i, (name, hours) in enumerate([("Neonatal resuscitation", "120"), ("Newborn care", "60"),
                                           ("Neonatal infections", "36.5")])
    ]


@pytest.fixture
def resident(make_resident):
    return make_resident()


@pytest.fixture
def mentor(make_mentor, resident):
    m = make_mentor()
    assignment_create(resident=resident, mentor=m)
    return m


@pytest.fixture
def draft(resident, year, programme):
    return curriculum_start(resident=resident, academic_year=year, by=resident.user, copy_previous=False)


def submitted_curriculum(curriculum):
    return curriculum_submit(curriculum=curriculum, by=curriculum.resident.user)


def messages_of(exc_info) -> list[str]:
    return exc_info.value.messages


def events(curriculum) -> list[tuple[str, str]]:
    return list(CurriculumEvent.objects.filter(curriculum=curriculum).values_list("from_status", "to_status"))


# Start ----------------------------------------------------------------------------------------------------------


def test_start_from_the_programme_gives_one_valid_item_per_discipline(resident, year, programme):
    curriculum = curriculum_start(resident=resident, academic_year=year, by=resident.user, copy_previous=False)
    assert curriculum.status == Curriculum.Status.DRAFT and curriculum.year_of_study == 1
    items = {i.discipline.name: i for i in curriculum.items.select_related("discipline")}
    assert set(items) == {d.name for d in programme}
    first = items["Neonatal resuscitation"]
    assert (first.total_hours, first.classroom_hours, first.clinical_hours, first.independent_hours) == (
        D("120"), D("24"), D("84"), D("12"))
    for item in items.values():
        assert item.classroom_hours + item.clinical_hours + item.independent_hours == item.total_hours
    assert events(curriculum) == [("", "draft")]
    submitted_curriculum(curriculum)  # the default split validates


def test_only_the_disciplines_of_the_residents_year_are_taken(resident, year, programme, specialty):
    DisciplineFactory(specialty=specialty, year_of_study=2, name="Neonatal surgery")
    curriculum = curriculum_start(resident=resident, academic_year=year, by=resident.user, copy_previous=False)
    assert curriculum.items.count() == 3


def test_a_second_curriculum_for_the_same_year_is_refused(draft, resident, year):
    with pytest.raises(ValidationError) as exc:
        curriculum_start(resident=resident, academic_year=year, by=resident.user, copy_previous=False)
    assert messages_of(exc) == [f"There is already a curriculum for {year}."]
    assert Curriculum.objects.filter(resident=resident).count() == 1


def test_the_database_refuses_a_second_curriculum_for_the_same_year(draft, resident, year):
    with pytest.raises(IntegrityError), transaction.atomic():
        Curriculum.objects.create(resident=resident, academic_year=year, year_of_study=1)


def test_a_coordinator_may_start_it_others_may_not(resident, year, programme, coordinator, mentor):
    with pytest.raises(ValidationError) as exc:
        curriculum_start(resident=resident, academic_year=year, by=mentor.user, copy_previous=False)
    assert messages_of(exc) == ["Only the resident or a coordinator of the department can start a curriculum."]
    curriculum = curriculum_start(resident=resident, academic_year=year, by=coordinator, copy_previous=False)
    assert curriculum.resident == resident


def test_start_refused_without_disciplines_or_for_an_inactive_resident(resident, year, make_resident, programme):
    senior = make_resident(year_of_study=3)
    with pytest.raises(ValidationError) as exc:
        curriculum_start(resident=senior, academic_year=year, by=senior.user, copy_previous=False)
    assert "has no disciplines for year 3 of study" in messages_of(exc)[0]
    on_leave = make_resident(status="on_leave")
    with pytest.raises(ValidationError) as exc:
        curriculum_start(resident=on_leave, academic_year=year, by=on_leave.user, copy_previous=False)
    assert messages_of(exc) == ["Only an active resident can start a curriculum."]


def test_start_from_last_year_copies_the_split_of_matching_disciplines(resident, year, last_year, programme,
                                                                       specialty):
    previous = curriculum_start(resident=resident, academic_year=last_year, by=resident.user, copy_previous=False)
    updates = {
        "Neonatal resuscitation": Split(D("30"), D("78"), D("12")),
        "Newborn care": Split(D("9"), D("45"), D("6")),  # 15 / 75 / 10 %
    }
    for item in previous.items.select_related("discipline"):
        if item.discipline.name in updates:
            s = updates[item.discipline.name]
            curriculum_item_update(item=item, classroom=s.classroom, clinical=s.clinical, independent=s.independent,
                                   by=resident.user)
    resident.year_of_study = 2
    resident.save()
    DisciplineFactory(specialty=specialty, year_of_study=2, name="Neonatal resuscitation", hours=D("120"))
    DisciplineFactory(specialty=specialty, year_of_study=2, name="newborn care", hours=D("120"))  # more hours
    DisciplineFactory(specialty=specialty, year_of_study=2, name="Neonatal surgery", hours=D("50"))  # new
    curriculum = curriculum_start(resident=resident, academic_year=year, by=resident.user, copy_previous=True)
    assert curriculum.year_of_study == 2
    got = {i.discipline.name: (i.classroom_hours, i.clinical_hours, i.independent_hours)
           for i in curriculum.items.select_related("discipline")}
    assert got == {
        "Neonatal resuscitation": (D("30"), D("78"), D("12")),  # copied as it was
        "newborn care": (D("18"), D("90"), D("12")),  # same proportions, this year's hours
        "Neonatal surgery": (D("10"), D("35"), D("5")),  # the default split
    }
    assert {i.discipline.year_of_study for i in curriculum.items.select_related("discipline")} == {2}
    assert Curriculum.objects.get(pk=previous.pk).items.count() == 3  # last year's is untouched


def test_start_from_last_year_without_one_is_refused(resident, year, programme):
    with pytest.raises(ValidationError) as exc:
        curriculum_start(resident=resident, academic_year=year, by=resident.user, copy_previous=True)
    assert messages_of(exc) == ["There is no earlier curriculum to start from."]
    assert not Curriculum.objects.exists()


# Editing --------------------------------------------------------------------------------------------------------


def first_item(curriculum) -> CurriculumItem:
    return curriculum.items.select_related("discipline", "curriculum").get(discipline__name="Neonatal resuscitation")


def test_the_resident_and_the_coordinator_edit_a_draft(draft, coordinator):
    item = first_item(draft)
    curriculum_item_update(item=item, classroom=D("30"), clinical=D("78"), independent=D("12"), by=draft.resident.user)
    curriculum_item_update(item=item, classroom=D("36"), clinical=D("72"), independent=D("12"), by=coordinator)
    item.refresh_from_db()
    assert (item.classroom_hours, item.clinical_hours, item.independent_hours) == (D("36"), D("72"), D("12"))


def test_a_draft_outside_the_bounds_can_be_saved_but_not_submitted(draft):
    item = first_item(draft)
    curriculum_item_update(item=item, classroom=D("42"), clinical=D("66"), independent=D("12"), by=draft.resident.user)
    with pytest.raises(ValidationError) as exc:
        curriculum_submit(curriculum=draft, by=draft.resident.user)
    assert messages_of(exc) == [
        "Neonatal resuscitation: classroom work is 35% (42 of 120 h); 10-30% required.",
        "Neonatal resuscitation: clinical work under the mentor is 55% (66 of 120 h); 60-80% required.",
    ]
    assert Curriculum.objects.get(pk=draft.pk).status == "draft"


def test_parts_must_add_up_to_the_disciplines_hours(draft):
    item = first_item(draft)
    with pytest.raises(ValidationError) as exc:
        curriculum_item_update(item=item, classroom=D("24"), clinical=D("80"), independent=D("12"),
                               by=draft.resident.user)
    assert messages_of(exc) == [
        "Neonatal resuscitation: classroom, clinical and independent work add up to 116 h, not 120 h."]
    with pytest.raises(ValidationError) as exc:
        curriculum_item_update(item=item, classroom=D("24.05"), clinical=D("83.95"), independent=D("12"),
                               by=draft.resident.user)
    assert messages_of(exc) == ["Neonatal resuscitation: Classroom work: give hours to one decimal place."]
    with pytest.raises(ValidationError):
        curriculum_item_update(item=item, classroom=D("-1"), clinical=D("109"), independent=D("12"),
                               by=draft.resident.user)
    item.refresh_from_db()
    assert item.classroom_hours == D("24")


def test_several_items_at_once_report_every_problem_and_save_nothing(draft):
    items = list(draft.items.select_related("discipline"))
    splits = {items[0].pk: Split(D("30"), D("78"), D("12")), items[1].pk: Split(D("1"), D("1"), D("1")),
              items[2].pk: Split(D("1"), D("1"), D("1"))}
    with pytest.raises(ValidationError) as exc:
        curriculum_items_update(curriculum=draft, splits=splits, by=draft.resident.user)
    assert len(messages_of(exc)) == 2
    assert first_item(draft).classroom_hours == D("24")


def test_the_mentor_cannot_edit(draft, mentor):
    with pytest.raises(ValidationError) as exc:
        curriculum_item_update(item=first_item(draft), classroom=D("30"), clinical=D("78"), independent=D("12"),
                               by=mentor.user)
    assert messages_of(exc) == ["Only the resident or a coordinator of the department can change the curriculum."]


def test_edit_after_submit_is_refused(draft, coordinator):
    submitted_curriculum(draft)
    for by in (draft.resident.user, coordinator):
        with pytest.raises(ValidationError) as exc:
            curriculum_item_update(item=first_item(draft), classroom=D("30"), clinical=D("78"), independent=D("12"),
                                   by=by)
        assert messages_of(exc) == ["Only a draft curriculum can be changed."]
    assert first_item(draft).classroom_hours == D("24")


# Workflow ---------------------------------------------------------------------------------------------------------


def test_draft_submitted_approved(draft, coordinator):
    curriculum = curriculum_submit(curriculum=draft, by=draft.resident.user)
    assert curriculum.status == "submitted" and curriculum.submitted_at is not None
    curriculum = curriculum_approve(curriculum=curriculum, by=coordinator)
    assert curriculum.status == "approved" and curriculum.approved_by == coordinator and curriculum.approved_at
    assert events(curriculum) == [("", "draft"), ("draft", "submitted"), ("submitted", "approved")]
    assert list(CurriculumEvent.objects.filter(curriculum=curriculum).values_list("by", flat=True)) == [
        draft.resident.user.pk, draft.resident.user.pk, coordinator.pk]


def test_returned_with_a_comment_then_resubmitted(draft, coordinator):
    submitted_curriculum(draft)
    curriculum = curriculum_return(curriculum=draft, by=coordinator, comment="  More classroom hours, please. ")
    assert curriculum.status == "draft" and curriculum.return_comment == "More classroom hours, please."
    event = CurriculumEvent.objects.filter(curriculum=draft).last()
    assert (event.from_status, event.to_status, event.by, event.comment) == (
        "submitted", "draft", coordinator, "More classroom hours, please.")
    item = first_item(draft)
    curriculum_item_update(item=item, classroom=D("30"), clinical=D("78"), independent=D("12"), by=draft.resident.user)
    curriculum = curriculum_submit(curriculum=draft, by=draft.resident.user)
    assert curriculum.status == "submitted" and curriculum.return_comment == ""
    curriculum_approve(curriculum=curriculum, by=coordinator)
    assert events(draft) == [("", "draft"), ("draft", "submitted"), ("submitted", "draft"), ("draft", "submitted"),
                             ("submitted", "approved")]


def test_approve_from_draft_is_refused(draft, coordinator):
    with pytest.raises(ValidationError) as exc:
        curriculum_approve(curriculum=draft, by=coordinator)
    assert messages_of(exc) == ["Only a submitted curriculum can be approved."]
    assert Curriculum.objects.get(pk=draft.pk).status == "draft"
    assert events(draft) == [("", "draft")]


def test_approve_twice_is_refused(draft, coordinator):
    submitted_curriculum(draft)
    curriculum_approve(curriculum=draft, by=coordinator)
    with pytest.raises(ValidationError, match="Only a submitted curriculum can be approved."):
        curriculum_approve(curriculum=draft, by=coordinator)
    with pytest.raises(ValidationError, match="Only a submitted curriculum can be returned."):
        curriculum_return(curriculum=draft, by=coordinator, comment="Reopen")
    with pytest.raises(ValidationError, match="Only a draft curriculum can be submitted."):
        curriculum_submit(curriculum=draft, by=draft.resident.user)


def test_return_without_a_comment_is_refused(draft, coordinator):
    submitted_curriculum(draft)
    for comment in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            curriculum_return(curriculum=draft, by=coordinator, comment=comment)
        assert exc.value.message_dict == {"comment": ["Say what the resident should change."]}
    assert Curriculum.objects.get(pk=draft.pk).status == "submitted"


def test_return_comment_refuses_patient_identifiers(draft, coordinator):
    submitted_curriculum(draft)
    with pytest.raises(ValidationError) as exc:
        curriculum_return(curriculum=draft, by=coordinator, comment=f"See the newborn {IIN}")
    assert "12-digit number" in exc.value.message_dict["comment"][0]
    assert Curriculum.objects.get(pk=draft.pk).status == "submitted"


def test_return_from_draft_is_refused(draft, coordinator):
    with pytest.raises(ValidationError) as exc:
        curriculum_return(curriculum=draft, by=coordinator, comment="Why?")
    assert messages_of(exc) == ["Only a submitted curriculum can be returned."]


def test_submit_by_someone_else_is_refused(draft, coordinator, mentor, make_resident):
    for by in (coordinator, mentor.user, make_resident().user):
        with pytest.raises(ValidationError) as exc:
            curriculum_submit(curriculum=draft, by=by)
        assert messages_of(exc) == ["Only the resident can submit their curriculum."]
    assert Curriculum.objects.get(pk=draft.pk).status == "draft"


def test_submit_twice_is_refused(draft):
    submitted_curriculum(draft)
    with pytest.raises(ValidationError) as exc:
        curriculum_submit(curriculum=draft, by=draft.resident.user)
    assert messages_of(exc) == ["Only a draft curriculum can be submitted."]


def test_an_empty_curriculum_cannot_be_submitted(resident, year):
    curriculum = CurriculumFactory(resident=resident, academic_year=year)
    with pytest.raises(ValidationError) as exc:
        curriculum_submit(curriculum=curriculum, by=resident.user)
    assert messages_of(exc) == ["The curriculum has no disciplines."]


def test_only_a_coordinator_of_the_department_approves_or_returns(draft, mentor):
    submitted_curriculum(draft)
    other = CoordinatorFactory(department=DepartmentFactory()).user
    for by in (draft.resident.user, mentor.user, other):
        with pytest.raises(ValidationError, match="Only a coordinator of the resident's department can approve"):
            curriculum_approve(curriculum=draft, by=by)
        with pytest.raises(ValidationError, match="Only a coordinator of the resident's department can return"):
            curriculum_return(curriculum=draft, by=by, comment="No")
    assert Curriculum.objects.get(pk=draft.pk).status == "submitted"


def test_approval_checks_the_split_under_the_current_policy(draft, coordinator, specialty):
    submitted_curriculum(draft)
    specialty.classroom_min_pct = 25
    specialty.save()
    with pytest.raises(ValidationError) as exc:
        curriculum_approve(curriculum=draft, by=coordinator)
    assert "return the curriculum" in messages_of(exc)[0]
    assert Curriculum.objects.get(pk=draft.pk).status == "submitted"


# Scope ----------------------------------------------------------------------------------------------------------


def url(name, curriculum=None, **kwargs):
    if curriculum is not None:
        kwargs["pk"] = curriculum.pk
    return reverse(f"residents:{name}", kwargs=kwargs)


DETAIL_PAGES = ("curriculum_detail", "curriculum_edit", "curriculum_print")
ACTIONS = {
    "curriculum_edit": {},
    "curriculum_submit": {},
    "curriculum_approve": {},
    "curriculum_return": {"comment": "Please change it."},
}


@pytest.fixture
def outsiders(make_resident, make_mentor, resident):
    """Another resident of the same department, a mentor of someone else, a coordinator of another department,
    and the resident's former mentor."""
    other_resident = make_resident()
    other_mentor = make_mentor()
    assignment_create(resident=other_resident, mentor=other_mentor)
    former = make_mentor()
    assignment = assignment_create(resident=resident, mentor=former)
    assignment_end(assignment=assignment, by=None, reason="moved")
    return {"another resident": other_resident.user, "a mentor of someone else": other_mentor.user,
            "a coordinator of another department": CoordinatorFactory(department=DepartmentFactory()).user,
            "a former mentor": former.user}


def snapshot():
    return (list(Curriculum.objects.values_list("pk", "status", "return_comment").order_by("pk")),
            list(CurriculumItem.objects.values_list("pk", "classroom_hours").order_by("pk")),
            CurriculumEvent.objects.count())


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_outsiders_get_404_everywhere_and_change_nothing(status, draft, outsiders, client):
    if status == "submitted":
        submitted_curriculum(draft)
    before = snapshot()
    item = first_item(draft)
    edit_data = {f"item-{i.pk}-{s}": "1" for i in draft.items.all() for s in ("classroom", "clinical", "independent")}
    for who, user in outsiders.items():
        client.force_login(user)
        for name in DETAIL_PAGES:
            assert client.get(url(name, draft)).status_code == 404, (who, name)
        for name, data in ACTIONS.items():
            data = edit_data if name == "curriculum_edit" else data
            assert client.post(url(name, draft), data).status_code == 404, (who, name)
    assert snapshot() == before
    assert item.classroom_hours == first_item(draft).classroom_hours


def test_a_residents_own_pages_are_404_for_everyone_else(outsiders, coordinator, client, year, programme):
    for user in [*outsiders.values(), coordinator]:
        if hasattr(user, "resident_profile"):
            continue
        client.force_login(user)
        assert client.get(url("my_curricula")).status_code == 404
        assert client.post(url("curriculum_start"), {"source": "programme"}).status_code == 404
    assert not Curriculum.objects.exists()


def test_the_review_list_is_404_outside_the_department(department, outsiders, resident, mentor, client):
    for user in [*outsiders.values(), resident.user, mentor.user]:
        client.force_login(user)
        assert client.get(url("curricula_review", department_id=department.pk)).status_code == 404


def test_the_mentor_reads_but_cannot_act(draft, mentor, client):
    client.force_login(mentor.user)
    assert client.get(url("curriculum_detail", draft)).status_code == 200
    assert client.get(url("curriculum_print", draft)).status_code == 200
    before = snapshot()
    assert client.get(url("curriculum_edit", draft)).status_code == 403
    for name, data in ACTIONS.items():
        assert client.post(url(name, draft), data).status_code == 403, name
    submitted_curriculum(draft)
    before = snapshot()
    for name, data in ACTIONS.items():
        assert client.post(url(name, draft), data).status_code == 403, name
    assert snapshot() == before


def test_roles_that_do_not_hold_the_action_get_403(draft, coordinator, client):
    client.force_login(coordinator)
    assert client.post(url("curriculum_submit", draft)).status_code == 403
    submitted_curriculum(draft)
    client.force_login(draft.resident.user)
    assert client.post(url("curriculum_approve", draft)).status_code == 403
    assert client.post(url("curriculum_return", draft), {"comment": "x"}).status_code == 403
    assert Curriculum.objects.get(pk=draft.pk).status == "submitted"


def test_actions_are_post_only(draft, client):
    client.force_login(draft.resident.user)
    for name in ("curriculum_submit", "curriculum_approve", "curriculum_return"):
        assert client.get(url(name, draft)).status_code == 405
    assert client.get(url("curriculum_start")).status_code == 405


def test_anonymous_visitors_are_sent_to_log_in(draft, client):
    for target in [url(n, draft) for n in (*DETAIL_PAGES, "curriculum_submit")] + [url("my_curricula")]:
        response = client.get(target)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Pages ------------------------------------------------------------------------------------------------------------


def text(response) -> str:
    return response.content.decode()


def edit_data(curriculum, **overrides) -> dict:
    data = {}
    for item in curriculum.items.select_related("discipline"):
        values = overrides.get(item.discipline.name, (item.classroom_hours, item.clinical_hours,
                                                      item.independent_hours))
        for share, value in zip(("classroom", "clinical", "independent"), values, strict=True):
            data[f"item-{item.pk}-{share}"] = str(value)
    return data


def test_the_whole_flow_through_the_pages(client, resident, year, programme, coordinator, department):
    client.force_login(resident.user)
    page = text(client.get(url("my_curricula")))
    assert f"Curriculum for {year}" in page and 'value="programme"' in page and 'value="previous"' not in page

    response = client.post(url("curriculum_start"), {"source": "programme"})
    curriculum = Curriculum.objects.get(resident=resident)
    assert response.status_code == 302 and response["Location"] == url("curriculum_detail", curriculum)
    page = text(client.get(url("curriculum_detail", curriculum)))
    assert "Neonatal resuscitation" in page and "84 <span" in page and "· 70%" in page and "Submit for approval" in page
    assert 'id="split-problems"' not in page
    assert 'id="start"' not in text(client.get(url("my_curricula")))

    # A draft outside the bounds is saved, with a warning, and highlighted.
    page = text(client.get(url("curriculum_edit", curriculum)))
    first = first_item(curriculum)
    for share in ("classroom", "clinical", "independent"):
        assert f'for="id_item-{first.pk}-{share}"' in page and f'id="id_item-{first.pk}-{share}"' in page
    assert "Classroom work, h" in page and "Clinical work under the mentor, h" in page
    response = client.post(url("curriculum_edit", curriculum),
                           edit_data(curriculum, **{"Neonatal resuscitation": ("42", "66", "12")}), follow=True)
    page = text(response)
    assert "Hours saved." in page and "Disciplines outside the required split: 1." in page
    assert "Neonatal resuscitation: classroom work is 35% (42 of 120 h); 10-30% required." in page
    assert 'id="split-problems"' in page

    # Parts that do not add up are not saved.
    response = client.post(url("curriculum_edit", curriculum),
                           edit_data(curriculum, **{"Newborn care": ("12", "40", "6")}))
    assert response.status_code == 200
    assert "Newborn care: classroom, clinical and independent work add up to 58 h, not 60 h." in text(response)
    assert CurriculumItem.objects.get(curriculum=curriculum, discipline__name="Newborn care").classroom_hours == 12

    # Submitting with a problem is refused with the message.
    page = text(client.post(url("curriculum_submit", curriculum), follow=True))
    assert "The curriculum was not submitted." in page and "is 35% (42 of 120 h)" in page
    assert Curriculum.objects.get(pk=curriculum.pk).status == "draft"

    client.post(url("curriculum_edit", curriculum),
                edit_data(curriculum, **{"Neonatal resuscitation": ("30", "78", "12")}))
    page = text(client.post(url("curriculum_submit", curriculum), follow=True))
    assert "Submitted: your coordinator will review it." in page
    response = client.get(url("curriculum_edit", curriculum))
    assert response.status_code == 302 and response["Location"] == url("curriculum_detail", curriculum)

    # The coordinator finds it awaiting approval and returns it; an empty comment is asked for.
    client.force_login(coordinator)
    page = text(client.get(url("curricula_review", department_id=department.pk)))
    assert f'data-curriculum="{curriculum.pk}"' in page
    page = text(client.get(url("curriculum_detail", curriculum)))
    assert "Approve" in page and "Return with comment" in page
    response = client.post(url("curriculum_return", curriculum), {"comment": " "})
    assert response.status_code == 200 and "This field is required." in text(response)
    response = client.post(url("curriculum_return", curriculum), {"comment": f"Patient {IIN}"})
    assert response.status_code == 200 and "12-digit number" in text(response)
    assert Curriculum.objects.get(pk=curriculum.pk).status == "submitted"
    page = text(client.post(url("curriculum_return", curriculum), {"comment": "Add night-duty hours."}, follow=True))
    assert "Returned to" in page

    # The resident reads the comment, resubmits; the coordinator approves.
    client.force_login(resident.user)
    page = text(client.get(url("curriculum_detail", curriculum)))
    assert 'id="return-comment"' in page and "Add night-duty hours." in page
    client.post(url("curriculum_submit", curriculum))
    client.force_login(coordinator)
    page = text(client.post(url("curriculum_approve", curriculum), follow=True))
    assert "approved." in page and 'data-status="approved"' in page
    assert events(curriculum) == [("", "draft"), ("draft", "submitted"), ("submitted", "draft"),
                                  ("draft", "submitted"), ("submitted", "approved")]
    page = text(client.get(url("curricula_review", department_id=department.pk)))
    assert f'data-curriculum="{curriculum.pk}"' not in page  # no longer awaiting approval
    page = text(client.get(url("curricula_review", department_id=department.pk), {"status": "approved"}))
    assert f'data-curriculum="{curriculum.pk}"' in page


def test_approve_from_draft_through_the_page_says_why(draft, coordinator, client):
    client.force_login(coordinator)
    page = text(client.post(url("curriculum_approve", draft), follow=True))
    assert "Only a submitted curriculum can be approved." in page
    page = text(client.post(url("curriculum_return", draft), {"comment": "x"}, follow=True))
    assert "Only a submitted curriculum can be returned." in page
    assert Curriculum.objects.get(pk=draft.pk).status == "draft"


def test_the_coordinator_may_edit_a_draft_through_the_page(draft, coordinator, client):
    client.force_login(coordinator)
    response = client.post(url("curriculum_edit", draft), edit_data(draft, **{"Newborn care": ("15", "39", "6")}))
    assert response.status_code == 302
    assert CurriculumItem.objects.get(curriculum=draft, discipline__name="Newborn care").classroom_hours == 15


def test_start_from_last_year_through_the_page(client, resident, year, last_year, programme):
    curriculum_start(resident=resident, academic_year=last_year, by=resident.user, copy_previous=False)
    client.force_login(resident.user)
    page = text(client.get(url("my_curricula")))
    assert 'value="previous"' in page and str(last_year) in page
    client.post(url("curriculum_start"), {"source": "previous"})
    assert Curriculum.objects.filter(resident=resident, academic_year=year).exists()
    page = text(client.post(url("curriculum_start"), {"source": "programme"}, follow=True))
    assert f"There is already a curriculum for {year}." in page
    assert Curriculum.objects.filter(resident=resident).count() == 2


def test_the_printable_version_has_no_navigation(draft, client):
    client.force_login(draft.resident.user)
    page = text(client.get(url("curriculum_print", draft)))
    assert "Neonatal resuscitation" in page and "@media print" in page and "navbar" not in page
    assert str(draft.resident) in page


def test_review_filters_by_status_and_year(client, coordinator, department, make_resident, year, last_year):
    mine = {}
    for status in ("draft", "submitted", "approved"):
        mine[status] = curriculum_with_items(make_resident(), academic_year=year, status=status)
    old = curriculum_with_items(make_resident(), academic_year=last_year, status="submitted")
    elsewhere = curriculum_with_items(ResidentFactory(), academic_year=year, status="submitted")
    client.force_login(coordinator)
    review = url("curricula_review", department_id=department.pk)

    def shown(**params):
        page = text(client.get(review, params))
        return {c.pk for c in [*mine.values(), old, elsewhere] if f'data-curriculum="{c.pk}"' in page}

    assert shown() == {mine["submitted"].pk, old.pk}
    assert shown(status="all") == {c.pk for c in mine.values()} | {old.pk}
    assert shown(status="draft") == {mine["draft"].pk}
    assert shown(status="all", year=str(year.pk)) == {c.pk for c in mine.values()}
    assert shown(status="bogus") == {mine["submitted"].pk, old.pk}
    assert shown(status="all", q=mine["draft"].resident.user.last_name) >= {mine["draft"].pk}


# Query counts -----------------------------------------------------------------------------------------------------


def count_queries(client, target):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_review_list_queries_do_not_grow_with_rows(client, coordinator, department, make_resident):
    year = AcademicYearFactory(start_year=2025)

    def populate(n):
        for i in range(n):
            curriculum_with_items(make_resident(), items=1 + i % 3, academic_year=year, status="submitted")

    client.force_login(coordinator)
    populate(5)
    small = {p: count_queries(client, url("curricula_review", department_id=department.pk) + p)
             for p in ("", "?status=all", "?q=a&status=submitted")}
    populate(195)
    large = {p: count_queries(client, url("curricula_review", department_id=department.pk) + p)
             for p in ("", "?status=all", "?q=a&status=submitted")}
    assert small == large, f"{small} at 5 rows, {large} at 200"


@pytest.mark.parametrize("role", ["resident", "coordinator", "mentor"])
def test_detail_queries_do_not_grow_with_items_or_history(role, client, resident, mentor, coordinator, year):
    curriculum = curriculum_with_items(resident, items=5, academic_year=year)
    client.force_login({"resident": resident.user, "coordinator": coordinator, "mentor": mentor.user}[role])
    pages = [url("curriculum_detail", curriculum), url("curriculum_print", curriculum)]
    small = [count_queries(client, p) for p in pages]
    for _ in range(195):
        CurriculumItemFactory(curriculum=curriculum)
    for _ in range(10):
        CurriculumEvent.objects.create(curriculum=curriculum, from_status="draft", to_status="submitted",
                                       by=resident.user)
    assert [count_queries(client, p) for p in pages] == small


def test_edit_and_own_list_queries_do_not_grow(client, resident, year):
    curriculum = curriculum_with_items(resident, items=5, academic_year=year)
    for start_year in range(2010, 2015):
        curriculum_with_items(resident, items=1, academic_year=AcademicYearFactory(start_year=start_year))
    client.force_login(resident.user)
    pages = [url("curriculum_edit", curriculum), url("my_curricula")]
    small = [count_queries(client, p) for p in pages]
    for _ in range(195):
        CurriculumItemFactory(curriculum=curriculum)
    for start_year in range(2015, 2020):
        curriculum_with_items(resident, items=1, academic_year=AcademicYearFactory(start_year=start_year))
    assert [count_queries(client, p) for p in pages] == small


def test_dates_in_factories_are_sane():
    assert AcademicYearFactory.build(start_year=2030).starts_on == date(2030, 9, 1)


# Concurrency (PostgreSQL) -------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_simultaneous_starts_make_one_curriculum(resident, year, programme):
    assert connection.vendor == "postgresql"
    results = run_concurrently([
        lambda: curriculum_start(resident=resident, academic_year=year, by=resident.user, copy_previous=False).pk
        for _ in range(5)
    ])
    assert sorted(kind for kind, _ in results) == ["ok"] + ["refused"] * 4, results
    assert all(msg == f"There is already a curriculum for {year}." for kind, msg in results if kind == "refused")
    assert Curriculum.objects.filter(resident=resident).count() == 1
    assert CurriculumItem.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approve_and_return_at_once_one_wins(draft, coordinator, department):
    assert connection.vendor == "postgresql"
    submitted_curriculum(draft)
    second = CoordinatorFactory(department=department).user
    results = run_concurrently([
        lambda: curriculum_approve(curriculum=draft, by=coordinator).status,
        lambda: curriculum_return(curriculum=draft, by=second, comment="Change it").status,
    ])
    assert sorted(kind for kind, _ in results) == ["ok", "refused"], results
    assert next(msg for kind, msg in results if kind == "refused").startswith("Only a submitted curriculum")
    assert CurriculumEvent.objects.filter(curriculum=draft).count() == 3
