"""The demo's neonatology EPA catalogue and the mentors' feedback phrases, written for the product.

The catalogue follows a 3-year neonatology residency (specialty 7R011114). Expected levels are the supervision
level expected by the end of each year of study (1 = direct supervision ... 5 = supervises others): they never
decrease from one year to the next, and level 5 is reserved for the final year (no EPA needs it here).

The feedback phrases are what a mentor writes after an encounter: specific to the activity and free of patient
identifiers (no names, dates of birth, record or ID numbers).
"""

from dataclasses import dataclass

from assessments.models import Observation

S = Observation.Setting


@dataclass(frozen=True)
class DemoEPA:
    code: str
    title: str
    description: str
    expected: tuple[int, ...]  # by year of study, 1..duration
    settings: tuple[str, ...]  # where it is usually observed
    went_well: tuple[str, ...]
    to_improve: tuple[str, ...]
    weight_first_year: int = 1  # how often first-years are observed on it, relative to the others


NEONATOLOGY = [
    DemoEPA(
        "EPA 1", "Care of the healthy term newborn from birth to discharge",
        "Assess the newborn at birth and daily in the joint-stay ward, support breastfeeding, carry out screening "
        "and vaccinations by the national protocols, and discharge the baby with clear advice to the parents.",
        (2, 3, 4), (S.WARD, S.WARD, S.DELIVERY_ROOM),
        ("Systematic head-to-toe examination; the hips and red reflex were checked without a prompt.",
         "Good breastfeeding support: the latch was observed and corrected before advising the mother.",
         "Clear discharge advice on feeding, jaundice and danger signs, checked back with the parents."),
        ("Document the screening results (hearing, pulse oximetry) before the discharge summary is signed.",
         "Weigh the baby daily and act on a weight loss above 10 % rather than waiting for the round.",
         "Use the teach-back method when explaining cord care and safe sleep."),
        weight_first_year=4,
    ),
    DemoEPA(
        "EPA 2", "Neonatal resuscitation and stabilisation at birth",
        "Prepare for a high-risk delivery, lead or take part in resuscitation by the national neonatal "
        "resuscitation algorithm (airway, ventilation, chest compressions, drugs) and stabilise the infant for "
        "admission to intensive care.",
        (1, 2, 3), (S.DELIVERY_ROOM, S.DELIVERY_ROOM, S.SIMULATION),
        ("Equipment checked and roles assigned before the delivery; the team briefing was short and clear.",
         "Effective mask ventilation within the first minute, with chest rise confirmed.",
         "Kept to the algorithm timings and reassessed the heart rate after each step."),
        ("Call out the heart rate and saturation targets aloud so the team can follow.",
         "Apply the saturation probe to the right wrist before starting ventilation.",
         "Keep the preterm infant in the plastic bag under the radiant warmer during stabilisation."),
        weight_first_year=2,
    ),
    DemoEPA(
        "EPA 3", "Assessment and management of neonatal jaundice",
        "Recognise jaundice, measure and plot bilirubin against the hour-specific thresholds, identify haemolytic "
        "and other pathological causes, and start phototherapy or prepare an exchange transfusion when indicated.",
        (1, 3, 4), (S.WARD, S.WARD, S.INTENSIVE_CARE),
        ("Plotted the bilirubin on the hour-specific chart and chose the right threshold for gestation.",
         "Recognised jaundice in the first 24 hours as pathological and sent the blood group and Coombs test.",
         "Explained phototherapy to the mother and kept breastfeeding going during treatment."),
        ("Recheck the bilirubin within the interval the protocol gives after stopping phototherapy.",
         "Consider prolonged jaundice work-up (conjugated bilirubin, stool colour) after 14 days.",
         "Account for risk factors (haemolysis, prematurity) when choosing the treatment line."),
        weight_first_year=3,
    ),
    DemoEPA(
        "EPA 4", "Management of the preterm infant in the first 72 hours",
        "Admit and stabilise a preterm infant: thermal care, respiratory and circulatory support, glucose and "
        "fluid balance, surfactant and early feeding, with attention to preventing brain haemorrhage and infection.",
        (1, 2, 3), (S.INTENSIVE_CARE,),
        ("Admission temperature in the target range; the minimal-handling plan was followed.",
         "Surfactant given early by the less invasive technique, with a clear indication.",
         "Started trophic feeds with colostrum on the first day."),
        ("Set the glucose infusion rate from the start and review it against the first glucose checks.",
         "Plan the umbilical lines before the infant leaves the resuscitaire.",
         "Write a cranial ultrasound plan for the first week in the admission note."),
    ),
    DemoEPA(
        "EPA 5", "Respiratory support: CPAP and mechanical ventilation",
        "Assess respiratory distress, start and adjust non-invasive support and conventional ventilation, "
        "interpret blood gases and chest radiographs, and plan weaning and extubation.",
        (1, 2, 3), (S.INTENSIVE_CARE,),
        ("Recognised CPAP failure early and escalated with a clear summary to the senior.",
         "Adjusted the ventilator settings to the blood gas and explained the reasoning.",
         "Good fixation of the nasal interface; no pressure injury at the review."),
        ("Look at the chest radiograph yourself before reading the report.",
         "State the target tidal volume per kilogram when changing settings.",
         "Prepare an extubation plan the day before, including caffeine and the post-extubation support."),
    ),
    DemoEPA(
        "EPA 6", "Neonatal sepsis: recognition and initial management",
        "Identify risk factors and early signs of early- and late-onset sepsis, take cultures and start empirical "
        "antibiotics by the clinical protocol, support the circulation, and review the treatment with the results.",
        (1, 2, 3), (S.INTENSIVE_CARE, S.WARD),
        ("Blood culture taken before the first antibiotic dose, which was given within the hour.",
         "Used the maternal risk factors and the clinical signs together to decide on treatment.",
         "Reviewed the antibiotics at 36 hours with the culture result and stopped them appropriately."),
        ("Check the gentamicin level timing with the nurse when prescribing.",
         "Consider a lumbar puncture once the infant is stable and the culture is positive.",
         "Hand hygiene before touching the central line hub, every time."),
        weight_first_year=2,
    ),
    DemoEPA(
        "EPA 7", "Fluid, electrolyte and nutrition management, including parenteral nutrition",
        "Prescribe daily fluids and electrolytes by gestational and postnatal age, advance enteral feeds with "
        "breast milk, and write and monitor parenteral nutrition for preterm and sick infants.",
        (1, 2, 3), (S.INTENSIVE_CARE, S.WARD),
        ("Fluid prescription adjusted for weight change and sodium; the calculation was correct.",
         "Parenteral nutrition written with appropriate amino acid and lipid doses for the day of life.",
         "Advanced the feeds by the protocol and watched for feed intolerance."),
        ("Account for the drug infusions in the total fluid volume.",
         "Check the phosphate and triglycerides on parenteral nutrition as the protocol schedules.",
         "Start breast milk fortifier at the volume the unit protocol gives."),
    ),
    DemoEPA(
        "EPA 8", "Safe transfer of a sick newborn",
        "Decide when an infant needs transfer, stabilise before departure, hand over with a structured format and "
        "accompany the infant within the hospital or to the regional perinatal centre.",
        (1, 2, 3), (S.EMERGENCY, S.OTHER),
        ("Infant stabilised before departure: secure airway, lines fixed, temperature and glucose checked.",
         "Structured handover to the receiving team, nothing missed.",
         "Checked the transport incubator, oxygen supply and drugs before leaving."),
        ("Call the receiving unit earlier, while the infant is still being stabilised.",
         "Take copies of the imaging and the mother's results with the infant.",
         "Anticipate deterioration on the way: draw up the emergency drugs before departure."),
    ),
    DemoEPA(
        "EPA 9", "Communication with parents, including breaking bad news",
        "Keep parents informed about their baby's condition and plan, involve them in care decisions, and break "
        "bad news (a serious diagnosis, deterioration or death) with empathy, in a private room and with a senior "
        "colleague when needed.",
        (1, 2, 3), (S.WARD, S.INTENSIVE_CARE),
        ("Sat down with both parents in a quiet room and checked what they already knew.",
         "Gave the difficult news clearly, then paused and let the parents ask questions.",
         "Plain language, no jargon; agreed the next update time with the family."),
        ("Warn the parents before the bad news (\"I'm afraid I have difficult news\").",
         "Write a short note of what was said to the parents so the team gives the same message.",
         "Offer the parents psychological support and the chance to come back with questions."),
        weight_first_year=2,
    ),
    DemoEPA(
        "EPA 10", "Discharge planning and follow-up of high-risk infants",
        "Plan the discharge of preterm and sick infants with the family and primary care, arrange screening for "
        "retinopathy, hearing and development, and follow growth and neurodevelopment in the follow-up clinic.",
        (1, 2, 4), (S.OUTPATIENT, S.WARD),
        ("Discharge plan started a week ahead; parents were confident with feeding and medication.",
         "Growth plotted on the preterm chart and the corrected age used throughout.",
         "Good neurodevelopmental assessment with a clear referral plan."),
        ("Confirm the retinopathy screening appointment before discharge, not after.",
         "Send the discharge summary to the primary care paediatrician on the day of discharge.",
         "Check the vaccination schedule against the chronological age, not the corrected age."),
    ),
]

# Entrustment rationales and the mentors' yearly evaluation comments.
RATIONALES = (
    "Consistent level {level} across the recent observations by the mentor; agreed at the progress review.",
    "Mentor's observations over the last months and the case discussion support level {level}.",
    "Observed at level {level} in different settings; no safety concerns raised by the unit.",
    "Entrusted at level {level} after the progress review with the mentor and the head of the unit.",
)
EVALUATION_COMMENTS = (
    "Observes the residents regularly and gives specific, timely feedback. Good role model at the bedside.",
    "Reliable and demanding; the residents' observation records are complete and on time.",
    "Very available to the residents, including on night duty. Feedback could be more specific.",
    "Strong clinical teaching in intensive care. Should record observations closer to the encounter.",
    "Supports the residents' curricula and research well; attends the progress reviews.",
    "Good supervision; encouraged to involve the residents more in family conversations.",
)
