"""Campaign pages (coordinators) and the respondent's pages."""

from django.urls import path

from .views import campaigns, respond

urlpatterns = [
    path("departments/<int:department_id>/campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("departments/<int:department_id>/campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/launch/", campaigns.campaign_launch_view, name="campaign_launch"),
    path("campaigns/<int:pk>/close/", campaigns.campaign_close_view, name="campaign_close"),
    path("campaigns/<int:pk>/remind/", campaigns.campaign_remind_view, name="campaign_remind"),
    # Respondents: any logged-in user sees their invitations; only an invited person reaches the answer page.
    path("mine/", respond.my_questionnaires, name="my_questionnaires"),
    path("campaigns/<int:pk>/answer/", respond.answer, name="answer"),
]
