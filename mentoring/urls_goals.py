"""URL patterns of the goals pages (issue 6); merged into mentoring/urls.py under the "mentoring" namespace."""

urlpatterns = []
