from .epa import EPA, EntrustmentDecision, EPAExpectation, Observation, SupervisionLevel
from .results import ExamResult, ExamStage, MentorEvaluation, TrackDecision
from .policy import AssessmentPolicy

__all__ = [
    "EPA", "AssessmentPolicy", "EPAExpectation", "EntrustmentDecision", "ExamResult", "ExamStage", "MentorEvaluation",
    "Observation", "SupervisionLevel", "TrackDecision",
]
