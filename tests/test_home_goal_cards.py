"""Overdue goals reach the dashboards (issue 6, item 3): the resident's and the mentor's home pages and the
coordinator's department dashboard show them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Goal

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_goal(resident, mentor):
    return Goal.objects.create(resident=resident, title="Present a case at the morning conference",
                               due_on=timezone.localdate() - timedelta(days=3), created_by=mentor.user,
                               agreed_by=mentor.user, agreed_on=timezone.localdate() - timedelta(days=40))


def test_resident_home_shows_the_overdue_goal(client, resident, overdue_goal):
    client.force_login(resident.user)
    page = client.get(reverse("mentoring:resident_home")).content.decode()
    assert 'id="home-goals"' in page and overdue_goal.title in page


def test_mentor_home_shows_the_mentees_overdue_goal(client, mentor, overdue_goal):
    client.force_login(mentor.user)
    page = client.get(reverse("mentoring:mentor_home")).content.decode()
    assert 'id="home-mentee-goals"' in page and overdue_goal.title in page


def test_coordinator_dashboard_counts_overdue_goals(client, coordinator, department, overdue_goal):
    Goal.objects.create(resident=overdue_goal.resident, title="Done", due_on=overdue_goal.due_on,
                        created_by=overdue_goal.created_by, status="achieved", completed_on=overdue_goal.due_on)
    client.force_login(coordinator)
    response = client.get(reverse("mentoring:dashboard", args=[department.pk]))
    page = response.content.decode()
    assert 'id="dashboard-goals"' in page
    assert '<span class="stat" id="stat-goals-overdue">1</span>' in page
