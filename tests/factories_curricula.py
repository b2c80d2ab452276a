"""Factories for individual curricula. They build valid rows; workflow steps are taken by calling services."""

from decimal import Decimal

import factory

from residents.models import Curriculum, CurriculumItem, Discipline
from tests.factories import AcademicYearFactory, ResidentFactory, SpecialtyFactory


class DisciplineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Discipline

    specialty = factory.SubFactory(SpecialtyFactory)
    name = factory.Sequence(lambda n: f"Neonatal discipline {n}")
    year_of_study = 1
    hours = Decimal("120.0")
    position = factory.Sequence(lambda n: n)


class CurriculumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Curriculum

    resident = factory.SubFactory(ResidentFactory)
    academic_year = factory.SubFactory(AcademicYearFactory)
    year_of_study = factory.SelfAttribute("resident.year_of_study")


class CurriculumItemFactory(factory.django.DjangoModelFactory):
    """A discipline of the curriculum with a valid 20/70/10 split of 120 hours."""

    class Meta:
        model = CurriculumItem

    curriculum = factory.SubFactory(CurriculumFactory)
    discipline = factory.SubFactory(
        DisciplineFactory, specialty=factory.SelfAttribute("..curriculum.resident.specialty"),
        year_of_study=factory.SelfAttribute("..curriculum.year_of_study"),
    )
    total_hours = factory.SelfAttribute("discipline.hours")
    classroom_hours = factory.LazyAttribute(lambda o: (o.total_hours * Decimal("0.2")).quantize(Decimal("0.1")))
    independent_hours = factory.LazyAttribute(lambda o: (o.total_hours * Decimal("0.1")).quantize(Decimal("0.1")))
    clinical_hours = factory.LazyAttribute(lambda o: o.total_hours - o.classroom_hours - o.independent_hours)


def curriculum_with_items(resident, *, items: int = 2, **kwargs) -> Curriculum:
    """A draft curriculum of `resident` with `items` valid disciplines (for the access matrix and page tests)."""
    curriculum = CurriculumFactory(resident=resident, **kwargs)
    for _ in range(items):
        CurriculumItemFactory(curriculum=curriculum)
    return curriculum
