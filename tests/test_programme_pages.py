"""Programmes pages: the coordinator's list, create, edit, detail, assignment and ending a pair; "My programmes"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.models import Assignment, Programme
from mentoring.programmes import programme_create
from mentoring.services import assignment_create, clinical_programme
from tests.factories import CoordinatorFactory, DepartmentFactory, MentorTrainingFactory, ResidentFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def c(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def near_peer(department, coordinator):
    return programme_create(department=department, by=coordinator, kind="near_peer", name="Seniors for first-years",
                            min_per_mentor=1, max_per_mentor=2)


@pytest.fixture
def group(department, coordinator):
    return programme_create(department=department, by=coordinator, kind="group", name="Resuscitation group",
                            min_per_mentor=4, max_per_mentor=8)


@pytest.fixture
def other_coordinator(db):
    return CoordinatorFactory(department=DepartmentFactory()).user


def text(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- list, create, edit -----------------------------------------------------------------------------------------


def test_list_shows_every_programme_with_its_counts(c, department, group, near_peer, make_mentor, make_resident):
    leader = make_mentor()
    for _ in range(5):
        assignment_create(resident=make_resident(), mentor=leader, programme=group)
    page = text(c.get(reverse("mentoring:programme_list", kwargs={"department_id": department.pk})))
    clinical = clinical_programme(department)  # created by the list on first view
    assert f'data-programme="{clinical.pk}"' in page and "classic clinical mentoring" in page
    row = page.split(f'data-programme="{group.pk}"')[1].split("</tr>")[0]
    assert "Resuscitation group" in row and '<td class="pairs">5</td>' in row and '<td class="sides">1</td>' in row
    assert "4–8" in row
    assert "Seniors for first-years" in page


def test_create_a_programme(c, department):
    url = reverse("mentoring:programme_create", kwargs={"department_id": department.pk})
    assert 'value="clinical"' not in text(c.get(url))
    response = c.post(url, {"kind": "group", "name": "Neonatal resuscitation skills group", "description": "",
                            "min_per_mentor": 4, "max_per_mentor": 8})
    programme = Programme.objects.get(department=department, name="Neonatal resuscitation skills group")
    assert response.status_code == 302
    assert response.url == reverse("mentoring:programme_detail", kwargs={"pk": programme.pk})
    assert (programme.kind, programme.min_per_mentor, programme.max_per_mentor) == ("group", 4, 8)


def test_create_refusals_are_form_errors(c, department, near_peer):
    url = reverse("mentoring:programme_create", kwargs={"department_id": department.pk})
    page = text(c.post(url, {"kind": "group", "name": "seniors for first-years", "min_per_mentor": 1,
                             "max_per_mentor": 2}))
    assert "already has a programme called" in page
    page = text(c.post(url, {"kind": "group", "name": "New", "min_per_mentor": 5, "max_per_mentor": 2}))
    assert "cannot be above the maximum" in page
    page = text(c.post(url, {"kind": "clinical", "name": "New", "min_per_mentor": 1, "max_per_mentor": 2}))
    assert "Select a valid choice" in page
    assert Programme.objects.filter(department=department).count() == 1


def test_edit_refuses_a_maximum_below_a_load_with_the_names(c, group, make_mentor, make_resident):
    leader = make_mentor()
    for _ in range(6):
        assignment_create(resident=make_resident(), mentor=leader, programme=group)
    url = reverse("mentoring:programme_edit", kwargs={"pk": group.pk})
    page = text(c.post(url, {"name": group.name, "min_per_mentor": 2, "max_per_mentor": 4, "is_active": "on"}))
    assert f"{leader} (6)" in page and "6 or more" in page
    group.refresh_from_db()
    assert group.max_per_mentor == 8


def test_edit_closes_a_programme_and_the_detail_says_so(c, near_peer):
    url = reverse("mentoring:programme_edit", kwargs={"pk": near_peer.pk})
    response = c.post(url, {"name": "Seniors", "description": "Closed for the summer", "min_per_mentor": 1,
                            "max_per_mentor": 3})
    assert response.status_code == 302
    near_peer.refresh_from_db()
    assert (near_peer.name, near_peer.max_per_mentor, near_peer.is_active) == ("Seniors", 3, False)
    page = text(c.get(reverse("mentoring:programme_detail", kwargs={"pk": near_peer.pk})))
    assert 'id="closed"' in page and 'id="add-assignment"' not in page


def test_the_clinical_programme_has_no_edit_page(c, department):
    clinical = clinical_programme(department)
    assert c.get(reverse("mentoring:programme_edit", kwargs={"pk": clinical.pk})).status_code == 404


# --- detail -----------------------------------------------------------------------------------------------------


def test_group_detail_shows_each_group_as_n_of_max_and_flags_small_groups(c, group, make_mentor, make_resident):
    big, small = make_mentor(), make_mentor()
    for _ in range(5):
        assignment_create(resident=make_resident(), mentor=big, programme=group)
    members = [make_resident() for _ in range(2)]
    for r in members:
        assignment_create(resident=r, mentor=small, programme=group)
    page = text(c.get(reverse("mentoring:programme_detail", kwargs={"pk": group.pk})))
    big_card = page.split(f'data-side="m{big.pk}"')[1].split("</section>")[0]
    assert f"Group of {big}" in big_card and ">5 of 8</span>" in big_card
    small_card = page.split(f'data-side="m{small.pk}"')[1].split("</section>")[0]
    assert "2 of 8 · under-used" in small_card and all(str(r) in small_card for r in members)
    flag = page.split('id="under-used"')[1].split("</div>")[0]
    assert "Groups with fewer than 4 members" in flag and f"{small} (2 of 8)" in flag and str(big) not in flag


def test_near_peer_detail_shows_senior_residents_and_doctors(c, near_peer, make_mentor, make_resident):
    senior = make_resident(year_of_study=3)
    mentee = make_resident()
    a = assignment_create(resident=mentee, peer=senior, programme=near_peer)
    page = text(c.get(reverse("mentoring:programme_detail", kwargs={"pk": near_peer.pk})))
    card = page.split(f'data-side="r{senior.pk}"')[1].split("</section>")[0]
    assert "resident, year 3" in card and str(mentee) in card and "1 of 2" in card
    assert reverse("mentoring:programme_assignment_end", kwargs={"pk": a.pk}) in card
    assert reverse("mentoring:programme_assign", kwargs={"pk": near_peer.pk}) in page


def test_clinical_detail_lists_pairs_and_links_to_the_assign_page(c, department, mentor, resident, make_resident):
    waiting = make_resident()
    clinical = clinical_programme(department)
    page = text(c.get(reverse("mentoring:programme_detail", kwargs={"pk": clinical.pk})))
    card = page.split(f'data-side="m{mentor.pk}"')[1].split("</section>")[0]
    assert str(resident) in card and reverse("mentoring:assign", kwargs={"pk": resident.pk}) in card
    section = page.split('id="waiting"')[1].split("</section>")[0]
    assert str(waiting) in section and reverse("mentoring:assign", kwargs={"pk": waiting.pk}) in section
    assert str(resident) not in section
    assert reverse("mentoring:programme_assign", kwargs={"pk": clinical.pk}) not in page
    assert c.get(reverse("mentoring:programme_assign", kwargs={"pk": clinical.pk})).status_code == 302


# --- assigning --------------------------------------------------------------------------------------------------


def test_assign_page_shows_candidates_with_reasons_and_load(c, near_peer, make_mentor, make_resident):
    junior = make_mentor(practice_started_on=timezone.localdate() - timedelta(days=400), qualification_category="none")
    no_certificate = make_mentor(certificate_number="", certificate_expires_on=None)
    mentee = make_resident(year_of_study=2)
    same_year, senior = make_resident(year_of_study=2), make_resident(year_of_study=3)
    url = reverse("mentoring:programme_assign", kwargs={"pk": near_peer.pk})
    page = text(c.get(url, {"mentee": mentee.pk}))
    row = page.split(f'data-candidate="r{same_year.pk}"')[1].split("</tr>")[0]
    assert "Not eligible" in row and "at least one year of study more senior" in row
    row = page.split(f'data-candidate="r{senior.pk}"')[1].split("</tr>")[0]
    assert "Eligible" in row and "0 of 2" in row and "resident, year 3" in row
    assert "Eligible" in page.split(f'data-candidate="m{junior.pk}"')[1].split("</tr>")[0]
    row = page.split(f'data-candidate="m{no_certificate.pk}"')[1].split("</tr>")[0]
    assert "No valid specialist certificate" in row
    assert f'data-candidate="r{mentee.pk}"' not in page  # not their own mentor


def test_assign_creates_the_assignment_through_the_service(c, coordinator, near_peer, make_resident):
    mentee, senior = make_resident(year_of_study=1), make_resident(year_of_study=2)
    url = reverse("mentoring:programme_assign", kwargs={"pk": near_peer.pk})
    response = c.post(url, {"mentee": mentee.pk, "side": f"r{senior.pk}"})
    assert response.status_code == 302
    assert response.url == reverse("mentoring:programme_detail", kwargs={"pk": near_peer.pk})
    a = Assignment.objects.get(programme=near_peer, resident=mentee, ended_on__isnull=True)
    assert (a.peer, a.kind, a.created_by) == (senior, "near_peer", coordinator)
    # Now in the programme: no longer offered as a mentee.
    assert f'<option value="{mentee.pk}"' not in text(c.get(url))


def test_assign_refusals_are_form_errors(c, near_peer, group, make_mentor, make_resident):
    mentee, same_year = make_resident(year_of_study=2), make_resident(year_of_study=2)
    url = reverse("mentoring:programme_assign", kwargs={"pk": near_peer.pk})
    page = text(c.post(url, {"mentee": mentee.pk, "side": f"r{same_year.pk}"}))
    assert "cannot receive residents" in page and "at least one year of study more senior" in page
    leader = make_mentor()
    for _ in range(8):
        assignment_create(resident=make_resident(), mentor=leader, programme=group)
    page = text(c.post(reverse("mentoring:programme_assign", kwargs={"pk": group.pk}),
                       {"mentee": mentee.pk, "side": f"m{leader.pk}"}))
    assert "already has 8 residents, the maximum is 8" in page
    outsider = ResidentFactory(year_of_study=3)  # another department: not a choice
    page = text(c.post(url, {"mentee": mentee.pk, "side": f"r{outsider.pk}"}))
    assert "Select a valid choice" in page
    assert not Assignment.objects.filter(resident=mentee).exists()


def test_assign_warns_when_a_group_is_below_its_minimum(c, group, make_mentor, make_resident):
    leader, mentee = make_mentor(), make_resident()
    response = c.post(reverse("mentoring:programme_assign", kwargs={"pk": group.pk}),
                      {"mentee": mentee.pk, "side": f"m{leader.pk}"}, follow=True)
    page = text(response)
    assert f"{leader} has 1 of 8 mentees, fewer than 4." in page


def test_end_a_pair_from_the_programme(c, coordinator, group, make_mentor, make_resident):
    a = assignment_create(resident=make_resident(), mentor=make_mentor(), programme=group)
    url = reverse("mentoring:programme_assignment_end", kwargs={"pk": a.pk})
    assert str(a.resident) in text(c.get(url))
    response = c.post(url, {"reason": "Left the group", "ended_on": ""})
    assert response.status_code == 302
    assert response.url == reverse("mentoring:programme_detail", kwargs={"pk": group.pk})
    a.refresh_from_db()
    assert (a.ended_on, a.end_reason, a.ended_by) == (timezone.localdate(), "Left the group", coordinator)
    page = text(c.post(url, {"reason": "Again"}, follow=True))
    assert "already ended" in page


def test_changes_outside_the_coordinators_scope_are_404(client, other_coordinator, group, near_peer, make_mentor,
                                                        make_resident):
    a = assignment_create(resident=make_resident(), mentor=make_mentor(), programme=group)
    mentee, senior = make_resident(), make_resident(year_of_study=3)
    posts = [
        (reverse("mentoring:programme_assign", kwargs={"pk": near_peer.pk}), {"mentee": mentee.pk,
                                                                             "side": f"r{senior.pk}"}),
        (reverse("mentoring:programme_assignment_end", kwargs={"pk": a.pk}), {"reason": "x"}),
        (reverse("mentoring:programme_edit", kwargs={"pk": group.pk}), {"name": "Hijacked", "min_per_mentor": 1,
                                                                        "max_per_mentor": 9, "is_active": "on"}),
        (reverse("mentoring:programme_create", kwargs={"department_id": group.department_id}),
         {"kind": "group", "name": "Hijacked", "min_per_mentor": 1, "max_per_mentor": 9}),
    ]
    for user in (other_coordinator, mentee.user, a.resident.user, a.mentor.user):
        client.force_login(user)
        for url, data in posts:
            assert client.post(url, data).status_code == 404, (user, url)
    group.refresh_from_db()
    assert group.name == "Resuscitation group" and Assignment.objects.filter(ended_on__isnull=True).count() == 1
    assert not Programme.objects.filter(name="Hijacked").exists()


# --- my programmes ----------------------------------------------------------------------------------------------


def test_my_programmes_for_a_mentor_a_peer_and_a_resident(client, mentor, resident, near_peer, group, make_resident):
    senior = make_resident(year_of_study=2)
    assignment_create(resident=resident, peer=senior, programme=near_peer)
    others = [make_resident() for _ in range(2)]
    for r in [resident, *others]:
        assignment_create(resident=r, mentor=mentor, programme=group)
    url = reverse("mentoring:my_programmes")

    client.force_login(resident.user)
    page = text(client.get(url))
    cards = {p.pk: page.split(f'data-programme="{p.pk}"')[1].split("</section>")[0]
             for p in (clinical_programme(resident.specialty.department), near_peer, group)}
    clinical_card = cards[clinical_programme(resident.specialty.department).pk]
    assert "Your mentor" in clinical_card and str(mentor) in clinical_card
    assert str(senior) in cards[near_peer.pk] and "resident, year 2" in cards[near_peer.pk]
    group_card = cards[group.pk]
    assert f"Your group, led by {mentor}" in group_card and all(str(r) in group_card for r in others)
    assert "3 of 8 members" in group_card and ">you<" in group_card

    client.force_login(mentor.user)
    page = text(client.get(url))
    group_card = page.split(f'data-programme="{group.pk}"')[1].split("</section>")[0]
    assert all(f'data-mentee="{r.pk}"' in group_card for r in [resident, *others]) and "3 of 8" in group_card
    assert str(resident) in page.split(f'data-programme="{clinical_programme(resident.specialty.department).pk}"')[1]
    assert f'data-programme="{near_peer.pk}"' not in page

    client.force_login(senior.user)  # a senior resident who is a peer mentor
    page = text(client.get(url))
    card = page.split(f'data-programme="{near_peer.pk}"')[1].split("</section>")[0]
    assert "You mentor" in card and f'data-mentee="{resident.pk}"' in card


def test_my_programmes_is_404_for_someone_neither_mentor_nor_resident(client, coordinator, user):
    for who in (coordinator, user):
        client.force_login(who)
        assert client.get(reverse("mentoring:my_programmes")).status_code == 404


def test_my_programmes_without_any_assignment(client, make_resident):
    client.force_login(make_resident().user)
    assert 'id="no-programmes"' in text(client.get(reverse("mentoring:my_programmes")))


# --- query counts -----------------------------------------------------------------------------------------------


def populate(n, department, group, near_peer, make_mentor, make_resident):
    """n residents in the clinical, group and near-peer programmes, spread over mentors and senior residents."""
    leaders = [make_mentor() for _ in range(max(1, n // 8 + 1))]
    for m in leaders:
        MentorTrainingFactory(mentor=m)
    for i in range(n):
        r = make_resident(year_of_study=1)
        assignment_create(resident=r, mentor=leaders[i // 8], programme=group)
        if i < 4 * len(leaders):
            assignment_create(resident=r, mentor=leaders[i // 4])
        assignment_create(resident=r, peer=make_resident(year_of_study=2), programme=near_peer)


def test_coordinator_pages_do_not_grow_with_the_data(c, department, group, near_peer, make_mentor, make_resident):
    urls = [reverse("mentoring:programme_list", kwargs={"department_id": department.pk}),
            reverse("mentoring:programme_detail", kwargs={"pk": group.pk}),
            reverse("mentoring:programme_detail", kwargs={"pk": near_peer.pk}),
            reverse("mentoring:programme_detail", kwargs={"pk": clinical_programme(department).pk}),
            reverse("mentoring:programme_assign", kwargs={"pk": near_peer.pk}),
            reverse("mentoring:programme_assign", kwargs={"pk": group.pk})]
    populate(3, department, group, near_peer, make_mentor, make_resident)
    small = [count_queries(c, url) for url in urls]
    populate(20, department, group, near_peer, make_mentor, make_resident)
    for _ in range(5):
        make_resident()  # residents waiting for a clinical mentor and possible mentees
    assert [count_queries(c, url) for url in urls] == small


def test_my_programmes_does_not_grow_with_the_data(client, department, group, near_peer, make_mentor, make_resident):
    leader = make_mentor()
    me = make_resident()
    assignment_create(resident=me, mentor=leader)
    assignment_create(resident=me, mentor=leader, programme=group)
    assignment_create(resident=me, peer=make_resident(year_of_study=2), programme=near_peer)
    url = reverse("mentoring:my_programmes")
    client.force_login(me.user)
    small_resident = count_queries(client, url)
    client.force_login(leader.user)
    small_mentor = count_queries(client, url)
    for _ in range(6):
        r = make_resident()
        assignment_create(resident=r, mentor=leader, programme=group)
    for _ in range(2):
        assignment_create(resident=make_resident(), mentor=leader)
    assert count_queries(client, url) == small_mentor
    client.force_login(me.user)
    assert count_queries(client, url) == small_resident
