"""The questionnaire builder (coordinators): questionnaires, sections, items, preview, copy, shipped questionnaires."""

from django.urls import path

from .views import builder

urlpatterns = [
    path("departments/<int:department_id>/questionnaires/", builder.questionnaire_list, name="questionnaire_list"),
    path("departments/<int:department_id>/questionnaires/new/", builder.questionnaire_new, name="questionnaire_new"),
    path("departments/<int:department_id>/questionnaires/install/", builder.questionnaire_install,
         name="questionnaire_install"),
    path("questionnaires/<int:pk>/", builder.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:pk>/edit/", builder.questionnaire_edit, name="questionnaire_edit"),
    path("questionnaires/<int:pk>/copy/", builder.questionnaire_copy_view, name="questionnaire_copy"),
    path("questionnaires/<int:pk>/preview/", builder.questionnaire_preview, name="questionnaire_preview"),
    path("questionnaires/<int:pk>/sections/new/", builder.section_new, name="section_new"),
    path("sections/<int:pk>/edit/", builder.section_edit, name="section_edit"),
    path("sections/<int:pk>/delete/", builder.section_delete_view, name="section_delete"),
    path("sections/<int:pk>/move/", builder.section_move_view, name="section_move"),
    path("sections/<int:pk>/items/new/", builder.item_new, name="item_new"),
    path("items/<int:pk>/edit/", builder.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", builder.item_delete_view, name="item_delete"),
    path("items/<int:pk>/move/", builder.item_move_view, name="item_move"),
]
