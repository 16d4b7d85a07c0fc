"""The API under review before publication, roles and optimistic locking (ETag / If-Match)."""

import datetime

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from recommendations import services
from recommendations.models import ImplementationStatus, Recommendation, StatusUpdate
from tests.factories import RecommendationFactory, record_status

pytestmark = pytest.mark.django_db


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def rec_url(recommendation, action=""):
    return f"/api/v1/recommendations/{recommendation.pk}/" + (f"{action}/" if action else "")


def update_url(update, action=""):
    return f"/api/v1/status-updates/{update.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def published(recommendation):
    record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
    return recommendation


@pytest.fixture
def draft_update(published):
    return record_status(published, ImplementationStatus.IMPLEMENTED, datetime.date(2021, 1, 1), publish=False)


class TestWhatThePublicSees:
    def test_draft_recommendations_are_hidden_from_the_public(self, api_client, published):
        draft = RecommendationFactory(review_state="draft")
        ids = [item["id"] for item in api_client.get("/api/v1/recommendations/").json()["results"]]
        assert ids == [published.pk]
        assert api_client.get(rec_url(draft)).status_code == 404
        assert api_client.get("/api/v1/stats/").json()["overall"]["total"] == 1

    def test_published_status_updates_of_a_draft_recommendation_are_hidden(self, api_client, published):
        draft = RecommendationFactory(review_state="draft")
        hidden = record_status(draft, ImplementationStatus.STALLED, datetime.date(2020, 1, 1))
        listed = [u["id"] for u in api_client.get("/api/v1/status-updates/").json()["results"]]
        assert hidden.pk not in listed
        assert listed == [published.status_updates.get().pk]
        assert api_client.get(update_url(hidden)).status_code == 404

    def test_draft_status_updates_are_hidden_and_do_not_count(self, api_client, draft_update):
        listed = api_client.get("/api/v1/status-updates/").json()["results"]
        assert [u["status"] for u in listed] == ["in_progress"]
        detail = api_client.get(rec_url(draft_update.recommendation)).json()
        assert detail["status"] == "in_progress"
        assert [u["status"] for u in detail["status_history"]] == ["in_progress"]
        on_2022 = api_client.get("/api/v1/stats/", {"as_of": "2022-01-01"}).json()["overall"]["by_status"]
        assert (on_2022["in_progress"], on_2022["implemented"]) == (1, 0)
        timeline = api_client.get(
            "/api/v1/stats/timeline/", {"start": "2021-01-01", "end": "2021-03-31", "interval": "month"}
        ).json()
        assert [point["by_status"]["implemented"] for point in timeline["points"]] == [0, 0, 0]

    def test_staff_see_drafts_marked_as_such(self, make_staff, draft_update):
        client = as_user(make_staff("Viewer"))
        listed = client.get("/api/v1/status-updates/").json()["results"]
        assert [(u["status"], u["review_state"]) for u in listed] == [
            ("implemented", "draft"),
            ("in_progress", "published"),
        ]
        # The current status still counts only what is published.
        assert client.get(rec_url(draft_update.recommendation)).json()["status"] == "in_progress"

    def test_archived_recommendations_are_shown_to_nobody(self, api_client, make_staff, published):
        services.recommendation_archive(recommendation=published)
        assert api_client.get("/api/v1/recommendations/").json()["results"] == []
        assert as_user(make_staff("Viewer")).get(rec_url(published)).status_code == 404
        assert api_client.get("/api/v1/status-updates/").json()["results"] == []


class TestOptimisticLocking:
    def test_detail_carries_the_version_as_etag(self, api_client, published):
        response = api_client.get(rec_url(published))
        assert response["ETag"] == f'"{published.version}"'

    def test_patch_without_if_match_is_refused(self, make_staff, published):
        response = as_user(make_staff("Reviewer")).patch(rec_url(published), {"title": "New"}, format="json")
        assert response.status_code == 428
        assert "If-Match" in response.json()["detail"]
        assert Recommendation.objects.get(pk=published.pk).title == published.title

    def test_two_clients_edit_with_the_same_etag_the_second_gets_412(self, make_staff, published):
        alice, bob = as_user(make_staff("Reviewer", "alice")), as_user(make_staff("Reviewer", "bob"))
        alice_etag = alice.get(rec_url(published))["ETag"]
        bob_etag = bob.get(rec_url(published))["ETag"]
        saved = alice.patch(rec_url(published), {"title": "Alice's"}, format="json", HTTP_IF_MATCH=alice_etag)
        assert saved.status_code == 200, saved.json()
        assert saved["ETag"] == '"2"' and saved.json()["title"] == "Alice's"
        refused = bob.patch(rec_url(published), {"title": "Bob's"}, format="json", HTTP_IF_MATCH=bob_etag)
        assert refused.status_code == 412
        assert "changed since you read it" in refused.json()["detail"]
        assert Recommendation.objects.get(pk=published.pk).title == "Alice's"
        again = bob.patch(rec_url(published), {"title": "Bob's"}, format="json", HTTP_IF_MATCH=saved["ETag"])
        assert again.status_code == 200

    def test_status_update_patch_moves_the_current_status(self, make_staff, published):
        update = published.status_updates.get()
        client = as_user(make_staff("Reviewer"))
        etag = client.get(update_url(update))["ETag"]
        response = client.patch(update_url(update), {"status": "stalled"}, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == 200, response.json()
        published.refresh_from_db()
        assert published.current_status == "stalled"
        stale = client.patch(update_url(update), {"status": "regressed"}, format="json", HTTP_IF_MATCH=etag)
        assert stale.status_code == 412
        assert StatusUpdate.objects.get(pk=update.pk).status == "stalled"

    def test_patch_changes_themes_by_slug_and_validates(self, make_staff, published):
        from tests.factories import ThemeFactory

        ThemeFactory(slug="torture")
        client = as_user(make_staff("Reviewer"))
        etag = client.get(rec_url(published))["ETag"]
        bad = client.patch(rec_url(published), {"themes": ["nope"]}, format="json", HTTP_IF_MATCH=etag)
        assert bad.status_code == 400 and "themes" in bad.json()
        nul = client.patch(rec_url(published), {"themes": ["tor\x00ture"]}, format="json", HTTP_IF_MATCH=etag)
        assert nul.status_code == 400 and "themes.0" in nul.json()
        ok = client.patch(rec_url(published), {"themes": ["torture"]}, format="json", HTTP_IF_MATCH=etag)
        assert [t["slug"] for t in ok.json()["themes"]] == ["torture"]
        model_error = client.patch(
            rec_url(published), {"due_on": "2000-01-01"}, format="json", HTTP_IF_MATCH=ok["ETag"]
        )
        assert model_error.status_code == 400
        assert "before the date it was made" in str(model_error.json())


class TestPermissions:
    def test_anonymous_and_viewers_cannot_change(self, api_client, make_staff, published):
        assert api_client.patch(rec_url(published), {"title": "x"}, format="json").status_code == 401
        viewer = as_user(make_staff("Viewer"))
        assert viewer.patch(rec_url(published), {"title": "x"}, format="json", HTTP_IF_MATCH='"1"').status_code == 403

    def test_an_editor_cannot_change_what_is_published(self, make_staff, published):
        response = as_user(make_staff("Editor")).patch(
            rec_url(published), {"title": "x"}, format="json", HTTP_IF_MATCH=f'"{published.version}"'
        )
        assert response.status_code == 403
        assert "only a reviewer can change" in response.json()["detail"]

    def test_an_editor_cannot_publish_a_reviewer_can(self, make_staff, draft_update):
        editor = as_user(make_staff("Editor"))
        assert editor.post(update_url(draft_update, "publish")).status_code == 403
        reviewer = as_user(make_staff("Reviewer"))
        stale = reviewer.post(update_url(draft_update, "publish"), HTTP_IF_MATCH='"99"')
        assert stale.status_code == 412
        response = reviewer.post(update_url(draft_update, "publish"))
        assert response.status_code == 200
        assert response.json()["review_state"] == "published"
        draft_update.recommendation.refresh_from_db()
        assert draft_update.recommendation.current_status == "implemented"
        withdrawn = reviewer.post(update_url(draft_update, "unpublish"))
        assert withdrawn.json()["review_state"] == "draft"

    def test_posting_with_publish_needs_a_reviewer(self, make_staff, published):
        document = published.status_updates.get().citations.get().document
        payload = {
            "recommendation": published.pk,
            "status": "implemented",
            "as_of": "2022-01-01",
            "summary": "Done.",
            "citations": [{"document": document.external_id, "quote": "In April the parliament adopted the law."}],
            "publish": True,
        }
        assert as_user(make_staff("Editor")).post("/api/v1/status-updates/", payload, format="json").status_code == 403
        # Recording and publishing at once is reviewing one's own work: refused unless allowed.
        reviewer = as_user(make_staff("Reviewer"))
        response = reviewer.post("/api/v1/status-updates/", payload, format="json")
        assert response.status_code == 403
        assert "another reviewer must confirm" in response.json()["detail"]
        with override_settings(ALLOW_SELF_REVIEW=True):
            response = reviewer.post("/api/v1/status-updates/", payload, format="json")
        assert response.status_code == 201
        assert response.json()["self_reviewed"] is True
        published.refresh_from_db()
        assert published.current_status == "implemented"

    def test_recommendations_are_archived_never_deleted(self, make_staff, published):
        reviewer = as_user(make_staff("Reviewer"))
        assert reviewer.delete(rec_url(published)).status_code in (403, 405)
        assert as_user(make_staff("Editor")).post(rec_url(published, "archive")).status_code == 403
        assert reviewer.post(rec_url(published, "archive")).status_code == 200
        assert Recommendation.objects.get(pk=published.pk).archived_at is not None


class TestStateUnderReview:
    """Curated Kazakhstan data and imported UPR rows, side by side (issue 5's linking)."""

    @pytest.fixture
    def both(self, seeded):
        from pathlib import Path

        from recommendations.importers import import_file

        sample = (Path(__file__).parent / "data" / "upr-sample-macroman.csv").read_bytes()
        return import_file(content=sample, publish=True)

    def test_filters_curated_and_imported_rows_by_state_under_review(self, api_client, both):
        curated = Recommendation.objects.public().for_state_under_review("KZ").exclude(mechanism="upr").count()
        imported = Recommendation.objects.public().for_state_under_review("KZ").filter(mechanism="upr").count()
        assert curated >= 20 and imported >= 1
        response = api_client.get("/api/v1/recommendations/", {"state_under_review": "KZ", "page_size": 500})
        assert response.json()["count"] == curated + imported
        by_slug = api_client.get("/api/v1/recommendations/", {"state_under_review": "kazakhstan", "page_size": 1})
        assert by_slug.json()["count"] == curated + imported
        upr_only = api_client.get("/api/v1/recommendations/", {"state_under_review": "KZ", "mechanism": "upr"})
        assert upr_only.json()["count"] == imported

    def test_unknown_state_is_a_400(self, api_client, both):
        response = api_client.get("/api/v1/recommendations/", {"state_under_review": "XX"})
        assert response.status_code == 400
        assert "No state with country code or actor slug “XX”" in str(response.json())

    def test_stats_count_curated_and_imported_rows_together(self, api_client, both):
        stats = api_client.get("/api/v1/stats/", {"state_under_review": "KZ", "group_by": "mechanism"}).json()
        groups = {group["key"]: group["total"] for group in stats["groups"]}
        assert (
            groups["upr"]
            == Recommendation.objects.public().for_state_under_review("KZ").filter(mechanism="upr").count()
        )
        assert stats["overall"]["total"] == sum(groups.values())
