"""The public's counts kept in the cache (recommendations/stats_cache.py): served again while
nothing changed, never after a write to published data, and never what a reviewer sees."""

import datetime

import pytest
from django.core.cache import cache

from recommendations import bulk, clusters, services
from recommendations.models import ImplementationStatus, Recommendation, ReviewState
from recommendations.stats_cache import enabled, published_data_changed
from tests.factories import ActorFactory, RecommendationFactory, StateFactory, record_status

STATS = "/api/v1/stats/"
TIMELINE = "/api/v1/stats/timeline/"
D = datetime.date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stats_cache_on(settings):
    settings.API_STATS_CACHE_SECONDS = 300


def total(client, **params):
    return client.get(STATS, params).json()["overall"]["total"]


def test_a_second_identical_request_is_answered_from_the_cache(api_client, django_assert_num_queries):
    RecommendationFactory()
    first = api_client.get(STATS, {"group_by": "theme"})
    with django_assert_num_queries(0):
        again = api_client.get(STATS, {"group_by": "theme"})
    assert again.json() == first.json()
    # The HTTP policy is the middleware's, cached or not: public, for a minute, varying on credentials.
    assert "public" in again["Cache-Control"] and "max-age=60" in again["Cache-Control"]
    assert {"Authorization", "Cookie"} <= {value.strip() for value in again["Vary"].split(",")}
    # Other parameters are another answer.
    assert api_client.get(STATS, {"group_by": "kind"}).json()["group_by"] == "kind"


def test_off_without_a_shared_cache(settings, api_client, django_assert_num_queries):
    settings.API_STATS_CACHE_SECONDS = 0
    assert not enabled()
    RecommendationFactory()
    api_client.get(STATS)
    with django_assert_num_queries(1):
        api_client.get(STATS)


def test_publishing_a_recommendation_is_seen_at_once(api_client):
    draft = RecommendationFactory(review_state=ReviewState.DRAFT)
    RecommendationFactory()
    assert total(api_client) == 1
    assert total(api_client) == 1  # cached now
    services.recommendation_publish(recommendation=draft)
    assert total(api_client) == 2
    services.recommendation_unpublish(recommendation=draft)
    assert total(api_client) == 1


def test_archiving_and_a_new_status_are_seen_at_once(api_client):
    kept, archived = RecommendationFactory(), RecommendationFactory()
    assert total(api_client) == 2
    services.recommendation_archive(recommendation=archived)
    assert total(api_client) == 1
    before = api_client.get(STATS).json()["overall"]["by_status"]
    assert before["implemented"] == 0
    record_status(kept, ImplementationStatus.IMPLEMENTED, D(2020, 1, 1))
    assert api_client.get(STATS).json()["overall"]["by_status"]["implemented"] == 1


def test_the_timeline_follows_a_published_status_update(api_client):
    recommendation = RecommendationFactory(made_on=D(2019, 1, 1))
    params = {"start": "2019-01-01", "end": "2019-12-31", "interval": "year"}
    assert api_client.get(TIMELINE, params).json()["points"][-1]["by_status"]["stalled"] == 0
    update = record_status(recommendation, ImplementationStatus.STALLED, D(2019, 6, 1), publish=False)
    assert api_client.get(TIMELINE, params).json()["points"][-1]["by_status"]["stalled"] == 0  # a draft
    services.status_update_publish(status_update=update)
    assert api_client.get(TIMELINE, params).json()["points"][-1]["by_status"]["stalled"] == 1


def test_bulk_writes_and_clusters_move_the_generation_on(api_client):
    assert total(api_client) == 0
    state, actor = StateFactory(), ActorFactory()
    rows = [
        Recommendation(
            kind=Recommendation.Kind.RECOMMENDATION,
            title=f"Bulk {n}",
            text="Reform.",
            made_by=actor,
            addressed_to=state,
        )
        for n in range(3)
    ]
    bulk.recommendations_bulk_create(recommendations=rows, themes=[[]] * 3, publish=True)
    assert total(api_client) == 3
    cluster = clusters.cluster_create(name="Assemblies", members=rows[:2])
    assert total(api_client, cluster=cluster.pk) == 2
    clusters.cluster_remove(recommendations=rows[:1])
    assert total(api_client, cluster=cluster.pk) == 1


def test_a_generation_moved_on_in_a_transaction_moves_again_at_the_commit(django_capture_on_commit_callbacks):
    from recommendations.stats_cache import generation

    first = generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        published_data_changed()
        published_data_changed()  # one commit hook however many writes
        during = generation()
    assert len(callbacks) == 1
    assert first < during < generation()


def test_an_evicted_generation_starts_afresh_never_reusing_an_old_key(api_client):
    RecommendationFactory()
    assert total(api_client) == 1
    cache.delete("stats:generation")
    RecommendationFactory()  # behind the services' back: only the new generation can show it
    assert total(api_client) == 2


def test_a_reviewers_view_with_drafts_is_never_cached_nor_served_to_the_public(api_client, client_as):
    RecommendationFactory()
    RecommendationFactory(review_state=ReviewState.DRAFT)
    reviewer = client_as("Reviewer")
    assert total(reviewer) == 2  # the draft too
    # Nothing the reviewer saw is served to the public …
    assert total(api_client) == 1
    assert total(api_client, group_by="theme") == 1
    # … and the public's cached answer is not served to the reviewer.
    assert total(reviewer) == 2
    assert total(reviewer, group_by="theme") == 2
    assert "no-store" in reviewer.get(STATS)["Cache-Control"]
