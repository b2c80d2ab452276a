"""Comment themes and tagging (surveys.themes): the themes page, the comments page, tagging with counts, scope."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import Answer, Theme
from surveys.themes import comment_tag, theme_save
from tests.factories import CoordinatorFactory, DepartmentFactory, UserFactory
from tests.factories_surveys import CampaignFactory, answer_and_release, questionnaire_with_items
from tests.test_survey_results_data import close, closed_general, release_and_close, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(department):
    """Closed, five people; each wrote a different comment."""
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    campaign = CampaignFactory(questionnaire=questionnaire)
    for i in range(5):
        submit(campaign, {"q1": 4, "q2": "Daily", "q3": ["Simulation"], "q4": 1, "q6": f"Comment {i}"})
    return release_and_close(campaign)


def comments_of(campaign):
    return list(Answer.objects.filter(response__campaign=campaign, item__kind="text"))


# --- themes page ---------------------------------------------------------------------------------------------------


def test_add_rename_delete_a_theme(client, coordinator, department):
    client.force_login(coordinator)
    url = reverse("surveys:themes", args=[department.pk])

    response = client.post(url, {"action": "add", "name": "  Time   for teaching "})
    assert response.status_code == 302 and response["Location"] == url
    theme = Theme.objects.get(department=department)
    assert theme.name == "Time for teaching"

    response = client.post(url, {"action": "add", "name": "time FOR teaching"})
    assert response.status_code == 200
    assert "already has a theme" in response.content.decode()
    assert Theme.objects.count() == 1

    assert client.post(url, {"action": "rename", "theme": theme.pk, "name": "Feedback"}).status_code == 302
    theme.refresh_from_db()
    assert theme.name == "Feedback"

    assert client.post(url, {"action": "delete", "theme": theme.pk}).status_code == 302
    assert not Theme.objects.exists()


def test_themes_page_lists_counts(client, coordinator, department, campaign):
    feedback = Theme.objects.create(department=department, name="Feedback")
    workload = Theme.objects.create(department=department, name="Workload")
    Theme.objects.create(department=department, name="Unused")
    first, second, *_ = comments_of(campaign)
    first.themes.set([feedback, workload])
    second.themes.set([feedback])
    client.force_login(coordinator)

    response = client.get(reverse("surveys:themes", args=[department.pk]))

    counts = {t.name: t.comments for t in response.context["themes"]}
    assert counts == {"Feedback": 2, "Unused": 0, "Workload": 1}


def test_themes_of_another_department_cannot_be_touched(client, coordinator, department):
    other = Theme.objects.create(department=DepartmentFactory(), name="Theirs")
    client.force_login(coordinator)
    url = reverse("surveys:themes", args=[department.pk])
    assert client.post(url, {"action": "rename", "theme": other.pk, "name": "Mine"}).status_code == 404
    assert client.post(url, {"action": "delete", "theme": other.pk}).status_code == 404
    other.refresh_from_db()
    assert other.name == "Theirs"
    client.force_login(CoordinatorFactory(department=DepartmentFactory()).user)
    assert client.post(url, {"action": "add", "name": "X"}).status_code == 404
    assert not Theme.objects.filter(name="X").exists()


def test_theme_save_rules():
    department = DepartmentFactory()
    coordinator = CoordinatorFactory(department=department).user
    with pytest.raises(ValidationError, match="coordinator"):
        theme_save(department=department, name="X", by=UserFactory())
    with pytest.raises(ValidationError, match="name"):
        theme_save(department=department, name="   ", by=coordinator)
    with pytest.raises(ValidationError, match="100"):
        theme_save(department=department, name="x" * 101, by=coordinator)


# --- comments page and tagging -------------------------------------------------------------------------------------


def test_comments_page_lists_comments_alone_in_random_order(client, coordinator, campaign):
    client.force_login(coordinator)
    url = reverse("surveys:campaign_comments", args=[campaign.pk])
    orders = set()
    for _ in range(6):
        response = client.get(url)
        [group] = response.context["groups"]
        orders.add(tuple(c.text for c in group.comments))
    assert sorted(next(iter(orders))) == [f"Comment {i}" for i in range(5)]
    assert len(orders) > 1  # 120 orders: six identical pages would happen once in ~10^10
    html = response.content.decode()
    # Nothing else of the responses is on the page.
    assert "Agree" not in html and "Daily" not in html and "Simulation" not in html


def test_tagging_sets_themes_and_counts_them(client, coordinator, department, campaign):
    feedback = Theme.objects.create(department=department, name="Feedback")
    workload = Theme.objects.create(department=department, name="Workload")
    first, second, *_ = comments_of(campaign)
    client.force_login(coordinator)

    response = client.post(reverse("surveys:comment_tag", args=[first.pk]), {"themes": [feedback.pk, workload.pk]})
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:campaign_comments", args=[campaign.pk]) + f"#c-{first.pk}"
    client.post(reverse("surveys:comment_tag", args=[second.pk]), {"themes": [feedback.pk]})
    assert set(first.themes.all()) == {feedback, workload}

    response = client.get(reverse("surveys:campaign_comments", args=[campaign.pk]))
    [group] = response.context["groups"]
    assert [(t.name, n) for t, n in group.theme_counts] == [("Feedback", 2), ("Workload", 1)]
    assert "Feedback: 2" in response.content.decode()
    checked = {c.text: c.theme_ids for c in group.comments}
    assert checked[first.text] == {feedback.pk, workload.pk}

    # Untagging: no box ticked.
    client.post(reverse("surveys:comment_tag", args=[first.pk]), {})
    assert not first.themes.exists()


def test_tagging_refuses_another_departments_theme(client, coordinator, campaign):
    theirs = Theme.objects.create(department=DepartmentFactory(), name="Theirs")
    [first, *_] = comments_of(campaign)
    client.force_login(coordinator)
    response = client.post(reverse("surveys:comment_tag", args=[first.pk]), {"themes": [theirs.pk]}, follow=True)
    assert "Choose themes of this department." in response.content.decode()
    assert not first.themes.exists()
    with pytest.raises(ValidationError):
        comment_tag(answer=first, themes=[theirs], by=coordinator)


def test_tagging_outside_the_scope_is_404_and_changes_nothing(client, department, campaign):
    theme = Theme.objects.create(department=department, name="Feedback")
    [first, *_] = comments_of(campaign)
    url = reverse("surveys:comment_tag", args=[first.pk])
    for user in (UserFactory(), CoordinatorFactory(department=DepartmentFactory()).user):
        client.force_login(user)
        assert client.post(url, {"themes": [theme.pk]}).status_code == 404
    assert not first.themes.exists()


def test_comments_below_k_or_open_are_not_readable_nor_taggable(client, coordinator, department):
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    few = closed_general(questionnaire, 4, text="Too few to show.")
    still_open = CampaignFactory(questionnaire=questionnaire)
    answer_and_release(still_open, [UserFactory() for _ in range(6)], text="Still open.")
    theme = Theme.objects.create(department=department, name="Feedback")
    client.force_login(coordinator)
    for campaign in (few, still_open):
        assert client.get(reverse("surveys:campaign_comments", args=[campaign.pk])).status_code == 404
        answer = comments_of(campaign)[0]
        assert client.post(reverse("surveys:comment_tag", args=[answer.pk]), {"themes": [theme.pk]}).status_code == 404
        with pytest.raises(ValidationError):
            comment_tag(answer=answer, themes=[theme], by=coordinator)
    assert not Answer.themes.through.objects.exists()


def test_a_question_fewer_than_k_commented_on_stays_hidden(client, coordinator, department):
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    campaign = CampaignFactory(questionnaire=questionnaire)
    for i in range(6):
        submit(campaign, {"q1": 4, "q2": "Daily", "q3": ["Simulation"], "q4": 1, **({"q6": "Rare"} if i < 2 else {})})
    release_and_close(campaign)
    client.force_login(coordinator)
    response = client.get(reverse("surveys:campaign_comments", args=[campaign.pk]))
    html = response.content.decode()
    assert "Rare" not in html and "fewer than 5 people answered this question" in html
    answer = comments_of(campaign)[0]
    theme = Theme.objects.create(department=department, name="Feedback")
    assert client.post(reverse("surveys:comment_tag", args=[answer.pk]), {"themes": [theme.pk]}).status_code == 404


def _queries(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_comments_and_themes_queries_do_not_grow(client, coordinator, department):
    questionnaire = questionnaire_with_items(department, about_mentor=False)
    small = closed_general(questionnaire, 5, text="Short.")
    large = closed_general(questionnaire, 60, text="Short.")
    themes = [Theme.objects.create(department=department, name=f"Theme {i}") for i in range(2)]
    for answer in comments_of(small)[:2]:
        answer.themes.set(themes[:1])
    small_comments = _queries(client, coordinator, reverse("surveys:campaign_comments", args=[small.pk]))
    small_themes = _queries(client, coordinator, reverse("surveys:themes", args=[department.pk]))
    themes += [Theme.objects.create(department=department, name=f"Theme {i}") for i in range(2, 10)]
    for answer in comments_of(large):
        answer.themes.set(themes[:3])
    assert _queries(client, coordinator, reverse("surveys:campaign_comments", args=[large.pk])) == small_comments
    assert _queries(client, coordinator, reverse("surveys:themes", args=[department.pk])) == small_themes


def test_close_helper_keeps_comments_hidden_until_released(client, coordinator, department):
    """Closed but with answers still in the pool: the comments wait for the release."""
    from tests.factories_surveys import answer

    questionnaire = questionnaire_with_items(department, about_mentor=False)
    campaign = CampaignFactory(questionnaire=questionnaire)
    for user in [UserFactory() for _ in range(5)]:
        answer(campaign, user, text="Waiting.")  # queued on commit, which a test transaction never reaches
    close(campaign, campaign.opens_on)
    client.force_login(coordinator)
    assert client.get(reverse("surveys:campaign_comments", args=[campaign.pk])).status_code == 404
