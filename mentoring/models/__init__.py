from .core import Assignment, Mentor, MentorTraining, Programme
from .goals import Goal, GoalNote
from .meetings import Absence, CalendarFeed, Meeting, MeetingNote, MeetingParticipant
from .speed_events import (
    SpeedChoice,
    SpeedEvent,
    SpeedExpert,
    SpeedGroup,
    SpeedGroupMember,
    SpeedMatch,
    SpeedPreference,
    SpeedSlot,
)

__all__ = [
    "Absence", "Assignment", "CalendarFeed", "Goal", "GoalNote", "Meeting", "MeetingNote", "MeetingParticipant",
    "Mentor", "MentorTraining", "Programme", "SpeedChoice", "SpeedEvent", "SpeedExpert", "SpeedGroup",
    "SpeedGroupMember", "SpeedMatch", "SpeedPreference", "SpeedSlot",
]
