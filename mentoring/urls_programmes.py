"""URL patterns of the programmes pages (issue 6); merged into mentoring/urls.py under the "mentoring" namespace."""

from django.urls import path

from .views import programmes

urlpatterns = [
    # Coordinator pages, per department.
    path("departments/<int:department_id>/programmes/", programmes.programme_list, name="programme_list"),
    path("departments/<int:department_id>/programmes/new/", programmes.programme_create_view,
         name="programme_create"),
    path("departments/<int:department_id>/programmes/overview/", programmes.programme_overview_view,
         name="programme_overview"),
    path("programmes/<int:pk>/", programmes.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", programmes.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/assign/", programmes.programme_assign, name="programme_assign"),
    path("programmes/assignments/<int:pk>/end/", programmes.programme_assignment_end,
         name="programme_assignment_end"),
    # Own page of a mentor or a resident.
    path("programmes/mine/", programmes.my_programmes_view, name="my_programmes"),
]
