"""Clinical activity log and night duty pages (issue 3)."""

from django.urls import path

from .views import activity

urlpatterns = [
    # The resident's own log.
    path("me/activities/", activity.activity_log, name="activity_log"),
    path("me/activities/new/", activity.activity_new, name="activity_new"),
    path("activities/<int:pk>/edit/", activity.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", activity.activity_delete, name="activity_delete"),
    path("me/duties/new/", activity.duty_new, name="duty_new"),
    path("duties/<int:pk>/edit/", activity.duty_edit, name="duty_edit"),
    path("duties/<int:pk>/delete/", activity.duty_delete, name="duty_delete"),
    # The resident's current mentor.
    path("mentor/confirmations/", activity.confirmation_queue_page, name="confirmation_queue"),
    path("mentor/confirmations/confirm/", activity.confirm, name="confirm"),
    path("activities/<int:pk>/return/", activity.activity_return, name="activity_return"),
    path("duties/<int:pk>/return/", activity.duty_return, name="duty_return"),
    # The department's coordinators and the resident's current mentor, read-only.
    path("residents/<int:pk>/activities/", activity.resident_activity, name="resident_activity"),
]
