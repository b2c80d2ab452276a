from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

from .health import health

urlpatterns = [
    path("", account_views.home, name="home"),
    path("health/", health, name="health"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("", include("mentoring.urls")),
    path("", include("residents.urls")),
    path("assessments/", include("assessments.urls")),
    path("surveys/", include("surveys.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
