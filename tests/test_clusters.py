"""Clusters of repeated asks: grouping (service, admin), suggestions of similar recommendations,
the cluster page with its members' statuses, the API and its ``cluster`` filter."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from recommendations import clusters
from recommendations.models import Cluster, ImplementationStatus, Recommendation, ReviewState
from tests.factories import (
    LegalProvisionFactory,
    RecommendationFactory,
    StateFactory,
    ThemeFactory,
    record_status,
)

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:recommendations_recommendation_changelist")


@pytest.fixture
def asks():
    """Three repeated asks to decriminalise defamation (two cycles, two bodies), one unrelated
    ask to the same state, and the same ask to another state."""
    kazakhstan, other_state = StateFactory(), StateFactory(country="UZ")
    expression = ThemeFactory(name="Freedom of expression")
    article = LegalProvisionFactory(article="130")
    texts = [
        "Decriminalize defamation and bring it into the civil code in accordance with international standards",
        "Decriminalise defamation and transfer it to the civil code, in line with international standards",
        "Take steps to decriminalize defamation and move it into the Civil Code",
    ]
    same = []
    for cycle, text in enumerate(texts, start=1):
        row = RecommendationFactory(
            text=text,
            title=text[:40],
            addressed_to=kazakhstan,
            upr_cycle=cycle,
            made_on=datetime.date(2010 + 5 * cycle, 1, 1),
        )
        row.themes.add(expression)
        row.legal_provisions.add(article)
        same.append(row)
    unrelated = RecommendationFactory(text="Ratify the Optional Protocol on the death penalty", addressed_to=kazakhstan)
    elsewhere = RecommendationFactory(text=texts[0], addressed_to=other_state)
    return same, unrelated, elsewhere


class TestSuggestions:
    def test_lists_the_same_ask_to_the_same_state_best_first(self, asks):
        same, unrelated, elsewhere = asks
        suggestions = clusters.cluster_suggestions(recommendation=same[0])
        found = [s.recommendation for s in suggestions]
        assert found[:2] == [same[1], same[2]]
        assert unrelated not in found and elsewhere not in found
        assert suggestions[0].shared_themes == 1 and suggestions[0].shared_provisions == 1
        assert 0.8 < suggestions[0].text_similarity <= 1

    def test_archived_recommendations_are_not_suggested(self, asks):
        same, _, _ = asks
        Recommendation.objects.filter(pk=same[1].pk).update(
            archived_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
        )
        assert same[1] not in [s.recommendation for s in clusters.cluster_suggestions(recommendation=same[0])]


class TestServices:
    def test_create_and_move_between_clusters(self, asks, make_staff):
        same, unrelated, _ = asks
        editor = make_staff("Editor")
        cluster = clusters.cluster_create(name="Decriminalise defamation", members=same, user=editor)
        assert set(cluster.members.all()) == set(same)
        other = clusters.cluster_create(name="Death penalty", members=[unrelated, same[2]], user=editor)
        assert set(cluster.members.all()) == set(same[:2]) and set(other.members.all()) == {unrelated, same[2]}
        # Grouping does not change what the row says: no new version, no history entry.
        assert Recommendation.objects.get(pk=same[0].pk).version == 1
        assert clusters.cluster_remove(recommendations=[same[0]], user=editor) == 1

    def test_a_viewer_may_not_group_and_a_name_is_needed(self, asks, make_staff):
        with pytest.raises(PermissionDenied):
            clusters.cluster_create(name="X", members=asks[0], user=make_staff("Viewer"))
        with pytest.raises(ValidationError):
            clusters.cluster_create(name="  ", members=asks[0], user=make_staff("Editor"))
        assert not Cluster.objects.exists()


class TestAdmin:
    def test_group_from_the_list_and_the_cluster_page_lists_members_with_statuses(self, asks, client_as):
        same, _, _ = asks
        record_status(same[0], ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
        client = client_as("Editor")
        data = {"action": "make_cluster", "index": "0", ACTION_CHECKBOX_NAME: [r.pk for r in same]}
        page = client.post(CHANGELIST, data)
        assert page.status_code == 200 and "Group 3 recommendations" in page.content.decode()
        refused = client.post(CHANGELIST, {**data, "apply_cluster": "yes"})
        assert "Choose an existing cluster or name a new one" in refused.content.decode()
        done = client.post(CHANGELIST, {**data, "apply_cluster": "yes", "name": "Decriminalise defamation"})
        assert done.status_code == 302
        cluster = Cluster.objects.get()
        assert set(cluster.members.all()) == set(same)
        cluster_page = client.get(reverse("admin:recommendations_cluster_change", args=[cluster.pk]))
        content = cluster_page.content.decode()
        assert "In progress" in content and f"?cluster__id__exact={cluster.pk}" in content
        listing = client.get(reverse("admin:recommendations_cluster_changelist"))
        assert "In progress: 1, not assessed: 2" in listing.content.decode()
        members = client.get(f"{CHANGELIST}?cluster__id__exact={cluster.pk}")
        assert {r.pk for r in members.context["cl"].result_list} == {r.pk for r in same}

    def test_similar_page_suggests_and_groups_the_ticked_ones(self, asks, client_as):
        same, _, _ = asks
        client = client_as("Editor")
        url = reverse("admin:recommendations_recommendation_similar", args=[same[0].pk])
        page = client.get(url)
        assert [s.recommendation for s in page.context["suggestions"]][:2] == [same[1], same[2]]
        done = client.post(url, {"member": [same[1].pk], "name": "Decriminalise defamation"})
        assert done.status_code == 302
        assert set(Cluster.objects.get().members.all()) == {same[0], same[1]}

    def test_a_viewer_sees_suggestions_but_cannot_group(self, asks, client_as):
        same, _, _ = asks
        client = client_as("Viewer")
        url = reverse("admin:recommendations_recommendation_similar", args=[same[0].pk])
        assert client.get(url).status_code == 200
        assert client.post(url, {"member": [same[1].pk], "name": "X"}).status_code == 403


class TestApi:
    def test_clusters_show_only_published_members_to_the_public(self, asks, api_client):
        same, _, _ = asks
        Recommendation.objects.filter(pk=same[2].pk).update(review_state=ReviewState.DRAFT)
        cluster = clusters.cluster_create(name="Decriminalise defamation", members=same)
        hidden = clusters.cluster_create(
            name="Only drafts", members=[RecommendationFactory(review_state=ReviewState.DRAFT)]
        )
        response = api_client.get("/api/v1/clusters/")
        assert response.status_code == 200
        [item] = response.json()["results"]
        assert (item["id"], item["member_count"]) == (cluster.pk, 2)
        assert {m["id"] for m in item["members"]} == {same[0].pk, same[1].pk}
        assert api_client.get(f"/api/v1/clusters/{hidden.pk}/").status_code == 404

    def test_cluster_filter_and_field(self, asks, api_client):
        same, _, _ = asks
        cluster = clusters.cluster_create(name="Decriminalise defamation", members=same)
        response = api_client.get("/api/v1/recommendations/", {"cluster": cluster.pk})
        results = response.json()["results"]
        assert {r["id"] for r in results} == {r.pk for r in same}
        assert results[0]["cluster"] == {"id": cluster.pk, "name": "Decriminalise defamation"}
        assert api_client.get("/api/v1/recommendations/", {"cluster": 999999}).status_code == 400
