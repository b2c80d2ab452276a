"""Campaigns: a questionnaire sent to an audience between two dates (issue 5, item 3; DESIGN.md section 3).

A campaign is edited while it is a draft. Launching it takes a snapshot of the audience as participation
rows (who is invited; later only *whether* they answered) and queues the invitations; closing it releases
what is left in the pending pool. Reminders go one by one to those who have not answered and say nothing
about anybody else. The daily run (`campaigns_daily`) sends the invitations of campaigns whose opening day
has come, one automatic reminder two days before the close, and closes campaigns whose closing day has passed.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mentoring.models import Assignment, Mentor
from organization.models import Department
from organization.selectors import coordinates, departments_for_user
from residents.models import Resident

from .models import Campaign, Item, Participation, Questionnaire
from .models.campaign import DEFAULT_THRESHOLD, MIN_THRESHOLD

# The automatic reminder goes out this many days before the closing day.
AUTO_REMINDER_DAYS = 2


# --- reads -----------------------------------------------------------------------------------------------------


def response_rate(campaign: Campaign) -> tuple[int, int]:
    """(answered, invited) for the campaign, in one query. Never who answered."""
    figures = Participation.objects.filter(campaign=campaign).aggregate(
        invited=Count("id"), answered=Count("id", filter=Q(completed=True)))
    return figures["answered"], figures["invited"]


def annotate_response_rates(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Each campaign annotated with `rates`: its participations counted in one pass, {"invited": n, "answered": n},
    or None when nobody is invited (`response_rates_of` turns it into `invited` and `answered`).

    One correlated subquery rather than a join, and it reads both counts from the index on (campaign, completed)
    alone: a page of a long list counts the participations of its own campaigns only (PostgreSQL runs it after the
    LIMIT), and counting the campaigns (the paginator) needs no participation at all. At scale a page of campaigns
    with thousands of invitations each took 12 ms with a subquery per count, 3 ms this way.
    """
    counts = (Participation.objects.filter(campaign=OuterRef("pk")).order_by().values("campaign")
              .annotate(rates=JSONObject(invited=Count("campaign"),
                                         answered=Count("campaign", filter=Q(completed=True))))
              .values("rates"))
    return campaigns.annotate(rates=Subquery(counts))


def response_rates_of(campaigns) -> list[Campaign]:
    """The campaigns of `annotate_response_rates` (a queryset or a page of it), each with `invited` and `answered`
    set from its `rates` (0 and 0 when nobody is invited)."""
    campaigns = list(campaigns)
    for campaign in campaigns:
        rates = campaign.rates or {}
        campaign.invited, campaign.answered = rates.get("invited", 0), rates.get("answered", 0)
    return campaigns


def with_response_rates(campaigns: QuerySet[Campaign]) -> list[Campaign]:
    """The campaigns, each with `answered` and `invited`, in one query."""
    return response_rates_of(annotate_response_rates(campaigns))


@dataclass(frozen=True)
class Audience:
    """Who a campaign would invite now: `user_ids`, and residents left out for want of an active mentor."""

    user_ids: list[int]
    without_mentor: int = 0


def _audience_departments(campaign: Campaign) -> list[int]:
    chosen = [d.pk for d in campaign.departments.all()]
    return chosen or [campaign.department_id]


def campaign_audience(campaign: Campaign) -> Audience:
    """The people a campaign invites (a fixed number of queries).

    Residents: active, of the chosen departments (none chosen: the campaign's department), narrowed to the
    chosen specialties and to the chosen cohorts when given (every non-empty filter applies). A campaign about
    the mentor invites only residents with an active assignment: the others have nobody to answer about.
    Mentors: active mentors of the chosen departments, narrowed to the chosen specialties when given.
    Users whose account is disabled are never invited.
    """
    departments = _audience_departments(campaign)
    specialties = [s.pk for s in campaign.specialties.all()]
    if campaign.audience == Campaign.Audience.MENTORS:
        mentors = Mentor.objects.filter(is_active=True, user__is_active=True, specialty__department__in=departments)
        if specialties:
            mentors = mentors.filter(specialty__in=specialties)
        return Audience(user_ids=sorted(set(mentors.values_list("user_id", flat=True))))
    residents = Resident.objects.filter(status=Resident.Status.ACTIVE, user__is_active=True,
                                        specialty__department__in=departments)
    if specialties:
        residents = residents.filter(specialty__in=specialties)
    cohorts = [c.pk for c in campaign.cohorts.all()]
    if cohorts:
        residents = residents.filter(cohort__in=cohorts)
    if not campaign.about_mentor:
        return Audience(user_ids=sorted(set(residents.values_list("user_id", flat=True))))
    has_mentor = Exists(Assignment.objects.filter(resident=OuterRef("pk"), ended_on__isnull=True, kind="clinical"))
    rows = list(residents.annotate(has_mentor=has_mentor).values_list("user_id", "has_mentor"))
    return Audience(user_ids=sorted({user for user, mentored in rows if mentored}),
                    without_mentor=sum(1 for _user, mentored in rows if not mentored))


# --- writes ----------------------------------------------------------------------------------------------------


def _has_items(questionnaire: Questionnaire) -> bool:
    return Item.objects.filter(section__questionnaire=questionnaire).exists()


def _check_coordinator(by, department_id: int) -> None:
    if not coordinates(by, department_id):
        raise ValidationError(_("Only a coordinator of the department can manage its questionnaire campaigns."))


@transaction.atomic
def campaign_save(*, by, department: Department | None = None, questionnaire: Questionnaire, title: str,
                  audience: str = Campaign.Audience.RESIDENTS, cohorts=(), specialties=(), departments=(),
                  about_mentor: bool | None = None, opens_on: date, closes_on: date,
                  threshold: int = DEFAULT_THRESHOLD, campaign: Campaign | None = None,
                  today: date | None = None) -> Campaign:
    """Create a draft campaign of `department`, or change `campaign` (of its own department) while it is a draft.

    Rules: only a coordinator of the department; nothing changes after the launch; the questionnaire is one
    of the department's and has questions; a title; the audience is residents or mentors, matching the
    audience the questionnaire is written for; the cohorts, specialties and departments chosen lie within the
    departments the coordinator coordinates, and cohorts apply to residents only; "about the current mentor"
    only for residents (by default as the questionnaire says); the campaign opens no later than it closes and
    does not close in the past; the anonymity threshold k is at least 3 (default 5).
    """
    today = today or timezone.localdate()
    if campaign is not None:
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        department = campaign.department
    if department is None:
        raise ValidationError(_("A campaign belongs to a department."))
    _check_coordinator(by, department.pk)
    if campaign is not None and campaign.status != Campaign.Status.DRAFT:
        raise ValidationError(_("This campaign has been launched: it can no longer be changed."))

    errors: dict[str, list[str]] = {}

    def refuse(field, message):
        errors.setdefault(field, []).append(message)

    title = (title or "").strip()
    if not title:
        refuse("title", _("Give the campaign a title."))
    if questionnaire is None or questionnaire.department_id != department.pk:
        refuse("questionnaire", _("Choose one of the department's questionnaires."))
    elif not _has_items(questionnaire):
        refuse("questionnaire", _("This questionnaire has no questions yet."))
    if audience not in Campaign.Audience.values:
        refuse("audience", _("Choose residents or mentors as the audience."))
    elif questionnaire is not None and questionnaire.intended_for != audience:
        refuse("audience", _("This questionnaire is written for %(audience)s.") % {
            "audience": Questionnaire.Audience(questionnaire.intended_for).label})

    cohorts, specialties, departments = list(cohorts or ()), list(specialties or ()), list(departments or ())
    mine = set(departments_for_user(by).values_list("pk", flat=True))
    if any(d.pk not in mine for d in departments):
        refuse("departments", _("Choose only departments you coordinate."))
    if any(s.department_id not in mine for s in specialties):
        refuse("specialties", _("Choose only specialties of the departments you coordinate."))
    if any(c.specialty.department_id not in mine for c in cohorts):
        refuse("cohorts", _("Choose only cohorts of the departments you coordinate."))
    if audience == Campaign.Audience.MENTORS and cohorts:
        refuse("cohorts", _("Cohorts are groups of residents; leave them empty for a campaign to mentors."))

    if about_mentor is None:
        about_mentor = audience == Campaign.Audience.RESIDENTS and bool(questionnaire and questionnaire.about_mentor)
    if about_mentor and audience != Campaign.Audience.RESIDENTS:
        refuse("about_mentor", _("Only residents answer about their current mentor."))

    if opens_on is None:
        refuse("opens_on", _("Give the opening date."))
    if closes_on is None:
        refuse("closes_on", _("Give the closing date."))
    if opens_on and closes_on:
        if closes_on < opens_on:
            refuse("closes_on", _("The campaign cannot close before it opens."))
        elif closes_on < today:
            refuse("closes_on", _("The closing date has already passed."))
    if threshold is None or threshold < MIN_THRESHOLD:
        refuse("threshold", _("The anonymity threshold must be at least %(min)d.") % {"min": MIN_THRESHOLD})
    if errors:
        raise ValidationError(errors)

    campaign = campaign or Campaign(department=department, created_by=by)
    campaign.questionnaire = questionnaire
    campaign.title = title
    campaign.audience = audience
    campaign.about_mentor = about_mentor
    campaign.opens_on, campaign.closes_on = opens_on, closes_on
    campaign.threshold = threshold
    campaign.save()
    campaign.cohorts.set(cohorts)
    campaign.specialties.set(specialties)
    campaign.departments.set(departments)
    return campaign


@transaction.atomic
def campaign_launch(*, campaign: Campaign, by, today: date | None = None) -> Audience:
    """Open a draft campaign: invite its audience as it is now and queue the invitations.

    Rules: only a coordinator of the department; only a draft (the row is locked, so two clicks launch once);
    the closing day has not passed; the questionnaire has questions; the audience is not empty. The audience is
    a snapshot (participation rows): people joining later are not invited. Invitations are e-mailed after the
    commit, at once if the campaign is open today, otherwise on its opening day (`campaigns_daily`).
    """
    today = today or timezone.localdate()
    _check_coordinator(by, campaign.department_id)
    campaign = Campaign.objects.select_for_update().select_related("questionnaire").get(pk=campaign.pk)
    if campaign.status != Campaign.Status.DRAFT:
        raise ValidationError(_("This campaign has already been launched."))
    if campaign.closes_on < today:
        raise ValidationError(_("The closing date has already passed; change the dates first."))
    if not _has_items(campaign.questionnaire):
        raise ValidationError(_("The questionnaire has no questions yet."))
    audience = campaign_audience(campaign)
    if not audience.user_ids:
        if audience.without_mentor:
            raise ValidationError(_("Nobody to invite: none of the chosen residents has an active mentor."))
        raise ValidationError(_("Nobody to invite: no active %(audience)s match the chosen groups.") % {
            "audience": campaign.get_audience_display()})
    Participation.objects.bulk_create([Participation(campaign=campaign, user_id=u) for u in audience.user_ids],
                                      batch_size=1000)
    campaign.status = Campaign.Status.OPEN
    campaign.save(update_fields=["status"])
    if campaign.opens_on <= today:
        transaction.on_commit(lambda: _queue("send_invitations", campaign.pk))
    return audience


@transaction.atomic
def campaign_close(*, campaign: Campaign, by, today: date | None = None) -> Campaign:
    """Close an open campaign: no more answers; then every pending submission is released (after the commit).

    Rules: only a coordinator of the department, or the daily run (`by=None`) once the closing day has passed;
    only an open campaign. Results and comments become visible only now (DESIGN.md section 3).
    """
    today = today or timezone.localdate()
    if by is not None:
        _check_coordinator(by, campaign.department_id)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError(_("Only an open campaign can be closed."))
    if by is None and campaign.closes_on >= today:
        raise ValidationError(_("The campaign is open until %(date)s.") % {"date": date_format(campaign.closes_on)})
    campaign.status = Campaign.Status.CLOSED
    # Closed early: the record says when it really closed. Per-mentor pooling orders campaigns by this date, and
    # its blocks must never change once shown (surveys.pooling).
    campaign.closes_on = min(campaign.closes_on, max(today, campaign.opens_on))
    campaign.save(update_fields=["status", "closes_on"])
    transaction.on_commit(lambda: _queue("release_campaign_pool", campaign.pk, final=True))
    return campaign


@transaction.atomic
def campaign_remind(*, campaign: Campaign, by, today: date | None = None) -> int:
    """Queue a reminder to every invited person who has not answered; returns how many.

    Rules: only a coordinator of the department; the campaign is open and its
    opening day has come; somebody has not answered yet. Each reminder is a separate e-mail to one person
    and says nothing about anybody else. `reminders_sent` counts the rounds.
    """
    today = today or timezone.localdate()
    _check_coordinator(by, campaign.department_id)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.OPEN or not campaign.opens_on <= today <= campaign.closes_on:
        raise ValidationError(_("Reminders can be sent only while the campaign is open."))
    waiting = Participation.objects.filter(campaign=campaign, completed=False).count()
    if not waiting:
        raise ValidationError(_("Everybody invited has answered: there is nobody to remind."))
    Campaign.objects.filter(pk=campaign.pk).update(reminders_sent=F("reminders_sent") + 1)
    transaction.on_commit(lambda: _queue("send_reminders", campaign.pk))
    return waiting


def _queue(task_name: str, campaign_id: int, **kwargs) -> None:
    from . import tasks

    getattr(tasks, task_name).delay(campaign_id, **kwargs)


# --- e-mails ---------------------------------------------------------------------------------------------------


def answer_link(campaign_id: int) -> str:
    """The answer page's address for e-mails (settings.SITE_URL, the address people open the product at)."""
    return settings.SITE_URL.rstrip("/") + reverse("surveys:answer", args=[campaign_id])


def _guarantee(campaign: Campaign) -> str:
    return _("Your answers are anonymous: nobody, not even the system administrators, can link them to you, "
             "and results are shown only for groups of at least %(k)d people.") % {"k": campaign.threshold}


def _letter(campaign: Campaign, subject: str, opening: str) -> tuple[str, str]:
    body = "\n\n".join([
        _("Hello,"),
        opening,
        _("Answer it here after logging in: %(link)s") % {"link": answer_link(campaign.pk)},
        _guarantee(campaign),
    ])
    return subject, body


def _invitation(campaign: Campaign) -> tuple[str, str]:
    figures = {"title": campaign.title, "department": campaign.department.name,
               "closes": date_format(campaign.closes_on)}
    return _letter(campaign, _("Questionnaire: %(title)s") % figures, _(
        "You are invited to answer the questionnaire “%(title)s” (%(department)s). It is open until "
        "%(closes)s.") % figures)


def _reminder(campaign: Campaign) -> tuple[str, str]:
    figures = {"title": campaign.title, "department": campaign.department.name,
               "closes": date_format(campaign.closes_on)}
    return _letter(campaign, _("Reminder: questionnaire “%(title)s”") % figures, _(
        "This is a reminder: you have not answered the questionnaire “%(title)s” (%(department)s) yet. It is "
        "open until %(closes)s.") % figures)


def _mail_each(campaign: Campaign, participations, compose) -> int:
    """One e-mail per person (never a list of addresses that others could read), in the person's language."""
    from accounts.tasks import send_email

    sent = 0
    for participation in participations:
        user = participation.user
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject, body = compose(campaign)
        send_email.delay(subject=subject, body=body, to=[user.email])
        sent += 1
    return sent


def invitations_send(*, campaign_id: int, today: date | None = None) -> int:
    """E-mail the invitations not sent yet of an open campaign whose opening day has come; returns how many.

    `Participation.invited` marks each sent invitation, so running it again sends nothing twice.
    """
    today = today or timezone.localdate()
    campaign = Campaign.objects.select_related("department").get(pk=campaign_id)
    if campaign.status != Campaign.Status.OPEN or not campaign.opens_on <= today <= campaign.closes_on:
        return 0
    pending = list(Participation.objects.filter(campaign=campaign, invited=False).select_related("user")
                   .order_by("pk"))
    sent = _mail_each(campaign, pending, _invitation)
    Participation.objects.filter(pk__in=[p.pk for p in pending]).update(invited=True)
    return sent


def reminders_send(*, campaign_id: int, today: date | None = None) -> int:
    """E-mail a reminder to each invited person who has not answered (nothing once the campaign has closed)."""
    today = today or timezone.localdate()
    campaign = Campaign.objects.select_related("department").get(pk=campaign_id)
    if campaign.status != Campaign.Status.OPEN or not campaign.opens_on <= today <= campaign.closes_on:
        return 0
    waiting = Participation.objects.filter(campaign=campaign, completed=False).select_related("user").order_by("pk")
    return _mail_each(campaign, waiting, _reminder)


@dataclass(frozen=True)
class DailyRun:
    closed: list[int]
    invited: list[int]
    reminded: list[int]


def campaigns_daily(*, today: date | None = None) -> DailyRun:
    """The daily run (Celery beat): close campaigns whose closing day has passed, send the invitations of
    campaigns that open today (or opened while nothing ran), and send one automatic reminder two days before
    the closing day.

    The automatic reminder goes out at most once, and only to a campaign nobody has been reminded of yet
    (`reminders_sent` is 0 and becomes 1); a campaign shorter than that gets none, its invitation being recent
    enough. The e-mails themselves are queued tasks (`accounts.tasks.send_email`), one per person.
    """
    today = today or timezone.localdate()
    closed = []
    for campaign in Campaign.objects.filter(status=Campaign.Status.OPEN, closes_on__lt=today):
        try:
            campaign_close(campaign=campaign, by=None, today=today)
        except ValidationError:
            continue  # closed by a coordinator a moment ago
        closed.append(campaign.pk)

    invited = []
    due = (Campaign.objects.filter(status=Campaign.Status.OPEN, opens_on__lte=today, closes_on__gte=today,
                                   participations__invited=False).distinct().values_list("pk", flat=True))
    for campaign_id in due:
        if invitations_send(campaign_id=campaign_id, today=today):
            invited.append(campaign_id)

    reminded = []
    lead = timedelta(days=AUTO_REMINDER_DAYS)
    due = Campaign.objects.filter(status=Campaign.Status.OPEN, reminders_sent=0, opens_on__lte=today,
                                  closes_on__gte=today, closes_on__lte=today + lead)
    for campaign in due:
        if campaign.opens_on >= campaign.closes_on - lead:
            continue  # a short campaign: its invitation is recent enough
        if not Participation.objects.filter(campaign=campaign, completed=False).exists():
            continue
        # Claimed by a conditional update, so two runs on the same day cannot both send it.
        if Campaign.objects.filter(pk=campaign.pk, reminders_sent=0).update(reminders_sent=1):
            reminders_send(campaign_id=campaign.pk, today=today)
            reminded.append(campaign.pk)
    return DailyRun(closed=closed, invited=invited, reminded=reminded)
