"""Curriculum pages (issue 3)."""

urlpatterns = []
