from .epa import EPA, EntrustmentDecision, EPAExpectation, Observation, SupervisionLevel
from .policy import AssessmentPolicy
from .results import ExamResult, ExamStage, MentorEvaluation, TrackDecision

__all__ = [
    "EPA", "AssessmentPolicy", "EPAExpectation", "EntrustmentDecision", "ExamResult", "ExamStage", "MentorEvaluation",
    "Observation", "SupervisionLevel", "TrackDecision",
]
