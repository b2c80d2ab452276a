"""Factories for the assessments app. They write rows directly; tests of the rules call the services."""

from datetime import timedelta
from decimal import Decimal

import factory

from assessments.models import EPA, EPAExpectation, ExamResult, MentorEvaluation, Observation
from tests.factories import AcademicYearFactory, MentorFactory, ResidentFactory, SpecialtyFactory, UserFactory, today


class EPAFactory(factory.django.DjangoModelFactory):
    """An EPA with expected levels 2, 3, 4 for years 1-3 (override with expected=[...])."""

    class Meta:
        model = EPA
        skip_postgeneration_save = True

    specialty = factory.SubFactory(SpecialtyFactory)
    code = factory.Sequence(lambda n: f"EPA {n + 1}")
    title = factory.Sequence(lambda n: f"Care of the healthy term newborn {n + 1}")
    description = "From birth to discharge."
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def expected(obj, create, extracted, **kwargs):
        if create:
            levels = extracted if extracted is not None else [2, 3, 4]
            EPAExpectation.objects.bulk_create(
                EPAExpectation(epa=obj, year_of_study=year, level=level) for year, level in enumerate(levels, 1))


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    resident = factory.SubFactory(ResidentFactory)
    epa = factory.SubFactory(EPAFactory, specialty=factory.SelfAttribute("..resident.specialty"))
    mentor = factory.SubFactory(MentorFactory, specialty=factory.SelfAttribute("..resident.specialty"))
    observed_on = factory.LazyFunction(lambda: today() - timedelta(days=1))
    level = 2
    went_well = "Calm, systematic examination."
    to_improve = "Explain the plan to the parents."


class ExamResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamResult

    resident = factory.SubFactory(ResidentFactory)
    stage = "year_1"
    academic_year = factory.SubFactory(AcademicYearFactory)
    test_score = Decimal("98.50")
    osce_score = Decimal("97.50")
    test_weight_pct = 50
    overall_score = Decimal("98.00")


class MentorEvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorEvaluation

    mentor = factory.SubFactory(MentorFactory)
    academic_year = factory.SubFactory(AcademicYearFactory)
    supervision = 5
    feedback = 4
    availability = 4
    professionalism = 5
    development = 4
    score = Decimal("4.40")
    comment = "Reliable and demanding."
    evaluated_by = factory.SubFactory(UserFactory)
