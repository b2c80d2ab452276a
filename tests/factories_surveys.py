"""Survey test data. Questionnaires are built directly; answers always go through the services."""

from datetime import timedelta

import factory

from surveys.models import Campaign, Item, Option, Participation, Questionnaire, Section
from surveys.release import release_pending
from surveys.submission import response_submit
from tests.factories import DepartmentFactory, today

LIKERT = "likert"


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    department = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"Satisfaction with the clinical mentor {n}")
    about_mentor = True


def questionnaire_with_items(department, *, about_mentor=True, **kwargs) -> Questionnaire:
    """A questionnaire with one item of every kind: q1 likert, q2 single, q3 multiple, q4 yes/no,
    q5 number (0-60, optional), q6 free text (optional)."""
    questionnaire = QuestionnaireFactory(department=department, about_mentor=about_mentor, **kwargs)
    section = Section.objects.create(questionnaire=questionnaire, title="My mentor", position=1)
    specs = [("q1", "likert", "My mentor is interested in my success.", True),
             ("q2", "single", "How often do you meet your mentor?", True),
             ("q3", "multiple", "Which forms of mentoring did you have?", True),
             ("q4", "yes_no", "Should having a mentor be mandatory?", True),
             ("q5", "number", "Hours a week with the mentor", False),
             ("q6", "text", "What should your mentor do differently?", False)]
    for position, (code, kind, text, required) in enumerate(specs, 1):
        item = Item.objects.create(section=section, kind=kind, text=text, required=required, position=position,
                                   code=code, number_min=0 if kind == "number" else None,
                                   number_max=60 if kind == "number" else None)
        if kind in ("single", "multiple"):
            for value, label in enumerate(["Daily", "Weekly", "Monthly"] if kind == "single"
                                          else ["Bedside teaching", "Case review", "Simulation"], 1):
                Option.objects.create(item=item, label=label, value=value, position=value)
    return questionnaire


class CampaignFactory(factory.django.DjangoModelFactory):
    """An open campaign of the given questionnaire (default: about the mentor), open since yesterday."""

    class Meta:
        model = Campaign

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    department = factory.SelfAttribute("questionnaire.department")
    title = factory.Sequence(lambda n: f"Mentor satisfaction {n}")
    about_mentor = factory.SelfAttribute("questionnaire.about_mentor")
    opens_on = factory.LazyFunction(lambda: today() - timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: today() + timedelta(days=14))
    status = Campaign.Status.OPEN


def invite(campaign, users):
    return [Participation.objects.get_or_create(campaign=campaign, user=u)[0] for u in users]


def answers_for(questionnaire, *, likert=4, text=""):
    """A full, valid set of answers ({item id: value}) with the Likert items at `likert`."""
    out = {}
    for item in Item.objects.filter(section__questionnaire=questionnaire).prefetch_related("options"):
        options = [o.pk for o in item.options.all()]
        out[item.pk] = {"likert": likert, "single": options[:1] and options[0], "multiple": options[:2],
                        "yes_no": 1, "number": 5, "text": text}[item.kind]
    return out


def answer(campaign, user, **kwargs):
    """Invite `user` if needed and submit a full set of answers through the service."""
    invite(campaign, [user])
    response_submit(campaign=campaign, user=user, answers=answers_for(campaign.questionnaire, **kwargs))


def answer_and_release(campaign, users, **kwargs):
    for user in users:
        answer(campaign, user, **kwargs)
    return release_pending(campaign_id=campaign.pk, final=True)
