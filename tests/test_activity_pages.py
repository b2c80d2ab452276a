"""Activity log pages: the resident's phone form, edit and delete, night duties, the mentor's confirmation queue,
the read-only log for the coordinator and the mentor; scope (404 outside it) and query counts."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from mentoring.services import assignment_create
from residents.activity import activity_confirm, activity_log, activity_return, night_duty_log, night_duty_return
from residents.models import ActivityEntry, NightDuty, ReviewStatus
from residents.requirements import month_start
from tests.factories import CoordinatorFactory, DepartmentFactory

pytestmark = pytest.mark.django_db

LOGIN = 302


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(department, coordinator, make_mentor, make_resident):
    mentor, other_mentor = make_mentor(), make_mentor()
    resident, other_resident = make_resident(), make_resident()
    assignment_create(resident=resident, mentor=mentor)
    assignment_create(resident=other_resident, mentor=other_mentor)
    entry = activity_log(resident=resident, by=resident.user, kind="rounds", hours=2)
    start = at(today() - timedelta(days=2), 17)
    duty = night_duty_log(resident=resident, by=resident.user, starts_at=start, ends_at=start + timedelta(hours=15))
    return {
        "department": department, "mentor": mentor, "resident": resident, "entry": entry, "duty": duty,
        "other_mentor": other_mentor, "other_resident": other_resident,
        "users": {"anonymous": None, "resident": resident.user, "mentor": mentor.user, "coordinator": coordinator,
                  "other_coordinator": CoordinatorFactory(department=DepartmentFactory()).user},
    }


def today():
    return timezone.localdate()


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def text(response):
    return response.content.decode()


def login(client, user):
    client.logout()
    client.force_login(user)
    return client


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# Access ----------------------------------------------------------------------------------------------------------

# The GET statuses of these URLs are rows of tests/test_access_matrix.py; the POSTs by outsiders are here.


@pytest.mark.parametrize("name,kwargs_of,data,outsiders", [
    ("residents:activity_new", lambda o: {}, {"what": "rounds", "hours": "2"},
     ("mentor", "coordinator", "other_coordinator")),
    ("residents:activity_edit", lambda o: {"pk": o["entry"].pk}, {"what": "rounds", "hours": "5"},
     ("mentor", "coordinator", "other_coordinator")),
    ("residents:activity_delete", lambda o: {"pk": o["entry"].pk}, {}, ("mentor", "coordinator", "other_coordinator")),
    ("residents:duty_new", lambda o: {}, {}, ("mentor", "coordinator", "other_coordinator")),
    ("residents:duty_edit", lambda o: {"pk": o["duty"].pk}, {}, ("mentor", "coordinator", "other_coordinator")),
    ("residents:duty_delete", lambda o: {"pk": o["duty"].pk}, {}, ("mentor", "coordinator", "other_coordinator")),
    ("residents:confirm", lambda o: {}, {"entry": "1"}, ("resident", "coordinator", "other_coordinator")),
    ("residents:activity_return", lambda o: {"pk": o["entry"].pk}, {"comment": "x"},
     ("resident", "coordinator", "other_coordinator")),
    ("residents:duty_return", lambda o: {"pk": o["duty"].pk}, {"comment": "x"},
     ("resident", "coordinator", "other_coordinator")),
])
def test_post_outside_scope_is_404_and_changes_nothing(name, kwargs_of, data, outsiders, world, client):
    def state():
        return (list(ActivityEntry.objects.values_list("pk", "status", "hours", "kind")),
                list(NightDuty.objects.values_list("pk", "status", "starts_at")))

    before = state()
    url = reverse(name, kwargs=kwargs_of(world))
    for role in outsiders:
        login(client, world["users"][role])
        assert client.post(url, data).status_code == 404, role
    assert state() == before


def test_another_mentor_sees_nothing_and_changes_nothing(world, client):
    login(client, world["other_mentor"].user)
    entry, duty = world["entry"], world["duty"]
    queue = text(client.get(reverse("residents:confirmation_queue")))
    assert f'data-entry="{entry.pk}"' not in queue and str(world["resident"]) not in queue
    assert client.get(reverse("residents:resident_activity", kwargs={"pk": world["resident"].pk})).status_code == 404
    assert client.post(reverse("residents:activity_return", kwargs={"pk": entry.pk}),
                       {"comment": "no"}).status_code == 404
    assert client.post(reverse("residents:duty_return", kwargs={"pk": duty.pk}), {"comment": "no"}).status_code == 404
    response = client.post(reverse("residents:confirm"), {"entry": [entry.pk], "duty": [duty.pk]}, follow=True)
    assert "2 selected items were not confirmed: they are not awaiting your confirmation." in messages_of(response)
    assert ActivityEntry.objects.get(pk=entry.pk).status == "pending"
    assert NightDuty.objects.get(pk=duty.pk).status == "pending"


def test_a_resident_sees_only_their_own_log(world, client):
    other = world["other_resident"]
    theirs = activity_log(resident=other, by=other.user, kind="autopsy", hours=3, note="their private note")
    login(client, world["resident"].user)
    page = text(client.get(reverse("residents:activity_log")))
    assert f'data-entry="{world["entry"].pk}"' in page
    assert f'data-entry="{theirs.pk}"' not in page and "their private note" not in page
    for name in ("residents:activity_edit", "residents:resident_activity"):
        pk = theirs.pk if name == "residents:activity_edit" else other.pk
        assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 404
    assert client.post(reverse("residents:activity_delete", kwargs={"pk": theirs.pk})).status_code == 404
    assert ActivityEntry.objects.filter(pk=theirs.pk).exists()


# The resident's phone form ---------------------------------------------------------------------------------------

def quick_form(page):
    return page.split('id="quick-log"')[1].split("</form>")[0]


def controls(html):
    """Visible form controls (hidden inputs excluded)."""
    tags = re.findall(r"<(input|select|textarea)\b([^>]*)>", html)
    return [attrs for tag, attrs in tags if 'type="hidden"' not in attrs]


def test_quick_form_has_three_inputs_and_tucks_date_and_site_away(world, client):
    login(client, world["resident"].user)
    form = quick_form(text(client.get(reverse("residents:activity_log"))))
    visible, tucked = form.split("<details")
    names = [re.search(r'name="(\w+)"', attrs).group(1) for attrs in controls(visible)]
    assert names == ["what", "hours", "note"]
    assert "Change date or site" in tucked
    assert f'name="date" value="{today():%Y-%m-%d}"' in tucked
    assert re.search(rf'<option value="{world["resident"].clinical_site_id}" selected>', tucked)
    for control in ("what", "hours", "note", "date", "clinical_site"):  # every control has a visible label
        assert f'for="id_{control}"' in form
    assert '<option value="manipulation:performed">Manipulation — performed</option>' in form
    assert '<option value="manipulation:assisted">Manipulation — assisted</option>' in form


def test_phone_posts_only_three_fields(world, client):
    resident = world["resident"]
    login(client, resident.user)
    response = client.post(reverse("residents:activity_new"),
                           {"what": "manipulation:assisted", "hours": "1.5", "note": "Umbilical catheter"})
    assert response.status_code == 302 and response.url == f"/me/activities/?month={today():%Y-%m}"
    entry = ActivityEntry.objects.latest("id")
    assert (entry.kind, entry.manipulation_role, entry.hours) == ("manipulation", "assisted", Decimal("1.5"))
    assert (entry.date, entry.clinical_site_id, entry.status) == (today(), resident.clinical_site_id, "pending")
    page = client.get(response.url)
    assert any(m.startswith("Logged: Manipulation — assisted, 1.5 h on") for m in messages_of(page))
    # The next quick log starts from the same activity.
    assert '<option value="manipulation:assisted" selected>' in quick_form(text(page))


def test_quick_form_refuses_a_patient_identifier_and_keeps_the_input(world, client):
    login(client, world["resident"].user)
    before = ActivityEntry.objects.count()
    response = client.post(reverse("residents:activity_new"),
                           {"what": "consultation", "hours": "1", "note": "Newborn of IIN 990101300123"})
    assert response.status_code == 200
    assert "Remove the 12-digit number: notes must not contain patient identifiers" in text(response)
    assert "Newborn of IIN 990101300123" in text(response)
    assert ActivityEntry.objects.count() == before


def test_a_refused_date_opens_the_details(world, client):
    login(client, world["resident"].user)
    response = client.post(reverse("residents:activity_new"),
                           {"what": "rounds", "hours": "1", "date": (today() + timedelta(days=1)).isoformat()})
    page = text(response)
    assert response.status_code == 200 and "The date cannot be in the future." in page
    assert '<details class="mb-3" id="date-site" open>' in page


def test_log_page_shows_this_months_requirement_figures(world, client):
    resident = world["resident"]
    activity_confirm(mentor_user=world["mentor"].user, duty_ids=[world["duty"].pk])
    login(client, resident.user)
    page = text(client.get(reverse("residents:activity_log") + f"?month={world['duty'].starts_at:%Y-%m}"))
    figures = page.split('id="duty-figures"')[1].split("</div>\n  </div>")[0]
    assert 'data-confirmed="1" data-required="4"' in figures
    assert "1 confirmed of at least 4 a month" in figures and "3 more duties needed" in figures


# Edit, resubmit, delete ------------------------------------------------------------------------------------------

def test_returned_entry_shows_the_comment_and_is_resubmitted(world, client):
    entry = world["entry"]
    activity_return(mentor_user=world["mentor"].user, entry=entry, comment="Add the unit you worked in")
    login(client, world["resident"].user)
    page = text(client.get(reverse("residents:activity_log")))
    returned = page.split('id="returned-entries"')[1].split("</ul>")[0]
    assert "Add the unit you worked in" in returned and "Correct and resubmit" in returned
    url = reverse("residents:activity_edit", kwargs={"pk": entry.pk})
    assert "Add the unit you worked in" in text(client.get(url))
    response = client.post(url, {"what": "unit_work", "hours": "3", "note": "Neonatal ICU",
                                 "date": entry.date.isoformat(), "clinical_site": entry.clinical_site_id})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.kind, entry.hours, entry.note) == ("pending", "unit_work", 3, "Neonatal ICU")


def test_confirmed_entry_cannot_be_edited_or_deleted_from_the_pages(world, client):
    entry = world["entry"]
    activity_confirm(mentor_user=world["mentor"].user, entry_ids=[entry.pk])
    login(client, world["resident"].user)
    log_page = text(client.get(reverse("residents:activity_log")))
    item = log_page.split(f'data-entry="{entry.pk}"')[1].split("</li>")[0]
    assert "Confirmed by" in item and "Edit" not in item
    url = reverse("residents:activity_edit", kwargs={"pk": entry.pk})
    response = client.get(url, follow=True)
    assert "This entry has been confirmed by your mentor and is read-only." in messages_of(response)
    client.post(url, {"what": "rounds", "hours": "9"})
    response = client.post(reverse("residents:activity_delete", kwargs={"pk": entry.pk}), follow=True)
    assert "This entry has been confirmed by the mentor and can no longer be changed." in messages_of(response)
    entry.refresh_from_db()
    assert (entry.status, entry.hours) == ("confirmed", 2)


def test_delete_a_pending_entry(world, client):
    login(client, world["resident"].user)
    response = client.post(reverse("residents:activity_delete", kwargs={"pk": world["entry"].pk}), follow=True)
    assert "The entry has been deleted." in messages_of(response)
    assert not ActivityEntry.objects.filter(pk=world["entry"].pk).exists()


# Night duties ----------------------------------------------------------------------------------------------------

def test_duty_form_prefills_last_night_at_the_previous_duty_hours(world, client):
    login(client, world["resident"].user)
    page = text(client.get(reverse("residents:duty_new")))
    match = re.search(r'name="starts_at" value="([^"]+)"', page)
    start = datetime.fromisoformat(match.group(1))
    assert start.time() == time(17, 0) and today() - timedelta(days=2) <= start.date() <= today() - timedelta(days=1)
    assert 'type="datetime-local"' in page and 'for="id_starts_at"' in page and 'for="id_ends_at"' in page


def test_log_a_duty_and_refuse_an_overlap(world, client):
    login(client, world["resident"].user)
    url = reverse("residents:duty_new")
    day = today() - timedelta(days=5)
    response = client.post(url, {"starts_at": f"{day}T20:00", "ends_at": f"{day + timedelta(days=1)}T08:00"})
    assert response.status_code == 302
    duty = NightDuty.objects.latest("id")
    assert timezone.localtime(duty.starts_at).time() == time(20, 0) and duty.status == "pending"
    assert duty.clinical_site_id == world["resident"].clinical_site_id
    response = client.post(url, {"starts_at": f"{day + timedelta(days=1)}T07:00",
                                 "ends_at": f"{day + timedelta(days=1)}T19:00"})
    assert response.status_code == 200 and "This duty overlaps another of your night duties" in text(response)
    assert NightDuty.objects.count() == 2


def test_returned_duty_is_corrected_and_deleted(world, client):
    duty = world["duty"]
    night_duty_return(mentor_user=world["mentor"].user, duty=duty, comment="Wrong site")
    login(client, world["resident"].user)
    url = reverse("residents:duty_edit", kwargs={"pk": duty.pk})
    assert "Wrong site" in text(client.get(url))
    start, end = timezone.localtime(duty.starts_at), timezone.localtime(duty.ends_at)
    response = client.post(url, {"starts_at": f"{start:%Y-%m-%dT%H:%M}", "ends_at": f"{end:%Y-%m-%dT%H:%M}",
                                 "clinical_site": duty.clinical_site_id})
    assert response.status_code == 302
    assert NightDuty.objects.get(pk=duty.pk).status == "pending"
    client.post(reverse("residents:duty_delete", kwargs={"pk": duty.pk}))
    assert not NightDuty.objects.filter(pk=duty.pk).exists()


# The mentor's queue ----------------------------------------------------------------------------------------------

def test_queue_groups_by_resident_and_day_and_confirms_selected(world, client, make_resident):
    mentor, resident = world["mentor"], world["resident"]
    second = make_resident()
    assignment_create(resident=second, mentor=mentor)
    yesterday = activity_log(resident=resident, by=resident.user, kind="autopsy", hours=1,
                             date=today() - timedelta(days=1))
    theirs = activity_log(resident=second, by=second.user, kind="rounds", hours=4)
    login(client, mentor.user)
    page = text(client.get(reverse("residents:confirmation_queue")))
    assert "4 entries await your confirmation." in page
    group = page.split(f'data-resident="{resident.pk}"')[1].split("</section>")[0]
    assert group.index(f'data-entry="{yesterday.pk}"') < group.index(f'data-entry="{world["entry"].pk}"')
    assert f'data-duty="{world["duty"].pk}"' in group and "Confirm all 3 entries of" in group
    assert f'data-resident="{second.pk}"' in page
    assert 'form="bulk-confirm"' in page and 'id="confirm-selected"' in page

    response = client.post(reverse("residents:confirm"),
                           {"entry": [world["entry"].pk, yesterday.pk], "duty": [world["duty"].pk]}, follow=True)
    assert "Confirmed: 2 activities and 1 night duty." in messages_of(response)
    assert ActivityEntry.objects.get(pk=theirs.pk).status == "pending"
    assert "1 entry awaits your confirmation." in text(response)


def test_confirm_nothing_selected_says_so(world, client):
    login(client, world["mentor"].user)
    response = client.post(reverse("residents:confirm"), {}, follow=True)
    assert "Select at least one entry to confirm." in messages_of(response)


@pytest.mark.parametrize("forged", ["9223372036854775808", "-9223372036854775809", "1" + "0" * 40])
def test_confirm_an_id_beyond_the_integer_range_is_refused(world, client, forged):
    """Found by tests/test_fuzz_forms.py: such an id reached the `IN (...)` update and SQLite failed (500)."""
    login(client, world["mentor"].user)
    response = client.post(reverse("residents:confirm"), {"entry": [world["entry"].pk, forged],
                                                          "duty": [world["duty"].pk]}, follow=True)
    assert "The selection is not valid." in messages_of(response)
    assert ActivityEntry.objects.get(pk=world["entry"].pk).status == "pending"
    assert NightDuty.objects.get(pk=world["duty"].pk).status == "pending"


def test_return_from_the_queue_needs_a_comment(world, client):
    login(client, world["mentor"].user)
    url = reverse("residents:activity_return", kwargs={"pk": world["entry"].pk})
    response = client.post(url, {"comment": ""}, follow=True)
    assert "Say what the resident should correct." in messages_of(response)
    assert ActivityEntry.objects.get(pk=world["entry"].pk).status == "pending"
    response = client.post(url, {"comment": "Which unit?"}, follow=True)
    assert f"Returned to {world['resident']} with your comment." in messages_of(response)
    entry = ActivityEntry.objects.get(pk=world["entry"].pk)
    assert (entry.status, entry.review_comment, entry.reviewed_by) == ("returned", "Which unit?", world["mentor"].user)
    response = client.post(reverse("residents:duty_return", kwargs={"pk": world["duty"].pk}), {"comment": "Date?"})
    assert NightDuty.objects.get(pk=world["duty"].pk).status == "returned"


def test_queue_of_a_mentor_without_residents(make_mentor, client):
    login(client, make_mentor().user)
    page = text(client.get(reverse("residents:confirmation_queue")))
    assert "Nothing awaits your confirmation." in page and "No residents assigned to you yet." in page


# The read-only log -----------------------------------------------------------------------------------------------

def test_coordinator_and_mentor_read_the_log_with_figures(world, client):
    url = reverse("residents:resident_activity", kwargs={"pk": world["resident"].pk})
    entry, duty = world["entry"], world["duty"]
    for role in ("coordinator", "mentor"):
        login(client, world["users"][role])
        page = text(client.get(url + f"?month={entry.date:%Y-%m}"))
        assert 'id="duty-figures"' in page and 'id="hours-figures"' in page
        assert f'data-entry="{entry.pk}"' in page and "Edit or delete" not in page
        page = text(client.get(url + f"?month={timezone.localtime(duty.starts_at):%Y-%m}"))
        assert f'data-duty="{duty.pk}"' in page
    page = text(client.get(url + "?month=2001-01"))
    assert "No activities logged in this month." in page and "No night duties logged in this month." in page


def test_confirm_message_names_only_what_was_confirmed(world, client):
    login(client, world["mentor"].user)
    response = client.post(reverse("residents:confirm"), {"duty": [world["duty"].pk]}, follow=True)
    assert messages_of(response) == ["Confirmed: 1 night duty."]


# Query counts ----------------------------------------------------------------------------------------------------

def populate(resident, n, month):
    """n activities and n night duties of the resident in `month`, in every status."""
    statuses = [ReviewStatus.PENDING, ReviewStatus.CONFIRMED, ReviewStatus.RETURNED]
    ActivityEntry.objects.bulk_create([
        ActivityEntry(resident=resident, date=month + timedelta(days=i % 28), kind="rounds", hours=Decimal("0.5"),
                      clinical_site=resident.clinical_site, status=statuses[i % 3], review_comment="x")
        for i in range(n)])
    start = at(month, 0) + timedelta(hours=1)
    existing = NightDuty.objects.filter(resident=resident).count()
    NightDuty.objects.bulk_create([
        NightDuty(resident=resident, starts_at=start + timedelta(hours=3 * (existing + i)),
                  ends_at=start + timedelta(hours=3 * (existing + i) + 2), clinical_site=resident.clinical_site,
                  status=statuses[i % 3], review_comment="x")
        for i in range(n)])


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name,role", [
    ("residents:activity_log", "resident"),
    ("residents:resident_activity", "coordinator"),
    ("residents:resident_activity", "mentor"),
    ("residents:confirmation_queue", "mentor"),
])
def test_queries_do_not_grow_with_entries(name, role, world, client, make_resident):
    month = month_start(today())
    residents = [world["resident"], make_resident(), make_resident()]
    for r in residents[1:]:
        assignment_create(resident=r, mentor=world["mentor"])
    login(client, world["users"][role])
    url = reverse(name, kwargs={"pk": world["resident"].pk} if name == "residents:resident_activity" else {})
    url += f"?month={month:%Y-%m}"
    for r in residents:
        populate(r, 5, month)
    small = count_queries(client, url)
    for r in residents:
        populate(r, 195, month)
    assert ActivityEntry.objects.filter(resident=world["resident"]).count() > 200
    large = count_queries(client, url)
    assert small == large, f"{small} queries at 5 entries, {large} at 200"
