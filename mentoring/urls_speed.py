"""URL patterns of the speed pages (issue 6); merged into mentoring/urls.py under the "mentoring" namespace."""

from django.urls import path

from .views import speed

urlpatterns = [
    # The coordinator's pages, per department and per event.
    path("departments/<int:department_id>/speed-events/", speed.speed_event_list, name="speed_event_list"),
    path("departments/<int:department_id>/speed-events/new/", speed.speed_event_new, name="speed_event_new"),
    path("speed-events/<int:pk>/", speed.speed_event_detail, name="speed_event_detail"),
    path("speed-events/<int:pk>/edit/", speed.speed_event_edit, name="speed_event_edit"),
    path("speed-events/<int:pk>/people/", speed.speed_event_people, name="speed_event_people"),
    path("speed-events/<int:pk>/schedule/", speed.speed_schedule, name="speed_schedule"),
    path("speed-events/<int:pk>/schedule/generate/", speed.speed_schedule_generate, name="speed_schedule_generate"),
    path("speed-events/<int:pk>/rankings/", speed.speed_rankings, name="speed_rankings"),
    path("speed-events/<int:pk>/rankings/open/", speed.speed_ranking_open, name="speed_ranking_open"),
    path("speed-events/<int:pk>/matching/", speed.speed_matching, name="speed_matching"),
    path("speed-events/<int:pk>/matching/propose/", speed.speed_matching_propose, name="speed_matching_propose"),
    path("speed-events/<int:pk>/matching/set/", speed.speed_match_set, name="speed_match_set"),
    path("speed-events/<int:pk>/confirm/", speed.speed_confirm, name="speed_confirm"),
    # The mentees' and experts' pages.
    path("my/speed-events/", speed.my_speed_events, name="my_speed_events"),
    path("speed-events/<int:pk>/rank/", speed.speed_rank, name="speed_rank"),
]
