"""EPA progress and entrustment pages (issue 4, items 4 and 5)."""

from django.urls import path

from .views import entrustment, progress

urlpatterns = [
    # The resident's own progress.
    path("me/progress/", progress.my_progress, name="my_progress"),
    # One resident: the resident, the active mentor, the coordinators of the department.
    path("residents/<int:pk>/progress/", progress.resident_progress, name="resident_progress"),
    path("residents/<int:resident_pk>/epas/<int:epa_pk>/", progress.epa_progress, name="epa_progress"),
    path("residents/<int:resident_pk>/epas/<int:epa_pk>/decide/", entrustment.entrustment_decide_view,
         name="entrustment_decide"),
    # Coordinator pages, per department.
    path("departments/<int:department_id>/progress/", progress.cohort_grid, name="cohort_grid"),
    path("departments/<int:department_id>/proposals/", entrustment.proposals, name="proposals"),
]
