"""Publishing confirms each citation as supporting its claim, by someone other than its editor
(unless ALLOW_SELF_REVIEW); a reviewer can send a row back with a note instead."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from recommendations import services
from recommendations.models import Citation, ImplementationStatus, Recommendation, StatusUpdate
from recommendations.seeds import SEED_CONFIRMATION
from tests.factories import RecommendationFactory, SourceDocumentFactory, record_status

pytestmark = pytest.mark.django_db


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def editor_draft(recommendation, make_staff):
    """A draft status update with two citations, recorded by an editor."""
    document = SourceDocumentFactory()
    return services.status_update_record(
        recommendation=recommendation,
        status=ImplementationStatus.STALLED,
        as_of=datetime.date(2020, 1, 1),
        summary="Observers say the reform stalled.",
        citations=[
            services.CitationInput(document=document, quote="the reform had stalled"),
            services.CitationInput(document=document, quote="In April the parliament adopted the law."),
        ],
        recorded_by=make_staff("Editor"),
    )


class TestService:
    def test_publishing_confirms_every_citation_by_the_reviewer(self, editor_draft, make_staff):
        reviewer = make_staff("Reviewer")
        services.status_update_publish(status_update=editor_draft, user=reviewer)
        citations = list(editor_draft.citations.all())
        assert len(citations) == 2
        assert all(c.confirmed_by == reviewer and c.confirmed_at is not None for c in citations)
        assert not editor_draft.self_reviewed

    def test_the_editor_cannot_publish_their_own_update(self, editor_draft, make_staff, django_user_model):
        from django.contrib.auth.models import Group

        editor = editor_draft.recorded_by
        editor.groups.add(Group.objects.get(name="Reviewer"))  # a reviewer now, but it is still their own work
        editor = django_user_model.objects.get(pk=editor.pk)
        with pytest.raises(PermissionDenied, match="another reviewer must confirm"):
            services.status_update_publish(status_update=editor_draft, user=editor)
        editor_draft.refresh_from_db()
        assert editor_draft.review_state == "draft"
        assert not Citation.objects.filter(confirmed_at__isnull=False).exists()

    @override_settings(ALLOW_SELF_REVIEW=True)
    def test_the_setting_allows_self_review_and_marks_it(self, editor_draft, django_user_model):
        from django.contrib.auth.models import Group

        editor = editor_draft.recorded_by
        editor.groups.add(Group.objects.get(name="Reviewer"))
        editor = django_user_model.objects.get(pk=editor.pk)
        services.status_update_publish(status_update=editor_draft, user=editor)
        editor_draft.refresh_from_db()
        assert (editor_draft.review_state, editor_draft.self_reviewed) == ("published", True)

    def test_recommendations_follow_the_same_rule(self, make_staff):
        editor, reviewer = make_staff("Editor"), make_staff("Reviewer")
        recommendation = services.recommendation_create(
            user=reviewer, title="Amend article 174", text="Amend it.", **_actors()
        )
        services.citation_create(
            document=SourceDocumentFactory(), quote="the reform had stalled", recommendation=recommendation
        )
        assert recommendation.created_by == reviewer
        with pytest.raises(PermissionDenied):
            services.recommendation_publish(recommendation=recommendation, user=reviewer)
        other = make_staff("Reviewer", username="second-reviewer")
        services.recommendation_publish(recommendation=recommendation, user=other)
        assert recommendation.citations.get().confirmed_by == other
        assert editor is not None

    def test_evidence_changed_since_review_is_refused(self, editor_draft, make_staff):
        seen = {c.pk for c in editor_draft.citations.all()}
        services.citation_create(
            document=SourceDocumentFactory(), quote="the reform had stalled", status_update=editor_draft
        )
        with pytest.raises(ValidationError, match="changed after you reviewed it"):
            services.status_update_publish(status_update=editor_draft, user=make_staff("Reviewer"), citations_seen=seen)
        assert StatusUpdate.objects.get(pk=editor_draft.pk).review_state == "draft"

    def test_withdrawing_clears_the_confirmations(self, editor_draft, make_staff):
        reviewer = make_staff("Reviewer")
        services.status_update_publish(status_update=editor_draft, user=reviewer)
        services.status_update_unpublish(status_update=editor_draft, user=reviewer)
        assert not editor_draft.citations.filter(confirmed_at__isnull=False).exists()
        # Confirming was recorded in the history all the same.
        assert Citation.history.filter(status_update_id=editor_draft.pk, confirmed_by=reviewer).exists()

    def test_sending_back_returns_a_published_update_to_draft_with_the_note(self, editor_draft, make_staff):
        reviewer = make_staff("Reviewer")
        services.status_update_publish(status_update=editor_draft, user=reviewer)
        assert editor_draft.recommendation.current_status == "stalled"
        wrong = editor_draft.citations.order_by("pk").last()
        services.status_update_send_back(
            status_update=editor_draft,
            user=reviewer,
            note="The law's adoption says nothing of a stall.",
            citations=[wrong],
        )
        editor_draft.refresh_from_db()
        assert editor_draft.review_state == "draft"
        assert editor_draft.sent_back_by == reviewer
        assert f"citation {wrong.pk}" in editor_draft.sent_back_note
        assert "says nothing of a stall" in editor_draft.sent_back_note
        assert Recommendation.objects.get(pk=editor_draft.recommendation_id).current_status == ""
        with pytest.raises(ValidationError, match="Say why"):
            services.status_update_send_back(status_update=editor_draft, user=reviewer, note="  ")

    def test_the_seed_load_confirms_with_its_marker(self, seeded):
        citations = Citation.objects.filter(status_update__review_state="published")
        assert citations.exists()
        assert set(citations.values_list("confirmed_by_process", flat=True)) == {SEED_CONFIRMATION}
        assert not citations.filter(confirmed_at__isnull=True).exists()
        own = Citation.objects.filter(recommendation__isnull=False)
        assert not own.filter(confirmed_at__isnull=True).exists()


def _actors():
    recommendation = RecommendationFactory.build()
    recommendation.made_by.save()
    recommendation.addressed_to.save()
    return {"made_by": recommendation.made_by, "addressed_to": recommendation.addressed_to}


class TestAdminPublishScreen:
    def changelist(self):
        return reverse("admin:recommendations_statusupdate_changelist")

    def test_shows_each_quote_beside_the_claim(self, client_as, editor_draft, django_assert_max_num_queries):
        client = client_as("Reviewer")
        page = client.post(self.changelist(), {"action": "publish", "_selected_action": [editor_draft.pk]})
        html = page.content.decode()
        assert page.status_code == 200
        assert "Observers say the reform stalled." in html and "Stalled" in html
        for citation in editor_draft.citations.all():
            assert f'name="reject-{citation.pk}"' in html
            assert citation.quote in html
        # The screen's cost does not grow with the number of rows shown.
        more = [
            record_status(RecommendationFactory(), "stalled", datetime.date(2020, 1, 1), publish=False).pk
            for _ in range(5)
        ]
        with django_assert_max_num_queries(12) as few:
            client.post(self.changelist(), {"action": "publish", "_selected_action": [editor_draft.pk]})
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.post(self.changelist(), {"action": "publish", "_selected_action": [editor_draft.pk, *more]})

    def test_confirm_publishes_and_records_the_reviewer(self, client_as, editor_draft):
        client = client_as("Reviewer")
        ids = ",".join(str(c.pk) for c in editor_draft.citations.all())
        response = client.post(
            self.changelist(),
            {
                "action": "publish",
                "_selected_action": [editor_draft.pk],
                "review": "done",
                f"evidence-{editor_draft.pk}": ids,
            },
            follow=True,
        )
        assert "Of 1 status update: 1 published." in response.content.decode()
        editor_draft.refresh_from_db()
        assert editor_draft.review_state == "published"
        assert {c.confirmed_by.username for c in editor_draft.citations.all()} == {"reviewer"}

    def test_does_not_support_sends_it_back_with_a_note_the_editor_sees(self, client_as, editor_draft):
        wrong = editor_draft.citations.order_by("pk").last()
        data = {
            "action": "publish",
            "_selected_action": [editor_draft.pk],
            "review": "done",
            f"evidence-{editor_draft.pk}": ",".join(str(c.pk) for c in editor_draft.citations.all()),
            f"reject-{wrong.pk}": "on",
        }
        reviewer = client_as("Reviewer")
        without_note = reviewer.post(self.changelist(), data)
        assert without_note.status_code == 200
        assert "Say why the marked quotes do not support the claim" in without_note.content.decode()
        assert StatusUpdate.objects.get(pk=editor_draft.pk).sent_back_note == ""
        response = reviewer.post(self.changelist(), {**data, f"note-{editor_draft.pk}": "Adoption is not a stall."})
        assert response.status_code == 302
        editor_draft.refresh_from_db()
        assert editor_draft.review_state == "draft"
        assert "Adoption is not a stall." in editor_draft.sent_back_note
        reviewer.logout()
        page = client_as("Editor").get(reverse("admin:recommendations_statusupdate_change", args=[editor_draft.pk]))
        html = page.content.decode()
        assert "Sent back by a reviewer" in html and "Adoption is not a stall." in html

    def test_publishing_from_the_change_page(self, client_as, editor_draft):
        client = client_as("Reviewer")
        change = client.get(reverse("admin:recommendations_statusupdate_change", args=[editor_draft.pk]))
        review_url = reverse("admin:recommendations_statusupdate_review", args=[editor_draft.pk])
        assert review_url in change.content.decode()
        screen = client.get(review_url)
        assert editor_draft.citations.first().quote in screen.content.decode()
        ids = ",".join(str(c.pk) for c in editor_draft.citations.all())
        response = client.post(review_url, {"review": "done", f"evidence-{editor_draft.pk}": ids})
        assert response["Location"] == reverse("admin:recommendations_statusupdate_change", args=[editor_draft.pk])
        assert StatusUpdate.objects.get(pk=editor_draft.pk).review_state == "published"

    def test_editors_cannot_open_the_screen(self, client_as, editor_draft):
        client = client_as("Editor")
        assert (
            client.get(reverse("admin:recommendations_statusupdate_review", args=[editor_draft.pk])).status_code == 403
        )

    def test_own_work_is_reported_not_published(self, admin_client, admin_user, recommendation):
        own = record_status(recommendation, "stalled", datetime.date(2020, 1, 1), publish=False, recorded_by=admin_user)
        ids = ",".join(str(c.pk) for c in own.citations.all())
        response = admin_client.post(
            self.changelist(),
            {"action": "publish", "_selected_action": [own.pk], "review": "done", f"evidence-{own.pk}": ids},
            follow=True,
        )
        assert "another reviewer must confirm" in response.content.decode()
        assert StatusUpdate.objects.get(pk=own.pk).review_state == "draft"


def test_recommendations_are_published_through_the_same_screen(client_as, make_staff):
    editor = make_staff("Editor")
    draft = services.recommendation_create(user=editor, title="Amend article 174", text="Amend it now.", **_actors())
    citation = services.citation_create(
        document=SourceDocumentFactory(), quote="the reform had stalled", recommendation=draft
    )
    changelist = reverse("admin:recommendations_recommendation_changelist")
    reviewer = client_as("Reviewer")
    screen = reviewer.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    assert "Amend it now." in screen.content.decode() and citation.quote in screen.content.decode()
    response = reviewer.post(
        changelist,
        {"action": "publish", "_selected_action": [draft.pk], "review": "done", f"evidence-{draft.pk}": citation.pk},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.review_state == "published"
    assert draft.citations.get().confirmed_by.username == "reviewer"


class TestApi:
    def test_shows_confirmation_per_citation_to_staff_and_when_to_the_public(
        self, editor_draft, make_staff, api_client
    ):
        services.status_update_publish(status_update=editor_draft, user=make_staff("Reviewer"))
        staff = as_user(make_staff("Viewer")).get(f"/api/v1/status-updates/{editor_draft.pk}/").json()
        public = api_client.get(f"/api/v1/status-updates/{editor_draft.pk}/").json()
        for citation in staff["citations"]:
            assert citation["confirmed_by"] == "reviewer"
            assert citation["confirmed_at"] is not None
            stored = Citation.objects.get(pk=citation["id"])
            assert (citation["quote_start"], citation["quote_end"]) == (stored.quote_start, stored.quote_end)
        for citation in public["citations"]:
            assert citation["confirmed_by"] is None  # staff names are not published
            assert citation["confirmed_at"] is not None
        assert public["self_reviewed"] is False

    def test_publish_confirms_and_refuses_the_editor(self, editor_draft, make_staff):
        url = f"/api/v1/status-updates/{editor_draft.pk}/publish/"
        from django.contrib.auth.models import Group

        editor = editor_draft.recorded_by
        editor.groups.add(Group.objects.get(name="Reviewer"))
        assert as_user(editor).post(url).status_code == 403
        reviewer = as_user(make_staff("Reviewer"))
        stale = reviewer.post(url, {"citations": [editor_draft.citations.first().pk]}, format="json")
        assert stale.status_code == 400 and "changed after you reviewed it" in stale.json()["citations"][0]
        ids = [c.pk for c in editor_draft.citations.all()]
        response = reviewer.post(url, {"citations": ids}, format="json")
        assert response.status_code == 200
        assert {c["confirmed_by"] for c in response.json()["citations"]} == {"reviewer"}
        assert response.json()["review_state"] == "published"

    def test_send_back_with_a_note(self, editor_draft, make_staff):
        url = f"/api/v1/status-updates/{editor_draft.pk}/send-back/"
        wrong = editor_draft.citations.order_by("pk").last()
        reviewer = as_user(make_staff("Reviewer"))
        assert reviewer.post(url, {"citations": [wrong.pk]}, format="json").status_code == 400
        assert reviewer.post(url, {"note": "x", "citations": [987654]}, format="json").status_code == 400
        assert as_user(make_staff("Editor")).post(url, {"note": "No."}, format="json").status_code == 403
        response = reviewer.post(url, {"note": "Adoption is not a stall.", "citations": [wrong.pk]}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["review_state"] == "draft"
        assert "Adoption is not a stall." in body["sent_back_note"] and f"citation {wrong.pk}" in body["sent_back_note"]

    @override_settings(ALLOW_SELF_REVIEW=True)
    def test_self_review_is_shown(self, make_staff, recommendation, api_client):
        reviewer = make_staff("Reviewer")
        update = record_status(recommendation, "stalled", datetime.date(2020, 1, 1), publish=True, recorded_by=reviewer)
        assert api_client.get(f"/api/v1/status-updates/{update.pk}/").json()["self_reviewed"] is True
        history = api_client.get(f"/api/v1/recommendations/{recommendation.pk}/").json()["status_history"]
        assert [entry["self_reviewed"] for entry in history] == [True]

    def test_recommendation_detail_query_count_is_fixed(self, api_client, recommendation, make_staff):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        reviewer = make_staff("Reviewer")
        counts = []
        for day in range(1, 6):
            update = record_status(recommendation, "stalled", datetime.date(2020, 1, day), publish=False)
            services.status_update_publish(status_update=update, user=reviewer)
            with CaptureQueriesContext(connection) as queries:
                response = api_client.get(f"/api/v1/recommendations/{recommendation.pk}/")
            assert all(c["confirmed_at"] for entry in response.json()["status_history"] for c in entry["citations"])
            counts.append(len(queries))
        assert len(set(counts)) == 1, counts
