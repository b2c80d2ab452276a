from .campaign import Campaign, Participation
from .questionnaire import Item, Option, Questionnaire, Section
from .responses import Answer, PendingSubmission, Response, Theme

__all__ = ["Answer", "Campaign", "Item", "Option", "Participation", "PendingSubmission", "Questionnaire",
           "Response", "Section", "Theme"]
