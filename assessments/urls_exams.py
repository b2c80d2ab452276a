"""Exam results, mentor evaluations, the mentor's record and track suggestions (issue 4, items 6-8)."""

from django.urls import path

from .views import evaluations, exams, tracks

urlpatterns = [
    # Coordinator pages, per department.
    path("departments/<int:department_id>/exams/", exams.exam_results, name="exam_results"),
    path("departments/<int:department_id>/exams/new/", exams.exam_result_new, name="exam_result_new"),
    path("departments/<int:department_id>/exams/import/", exams.exam_import, name="exam_import"),
    path("departments/<int:department_id>/exams/import/template.<str:fmt>", exams.exam_template,
         name="exam_template"),
    path("departments/<int:department_id>/tracks/", tracks.track_suggestions_page, name="track_suggestions"),
    path("exams/<int:pk>/", exams.exam_result_edit, name="exam_result_edit"),
    path("mentors/<int:pk>/evaluate/", evaluations.mentor_evaluate, name="mentor_evaluate"),
    path("residents/<int:pk>/track/", tracks.track_decide_view, name="track_decide"),
    # The mentor's own page.
    path("mentor/record/", evaluations.mentor_record_page, name="mentor_record"),
]
