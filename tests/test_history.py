"""Every change is kept (who, when, what) and an earlier version can be restored."""

import datetime

import pytest
from django.urls import reverse

from recommendations import services
from recommendations.models import Citation, ImplementationStatus, Recommendation, SourceDocument, StatusUpdate
from tests.admin_forms import admin_form_data
from tests.factories import record_status

pytestmark = pytest.mark.django_db


def change_url(obj):
    return reverse(f"admin:recommendations_{obj._meta.model_name}_change", args=[obj.pk])


def test_admin_edit_is_recorded_with_who_and_what(admin_client, admin_user, recommendation):
    page = admin_client.get(change_url(recommendation))
    response = admin_client.post(change_url(recommendation), admin_form_data(page, title="Amend article 174 now"))
    assert response.status_code == 302
    latest, previous = recommendation.history.all()[:2]
    assert latest.history_user == admin_user
    assert latest.history_type == "~"
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes if c.field == "title"] == [
        ("title", recommendation.title, "Amend article 174 now")
    ]


def test_history_page_lists_the_changes(admin_client, recommendation):
    page = admin_client.get(change_url(recommendation))
    admin_client.post(change_url(recommendation), admin_form_data(page, title="Second title"))
    history = admin_client.get(change_url(recommendation).replace("/change/", "/history/"))
    assert history.status_code == 200
    content = history.content.decode()
    assert "Second title" in content and recommendation.title in content


def test_an_earlier_version_can_be_restored(admin_client, recommendation):
    original_title, original_text = recommendation.title, recommendation.text
    page = admin_client.get(change_url(recommendation))
    admin_client.post(change_url(recommendation), admin_form_data(page, title="Wrong title", text="Wrong text"))
    services.recommendation_archive(recommendation=Recommendation.objects.get(pk=recommendation.pk))
    original = recommendation.history.earliest()
    revert_url = reverse(
        "admin:recommendations_recommendation_simple_history", args=[recommendation.pk, original.history_id]
    )
    revert_page = admin_client.get(revert_url)
    assert revert_page.status_code == 200
    response = admin_client.post(revert_url, admin_form_data(revert_page))
    assert response.status_code == 302, response.context["adminform"].form.errors
    restored = Recommendation.objects.get(pk=recommendation.pk)
    assert (restored.title, restored.text) == (original_title, original_text)
    # Restoring content does not undo review or archiving, and it is itself a new version.
    assert restored.archived_at is not None
    assert restored.review_state == "published"
    assert restored.version == 4
    assert restored.history.count() == 4


def test_status_updates_citations_and_documents_keep_history(recommendation, django_user_model):
    user = django_user_model.objects.create_superuser("reviewer", password="a long test passphrase")
    update = record_status(
        recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1), recorded_by=user, publish=False
    )
    citation = update.citations.get()
    services.status_update_change(status_update=update, expected_version=update.version, user=user, summary="Reworded")
    assert [h.history_type for h in StatusUpdate.history.filter(id=update.pk).order_by("history_id")] == ["+", "~"]
    assert StatusUpdate.history.filter(id=update.pk).latest().history_user == user
    assert Citation.history.filter(id=citation.pk, history_type="+").get().history_user == user
    assert SourceDocument.history.filter(id=citation.document_id).exists()


def test_deleted_status_update_stays_in_history(recommendation):
    update = record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
    update_id, quote = update.pk, update.citations.get().quote
    services.status_update_delete(status_update=update)
    assert not StatusUpdate.objects.filter(pk=update_id).exists()
    assert StatusUpdate.history.filter(id=update_id, history_type="-").exists()
    assert Citation.history.filter(status_update_id=update_id, history_type="-").get().quote == quote
