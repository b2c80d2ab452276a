"""URL patterns of the meetings pages (issue 6); merged into mentoring/urls.py under the "mentoring" namespace."""

urlpatterns = []
