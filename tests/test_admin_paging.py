"""The admin's changelists on big tables: counted only up to a limit, then estimated."""

import pytest
from django.db import connection
from django.urls import reverse

from recommendations.admin.paginator import planner_estimate
from recommendations.admin.recommendations import RecommendationAdmin
from recommendations.models import Recommendation
from tests.factories import RecommendationFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:recommendations_recommendation_changelist")


@pytest.fixture
def seven(monkeypatch):
    monkeypatch.setattr(RecommendationAdmin, "list_per_page", 3)
    return [RecommendationFactory() for _ in range(7)]


def test_a_small_list_is_counted_exactly(admin_client, seven):
    changelist = admin_client.get(CHANGELIST).context["cl"]
    assert changelist.result_count == 7
    assert changelist.paginator.exact


def test_past_the_limit_it_stops_counting_and_still_pages(admin_client, seven, settings):
    settings.ADMIN_COUNT_LIMIT = 3
    changelist = admin_client.get(CHANGELIST).context["cl"]
    assert not changelist.paginator.exact
    assert changelist.result_count >= 4  # the limit + 1, or PostgreSQL's estimate
    seen = [
        row.pk for page in (0, 1, 2) for row in admin_client.get(CHANGELIST, {"p": page + 1}).context["cl"].result_list
    ]
    assert sorted(seen) == sorted(row.pk for row in seven)
    # A page the estimate promises but the rows do not reach is empty, not an error.
    response = admin_client.get(CHANGELIST, {"p": 9})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_the_changelist_is_newest_first_with_undated_last(admin_client, seven):
    undated = RecommendationFactory(made_on=None)
    listed = [
        row.pk for page in (1, 2, 3) for row in admin_client.get(CHANGELIST, {"p": page}).context["cl"].result_list
    ]
    assert listed[-1] == undated.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_the_estimate_comes_from_the_planner(seven):
    assert planner_estimate(Recommendation.objects.all()) >= 1


def test_no_filter_of_the_changelist_reads_the_whole_table(admin_client, seven):
    """Every query of a changelist view is bounded: the UPR cycle and session filters offer the UPR
    calendar instead of a SELECT DISTINCT over every recommendation, and still filter."""
    from django.test.utils import CaptureQueriesContext

    from recommendations.importers.sessions import sessions

    Recommendation.objects.filter(pk=seven[0].pk).update(upr_cycle=2, upr_session=20)
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(CHANGELIST)
    assert not [query["sql"] for query in captured.captured_queries if "DISTINCT" in query["sql"].upper()]
    filters = {spec.title: spec for spec in response.context["cl"].filter_specs}
    assert filters["UPR cycle"].lookup_choices == [1, 2, 3, 4]
    assert filters["UPR session"].lookup_choices == sorted(sessions())
    for query in ("upr_cycle__exact", "upr_cycle"):
        found = admin_client.get(CHANGELIST, {query: 2}).context["cl"].result_list
        assert [row.pk for row in found] == [seven[0].pk]
