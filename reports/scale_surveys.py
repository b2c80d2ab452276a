"""Scale data, the surveys (see reports/scale.py): the shipped questionnaires in every department and closed
campaigns over six academic years (termly pulse surveys: six to residents and two to mentors a
year), with participations, anonymous responses and their answers.

The rows look exactly as the release leaves them (DESIGN.md section 3, surveys/release.py): a participation says
only that the invited person completed; a response has a random key, no person and no time, its campaign and
(for campaigns about the mentor) the respondent's mentor, unless fewer than MIN_ABOUT_MENTOR responses of the
campaign are about that mentor; responses and answers are written in a shuffled order; each campaign has as many
responses as completed participations. Answers are drawn as the demo draws them (surveys.demo).
"""

import uuid
from collections import Counter
from datetime import date
from decimal import Decimal

from accounts.models import User
from organization.models import Department
from surveys.answers import items_of
from surveys.demo import CHANGES, HELPS, TRAINING_COMMENTS, draw_answers
from surveys.models import Answer, Campaign, Item, Participation, Questionnaire, Response
from surveys.release import MIN_ABOUT_MENTOR
from surveys.shipped import questionnaire_install_shipped

from .scale import World

# (questionnaire, title, opens (month, day), closes (month, day), year offset from the academic year's start)
PLAN = [
    ("mentor_satisfaction", "Satisfaction with the clinical mentor, autumn {y}", (10, 6), (10, 27), 0),
    ("mentoring_need", "Mentoring in the first term, {y}", (11, 2), (11, 20), 0),
    ("training_quality", "Mentors on the quality of residents' training, winter {y}", (12, 1), (12, 20), 0),
    ("mentor_satisfaction", "Satisfaction with the clinical mentor, winter {y1}", (1, 12), (2, 2), 1),
    ("mentoring_need", "The need for mentoring, {y}-{y1}", (2, 9), (3, 1), 1),
    ("mentor_satisfaction", "Satisfaction with the clinical mentor, spring {y1}", (3, 9), (3, 30), 1),
    ("training_quality", "Mentors on the quality of residents' training, spring {y1}", (4, 6), (4, 27), 1),
    ("mentoring_need", "Mentoring at the end of the year, {y1}", (5, 11), (5, 31), 1),
]
COMMENTS = {"mentor_satisfaction": [HELPS, CHANGES], "training_quality": [TRAINING_COMMENTS],
            "mentoring_need": [CHANGES]}


def write_surveys(world: World) -> None:
    rng, w = world.rng("surveys"), world.writer
    campaigns, audiences = [], []
    items: dict[int, list[Item]] = {}
    users = User.objects.in_bulk([d["coordinator_user"] for d in world.departments])
    departments = Department.objects.in_bulk([d["pk"] for d in world.departments])
    for dep_index, dep in enumerate(world.departments):
        coordinator = users[dep["coordinator_user"]]
        questionnaires: dict[str, Questionnaire] = {}
        for key in COMMENTS:
            q = questionnaire_install_shipped(department=departments[dep["pk"]], key=key, by=coordinator)
            questionnaires[key] = q
            items[q.pk] = items_of(q)
        for a in range(world.year - 5, world.year + 1):
            for key, title, opens, closes, shift in PLAN:
                opens_on, closes_on = date(a + shift, *opens), date(a + shift, *closes)
                if closes_on >= world.today:
                    continue
                q = questionnaires[key]
                campaigns.append(Campaign(
                    department_id=dep["pk"], questionnaire=q, title=title.format(y=a, y1=a + 1),
                    audience=q.intended_for, about_mentor=q.about_mentor, opens_on=opens_on, closes_on=closes_on,
                    status=Campaign.Status.CLOSED, reminders_sent=1, created_by_id=coordinator.pk))
                audiences.append(_audience(world, dep_index, q, opens_on))
    campaigns = w.create(Campaign, campaigns)
    invited = sum(len(a) for a in audiences)
    n_responses = min(world.count("responses"), invited)
    completed = set(rng.sample(range(invited), n_responses))
    w.say(f"  surveys: {len(campaigns)} closed campaigns, {invited:,} invited, {n_responses:,} answered")

    participations, responses, k = [], [], 0
    p_pk = w.first_id(Participation)
    for campaign, audience in zip(campaigns, audiences, strict=True):
        subjects = []
        for user_id, mentor_id in audience:
            done = k in completed
            participations.append((p_pk, campaign.pk, user_id, done, True))
            p_pk, k = p_pk + 1, k + 1
            if done:
                subjects.append(mentor_id if campaign.about_mentor else None)
        about = Counter(s for s in subjects if s is not None)
        mine = [(uuid.UUID(int=rng.getrandbits(128), version=4), campaign.pk,
                 s if s is not None and about[s] >= MIN_ABOUT_MENTOR else None) for s in subjects]
        rng.shuffle(mine)
        responses.append((campaign, mine))
    w.insert(Participation, ["id", "campaign_id", "user_id", "completed", "invited"], participations)
    w.insert(Response, ["id", "campaign_id", "subject_id"], (r for _c, mine in responses for r in mine))
    w.insert(Answer, ["id", "response_id", "item_id", "option_id", "number", "text"], _answers(world, responses, items))


def _audience(world: World, dep_index: int, questionnaire: Questionnaire, day: date) -> list[tuple[int, int | None]]:
    """Who the campaign invited when it opened (surveys.campaigns.campaign_audience): the department's active
    mentors, or its residents in training that day (with a mentor, for a campaign about the mentor)."""
    if questionnaire.intended_for == Questionnaire.Audience.MENTORS:
        return sorted((m.user_id, None) for m in world.mentors
                      if m.active and m.specialty.department == dep_index)
    return sorted((r.user_id, r.mentor.pk if r.mentor else None) for r in world.residents
                  if r.specialty.department == dep_index and r.starts <= day <= r.ends
                  and (r.mentor is not None or not questionnaire.about_mentor))


def _answers(world: World, responses, items):
    rng = world.rng("answers")
    mood: dict[int, float] = {}
    for campaign, mine in responses:
        its = items[campaign.questionnaire_id]
        kinds = {i.pk: i.kind for i in its}
        comments = COMMENTS[campaign.questionnaire.shipped_key]
        rows = []
        for response_id, _c, subject in mine:
            if subject is not None and subject not in mood:
                mood[subject] = max(-1.0, min(.6, rng.gauss(.2, .4)))
            drawn = draw_answers(its, rng, mood.get(subject, .2), comments)
            for item_id, value in drawn.items():
                for option, number, text in _cells(kinds[item_id], value):
                    rows.append((uuid.UUID(int=rng.getrandbits(128), version=4), response_id, item_id, option,
                                 number, text))
        rng.shuffle(rows)
        yield from rows


def _cells(kind: str, value):
    """The answer rows of one drawn value, as surveys.release._answers_of writes them."""
    if kind == Item.Kind.MULTIPLE:
        return [(option, None, "") for option in value]
    if kind == Item.Kind.SINGLE:
        return [(value, None, "")]
    if kind == Item.Kind.TEXT:
        return [(None, None, value)]
    return [(None, Decimal(value), "")]
