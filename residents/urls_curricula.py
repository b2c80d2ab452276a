"""Curriculum pages (issue 3)."""

from django.urls import path

from .views import curricula

urlpatterns = [
    # The resident's own pages.
    path("me/curricula/", curricula.my_curricula, name="my_curricula"),
    path("me/curricula/start/", curricula.curriculum_start_view, name="curriculum_start"),
    # One curriculum: the resident, the coordinators of the department, the active mentor (read-only).
    path("curricula/<int:pk>/", curricula.curriculum_detail, name="curriculum_detail"),
    path("curricula/<int:pk>/edit/", curricula.curriculum_edit, name="curriculum_edit"),
    path("curricula/<int:pk>/submit/", curricula.curriculum_submit_view, name="curriculum_submit"),
    path("curricula/<int:pk>/approve/", curricula.curriculum_approve_view, name="curriculum_approve"),
    path("curricula/<int:pk>/return/", curricula.curriculum_return_view, name="curriculum_return"),
    path("curricula/<int:pk>/print/", curricula.curriculum_print, name="curriculum_print"),
    # Coordinator pages, per department.
    path("departments/<int:department_id>/curricula/", curricula.curricula_review, name="curricula_review"),
]
