from .activity import ActivityEntry, ActivityKind, NightDuty, ReviewStatus
from .curriculum import Curriculum, CurriculumEvent, CurriculumItem, Discipline
from .roster import Cohort, Resident

__all__ = [
    "ActivityEntry", "ActivityKind", "Cohort", "Curriculum", "CurriculumEvent", "CurriculumItem", "Discipline",
    "NightDuty", "Resident", "ReviewStatus",
]
