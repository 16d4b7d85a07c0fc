"""Cited documents cannot be deleted, recommendations are archived not deleted, and a dump of
the database loads back into an empty one unchanged."""

import datetime
import json
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.db.models import ProtectedError
from django.urls import reverse

from recommendations import services
from recommendations.models import ImplementationStatus, Recommendation, SourceDocument
from tests.factories import SourceDocumentFactory, record_status

pytestmark = pytest.mark.django_db


def test_cited_document_cannot_be_deleted(admin_client, recommendation):
    update = record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
    document = update.citations.get().document
    with pytest.raises(ProtectedError):
        document.delete()
    delete_url = reverse("admin:recommendations_sourcedocument_delete", args=[document.pk])
    page = admin_client.get(delete_url)
    assert page.status_code == 200
    assert "would require deleting the following protected related objects" in page.content.decode()
    admin_client.post(delete_url, {"post": "yes"})
    assert SourceDocument.objects.filter(pk=document.pk).exists()


def test_uncited_document_can_be_deleted_by_an_editor(client_as):
    document = SourceDocumentFactory()
    client = client_as("Editor")
    response = client.post(reverse("admin:recommendations_sourcedocument_delete", args=[document.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not SourceDocument.objects.filter(pk=document.pk).exists()


def test_nobody_deletes_a_recommendation_in_the_admin(admin_client, recommendation):
    delete_url = reverse("admin:recommendations_recommendation_delete", args=[recommendation.pk])
    assert admin_client.get(delete_url).status_code == 403
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = admin_client.get(reverse("admin:recommendations_recommendation_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert Recommendation.objects.filter(pk=recommendation.pk).exists()


def test_archive_hides_and_restore_brings_back(client_as, recommendation):
    client = client_as("Reviewer")
    changelist = reverse("admin:recommendations_recommendation_changelist")
    client.post(changelist, {"action": "archive", "_selected_action": [recommendation.pk]})
    recommendation.refresh_from_db()
    assert recommendation.archived_at is not None
    assert recommendation.archived_by.username == "reviewer"
    assert not Recommendation.objects.public().filter(pk=recommendation.pk).exists()
    assert titles(client.get(changelist, {"archived": "yes"})) == [recommendation.title]
    client.post(changelist, {"action": "restore", "_selected_action": [recommendation.pk]})
    recommendation.refresh_from_db()
    assert recommendation.archived_at is None
    assert Recommendation.objects.public().filter(pk=recommendation.pk).exists()


def test_editor_cannot_archive(client_as, recommendation):
    client = client_as("Editor")
    client.post(
        reverse("admin:recommendations_recommendation_changelist"),
        {"action": "archive", "_selected_action": [recommendation.pk]},
    )
    recommendation.refresh_from_db()
    assert recommendation.archived_at is None


def titles(response):
    return [obj.title for obj in response.context["cl"].result_list]


def dump(fmt="yaml"):
    """A full dump as `dumpdata` writes it. YAML keeps timestamps to the microsecond; Django's JSON
    serializer rounds them to the millisecond, so a JSON backup is not an exact copy."""
    out = StringIO()
    call_command(
        "dumpdata",
        f"--format={fmt}",
        "--natural-foreign",
        "--natural-primary",
        "--exclude=contenttypes",
        "--exclude=auth.permission",
        "--exclude=sessions",
        "--exclude=admin.logentry",
        stdout=out,
    )
    return json.loads(out.getvalue()) if fmt == "json" else out.getvalue()


@pytest.mark.django_db(transaction=True)  # flush truncates tables: not inside a test transaction
def test_dumpdata_then_loaddata_into_an_empty_database_gives_back_the_same_data(tmp_path, django_user_model):
    call_command("load_seeds", stdout=StringIO())
    reviewer = django_user_model.objects.create_superuser("reviewer", password="a long test passphrase")
    seeded = Recommendation.objects.get(external_id="seed:tokayev-protest-law-reform")
    draft = record_status(
        seeded, ImplementationStatus.STALLED, datetime.date(2020, 6, 1), publish=False, recorded_by=reviewer
    )
    services.status_update_change(status_update=draft, expected_version=1, user=reviewer, summary="Edited")
    services.recommendation_archive(recommendation=Recommendation.objects.get(pk=seeded.pk), user=reviewer)
    before = dump()
    assert {row["model"] for row in yaml.safe_load(before)} >= {
        "recommendations.recommendation",
        "recommendations.historicalrecommendation",
        "recommendations.statusupdate",
        "recommendations.citation",
        "recommendations.sourcedocument",
        "auth.group",
    }
    path = tmp_path / "tracker.yaml"
    path.write_text(before, encoding="utf-8")

    # An empty database as `migrate` leaves it: tables, content types, permissions and roles, no data.
    call_command("flush", interactive=False)
    assert not Recommendation.objects.exists()
    assert not django_user_model.objects.exists()
    call_command("loaddata", str(path), stdout=StringIO())

    assert dump() == before
    restored = Recommendation.objects.get(external_id="seed:tokayev-protest-law-reform")
    assert restored.archived_at is not None
    assert restored.status_updates.get(summary="Edited").review_state == "draft"
