"""EPA catalogue and observation pages (issue 4, items 1-3)."""

from django.urls import path

from .views import catalogue, observations

urlpatterns = [
    # The mentor, on a phone.
    path("observe/", observations.observe, name="observe"),
    path("mentor/observations/", observations.mentor_observations, name="mentor_observations"),
    # The resident.
    path("me/observations/", observations.my_observations, name="my_observations"),
    path("observations/<int:pk>/acknowledge/", observations.observation_acknowledge,
         name="observation_acknowledge"),
    # The department's coordinators.
    path("departments/<int:department_id>/epas/", catalogue.catalogue, name="catalogue"),
    path("departments/<int:department_id>/epas/new/", catalogue.epa_create, name="epa_create"),
    path("epas/<int:pk>/edit/", catalogue.epa_edit, name="epa_edit"),
]
