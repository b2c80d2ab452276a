"""Demo data for surveys: the shipped questionnaires and five campaigns through the product's own services.

Called by `mentoring.demo.seed_demo`; idempotent (a campaign is matched by its title and department and left
alone when it exists). Dates are relative to today: two past campaigns of the mentor satisfaction questionnaire
(so per-mentor results pool over them), a closed campaign on the need for mentoring, an open mentor
satisfaction campaign (about half answered; the demo resident has not, so it waits on her home page) and an
open campaign to mentors about the quality of residents' training (the coordinator, also a mentor, has not
answered). Answers are drawn from a generator seeded with a constant: most mentors are rated well, a few less so,
and some residents leave comments. Every answer goes through `response_submit`, so the pool, the batches and
the release behave as in production.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count

from mentoring.models import Assignment, Mentor
from organization.models import Department

from .answers import items_of
from .campaigns import campaign_close, campaign_launch, campaign_save
from .models import Campaign, Item, Participation, Questionnaire, Response
from .release import release_pending
from .shipped import questionnaire_install_shipped
from .submission import response_submit

SEED = 2025

HELPS = [
    "She explains why she chooses a treatment, not only what to do.",
    "Feedback straight after a procedure, while I still remember every step.",
    "He lets me lead the morning round and corrects me afterwards, not in front of the parents.",
    "Always answers the phone on night duty.",
    "Discussing difficult cases together at the end of the shift.",
    "Shows me how to talk to parents when the news is bad.",
]
CHANGES = [
    "More time for teaching: rounds are often too rushed to ask questions.",
    "I would like to do more procedures myself under supervision.",
    "Regular one-to-one meetings instead of only talking during the shift.",
    "Clearer feedback on what I should improve, not only what went well.",
    "Sometimes I am left alone with very sick babies too early.",
]
TRAINING_COMMENTS = [
    "Residents need more simulation training before their first resuscitation.",
    "The curriculum leaves too little protected time for bedside teaching.",
    "First-years arrive with good theory but little practical confidence.",
]


@dataclass(frozen=True)
class DemoCampaign:
    key: str  # the shipped questionnaire
    title: str
    opens: date
    closes: date
    open_now: bool
    answer_rate: float


def _plan(today: date) -> list[DemoCampaign]:
    year = today.year if today.month >= 9 else today.year - 1  # the current academic year starts in `year`
    return [
        DemoCampaign("mentor_satisfaction", f"Satisfaction with the clinical mentor, autumn {year - 1}",
                     date(year - 1, 11, 3), date(year - 1, 11, 24), False, 0.7),
        DemoCampaign("mentoring_need", f"The need for mentoring, {year - 1}-{year}",
                     date(year - 1, 12, 1), date(year - 1, 12, 20), False, 0.65),
        DemoCampaign("mentor_satisfaction", f"Satisfaction with the clinical mentor, spring {year}",
                     date(year, 3, 2), date(year, 3, 23), False, 0.75),
        DemoCampaign("mentor_satisfaction", "Satisfaction with the clinical mentor, this term",
                     today - timedelta(days=10), today + timedelta(days=11), True, 0.45),
        DemoCampaign("training_quality", "Mentors on the quality of residents' training",
                     today - timedelta(days=5), today + timedelta(days=16), True, 0.6),
    ]


def _questionnaire(department: Department, key: str, coordinator) -> Questionnaire:
    existing = Questionnaire.objects.filter(department=department, shipped_key=key).order_by("pk").first()
    return existing or questionnaire_install_shipped(department=department, key=key, by=coordinator)


def _mentor_mood(mentor_id: int | None) -> float:
    """How well a mentor is rated, -1 (poorly) .. +0.6 (very well); the same mentor always alike."""
    if mentor_id is None:
        return 0.0
    return [0.6, 0.3, 0.4, -0.9, 0.2, 0.5, 0.0, 0.3][mentor_id % 8]


def draw_answers(items: list[Item], rng: random.Random, mood: float, comments: list[list[str]]) -> dict:
    out, texts = {}, iter(comments)
    for item in items:
        if item.kind == Item.Kind.LIKERT:
            out[item.pk] = max(1, min(5, round(rng.gauss(4.0 + mood, 0.8))))
        elif item.kind == Item.Kind.YES_NO:
            out[item.pk] = 1 if rng.random() < 0.8 else 0
        elif item.kind == Item.Kind.SINGLE:
            options = [o.pk for o in item.options.all()]
            out[item.pk] = rng.choices(options, weights=range(len(options), 0, -1))[0]
        elif item.kind == Item.Kind.MULTIPLE:
            options = [o.pk for o in item.options.all()]
            out[item.pk] = rng.sample(options, rng.randint(1, min(4, len(options))))
        elif item.kind == Item.Kind.NUMBER:
            low, high = item.number_min or 0, min(item.number_max or 10, 10)
            out[item.pk] = rng.randint(low, max(low, min(high, 4)))
        elif item.kind == Item.Kind.TEXT:
            pool = next(texts, [])
            if pool and rng.random() < 0.35:
                out[item.pk] = rng.choice(pool)
    return out


def _audience_users(campaign: Campaign) -> list:
    return list(Participation.objects.filter(campaign=campaign).select_related("user").order_by("user__email"))


def seed_surveys(*, department: Department, coordinator, showcase_users=(), today: date) -> None:
    """Install the shipped questionnaires and run the demo campaigns (see the module docstring)."""
    rng = random.Random(SEED)
    mentor_of = dict(Assignment.objects.filter(ended_on__isnull=True, kind="clinical",
                                               mentor__specialty__department=department)
                     .values_list("resident__user_id", "mentor_id"))
    for plan in _plan(today):
        questionnaire = _questionnaire(department, plan.key, coordinator)
        if Campaign.objects.filter(department=department, title=plan.title).exists():
            continue
        start = min(plan.opens, today)
        campaign = campaign_save(by=coordinator, department=department, questionnaire=questionnaire,
                                 title=plan.title, audience=questionnaire.intended_for, opens_on=plan.opens,
                                 closes_on=plan.closes, today=start)
        campaign_launch(campaign=campaign, by=coordinator, today=start)
        campaign.refresh_from_db()
        items = items_of(questionnaire)
        comments = ([HELPS, CHANGES] if plan.key == "mentor_satisfaction" else
                    [TRAINING_COMMENTS] if plan.key == "training_quality" else [CHANGES])
        answered_on = today if plan.open_now else plan.opens + timedelta(days=3)
        for participation in _audience_users(campaign):
            if (plan.open_now and participation.user_id in showcase_users) or rng.random() > plan.answer_rate:
                continue
            mood = _mentor_mood(mentor_of.get(participation.user_id)) if campaign.about_mentor else 0.2
            response_submit(campaign=campaign, user=participation.user, today=answered_on,
                            answers=draw_answers(items, rng, mood, comments))
        if not plan.open_now:
            campaign_close(campaign=campaign, by=coordinator, today=plan.closes + timedelta(days=1))
            release_pending(campaign_id=campaign.pk, final=True)
        else:
            release_pending(campaign_id=campaign.pk)


def surveys_summary(department: Department) -> str:
    campaigns = (Campaign.objects.filter(department=department)
                 .annotate(invited=Count("participations")).order_by("opens_on"))
    parts = []
    for c in campaigns:
        answered = Participation.objects.filter(campaign=c, completed=True).count()
        parts.append(f"{c.title} ({c.get_status_display()}, {answered}/{c.invited})")
    responses = Response.objects.filter(campaign__department=department).count()
    mentors = Mentor.objects.filter(specialty__department=department).count()
    return f"{len(parts)} campaigns, {responses} released responses, {mentors} mentors: " + "; ".join(parts)
