"""factory_boy factories. They build valid objects; rules are applied by calling services in tests."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from accounts.models import User
from mentoring.models import Assignment, Mentor, MentorTraining
from mentoring.services import clinical_programme
from organization.models import AcademicYear, ClinicalSite, Coordinator, Department, MentoringPolicy, Specialty
from residents.models import Cohort, Resident


def today():
    return timezone.localdate()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Department of Neonatology {n}")

    @factory.post_generation
    def policy(obj, create, extracted, **kwargs):
        if create:
            MentoringPolicy.objects.get_or_create(department=obj)


class CoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coordinator

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"7R{11114 + n:06d}")
    name = "Neonatology"
    duration_years = 3


class ClinicalSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicalSite
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Perinatal Centre No. {n}")
    city = "Almaty"

    @factory.post_generation
    def departments(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.departments.add(*extracted)


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear
        django_get_or_create = ("start_year",)

    start_year = 2024
    starts_on = factory.LazyAttribute(lambda o: date(o.start_year, 9, 1))
    ends_on = factory.LazyAttribute(lambda o: date(o.start_year + 1, 8, 31))


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        django_get_or_create = ("specialty", "intake_year")

    specialty = factory.SubFactory(SpecialtyFactory)
    intake_year = factory.SubFactory(AcademicYearFactory)


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    specialty = factory.SubFactory(SpecialtyFactory)
    cohort = factory.SubFactory(CohortFactory, specialty=factory.SelfAttribute("..specialty"))
    year_of_study = 1
    clinical_site = factory.SubFactory(ClinicalSiteFactory)

    @factory.post_generation
    def site_serves_department(obj, create, extracted, **kwargs):
        if create:
            obj.clinical_site.departments.add(obj.specialty.department)


class MentorFactory(factory.django.DjangoModelFactory):
    """An eligible mentor by default: highest category, 10 years, valid certificate, recent training."""

    class Meta:
        model = Mentor
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    specialty = factory.SubFactory(SpecialtyFactory)
    clinical_site = factory.SubFactory(ClinicalSiteFactory)

    @factory.post_generation
    def site_serves_department(obj, create, extracted, **kwargs):
        if create:
            obj.clinical_site.departments.add(obj.specialty.department)
    qualification_category = "highest"
    practice_started_on = factory.LazyFunction(lambda: today() - timedelta(days=365 * 10))
    certificate_number = factory.Sequence(lambda n: f"KZ-{n:06d}")
    certificate_expires_on = factory.LazyFunction(lambda: today() + timedelta(days=3 * 365))

    @factory.post_generation
    def trained(obj, create, extracted, **kwargs):
        # trained=False gives a mentor without any training; a date gives the primary training on that date.
        if create and extracted is not False:
            when = extracted if isinstance(extracted, date) else today() - timedelta(days=200)
            MentorTraining.objects.create(mentor=obj, kind="primary", completed_on=when)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    resident = factory.SubFactory(ResidentFactory)
    mentor = factory.SubFactory(MentorFactory, specialty=factory.SelfAttribute("..resident.specialty"))
    programme = factory.LazyAttribute(lambda o: clinical_programme(o.resident.specialty.department))
    started_on = factory.LazyFunction(lambda: today() - timedelta(days=30))


class MentorTrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorTraining

    mentor = factory.SubFactory(MentorFactory)
    kind = "refresher"
    completed_on = factory.Sequence(lambda n: today() - timedelta(days=10 + n))


UNCOMMON_SURNAMES = ("Abdrakhmanova", "Baimukhanov", "Dzhaksybekova", "Yesenzholov", "Kuanyshbayeva", "Zhumagulov",
                     "Tokhtarbekova", "Omirzakov", "Seitkazinova", "Nurmukhambetov")


def uncommonly_named(make):
    """`make` (make_resident, make_mentor) giving people surnames that occur in no text of the product: a test that
    a page or a file never names someone checks the surname, and a random one ("Case", "May") may be a word."""
    names = iter(UNCOMMON_SURNAMES)

    def made(**kwargs):
        kwargs.setdefault("user__last_name", next(names))
        return make(**kwargs)

    return made
