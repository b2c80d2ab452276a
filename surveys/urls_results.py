"""Results: a campaign's results, export and comments, comment themes, per-mentor pooled results (issue 5)."""

from django.urls import path

from .views import results

urlpatterns = [
    path("campaigns/<int:pk>/results/", results.campaign_results, name="campaign_results"),
    path("campaigns/<int:pk>/export.<str:fmt>", results.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/comments/", results.campaign_comments, name="campaign_comments"),
    path("comments/<uuid:pk>/tag/", results.comment_tag, name="comment_tag"),
    path("departments/<int:department_id>/themes/", results.themes_page, name="themes"),
    path("questionnaires/<int:pk>/mentors/", results.mentor_results, name="mentor_results"),
    path("my-results/", results.my_results, name="my_results"),
]
