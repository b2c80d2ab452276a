"""Meetings panel for the mentor's and the resident's home pages (issue 6, item 2)."""

from django import template

from ..selectors_meetings import upcoming_card, with_others

register = template.Library()


@register.inclusion_tag("mentoring/meetings/includes/upcoming_card.html")
def upcoming_meetings_card(user):
    """The user's next 3 accepted meetings and the invitations awaiting the user's answer, with a link to the
    meeting list (a fixed number of queries whatever the number of meetings)."""
    card = upcoming_card(user)
    return {"meetings": with_others(card.meetings, user), "awaiting": with_others(card.awaiting, user)}
