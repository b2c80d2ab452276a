"""Questionnaires written for the product (issue 5, item 2), installed into a department on request.

The texts are lazy translations: installing copies them into ordinary questionnaire rows in the language
active at the time (the coordinator's), and from then on the department's copy is theirs to edit until it
has answers. Every installed row goes through the builder's services, so shipped content obeys the same
rules as hand-made questionnaires.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from organization.models import Department

from .builder import item_save, questionnaire_save, section_save
from .models import Item, Questionnaire

LIKERT, SINGLE, MULTIPLE = Item.Kind.LIKERT, Item.Kind.SINGLE, Item.Kind.MULTIPLE
YES_NO, NUMBER, TEXT = Item.Kind.YES_NO, Item.Kind.NUMBER, Item.Kind.TEXT


@dataclass(frozen=True)
class Question:
    code: str
    kind: str
    text: Promise
    help_text: Promise | str = ""
    options: tuple = ()
    number_min: int | None = None
    number_max: int | None = None
    # Free text is always optional: nobody should have to write something to be able to answer.
    required: bool | None = None

    @property
    def is_required(self) -> bool:
        return self.kind != TEXT if self.required is None else self.required


@dataclass(frozen=True)
class Shipped:
    key: str
    title: Promise
    description: Promise
    intended_for: str
    about_mentor: bool
    sections: tuple = field(default_factory=tuple)  # ((title, (Question, ...)), ...)


MENTOR_SATISFACTION = Shipped(
    key="mentor_satisfaction",
    title=_lazy("Residents' satisfaction with their clinical mentor"),
    description=_lazy("How your current clinical mentor supports your learning in the clinic. Think of the "
                      "time you have worked together so far."),
    intended_for=Questionnaire.Audience.RESIDENTS, about_mentor=True,
    sections=(
        (_lazy("Relationship"), (
            Question("ms_interest", LIKERT, _lazy("My mentor is interested in my success.")),
            Question("ms_respect", LIKERT, _lazy("My mentor treats me with respect.")),
            Question("ms_demanding", LIKERT, _lazy("My mentor is demanding and holds me to high standards.")),
            Question("ms_available", LIKERT, _lazy("My mentor is available when I need help.")),
            Question("ms_support", LIKERT, _lazy("My mentor supports me in difficult situations.")),
        )),
        (_lazy("Teaching and guidance"), (
            Question("ms_apply", LIKERT, _lazy("My mentor guides me in applying knowledge in clinical practice.")),
            Question("ms_feedback", LIKERT, _lazy("My mentor gives me regular, specific feedback.")),
            Question("ms_independence", LIKERT,
                     _lazy("My mentor gradually gives me more independence as I am ready for it.")),
            Question("ms_reasons", LIKERT, _lazy("My mentor explains the reasons behind clinical decisions.")),
            Question("ms_forms", MULTIPLE, _lazy("Which forms of mentoring have you had with your mentor?"),
                     options=(_lazy("Bedside teaching during rounds"),
                              _lazy("Supervised procedures and manipulations"),
                              _lazy("Joint case discussions"),
                              _lazy("Review of my documentation"),
                              _lazy("Simulation training"),
                              _lazy("Guidance on research"),
                              _lazy("Career advice"),
                              _lazy("Informal conversations"))),
            Question("ms_meetings", SINGLE,
                     _lazy("How often do you have a dedicated conversation with your mentor?"),
                     help_text=_lazy("A conversation set aside for your training, not a word in passing."),
                     options=(_lazy("Weekly"), _lazy("Every two weeks"), _lazy("Monthly"), _lazy("Less often"),
                              _lazy("Never"))),
        )),
        (_lazy("Overall"), (
            Question("ms_overall", LIKERT, _lazy("Overall, I am satisfied with my mentor.")),
        )),
        (_lazy("Comments"), (
            Question("ms_helps_most", TEXT, _lazy("What does your mentor do that helps you most?")),
            Question("ms_change", TEXT, _lazy("What should change?"),
                     help_text=_lazy("Please do not name patients or colleagues.")),
        )),
    ),
)

MENTORING_NEED = Shipped(
    key="mentoring_need",
    title=_lazy("The need for mentoring in residency"),
    description=_lazy("When residents and young doctors need a mentor, and how mentoring should be organised."),
    intended_for=Questionnaire.Audience.RESIDENTS, about_mentor=False,
    sections=(
        (_lazy("When a mentor is needed"), (
            Question("mn_stages", MULTIPLE, _lazy("At which stages of training and work is a mentor needed?"),
                     help_text=_lazy("Choose “A mentor is not needed” only on its own."),
                     options=(_lazy("The first year of residency"),
                              _lazy("Every year of residency"),
                              _lazy("The first years of independent practice"),
                              _lazy("When changing workplace or specialty"),
                              _lazy("When mastering new procedures"),
                              _lazy("A mentor is not needed"))),
            Question("mn_mandatory", YES_NO, _lazy("Should having a mentor be mandatory for residents?")),
            Question("mn_form", SINGLE, _lazy("Which form of mentoring do you prefer?"),
                     options=(_lazy("One-to-one with an experienced clinician"),
                              _lazy("A near-peer: a senior resident or a junior doctor"),
                              _lazy("A small group with one mentor"),
                              _lazy("A combination of these"))),
        )),
        (_lazy("Experience of mentoring"), (
            Question("mn_adapt", LIKERT, _lazy("Mentoring helped me adapt to the clinical team.")),
            Question("mn_stress", LIKERT, _lazy("Mentoring reduces stress during residency.")),
        )),
        (_lazy("Comments"), (
            Question("mn_comment", TEXT, _lazy("Anything else about mentoring in residency?")),
        )),
    ),
)

TRAINING_QUALITY = Shipped(
    key="training_quality",
    title=_lazy("Mentors' satisfaction with the quality of residents' training"),
    description=_lazy("For clinical mentors: how well residents are prepared, and how training and mentoring "
                      "are organised."),
    intended_for=Questionnaire.Audience.MENTORS, about_mentor=False,
    sections=(
        (_lazy("Residents' preparation"), (
            Question("tq_theory", LIKERT, _lazy("Residents' theoretical preparation is sufficient.")),
            Question("tq_skills", LIKERT, _lazy("Residents' practical skills match their year of study.")),
            Question("tq_motivation", LIKERT, _lazy("Residents are motivated and take initiative.")),
            Question("tq_communication", LIKERT,
                     _lazy("Residents communicate well with patients and their families.")),
        )),
        (_lazy("Organisation and support"), (
            Question("tq_curricula", LIKERT, _lazy("The individual curricula are well organised.")),
            Question("tq_time", LIKERT, _lazy("I have enough time for mentoring within my workload.")),
            Question("tq_department", LIKERT, _lazy("The department supports me as a mentor.")),
        )),
        (_lazy("Overall"), (
            Question("tq_overall", LIKERT,
                     _lazy("Overall, I am satisfied with the quality of residents' training.")),
            Question("tq_residents", NUMBER, _lazy("How many residents did you mentor this academic year?"),
                     help_text=_lazy("Count every resident, also those you mentored for part of the year."),
                     number_min=0, number_max=10),
        )),
        (_lazy("Comments"), (
            Question("tq_improve", TEXT, _lazy("What would improve residents' training?")),
        )),
    ),
)

SHIPPED = {s.key: s for s in (MENTOR_SATISFACTION, MENTORING_NEED, TRAINING_QUALITY)}


@transaction.atomic
def questionnaire_install_shipped(*, department: Department, key: str, by) -> Questionnaire:
    """Create the shipped questionnaire `key` in `department`, in the active language.

    Rules: `by` coordinates the department (checked by the builder's services, which every row goes
    through); `key` is one of SHIPPED. Installing twice gives two independent questionnaires.
    """
    shipped = SHIPPED.get(key)
    if shipped is None:
        raise ValidationError(_("There is no such ready-made questionnaire."))
    with translation.override(translation.get_language()):
        questionnaire = questionnaire_save(department=department, by=by, title=str(shipped.title),
                                           description=str(shipped.description),
                                           intended_for=shipped.intended_for, about_mentor=shipped.about_mentor)
        for section_title, questions in shipped.sections:
            section = section_save(questionnaire=questionnaire, by=by, title=str(section_title))
            for q in questions:
                item_save(section=section, by=by, kind=q.kind, text=str(q.text), help_text=str(q.help_text),
                          required=q.is_required, number_min=q.number_min, number_max=q.number_max,
                          options=[str(label) for label in q.options], code=q.code)
    questionnaire.shipped_key = key
    questionnaire.save(update_fields=["shipped_key"])
    return questionnaire
