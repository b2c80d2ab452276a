"""Clinical activity log and night duty pages (issue 3)."""

urlpatterns = []
