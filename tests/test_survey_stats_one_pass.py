"""surveys.stats.item_counts (the answers read once) gives the figures of the answers counted one by one in Python
(`counted_by_hand`): same respondents per item, same statistics from item_stats, on answers of every kind, grouped
or not."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from surveys.answers import LIKERT_LABELS, YES_NO_LABELS
from surveys.models import Answer, Item, Response
from surveys.stats import ItemCounts, item_counts, item_stats
from tests.factories_surveys import CampaignFactory, questionnaire_with_items
from tests.test_survey_results_data import by_code, release_and_close, submit

pytestmark = pytest.mark.django_db

ROWS = [
    (5, "Daily", ["Bedside teaching", "Case review"], 1, 10, "Good"),
    (4, "Weekly", ["Bedside teaching"], 1, 2.5, ""),
    (4, "Weekly", ["Case review", "Simulation"], 0, None, "More rounds"),
    (2, "Monthly", ["Bedside teaching", "Case review", "Simulation"], 1, 4, ""),
    (1, "Weekly", ["Bedside teaching"], 0, 8, ""),
    (3, "Daily", ["Simulation"], 0, 2.5, "Fine"),
]


@pytest.fixture
def campaigns(department):
    """Two campaigns of one questionnaire: six and three people (every kind of item; q5 and q6 optional)."""
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    made = []
    for rows in (ROWS, ROWS[:3]):
        campaign = CampaignFactory(questionnaire=questionnaire, about_mentor=False)
        for q1, q2, q3, q4, q5, q6 in rows:
            submit(campaign, {"q1": q1, "q2": q2, "q3": q3, "q4": q4, **({"q5": q5} if q5 is not None else {}),
                              **({"q6": q6} if q6 else {})})
        made.append(release_and_close(campaign))
    return made


def counted_by_hand(answers, group_by=()):
    """{group key: {item id: ItemCounts}} counted answer by answer: an item's respondents are the distinct responses
    with an answer to it (free text included); a value is an option chosen or a number given (text answers carry
    none), a whole number as an int."""
    respondents, values = {}, {}
    for row in answers.values(*group_by, "response_id", "item_id", "number", "option_id", "text"):
        key = (tuple(row[f] for f in group_by), row["item_id"])
        respondents.setdefault(key, set()).add(row["response_id"])
        if row["text"]:
            continue
        if row["option_id"] is not None:
            values.setdefault(key, Counter())[row["option_id"]] += 1
        elif row["number"] is not None:
            number = float(row["number"])
            values.setdefault(key, Counter())[int(number) if number.is_integer() else number] += 1
    out = {}
    for (group, item_id), people in respondents.items():
        out.setdefault(group, {})[item_id] = ItemCounts(len(people), values.get((group, item_id), Counter()))
    return out


def stats_of(counts, items):
    return {(key, item.code): item_stats(item, of_group.get(item.pk)) for key, of_group in counts.items()
            for item in items}


def test_the_same_figures_as_counted_by_hand_for_every_kind_grouped_by_campaign(campaigns):
    items = list(by_code(campaigns[0].questionnaire).values())
    answers = Answer.objects.filter(response__campaign__in=[c.pk for c in campaigns])
    before = counted_by_hand(answers, group_by=["response__campaign_id"])
    now = item_counts(answers, items, group_by=["response__campaign_id"])
    assert set(now) == set(before) == {(c.pk,) for c in campaigns}
    for key, of_group in before.items():
        assert {pk: counts.n for pk, counts in now[key].items()} == {pk: c.n for pk, c in of_group.items()}
    assert stats_of(now, items) == stats_of(before, items)
    six = now[(campaigns[0].pk,)]
    q = by_code(campaigns[0].questionnaire)
    # Multiple choice: 6 respondents, 10 options chosen; the number item: 5 answered, 2.5 twice.
    assert (six[q["q3"].pk].n, sum(six[q["q3"].pk].values.values())) == (6, 10)
    assert (six[q["q5"].pk].n, six[q["q5"].pk].values[2.5]) == (5, 2)
    assert six[q["q6"].pk].n == 3 and not six[q["q6"].pk].values  # free text: respondents only


def test_ungrouped_and_only_the_items_asked(campaigns):
    q = by_code(campaigns[0].questionnaire)
    answers = Answer.objects.filter(response__campaign=campaigns[1])
    before = counted_by_hand(answers)[()]
    asked = [q["q1"], q["q4"]]
    now = item_counts(answers, asked)[()]
    assert set(now) == {q["q1"].pk, q["q4"].pk}
    for item in asked:
        assert item_stats(item, now[item.pk]) == item_stats(item, before[item.pk])
    assert item_counts(answers, []) == {}


def test_items_without_options_are_counted_by_their_rows_and_give_the_same_figures(campaigns):
    """Without choice items the answers are counted per item and number (one query): the same respondents and values
    as counted by hand, for scales, numbers and free text, grouped or not."""
    q = by_code(campaigns[0].questionnaire)
    plain = [q["q1"], q["q4"], q["q5"], q["q6"]]
    answers = Answer.objects.filter(response__campaign__in=[c.pk for c in campaigns])
    for group_by in ((), ["response__campaign_id"]):
        before = counted_by_hand(answers, group_by=group_by)
        with CaptureQueriesContext(connection) as ctx:
            now = item_counts(answers, plain, group_by=group_by)
        assert len(ctx.captured_queries) == 1
        assert set(now) == set(before)
        for key, of_group in now.items():
            assert of_group == {item.pk: before[key][item.pk] for item in plain if item.pk in before[key]}
    assert now[(campaigns[0].pk,)][q["q5"].pk] == ItemCounts(5, Counter({10: 1, 2.5: 2, 4: 1, 8: 1}))


def test_a_value_outside_the_scale_counts_the_respondent_only_either_way(campaigns):
    """A Likert answer of 7 (not a value of the scale) is a respondent without a value, counted alike with and
    without choice items among the items asked."""
    q = by_code(campaigns[1].questionnaire)
    Answer.objects.filter(response__campaign=campaigns[1], item=q["q1"], number=5).update(number=Decimal(7))
    answers = Answer.objects.filter(response__campaign=campaigns[1])
    by_number = item_counts(answers, [q["q1"]])[()][q["q1"].pk]
    filtered = item_counts(answers, [q["q1"], q["q3"]])[()][q["q1"].pk]
    assert by_number == filtered == ItemCounts(3, Counter({4: 2}))


def test_the_database_keeps_one_value_per_answer_and_one_answer_per_item_without_options(campaigns):
    """What counting respondents by rows rests on (Answer's constraints): a second answer of a response to an item
    without options is refused, so is an answer with two values; a choice item takes a row per option."""
    q = by_code(campaigns[1].questionnaire)
    response = Response.objects.filter(campaign=campaigns[1], answers__item=q["q1"]).first()
    for extra in ({"item": q["q1"], "number": Decimal(5)}, {"item": q["q6"], "number": Decimal(2), "text": "Two"},
                  {"item": q["q2"], "option": q["q2"].options.first(), "number": Decimal(1)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Answer.objects.create(response=response, **extra)
    chosen = set(Answer.objects.filter(response=response, item=q["q3"]).values_list("option_id", flat=True))
    other = q["q3"].options.exclude(pk__in=chosen).first()
    Answer.objects.create(response=response, item=q["q3"], option=other)
    counts = item_counts(Answer.objects.filter(response=response), [q["q3"]])[()][q["q3"].pk]
    assert (counts.n, sum(counts.values.values())) == (1, len(chosen) + 1)


def test_one_query_without_number_items_two_with(campaigns):
    items = by_code(campaigns[0].questionnaire)
    answers = Answer.objects.filter(response__campaign__in=[c.pk for c in campaigns])
    for kinds, expected in (((Item.Kind.LIKERT, Item.Kind.YES_NO, Item.Kind.SINGLE, Item.Kind.MULTIPLE), 1),
                            ((Item.Kind.LIKERT, Item.Kind.NUMBER, Item.Kind.TEXT), 1),
                            (tuple(Item.Kind), 2)):
        with CaptureQueriesContext(connection) as ctx:
            item_counts(answers, [i for i in items.values() if i.kind in kinds], group_by=["response__campaign_id"])
        assert len(ctx.captured_queries) == expected, kinds


def test_scale_words_in_the_active_language():
    """The words of the scales are translated once per language (cached), still in the language of the request."""
    likert, yes_no = Item(kind=Item.Kind.LIKERT, text="Q"), Item(kind=Item.Kind.YES_NO, text="Q")
    for language in ("en", "ru", "kk", "en"):
        with translation.override(language):
            assert [b.label for b in item_stats(likert, None).distribution] == [str(w) for w in LIKERT_LABELS.values()]
            assert [b.label for b in item_stats(yes_no, None).distribution] == [str(w) for w in YES_NO_LABELS.values()]
    with translation.override("ru"):
        assert item_stats(likert, None).distribution[0].label != "Strongly disagree"
