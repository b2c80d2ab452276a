"""URL patterns of the goals pages (issue 6); merged into mentoring/urls.py under the "mentoring" namespace."""

from django.urls import path

from .views import goals

urlpatterns = [
    path("goals/", goals.my_goals, name="my_goals"),
    path("goals/mentees/", goals.mentee_goals, name="mentee_goals"),
    path("residents/<int:pk>/goals/", goals.resident_goals, name="resident_goals"),
    path("goals/<int:pk>/", goals.goal_detail, name="goal_detail"),
    path("goals/<int:pk>/edit/", goals.goal_edit, name="goal_edit"),
    path("goals/<int:pk>/agree/", goals.goal_agree, name="goal_agree"),
    path("goals/<int:pk>/notes/new/", goals.goal_note_add, name="goal_note_add"),
]
