from .epa import EPA, EntrustmentDecision, EPAExpectation, Observation, SupervisionLevel
from .policy import AssessmentPolicy
from .results import ExamResult, ExamStage, MentorEvaluation, TrackDecision

# The decisions' audit history (django-simple-history) by its own name: `EntrustmentDecision.history` builds a
# manager class on every access, which the reports' queries would pay each time.
HistoricalEntrustmentDecision = EntrustmentDecision.history.model

__all__ = [
    "EPA", "AssessmentPolicy", "EPAExpectation", "EntrustmentDecision", "ExamResult", "ExamStage",
    "HistoricalEntrustmentDecision", "MentorEvaluation", "Observation", "SupervisionLevel", "TrackDecision",
]
