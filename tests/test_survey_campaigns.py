"""Campaign services: drafts, the audience snapshot at launch, close with the final release, reminders, daily run."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mentoring.services import assignment_create
from surveys.campaigns import (
    answer_link,
    campaign_audience,
    campaign_close,
    campaign_launch,
    campaign_remind,
    campaign_save,
    campaigns_daily,
    invitations_send,
    response_rate,
)
from surveys.models import Campaign, Participation, PendingSubmission, Response
from surveys.submission import response_submit
from tests.factories import (
    AcademicYearFactory,
    AssignmentFactory,
    CohortFactory,
    CoordinatorFactory,
    DepartmentFactory,
    MentorFactory,
    ResidentFactory,
    SpecialtyFactory,
    UserFactory,
    today,
    uncommonly_named,
)
from tests.factories_surveys import CampaignFactory, QuestionnaireFactory, answers_for, invite, questionnaire_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(department):
    return questionnaire_with_items(department, about_mentor=True)


@pytest.fixture
def mentors(make_mentor):
    return [make_mentor() for _ in range(3)]


def save(coordinator, department, questionnaire, **overrides):
    kwargs = {"by": coordinator, "department": department, "questionnaire": questionnaire,
              "title": "Mentor satisfaction, spring", "opens_on": today(), "closes_on": today() + timedelta(days=14)}
    return campaign_save(**(kwargs | overrides))


def messages_of(exc_info, field=None):
    exc = exc_info.value
    if field is None:
        return " ".join(exc.messages)
    return " ".join(exc.message_dict.get(field, []))


def mentored(make_resident, mentor, n, **kwargs):
    residents = [make_resident(**kwargs) for _ in range(n)]
    for r in residents:
        assignment_create(resident=r, mentor=mentor)
    return residents


def launched(coordinator, department, questionnaire, **overrides):
    campaign = save(coordinator, department, questionnaire, **overrides)
    campaign_launch(campaign=campaign, by=coordinator)
    campaign.refresh_from_db()
    return campaign


# --- campaign_save ---------------------------------------------------------------------------------------------


def test_save_creates_a_draft_with_the_defaults(coordinator, department, questionnaire):
    campaign = save(coordinator, department, questionnaire)

    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.threshold == 5
    assert campaign.about_mentor is True  # from the questionnaire
    assert campaign.department == department and campaign.created_by == coordinator
    assert not Participation.objects.filter(campaign=campaign).exists()


def test_about_mentor_follows_the_questionnaire_unless_chosen(coordinator, department):
    plain = questionnaire_with_items(department, about_mentor=False)
    assert save(coordinator, department, plain).about_mentor is False
    assert save(coordinator, department, plain, about_mentor=True).about_mentor is True


def test_threshold_never_below_three(coordinator, department, questionnaire):
    with pytest.raises(ValidationError) as exc:
        save(coordinator, department, questionnaire, threshold=2)
    assert "at least 3" in messages_of(exc, "threshold")
    assert save(coordinator, department, questionnaire, threshold=3).threshold == 3


def test_the_database_refuses_a_threshold_below_three(department, questionnaire):
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignFactory(questionnaire=questionnaire, threshold=2)


def test_about_mentor_only_for_residents(coordinator, department):
    for_mentors = questionnaire_with_items(department, about_mentor=False, intended_for="mentors")

    with pytest.raises(ValidationError) as exc:
        save(coordinator, department, for_mentors, audience="mentors", about_mentor=True)

    assert "Only residents answer about their current mentor" in messages_of(exc, "about_mentor")
    assert save(coordinator, department, for_mentors, audience="mentors").about_mentor is False


def test_the_audience_matches_the_questionnaire(coordinator, department, questionnaire):
    with pytest.raises(ValidationError) as exc:
        save(coordinator, department, questionnaire, audience="mentors", about_mentor=False)
    assert "written for residents" in messages_of(exc, "audience")


def test_questionnaire_of_the_department_with_questions(coordinator, department):
    other = questionnaire_with_items(DepartmentFactory())
    empty = QuestionnaireFactory(department=department)

    with pytest.raises(ValidationError) as exc:
        save(coordinator, department, other)
    assert "department's questionnaires" in messages_of(exc, "questionnaire")
    with pytest.raises(ValidationError) as exc:
        save(coordinator, department, empty)
    assert "no questions" in messages_of(exc, "questionnaire")


def test_dates_in_order_and_not_closed_already(coordinator, department, questionnaire):
    with pytest.raises(ValidationError) as exc:
        save(coordinator, department, questionnaire, opens_on=today(), closes_on=today() - timedelta(days=1))
    assert "cannot close before it opens" in messages_of(exc, "closes_on")
    with pytest.raises(ValidationError) as exc:
        save(coordinator, department, questionnaire, opens_on=today() - timedelta(days=9),
             closes_on=today() - timedelta(days=1))
    assert "already passed" in messages_of(exc, "closes_on")
    one_day = save(coordinator, department, questionnaire, opens_on=today(), closes_on=today())
    assert one_day.opens_on == one_day.closes_on


def test_groups_within_the_coordinators_departments(coordinator, department, questionnaire, specialty):
    second = DepartmentFactory()
    CoordinatorFactory(user=coordinator, department=second)
    foreign = DepartmentFactory()
    foreign_specialty = SpecialtyFactory(department=foreign)
    foreign_cohort = CohortFactory(specialty=foreign_specialty)

    with pytest.raises(ValidationError) as exc:
        save(coordinator, department, questionnaire, departments=[department, foreign],
             specialties=[foreign_specialty], cohorts=[foreign_cohort])

    assert "departments you coordinate" in messages_of(exc, "departments")
    assert "specialties of the departments you coordinate" in messages_of(exc, "specialties")
    assert "cohorts of the departments you coordinate" in messages_of(exc, "cohorts")
    second_specialty = SpecialtyFactory(department=second)
    campaign = save(coordinator, department, questionnaire, departments=[department, second],
                    specialties=[specialty, second_specialty], cohorts=[CohortFactory(specialty=second_specialty)])
    assert set(campaign.departments.all()) == {department, second}
    assert campaign.specialties.count() == 2 and campaign.cohorts.count() == 1


def test_cohorts_only_for_residents(coordinator, department, specialty):
    for_mentors = questionnaire_with_items(department, about_mentor=False, intended_for="mentors")
    with pytest.raises(ValidationError) as exc:
        save(coordinator, department, for_mentors, audience="mentors", cohorts=[CohortFactory(specialty=specialty)])
    assert "groups of residents" in messages_of(exc, "cohorts")


def test_only_a_coordinator_of_the_department(department, questionnaire):
    outsider = CoordinatorFactory(department=DepartmentFactory()).user
    with pytest.raises(ValidationError) as exc:
        save(outsider, department, questionnaire)
    assert "Only a coordinator of the department" in messages_of(exc)
    assert not Campaign.objects.exists()


def test_edits_a_draft_and_refuses_after_launch(coordinator, department, questionnaire, mentors, make_resident):
    mentored(make_resident, mentors[0], 1)
    campaign = save(coordinator, department, questionnaire)

    edited = campaign_save(by=coordinator, campaign=campaign, questionnaire=questionnaire, title="Renamed",
                           opens_on=campaign.opens_on, closes_on=campaign.closes_on, threshold=7)
    assert (edited.pk, edited.title, edited.threshold) == (campaign.pk, "Renamed", 7)

    campaign_launch(campaign=campaign, by=coordinator)
    with pytest.raises(ValidationError) as exc:
        campaign_save(by=coordinator, campaign=campaign, questionnaire=questionnaire, title="Again",
                      opens_on=campaign.opens_on, closes_on=campaign.closes_on)
    assert "can no longer be changed" in messages_of(exc)
    assert Campaign.objects.get(pk=campaign.pk).title == "Renamed"


# --- the audience and the launch -------------------------------------------------------------------------------


def test_launch_invites_a_snapshot_and_opens(coordinator, department, questionnaire, mentors, make_resident,
                                             django_capture_on_commit_callbacks):
    residents = mentored(make_resident, mentors[0], 3)
    campaign = save(coordinator, department, questionnaire)

    with django_capture_on_commit_callbacks(execute=True):
        audience = campaign_launch(campaign=campaign, by=coordinator)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN
    assert sorted(audience.user_ids) == sorted(r.user_id for r in residents)
    assert set(Participation.objects.filter(campaign=campaign).values_list("user_id", flat=True)) == {
        r.user_id for r in residents}
    assert Participation.objects.filter(campaign=campaign, invited=True).count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in residents)
    # A resident arriving after the launch is not invited: the audience is a snapshot.
    mentored(make_resident, mentors[1], 1)
    assert Participation.objects.filter(campaign=campaign).count() == 3


def test_launch_twice_is_refused(coordinator, department, questionnaire, mentors, make_resident):
    mentored(make_resident, mentors[0], 1)
    campaign = launched(coordinator, department, questionnaire)

    with pytest.raises(ValidationError) as exc:
        campaign_launch(campaign=campaign, by=coordinator)

    assert "already been launched" in messages_of(exc)
    assert Participation.objects.filter(campaign=campaign).count() == 1


def test_audience_only_active_residents_of_the_department(coordinator, department, questionnaire, mentors,
                                                          make_resident):
    active = mentored(make_resident, mentors[0], 2)
    on_leave = mentored(make_resident, mentors[1], 1)[0]
    on_leave.status = "on_leave"
    on_leave.save()
    AssignmentFactory()  # another department

    campaign = save(coordinator, department, questionnaire)

    assert sorted(campaign_audience(campaign).user_ids) == sorted(r.user_id for r in active)


def test_audience_is_the_intersection_of_the_chosen_groups(coordinator, department, specialty, make_mentor,
                                                          make_resident):
    plain = questionnaire_with_items(department, about_mentor=False)
    other_specialty = SpecialtyFactory(department=department)
    cohort_2024 = CohortFactory(specialty=specialty, intake_year=AcademicYearFactory(start_year=2024))
    cohort_2025 = CohortFactory(specialty=specialty, intake_year=AcademicYearFactory(start_year=2025))
    other_2025 = CohortFactory(specialty=other_specialty, intake_year=AcademicYearFactory(start_year=2025))
    a = make_resident(cohort=cohort_2024)
    b = make_resident(cohort=cohort_2025)
    c = make_resident(specialty=other_specialty, cohort=other_2025)

    def audience(**groups):
        return set(campaign_audience(save(coordinator, department, plain, **groups)).user_ids)

    assert audience() == {a.user_id, b.user_id, c.user_id}
    assert audience(specialties=[specialty]) == {a.user_id, b.user_id}
    assert audience(cohorts=[cohort_2025, other_2025]) == {b.user_id, c.user_id}
    assert audience(specialties=[specialty], cohorts=[cohort_2025, other_2025]) == {b.user_id}
    assert audience(specialties=[other_specialty], cohorts=[cohort_2024]) == set()


def test_audience_of_chosen_departments(coordinator, department, make_resident):
    plain = questionnaire_with_items(department, about_mentor=False)
    second = DepartmentFactory()
    CoordinatorFactory(user=coordinator, department=second)
    here = make_resident()
    there = ResidentFactory(specialty=SpecialtyFactory(department=second))

    assert set(campaign_audience(save(coordinator, department, plain)).user_ids) == {here.user_id}
    assert set(campaign_audience(save(coordinator, department, plain, departments=[second])).user_ids) == {
        there.user_id}
    both = save(coordinator, department, plain, departments=[department, second])
    assert set(campaign_audience(both).user_ids) == {here.user_id, there.user_id}


def test_about_mentor_leaves_out_residents_without_an_active_mentor(coordinator, department, questionnaire,
                                                                   mentors, make_resident):
    with_mentor = mentored(make_resident, mentors[0], 2)
    without = [make_resident() for _ in range(3)]
    campaign = save(coordinator, department, questionnaire)

    audience = campaign_launch(campaign=campaign, by=coordinator)

    assert sorted(audience.user_ids) == sorted(r.user_id for r in with_mentor)
    assert audience.without_mentor == 3
    invited = set(Participation.objects.filter(campaign=campaign).values_list("user_id", flat=True))
    assert invited == {r.user_id for r in with_mentor}
    assert not invited & {r.user_id for r in without}


def test_mentors_audience_is_the_active_mentors(coordinator, department, make_mentor):
    for_mentors = questionnaire_with_items(department, about_mentor=False, intended_for="mentors")
    active = [make_mentor() for _ in range(2)]
    retired = make_mentor()
    retired.is_active = False
    retired.save()
    MentorFactory()  # another department

    campaign = launched(coordinator, department, for_mentors, audience="mentors")

    assert set(Participation.objects.filter(campaign=campaign).values_list("user_id", flat=True)) == {
        m.user_id for m in active}


def test_an_empty_audience_is_refused(coordinator, department, questionnaire, make_resident):
    make_resident()  # no mentor: nobody to answer about
    campaign = save(coordinator, department, questionnaire)

    with pytest.raises(ValidationError) as exc:
        campaign_launch(campaign=campaign, by=coordinator)

    assert "none of the chosen residents has an active mentor" in messages_of(exc)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert not Participation.objects.exists()
    plain = save(coordinator, department, questionnaire_with_items(department, about_mentor=False),
                 cohorts=[CohortFactory(specialty=SpecialtyFactory(department=department))])
    with pytest.raises(ValidationError) as exc:
        campaign_launch(campaign=plain, by=coordinator)
    assert "Nobody to invite" in messages_of(exc)


def test_launch_refused_after_the_closing_day_and_to_outsiders(coordinator, department, questionnaire, mentors,
                                                              make_resident):
    mentored(make_resident, mentors[0], 1)
    campaign = save(coordinator, department, questionnaire)
    outsider = CoordinatorFactory(department=DepartmentFactory()).user

    with pytest.raises(ValidationError):
        campaign_launch(campaign=campaign, by=outsider)
    with pytest.raises(ValidationError) as exc:
        campaign_launch(campaign=campaign, by=coordinator, today=campaign.closes_on + timedelta(days=1))

    assert "closing date has already passed" in messages_of(exc)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT


def test_invitations_wait_for_the_opening_day(coordinator, department, questionnaire, mentors, make_resident,
                                             django_capture_on_commit_callbacks):
    residents = mentored(make_resident, mentors[0], 2)
    opens = today() + timedelta(days=3)
    campaign = save(coordinator, department, questionnaire, opens_on=opens, closes_on=opens + timedelta(days=10))

    with django_capture_on_commit_callbacks(execute=True):
        campaign_launch(campaign=campaign, by=coordinator)
    assert mail.outbox == []
    assert campaigns_daily(today=today() + timedelta(days=1)).invited == []

    with django_capture_on_commit_callbacks(execute=True):
        run = campaigns_daily(today=opens)

    assert run.invited == [campaign.pk]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in residents)
    # Sent once: a second run (or a retried task) finds every invitation marked.
    assert invitations_send(campaign_id=campaign.pk, today=opens) == 0
    assert campaigns_daily(today=opens).invited == []
    assert len(mail.outbox) == 2


def test_invitation_wording(coordinator, department, questionnaire, mentors, make_resident,
                            django_capture_on_commit_callbacks):
    resident = mentored(make_resident, mentors[0], 1)[0]
    with django_capture_on_commit_callbacks(execute=True):
        campaign = launched(coordinator, department, questionnaire)

    (message,) = mail.outbox
    assert message.to == [resident.user.email]
    assert message.subject == "Questionnaire: Mentor satisfaction, spring"
    assert answer_link(campaign.pk) in message.body
    assert answer_link(campaign.pk).endswith(f"/surveys/campaigns/{campaign.pk}/answer/")
    assert "nobody, not even the system administrators, can link them to you" in message.body
    assert "at least 5 people" in message.body


def test_each_invitation_is_written_in_the_persons_language(coordinator, department, questionnaire, mentors,
                                                          make_resident, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    from django.utils import translation

    from surveys import campaigns

    russian, default = mentored(make_resident, mentors[0], 2)
    russian.user.language = "ru"
    russian.user.save()
    languages = []
    compose = campaigns._invitation
    monkeypatch.setattr(campaigns, "_invitation", lambda c: languages.append(translation.get_language()) or compose(c))

    with django_capture_on_commit_callbacks(execute=True):
        launched(coordinator, department, questionnaire)

    by_address = dict(zip([m.to[0] for m in mail.outbox], languages, strict=True))
    assert by_address == {russian.user.email: "ru", default.user.email: "en"}


# --- close and the final release -------------------------------------------------------------------------------


def test_close_releases_the_whole_pool(coordinator, department, questionnaire, mentors, make_resident,
                                       django_capture_on_commit_callbacks):
    residents = mentored(make_resident, mentors[0], 2) + mentored(make_resident, mentors[1], 2)
    campaign = launched(coordinator, department, questionnaire)
    with django_capture_on_commit_callbacks(execute=True):
        for r in residents:  # 4 < k = 5: nothing is released while open
            response_submit(campaign=campaign, user=r.user, answers=answers_for(questionnaire))
    assert PendingSubmission.objects.filter(campaign=campaign).count() == 4
    assert not Response.objects.filter(campaign=campaign).exists()

    with django_capture_on_commit_callbacks(execute=True):
        campaign_close(campaign=campaign, by=coordinator)

    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.CLOSED
    assert not PendingSubmission.objects.filter(campaign=campaign).exists()
    assert Response.objects.filter(campaign=campaign).count() == 4
    assert response_rate(campaign) == (4, 4)


def test_close_only_an_open_campaign_by_its_coordinator(coordinator, department, questionnaire):
    draft = save(coordinator, department, questionnaire)
    with pytest.raises(ValidationError) as exc:
        campaign_close(campaign=draft, by=coordinator)
    assert "Only an open campaign" in messages_of(exc)

    campaign = CampaignFactory(questionnaire=questionnaire)
    outsider = CoordinatorFactory(department=DepartmentFactory()).user
    with pytest.raises(ValidationError):
        campaign_close(campaign=campaign, by=outsider)
    campaign_close(campaign=campaign, by=coordinator)
    with pytest.raises(ValidationError):
        campaign_close(campaign=campaign, by=coordinator)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.CLOSED


def test_closing_early_records_the_day_it_really_closed(coordinator, department, questionnaire):
    today = timezone.localdate()
    campaign = CampaignFactory(questionnaire=questionnaire, opens_on=today - timedelta(days=3),
                               closes_on=today + timedelta(days=10))
    campaign_close(campaign=campaign, by=coordinator, today=today)
    assert Campaign.objects.get(pk=campaign.pk).closes_on == today


def test_answers_refused_after_close(coordinator, department, questionnaire, mentors, make_resident):
    resident = mentored(make_resident, mentors[0], 1)[0]
    campaign = launched(coordinator, department, questionnaire)
    campaign_close(campaign=campaign, by=coordinator)
    campaign.refresh_from_db()

    with pytest.raises(ValidationError):
        response_submit(campaign=campaign, user=resident.user, answers=answers_for(questionnaire))
    assert not Participation.objects.filter(campaign=campaign, completed=True).exists()


# --- reminders -------------------------------------------------------------------------------------------------


def test_reminders_go_only_to_those_who_have_not_answered(coordinator, department, questionnaire, mentors,
                                                         make_resident, django_capture_on_commit_callbacks):
    make_resident = uncommonly_named(make_resident)
    residents = mentored(make_resident, mentors[0], 3) + mentored(make_resident, mentors[1], 2)
    campaign = launched(coordinator, department, questionnaire)
    answered = residents[:2]
    for r in answered:
        response_submit(campaign=campaign, user=r.user, answers=answers_for(questionnaire))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        waiting = campaign_remind(campaign=campaign, by=coordinator)

    assert waiting == 3
    assert sorted(m.to for m in mail.outbox) == sorted([r.user.email] for r in residents[2:])
    for message in mail.outbox:  # one person per e-mail, nothing about anybody else
        assert len(message.to) == 1 and not message.cc and not message.bcc
        assert message.subject == "Reminder: questionnaire “Mentor satisfaction, spring”"
        assert "you have not answered the questionnaire" in message.body
        for r in residents:
            assert r.user.last_name not in message.body and r.user.email not in message.body
    assert len({(m.subject, m.body) for m in mail.outbox}) == 1  # the same words for everyone: no figures, no names
    assert Campaign.objects.get(pk=campaign.pk).reminders_sent == 1


def test_reminders_refused_when_everybody_answered_or_not_open(coordinator, department, questionnaire, mentors,
                                                              make_resident):
    resident = mentored(make_resident, mentors[0], 1)[0]
    draft = save(coordinator, department, questionnaire)
    with pytest.raises(ValidationError) as exc:
        campaign_remind(campaign=draft, by=coordinator)
    assert "only while the campaign is open" in messages_of(exc)

    campaign_launch(campaign=draft, by=coordinator)
    draft.refresh_from_db()
    response_submit(campaign=draft, user=resident.user, answers=answers_for(questionnaire))
    with pytest.raises(ValidationError) as exc:
        campaign_remind(campaign=draft, by=coordinator)
    assert "nobody to remind" in messages_of(exc)
    assert Campaign.objects.get(pk=draft.pk).reminders_sent == 0


def test_reminders_only_by_a_coordinator_of_the_department(department, questionnaire):
    campaign = CampaignFactory(questionnaire=questionnaire)
    invite(campaign, [UserFactory()])
    with pytest.raises(ValidationError):
        campaign_remind(campaign=campaign, by=CoordinatorFactory(department=DepartmentFactory()).user)
    assert Campaign.objects.get(pk=campaign.pk).reminders_sent == 0


# --- the daily run ---------------------------------------------------------------------------------------------


def test_daily_run_closes_campaigns_past_their_closing_day(department, django_capture_on_commit_callbacks):
    plain = questionnaire_with_items(department, about_mentor=False)
    due = CampaignFactory(questionnaire=plain, opens_on=today() - timedelta(days=10),
                          closes_on=today() - timedelta(days=1))
    last_day = CampaignFactory(questionnaire=plain, opens_on=today() - timedelta(days=10), closes_on=today())
    users = [UserFactory() for _ in range(2)]
    invite(due, users)
    for u in users:  # answered while it was open; 2 < k, so they wait in the pool
        response_submit(campaign=due, user=u, answers=answers_for(plain), today=today() - timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        run = campaigns_daily()

    assert run.closed == [due.pk]
    assert Campaign.objects.get(pk=due.pk).status == Campaign.Status.CLOSED
    assert Campaign.objects.get(pk=last_day.pk).status == Campaign.Status.OPEN
    assert Response.objects.filter(campaign=due).count() == 2
    assert not PendingSubmission.objects.filter(campaign=due).exists()


def test_daily_run_refuses_to_close_early_without_a_coordinator(department, questionnaire):
    campaign = CampaignFactory(questionnaire=questionnaire)
    with pytest.raises(ValidationError):
        campaign_close(campaign=campaign, by=None)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.OPEN


def test_automatic_reminder_once_two_days_before_the_close(department, questionnaire,
                                                           django_capture_on_commit_callbacks):
    campaign = CampaignFactory(questionnaire=questionnaire, opens_on=today() - timedelta(days=10),
                               closes_on=today() + timedelta(days=5))
    waiting, done = UserFactory(), UserFactory()
    invite(campaign, [waiting, done])
    Participation.objects.filter(campaign=campaign).update(invited=True)
    Participation.objects.filter(campaign=campaign, user=done).update(completed=True)

    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns_daily(today=today() + timedelta(days=2)).reminded == []  # 3 days before: not yet
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        run = campaigns_daily(today=today() + timedelta(days=3))
    assert run.reminded == [campaign.pk]
    assert [m.to for m in mail.outbox] == [[waiting.email]]
    assert Campaign.objects.get(pk=campaign.pk).reminders_sent == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = [campaigns_daily(today=today() + timedelta(days=d)).reminded for d in (3, 4, 5)]
    assert again == [[], [], []]
    assert len(mail.outbox) == 1


def test_no_automatic_reminder_after_a_manual_one_or_for_a_short_campaign(coordinator, department,
                                                                         questionnaire):
    reminded = CampaignFactory(questionnaire=questionnaire, closes_on=today() + timedelta(days=2))
    short = CampaignFactory(questionnaire=questionnaire, opens_on=today(), closes_on=today() + timedelta(days=2))
    for campaign in (reminded, short):
        invite(campaign, [UserFactory()])
    Participation.objects.update(invited=True)
    campaign_remind(campaign=reminded, by=coordinator)
    mail.outbox.clear()

    assert campaigns_daily().reminded == []
    assert mail.outbox == []


def test_response_rate_counts_in_one_query(department, questionnaire, django_assert_num_queries):
    campaign = CampaignFactory(questionnaire=questionnaire)
    users = [UserFactory() for _ in range(4)]
    invite(campaign, users)
    Participation.objects.filter(user__in=users[:3]).update(completed=True)

    with django_assert_num_queries(1):
        assert response_rate(campaign) == (3, 4)


def test_the_daily_task_is_on_the_beat_and_closes_due_campaigns(department, questionnaire, settings):
    from config.celery_app import app
    from surveys.tasks import close_due_campaigns

    entry = settings.CELERY_BEAT_SCHEDULE["surveys-close-due-campaigns"]
    assert entry["task"] == close_due_campaigns.name and entry["task"] in app.tasks
    due = CampaignFactory(questionnaire=questionnaire, opens_on=today() - timedelta(days=9),
                          closes_on=today() - timedelta(days=1))

    result = close_due_campaigns.delay().get()

    assert result == {"closed": [due.pk], "invited": [], "reminded": []}
    assert Campaign.objects.get(pk=due.pk).status == Campaign.Status.CLOSED


def test_answer_link_is_absolute_when_the_site_url_is_set(settings):
    settings.SITE_URL = "https://residency.example.org/"
    assert answer_link(7) == "https://residency.example.org/surveys/campaigns/7/answer/"
