from django.urls import path

from . import urls_goals, urls_meetings, urls_programmes, urls_speed
from .views import assignments, dashboard, home, mentors, residents, roster

app_name = "mentoring"

urlpatterns = [
    # Coordinator pages, per department.
    path("departments/<int:department_id>/", dashboard.dashboard, name="dashboard"),
    path("departments/<int:department_id>/mentors/", mentors.mentor_list, name="mentor_list"),
    path("departments/<int:department_id>/mentors/new/", mentors.mentor_create, name="mentor_create"),
    path("departments/<int:department_id>/residents/", residents.resident_list, name="resident_list"),
    path("departments/<int:department_id>/residents/new/", residents.resident_create, name="resident_create"),
    path("departments/<int:department_id>/import/", roster.roster_import, name="roster_import"),
    path("departments/<int:department_id>/import/template/<str:kind>.<str:fmt>", roster.roster_template,
         name="roster_template"),
    path("mentors/<int:pk>/", mentors.mentor_detail, name="mentor_detail"),
    path("mentors/<int:pk>/edit/", mentors.mentor_edit, name="mentor_edit"),
    path("mentors/<int:pk>/trainings/new/", mentors.training_add, name="training_add"),
    path("residents/<int:pk>/", residents.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", residents.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/assign/", assignments.assign, name="assign"),
    path("assignments/<int:pk>/end/", assignments.assignment_end, name="assignment_end"),
    # Own pages.
    path("mentor/", home.mentor_home, name="mentor_home"),
    path("me/", home.resident_home, name="resident_home"),
]

# Programmes, meetings, goals and speed-mentoring events (issue 6), each part in its own module.
urlpatterns += urls_programmes.urlpatterns + urls_meetings.urlpatterns + urls_goals.urlpatterns + urls_speed.urlpatterns
