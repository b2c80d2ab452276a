"""URL patterns of the meetings pages (issue 6); merged into mentoring/urls.py under the "mentoring" namespace."""

from django.urls import path

from .views import calendar, meetings

urlpatterns = [
    # Own pages of a mentor or a resident; a meeting for its participants only.
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/respond/", meetings.meeting_respond, name="meeting_respond"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/notes/new/", meetings.meeting_note_add, name="meeting_note_add"),
    path("absences/", meetings.absence_list, name="absence_list"),
    path("absences/<int:pk>/delete/", meetings.absence_delete, name="absence_delete"),
    path("calendar/", calendar.calendar_feed, name="calendar_feed"),
    path("calendar/reset/", calendar.calendar_feed_reset, name="calendar_feed_reset"),
    path("calendar/revoke/", calendar.calendar_feed_revoke, name="calendar_feed_revoke"),
    # The feed itself: no log-in, the secret token is the key.
    path("calendar/<str:token>.ics", calendar.calendar_feed_ics, name="calendar_feed_ics"),
]
