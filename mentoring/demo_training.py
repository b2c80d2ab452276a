"""Demo data for the training year: the neonatology programme's disciplines, curricula and activity logs.

Called by `mentoring.demo.seed_demo`; idempotent like it. Written for the product: the disciplines follow
the structure of a 3-year neonatology residency (hours per academic year, 1 credit = 30 hours).
"""

from decimal import Decimal

from residents.models import Discipline

# (year of study, name, hours)
DISCIPLINES = [
    (1, "Physiology and pathology of the term newborn", Decimal("540")),
    (1, "Neonatal resuscitation and stabilisation", Decimal("360")),
    (1, "Neonatology in the maternity ward", Decimal("630")),
    (1, "Neonatal infections and infection control", Decimal("270")),
    (2, "Neonatal intensive care", Decimal("720")),
    (2, "Care of the preterm and very low birth weight infant", Decimal("540")),
    (2, "Neonatal neurology", Decimal("300")),
    (2, "Neonatal cardiology and echocardiography basics", Decimal("240")),
    (3, "Surgical conditions of the newborn", Decimal("450")),
    (3, "Follow-up of high-risk infants", Decimal("360")),
    (3, "Neonatal transport and regional perinatal care", Decimal("270")),
    (3, "Evidence-based neonatology and clinical audit", Decimal("180")),
]


def seed_disciplines(specialty) -> list[Discipline]:
    """The specialty's programme, matched by (specialty, year, name); changed hours are updated."""
    disciplines = []
    for position, (year, name, hours) in enumerate(DISCIPLINES):
        discipline, created = Discipline.objects.get_or_create(
            specialty=specialty, year_of_study=year, name=name, defaults={"hours": hours, "position": position})
        if not created and (discipline.hours, discipline.position) != (hours, position):
            discipline.hours, discipline.position = hours, position
            discipline.save(update_fields=["hours", "position"])
        disciplines.append(discipline)
    return disciplines
