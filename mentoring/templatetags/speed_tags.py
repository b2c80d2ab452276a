"""Speed-mentoring panels for the home pages (issue 6 item 4).

`{% load speed_tags %}{% speed_events_due user %}` on the resident's and the mentor's home pages: the events
waiting for the user's ranking (a button to rank) and the upcoming ones they take part in (a link to their
timetable). Renders nothing when there is none. Four queries.
"""

from django import template

from ..selectors_speed import speed_events_due as events_due

register = template.Library()


@register.inclusion_tag("mentoring/speed/_due.html")
def speed_events_due(user):
    to_rank, upcoming = events_due(user) if user.is_authenticated else ([], [])
    return {"to_rank": to_rank, "upcoming": upcoming}
