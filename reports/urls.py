"""Report pages: a department's reports (coordinators), a mentor's own reports, a run and its downloads."""

from django.urls import path

from .views import files, pages

app_name = "reports"

urlpatterns = [
    path("departments/<int:department_id>/", pages.index, name="index"),
    path("mine/", pages.mine, name="mine"),
    path("runs/<int:pk>/", pages.run_page, name="run"),
    path("runs/<int:pk>/status/", pages.run_status, name="run_status"),
    path("runs/<int:pk>/again/", pages.rerun, name="rerun"),
    path("runs/<int:pk>/files/<str:fmt>/", files.run_file, name="run_file"),
    path("runs/<int:pk>/charts/<slug:section>/<slug:chart>.svg", files.run_chart, name="run_chart"),
]
