"""Review before publication and the four roles, in the service layer and in the admin."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from recommendations import services
from recommendations.models import Citation, ImplementationStatus, Recommendation, StatusUpdate
from recommendations.roles import roles_sync
from tests.factories import RecommendationFactory, record_status

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:recommendations_{model._meta.model_name}_{view}", args=args)


def group_codenames(name):
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


class TestRoles:
    def test_migrate_creates_the_four_roles(self):
        assert set(Group.objects.values_list("name", flat=True)) >= {"Viewer", "Editor", "Reviewer", "Administrator"}

    def test_each_role_has_exactly_what_it_needs(self):
        Group.objects.all().delete()
        roles_sync()  # what the sync builds now, not what migrate left
        viewer, editor, reviewer = group_codenames("Viewer"), group_codenames("Editor"), group_codenames("Reviewer")
        assert "view_recommendation" in viewer
        assert not {c for c in viewer if not c.startswith("view_")}
        assert {"add_statusupdate", "change_recommendation", "add_sourcedocument"} <= editor
        assert not editor & {"publish_statusupdate", "publish_recommendation", "archive_recommendation"}
        assert reviewer == editor | {"publish_statusupdate", "publish_recommendation", "archive_recommendation"}
        assert "delete_recommendation" not in reviewer | group_codenames("Administrator")
        assert {"add_user", "change_group"} <= group_codenames("Administrator")

    def test_setup_roles_repairs_a_changed_role(self):
        Group.objects.get(name="Editor").permissions.clear()
        Group.objects.get(name="Viewer").delete()
        call_command("setup_roles", stdout=None)
        assert "add_statusupdate" in group_codenames("Editor")
        assert Group.objects.filter(name="Viewer").exists()

    def test_a_missing_permission_is_named(self):
        from recommendations.roles import _permissions

        with pytest.raises(LookupError) as error:
            _permissions("recommendations", ["publish_recommendation", "fly_recommendation"])
        assert str(error.value) == "Permissions missing (run migrate first): fly_recommendation"

    def test_sync_is_idempotent(self):
        before = {g.name: group_codenames(g.name) for g in Group.objects.all()}
        roles_sync()
        assert {g.name: group_codenames(g.name) for g in Group.objects.all()} == before


def test_the_editor_fixture_and_the_editor_role_are_different_users(editor, make_staff):
    """The ``editor`` fixture may only record status updates; the Editor role may do much more."""
    role = make_staff("Editor")
    assert editor != role
    assert editor.has_perm("recommendations.add_statusupdate")
    assert not editor.has_perm("recommendations.change_recommendation")
    assert role.has_perm("recommendations.change_recommendation")


class TestReviewInServices:
    def test_new_items_are_drafts_and_count_only_when_published(self, make_staff):
        editor, reviewer = make_staff("Editor"), make_staff("Reviewer")
        recommendation = services.recommendation_create(
            user=editor,
            title="Amend article 174",
            text="Amend it.",
            made_by=RecommendationFactory().made_by,
            addressed_to=RecommendationFactory().addressed_to,
        )
        assert recommendation.review_state == "draft"
        assert not Recommendation.objects.public().filter(pk=recommendation.pk).exists()
        update = record_status(
            recommendation,
            ImplementationStatus.IN_PROGRESS,
            datetime.date(2020, 1, 1),
            publish=False,
            recorded_by=editor,
        )
        recommendation.refresh_from_db()
        assert recommendation.current_status == ""

        services.recommendation_publish(recommendation=recommendation, user=reviewer)
        services.status_update_publish(status_update=update, user=reviewer)
        recommendation.refresh_from_db()
        update.refresh_from_db()
        assert recommendation.review_state == "published"
        assert (update.published_by, update.published_at is not None) == (reviewer, True)
        assert recommendation.current_status == ImplementationStatus.IN_PROGRESS

    def test_withdrawing_a_mistaken_publication_restores_the_previous_status(self, recommendation, make_staff):
        reviewer = make_staff("Reviewer")
        record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
        mistake = record_status(recommendation, ImplementationStatus.IMPLEMENTED, datetime.date(2021, 1, 1))
        services.status_update_unpublish(status_update=mistake, user=reviewer)
        recommendation.refresh_from_db()
        assert recommendation.current_status == ImplementationStatus.IN_PROGRESS
        assert StatusUpdate.objects.get(pk=mistake.pk).review_state == "draft"

    def test_editor_cannot_publish(self, recommendation, make_staff):
        editor = make_staff("Editor")
        draft = record_status(
            recommendation, ImplementationStatus.IMPLEMENTED, datetime.date(2021, 1, 1), publish=False
        )
        with pytest.raises(PermissionDenied, match="Only a reviewer can publish"):
            services.status_update_publish(status_update=draft, user=editor)
        with pytest.raises(PermissionDenied):
            record_status(
                recommendation,
                ImplementationStatus.IMPLEMENTED,
                datetime.date(2021, 1, 1),
                recorded_by=editor,
                publish=True,
            )
        with pytest.raises(PermissionDenied):
            services.recommendation_archive(recommendation=recommendation, user=editor)
        assert StatusUpdate.objects.filter(review_state="published").count() == 0

    def test_editor_cannot_change_or_delete_published_rows_but_can_their_drafts(self, recommendation, make_staff):
        editor = make_staff("Editor")
        published = record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
        with pytest.raises(PermissionDenied, match="is published"):
            services.status_update_change(
                status_update=published, expected_version=published.version, user=editor, summary="Changed"
            )
        with pytest.raises(PermissionDenied):
            services.status_update_delete(status_update=published, user=editor)
        with pytest.raises(PermissionDenied):
            services.recommendation_change(
                recommendation=recommendation, expected_version=recommendation.version, user=editor, title="Changed"
            )
        draft = record_status(recommendation, ImplementationStatus.STALLED, datetime.date(2021, 1, 1), publish=False)
        services.status_update_change(
            status_update=draft, expected_version=draft.version, user=editor, summary="Fixed a typo"
        )
        assert StatusUpdate.objects.get(pk=draft.pk).summary == "Fixed a typo"


class TestReviewInAdmin:
    @pytest.fixture
    def draft_update(self, recommendation):
        return record_status(recommendation, ImplementationStatus.IMPLEMENTED, datetime.date(2021, 1, 1), publish=False)

    def test_drafts_are_marked_in_the_lists(self, client_as, draft_update):
        response = client_as("Viewer").get(url(StatusUpdate, "changelist"))
        assert response.status_code == 200
        assert "Draft" in response.content.decode()
        response = client_as("Viewer").get(url(Recommendation, "change", draft_update.recommendation_id))
        assert "drafts do not count until published" in response.content.decode()

    def test_editor_is_not_offered_publish_and_cannot_post_it(self, client_as, draft_update):
        client = client_as("Editor")
        page = client.get(url(StatusUpdate, "changelist")).content.decode()
        assert 'value="publish"' not in page
        client.post(url(StatusUpdate, "changelist"), {"action": "publish", "_selected_action": [draft_update.pk]})
        draft_update.refresh_from_db()
        assert draft_update.review_state == "draft"

    def test_reviewer_publishes_from_the_list(self, client_as, draft_update):
        client = client_as("Reviewer")
        assert 'value="publish"' in client.get(url(StatusUpdate, "changelist")).content.decode()
        action = {"action": "publish", "_selected_action": [draft_update.pk]}
        screen = client.post(url(StatusUpdate, "changelist"), action)
        assert screen.status_code == 200  # the publish screen: each quote beside the claim
        draft_update.refresh_from_db()
        assert draft_update.review_state == "draft"
        citation = draft_update.citations.get()
        response = client.post(
            url(StatusUpdate, "changelist"), {**action, "review": "done", f"evidence-{draft_update.pk}": citation.pk}
        )
        assert response.status_code == 302
        draft_update.refresh_from_db()
        assert draft_update.review_state == "published"
        draft_update.recommendation.refresh_from_db()
        assert draft_update.recommendation.current_status == "implemented"

    def test_actions_count_the_selection_before_acting(self, client_as, draft_update):
        """Publishing drafts from the list filtered to drafts takes them out of the filter: the
        report still counts what was selected."""
        other = record_status(
            RecommendationFactory(), ImplementationStatus.STALLED, datetime.date(2021, 1, 1), publish=False
        )
        client = client_as("Reviewer")
        selected = [draft_update, other]

        def publish_through_the_screen(changelist):
            evidence = {f"evidence-{u.pk}": ",".join(str(c.pk) for c in u.citations.all()) for u in selected}
            data = {"action": "publish", "_selected_action": [u.pk for u in selected], "review": "done", **evidence}
            return client.post(changelist, data, follow=True)

        drafts = url(StatusUpdate, "changelist") + "?review_state__exact=draft"
        response = publish_through_the_screen(drafts)
        assert [str(m) for m in response.context["messages"]] == ["Of 2 status updates: 2 published."]
        response = client.post(
            url(Recommendation, "changelist") + "?review_state__exact=published",
            {"action": "unpublish", "_selected_action": [draft_update.recommendation_id]},
            follow=True,
        )
        assert [str(m) for m in response.context["messages"]] == ["1 of 1 selected recommendation withdrawn to draft."]
        response = publish_through_the_screen(url(StatusUpdate, "changelist"))
        assert [str(m) for m in response.context["messages"]] == [
            "Of 2 status updates: 0 published, 2 already published."
        ]

    def test_published_status_updates_cannot_be_deleted_by_editors(self, client_as, recommendation):
        published = record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
        draft = record_status(recommendation, ImplementationStatus.STALLED, datetime.date(2021, 1, 1), publish=False)
        client = client_as("Editor")
        assert client.post(url(StatusUpdate, "delete", published.pk), {"post": "yes"}).status_code == 403
        assert StatusUpdate.objects.filter(pk=published.pk).exists()
        assert client.post(url(StatusUpdate, "delete", draft.pk), {"post": "yes"}).status_code == 302
        assert not StatusUpdate.objects.filter(pk=draft.pk).exists()
        reviewer = client_as("Reviewer")
        assert reviewer.post(url(StatusUpdate, "delete", published.pk), {"post": "yes"}).status_code == 302

    def test_citations_of_published_rows_are_read_only_for_editors(self, client_as, recommendation):
        published = record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
        citation = published.citations.get()
        editor = client_as("Editor")
        page = editor.get(url(Citation, "change", citation.pk))
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert editor.post(url(Citation, "delete", citation.pk), {"post": "yes"}).status_code == 403
        assert 'name="_save"' in client_as("Reviewer").get(url(Citation, "change", citation.pk)).content.decode()

    def test_published_rows_are_read_only_for_editors(self, client_as, recommendation):
        published = record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
        client = client_as("Editor")
        page = client.get(url(StatusUpdate, "change", published.pk))
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        response = client.post(url(StatusUpdate, "change", published.pk), {"summary": "Changed"})
        assert response.status_code == 403
        assert StatusUpdate.objects.get(pk=published.pk).summary != "Changed"

    def test_inlines_under_a_published_row_are_read_only_for_editors(self, client_as, recommendation):
        editor_page = client_as("Editor").get(url(Recommendation, "change", recommendation.pk))
        inlines = editor_page.context["inline_admin_formsets"]
        assert inlines and not any(
            inline.has_add_permission or inline.has_change_permission or inline.has_delete_permission
            for inline in inlines
        )
        draft = RecommendationFactory(review_state="draft")
        draft_page = client_as("Editor").get(url(Recommendation, "change", draft.pk))
        citations = next(i for i in draft_page.context["inline_admin_formsets"] if i.formset.prefix == "citations")
        assert citations.has_add_permission and citations.has_change_permission

    def test_viewer_sees_but_cannot_add_or_change(self, client_as, recommendation):
        client = client_as("Viewer")
        assert client.get(url(Recommendation, "changelist")).status_code == 200
        assert client.get(url(Recommendation, "change", recommendation.pk)).status_code == 200
        assert client.get(url(Recommendation, "add")).status_code == 403
        assert client.get(url(StatusUpdate, "add")).status_code == 403
        response = client.post(url(Recommendation, "change", recommendation.pk), {"title": "Changed"})
        assert response.status_code == 403

    def test_editor_adds_a_draft_recommendation(self, client_as, recommendation):
        client = client_as("Editor")
        response = client.post(
            url(Recommendation, "add"),
            {
                "kind": "promise",
                "title": "A new promise",
                "text": "We will.",
                "language": "en",
                "made_by": recommendation.made_by_id,
                "addressed_to": recommendation.addressed_to_id,
                "mechanism": "national",
                "made_on_precision": "day",
                "made_on_basis": "stated",
                "due_on_precision": "day",
                "due_on_basis": "stated",
                **{
                    f"{prefix}-{key}": value
                    for prefix in ("citations", "status_updates", "links_out")
                    for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
                },
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        created = Recommendation.objects.get(title="A new promise")
        assert created.review_state == "draft"
        assert created.history.first().history_user.username == "editor"
