"""The admin's index is the curator's dashboard: the API's counts, each linking to its rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.models import Recommendation, ReviewState
from tests.factories import RecommendationFactory

INDEX = reverse("admin:index")
LIST = reverse("admin:recommendations_recommendation_changelist")


def listed(client, url):
    """How many rows the list a dashboard link points to shows."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["cl"].result_count


def test_dashboard_figures_are_the_api_stats_and_link_to_their_rows(seeded, admin_client, admin_user, client):
    dashboard = admin_client.get(INDEX).context["dashboard"]
    # Staff see drafts in the API too: the same queryset, the same counts.
    client.force_login(admin_user)
    stats = client.get(reverse("api:stats")).json()["overall"]
    assert dashboard["total"] == stats["total"]
    assert dashboard["overdue"] == stats["overdue"] == 1
    assert {row["key"]: row["count"] for row in dashboard["statuses"]} == stats["by_status"]
    assert listed(admin_client, dashboard["overdue_url"]) == dashboard["overdue"]
    for row in dashboard["statuses"]:
        if row["url"]:
            assert listed(admin_client, row["url"]) == row["count"], row["label"]
    for kind in dashboard["kinds"]:
        assert listed(admin_client, kind["url"]) == kind["count"]
        assert listed(admin_client, kind["overdue_url"]) == kind["overdue"]
    for state in dashboard["states"]:
        if state["url"]:
            assert listed(admin_client, state["url"]) == state["total"], state["label"]


@pytest.mark.django_db
def test_work_queue_for_reviewers_and_my_drafts_for_editors(client, make_staff):
    editor = make_staff("Editor")
    RecommendationFactory(review_state=ReviewState.DRAFT, created_by=editor)
    RecommendationFactory(review_state=ReviewState.DRAFT)
    RecommendationFactory()
    client.force_login(editor)
    queues = {q["label"]: q for q in client.get(INDEX).context["dashboard"]["queues"]}
    assert "Recommendations waiting for review" not in queues  # an editor cannot publish
    mine = queues["My draft recommendations"]
    assert mine["count"] == 1
    assert listed(client, mine["url"]) == 1
    client.force_login(make_staff("Reviewer"))
    queues = {q["label"]: q for q in client.get(INDEX).context["dashboard"]["queues"]}
    waiting = queues["Recommendations waiting for review"]
    assert waiting["count"] == 2 == Recommendation.objects.filter(review_state=ReviewState.DRAFT).count()
    assert listed(client, waiting["url"]) == 2


@pytest.mark.django_db
def test_dashboard_query_count_is_fixed(admin_client, django_assert_max_num_queries):
    RecommendationFactory.create_batch(3)
    with django_assert_max_num_queries(25):
        admin_client.get(INDEX)
    RecommendationFactory.create_batch(20)
    with django_assert_max_num_queries(25):
        assert admin_client.get(INDEX).status_code == 200


@pytest.mark.django_db
def test_dashboard_counts_each_figure_once(admin_client):
    # The overall counts, then the counts per kind and per state: one counting query each (the
    # overall figures are not counted again for each grouping).
    RecommendationFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(INDEX).status_code == 200
    counting = [query["sql"] for query in queries.captured_queries if '"past_due"' in query["sql"]]
    assert len(counting) == 3, counting


def test_inline_headings_are_plural_nouns():
    from recommendations.admin.recommendations import RecommendationCitationInline, RecommendationLinkInline
    from recommendations.admin.status_updates import StatusUpdateCitationInline

    assert RecommendationCitationInline.verbose_name_plural == "citations (evidence for the recommendation itself)"
    assert RecommendationLinkInline.verbose_name_plural == "links to related recommendations"
    assert StatusUpdateCitationInline.verbose_name_plural == "citations (evidence)"
