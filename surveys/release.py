"""Releasing the pending pool into anonymous responses (DESIGN.md section 3).

Rows written in one transaction can be matched by the database's own bookkeeping (insertion order,
PostgreSQL's xmin, the physical position ctid). So submissions wait in a pool, and a release moves a
batch of at least k of them into `Response`, and at close whatever is left. In that transaction:
- every response of the campaign, old and new, is written again in one freshly shuffled order, so
  neither row order nor xmin nor ctid says which batch (let alone which submission) a response came from;
- the released pool rows are deleted, and every completed participation row is rewritten, so no
  participation keeps the transaction id of its own submission;
- afterwards the tables are vacuumed (PostgreSQL), so dead row versions do not linger.
A campaign about the mentor holds back a submission that would be the only one about its mentor until a
second one arrives; at close, a lone answer about a mentor is released without the mentor, so a response
can never be tied to a mentor's only respondent.
"""

import random
from collections import Counter
from decimal import Decimal

from django.db import connection, transaction

from .models import Answer, Campaign, Participation, PendingSubmission, Response

_shuffle = random.SystemRandom().shuffle
MIN_ABOUT_MENTOR = 2


@transaction.atomic
def release_pending(*, campaign_id: int, final: bool = False) -> int:
    """Move the campaign's pending submissions into responses; returns how many were released.

    Releases only when at least k are ready (any number when `final`, at close).
    """
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    pending = list(PendingSubmission.objects.filter(campaign=campaign))
    if not pending:
        return 0
    batch, held = _split_lone_subjects(campaign, pending)
    if final:
        for submission in held:
            submission.subject_id = None
        batch += held
    elif len(batch) < campaign.threshold:
        return 0
    _rewrite_responses(campaign, batch)
    PendingSubmission.objects.filter(pk__in=[p.pk for p in batch]).delete()
    Participation.objects.filter(campaign=campaign, completed=True).update(completed=True)
    return len(batch)


def _split_lone_subjects(campaign, pending):
    if not campaign.about_mentor:
        return pending, []
    released = Counter(Response.objects.filter(campaign=campaign, subject__isnull=False)
                       .values_list("subject_id", flat=True))
    waiting = Counter(p.subject_id for p in pending if p.subject_id)
    lone = {s for s, n in waiting.items() if n + released[s] < MIN_ABOUT_MENTOR}
    return [p for p in pending if p.subject_id not in lone], [p for p in pending if p.subject_id in lone]


def _rewrite_responses(campaign, batch):
    old_responses = list(Response.objects.filter(campaign=campaign).values_list("id", "subject_id"))
    old_answers = list(Answer.objects.filter(response__campaign=campaign)
                       .values_list("id", "response_id", "item_id", "option_id", "number", "text"))
    through = Answer.themes.through
    tags = list(through.objects.filter(answer__response__campaign=campaign).values_list("answer_id", "theme_id"))
    Answer.objects.filter(response__campaign=campaign).delete()
    Response.objects.filter(campaign=campaign).delete()

    responses = [Response(id=pk, campaign=campaign, subject_id=subject) for pk, subject in old_responses]
    answers = [Answer(id=pk, response_id=r, item_id=i, option_id=o, number=n, text=t)
               for pk, r, i, o, n, t in old_answers]
    for submission in batch:
        response = Response(campaign=campaign, subject_id=submission.subject_id)  # a new random key
        responses.append(response)
        answers.extend(_answers_of(response, submission.answers))
    _shuffle(responses)
    _shuffle(answers)
    Response.objects.bulk_create(responses, batch_size=500)
    Answer.objects.bulk_create(answers, batch_size=1000)
    if tags:
        through.objects.bulk_create([through(answer_id=a, theme_id=t) for a, t in tags], batch_size=1000)


def _answers_of(response, payload):
    """Answer rows from a pending payload (tagged values, see `surveys.answers.normalize_answers`)."""
    for item_id, (tag, value) in payload.items():
        if tag == "o":
            for option_id in value:
                yield Answer(response=response, item_id=int(item_id), option_id=option_id)
        elif tag == "t":
            yield Answer(response=response, item_id=int(item_id), text=value)
        else:
            yield Answer(response=response, item_id=int(item_id), number=Decimal(value))


def vacuum_survey_tables() -> None:
    """Drop the dead row versions a release leaves behind (PostgreSQL; outside a transaction only)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    tables = [m._meta.db_table for m in (PendingSubmission, Participation, Response, Answer)]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM " + ", ".join(connection.ops.quote_name(t) for t in tables))
