"""Cited text cannot change in place (service, model, bulk update, admin form, API, loaddata);
a correction is a new version; citations keep their text and move only where the quote occurs."""

import datetime
import importlib
import json
import pkgutil
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from recommendations import migrations, services
from recommendations.models import Citation, CitedTextError, ImplementationStatus, SourceDocument, text_sha256
from recommendations.quotes import quote_at
from tests.admin_forms import admin_form_data
from tests.factories import RecommendationFactory, SourceDocumentFactory, record_status, used_publicly

pytestmark = pytest.mark.django_db

QUOTE = "the reform   had stalled"


@pytest.fixture
def cited(recommendation):
    """A document and a published status update quoting it."""
    document = SourceDocumentFactory()
    update = record_status(recommendation, ImplementationStatus.STALLED, datetime.date(2020, 1, 1), document=document)
    return document, update.citations.get()


def changed_text(document):
    return document.text.replace("had stalled", "had been dropped")


def assert_unchanged(document):
    stored = SourceDocument.objects.get(pk=document.pk)
    assert "had stalled" in stored.text
    assert stored.text_sha256 == text_sha256(stored.text)


class TestCitedTextCannotChange:
    def test_service_refuses_and_says_what_to_do(self, cited):
        document, _ = cited
        with pytest.raises(ValidationError) as error:
            services.source_document_change(document=document, text=changed_text(document))
        [message] = error.value.message_dict["text"]
        assert "cannot be changed: 1 citation quote it" in message
        assert "Correct the text (new version)" in message
        assert_unchanged(document)

    def test_other_fields_still_change(self, cited):
        document, _ = cited
        services.source_document_change(document=document, title="A better title")
        assert SourceDocument.objects.get(pk=document.pk).title == "A better title"

    def test_save_refuses_without_clean(self, cited):
        document, _ = cited
        document.text = changed_text(document)
        with pytest.raises(CitedTextError):
            document.save()
        assert_unchanged(document)

    def test_bulk_update_refuses(self, cited):
        document, _ = cited
        with pytest.raises(CitedTextError):
            SourceDocument.objects.filter(pk=document.pk).update(text=changed_text(document))
        assert_unchanged(document)

    def test_an_uncited_text_can_change_and_its_hash_follows(self, document):
        SourceDocument.objects.filter(pk=document.pk).update(text="Another text.")
        document.refresh_from_db()
        assert document.text_sha256 == text_sha256("Another text.")
        services.source_document_change(document=document, text="A third text.")
        assert SourceDocument.objects.get(pk=document.pk).text_sha256 == text_sha256("A third text.")

    def test_admin_form_shows_the_refusal(self, admin_client, cited):
        document, _ = cited
        change_url = reverse("admin:recommendations_sourcedocument_change", args=[document.pk])
        page = admin_client.get(change_url)
        response = admin_client.post(change_url, admin_form_data(page, text=changed_text(document)))
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "cannot be changed" in errors["text"][0]
        assert "new version" in response.content.decode()
        assert_unchanged(document)

    def test_api_offers_no_way_to_change_a_document(self, admin_user, cited):
        document, _ = cited
        client = APIClient()
        client.force_authenticate(admin_user)
        url = f"/api/v1/documents/{document.pk}/"
        for method in (client.patch, client.put):
            response = method(url, {"text": changed_text(document)}, format="json")
            assert response.status_code == 405
        assert_unchanged(document)

    def test_loaddata_refuses_a_fixture_that_changes_a_cited_text(self, tmp_path, cited):
        document, _ = cited
        out = StringIO()
        call_command("dumpdata", "recommendations.sourcedocument", f"--pks={document.pk}", stdout=out)
        [row] = json.loads(out.getvalue())
        row["fields"]["text"] = changed_text(document)
        row["fields"]["text_sha256"] = text_sha256(row["fields"]["text"])
        path = tmp_path / "edited.json"
        path.write_text(json.dumps([row]), encoding="utf-8")
        with pytest.raises(CommandError, match=r"cannot be changed.*Nothing was loaded"):
            call_command("loaddata", str(path), stdout=StringIO())
        assert_unchanged(document)

    def test_loaddata_refuses_a_hash_that_is_not_the_texts(self, tmp_path, document):
        out = StringIO()
        call_command("dumpdata", "recommendations.sourcedocument", f"--pks={document.pk}", stdout=out)
        [row] = json.loads(out.getvalue())
        row["fields"]["text"] = "Edited by hand."
        path = tmp_path / "edited.json"
        path.write_text(json.dumps([row]), encoding="utf-8")
        with pytest.raises(CommandError, match="SHA-256 in the fixture does not match"):
            call_command("loaddata", str(path), stdout=StringIO())
        assert SourceDocument.objects.get(pk=document.pk).text == document.text

    def test_loaddata_of_the_same_text_is_fine(self, tmp_path, cited):
        document, _ = cited
        out = StringIO()
        call_command("dumpdata", "recommendations.sourcedocument", f"--pks={document.pk}", stdout=out)
        path = tmp_path / "same.json"
        path.write_text(out.getvalue(), encoding="utf-8")
        call_command("loaddata", str(path), stdout=StringIO())
        assert_unchanged(document)


class TestNewVersion:
    def test_correction_is_a_new_linked_row_and_old_citations_stay_valid(self, cited):
        document, citation = cited
        corrected = services.source_document_correct(
            document=document, text=changed_text(document), correction_note="Typo in the source's last sentence."
        )
        assert corrected.pk != document.pk
        assert corrected.replaces == document
        assert corrected.external_id == f"{document.external_id}@v2"
        assert corrected.text_sha256 == text_sha256(changed_text(document)) != document.text_sha256
        assert (corrected.title, corrected.published_on) == (document.title, document.published_on)
        assert [v.pk for v in corrected.versions()] == [document.pk, corrected.pk]
        citation.refresh_from_db()
        assert citation.document == document
        assert quote_at(document.text, citation.quote, citation.quote_start, citation.quote_end)

    def test_only_the_newest_version_is_corrected(self, cited):
        document, _ = cited
        services.source_document_correct(document=document, text="Version two.", correction_note="Fix.")
        with pytest.raises(ValidationError, match="already corrected"):
            services.source_document_correct(document=document, text="Version three.", correction_note="Fix.")

    def test_new_citations_go_to_the_newest_version(self, cited, recommendation):
        document, _ = cited
        corrected = services.source_document_correct(
            document=document, text=document.text + " More.", correction_note="x"
        )
        with pytest.raises(ValidationError, match="cite that one"):
            services.citation_create(document=document, quote="had stalled", recommendation=recommendation)
        citation = services.citation_create(document=corrected, quote="had stalled", recommendation=recommendation)
        assert citation.quote_start == corrected.text.index("had stalled")

    def test_both_pages_show_the_link(self, admin_client, api_client, cited):
        document, _ = cited
        corrected = services.source_document_correct(
            document=document, text=changed_text(document), correction_note="x"
        )
        # The new version is public once a published row quotes it (docs/roles.md); until then
        # the public sees no link to it.
        assert api_client.get(f"/api/v1/documents/{document.pk}/").json()["replaced_by"] is None
        record_status(
            RecommendationFactory(), ImplementationStatus.STALLED, datetime.date(2021, 1, 1), corrected, "the reform"
        )
        old_page = admin_client.get(reverse("admin:recommendations_sourcedocument_change", args=[document.pk]))
        new_page = admin_client.get(reverse("admin:recommendations_sourcedocument_change", args=[corrected.pk]))
        assert "the newest version is" in old_page.content.decode()
        assert corrected.external_id in old_page.content.decode()
        assert document.external_id in new_page.content.decode()
        old = api_client.get(f"/api/v1/documents/{document.pk}/").json()
        new = api_client.get(f"/api/v1/documents/{corrected.pk}/").json()
        assert (old["replaces"], old["replaced_by"]["external_id"]) == (None, corrected.external_id)
        assert (new["replaces"]["external_id"], new["replaced_by"]) == (document.external_id, None)
        listed = {d["id"]: d for d in api_client.get("/api/v1/documents/").json()["results"]}
        assert listed[document.pk]["replaced_by"]["id"] == corrected.pk

    def test_admin_correct_page_stores_a_new_version(self, admin_client, cited):
        document, _ = cited
        url = reverse("admin:recommendations_sourcedocument_correct", args=[document.pk])
        assert changed_text(document) not in admin_client.get(url).content.decode()
        response = admin_client.post(url, {"text": changed_text(document), "correction_note": "Typo."})
        corrected = SourceDocument.objects.get(replaces=document)
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:recommendations_sourcedocument_change", args=[corrected.pk])
        refused = admin_client.post(url, {"text": "Again.", "correction_note": "Again."})
        assert "already corrected" in refused.content.decode()

    def test_document_list_query_count_is_fixed(self, api_client, django_assert_max_num_queries):
        for _ in range(6):
            [original] = used_publicly(SourceDocumentFactory())
            corrected = services.source_document_correct(
                document=original, text=f"v2 {_}: the reform", correction_note="x"
            )
            record_status(
                RecommendationFactory(),
                ImplementationStatus.STALLED,
                datetime.date(2021, 1, 1),
                corrected,
                "the reform",
            )
        # The count, the page, and one query for each neighbouring version (prefetched, not joined:
        # joined, a planner that expects few rows looped over every document for each).
        with django_assert_max_num_queries(4):
            response = api_client.get("/api/v1/documents/", {"page_size": 50})
        assert len(response.json()["results"]) == 12


class TestMovingCitations:
    def test_moves_when_the_quote_occurs_in_the_new_version(self, cited):
        document, citation = cited
        corrected = services.source_document_correct(
            document=document, text="A preface.\n" + document.text, correction_note="Added the preface."
        )
        services.citation_move(citation=citation, document=corrected)
        citation.refresh_from_db()
        assert citation.document == corrected
        assert citation.quote_start == corrected.text.index("the reform")
        assert quote_at(corrected.text, citation.quote, citation.quote_start, citation.quote_end)

    def test_refuses_when_the_quote_is_not_there(self, cited):
        document, citation = cited
        corrected = services.source_document_correct(
            document=document, text=changed_text(document), correction_note="x"
        )
        with pytest.raises(ValidationError) as error:
            services.citation_move(citation=citation, document=corrected)
        assert "closest passage" in error.value.message_dict["quote"][0]
        citation.refresh_from_db()
        assert citation.document == document

    def test_refuses_a_document_that_is_not_a_newer_version(self, cited):
        document, citation = cited
        with pytest.raises(ValidationError, match="not a newer version"):
            services.citation_move(citation=citation, document=SourceDocumentFactory())
        second = services.source_document_correct(document=document, text=document.text + " 2.", correction_note="x")
        third = services.source_document_correct(document=second, text=document.text + " 3.", correction_note="x")
        services.citation_move(citation=citation, document=third)
        with pytest.raises(ValidationError, match="not a newer version"):
            services.citation_move(citation=citation, document=second)  # never backwards
        with pytest.raises(ValidationError, match="not a newer version"):
            services.citation_move(citation=citation, document=third)  # nor where it is
        assert Citation.objects.get(pk=citation.pk).document == third

    def test_admin_action_moves_what_it_can(self, admin_client, recommendation, cited):
        document, stays = cited
        moves = services.citation_create(
            document=document, quote="In April the parliament", recommendation=recommendation
        )
        corrected = services.source_document_correct(
            document=document, text=document.text.replace("had stalled", "stopped"), correction_note="x"
        )
        response = admin_client.post(
            reverse("admin:recommendations_citation_changelist"),
            {"action": "move_to_newest_version", "_selected_action": [stays.pk, moves.pk]},
            follow=True,
        )
        text = response.content.decode()
        assert f"Citation {stays.pk} was not moved" in text
        assert "1 moved to the newest version" in text
        assert Citation.objects.get(pk=moves.pk).document == corrected
        assert Citation.objects.get(pk=stays.pk).document == document


class TestOffsets:
    def test_recorded_citations_store_where_the_quote_is(self, cited):
        document, citation = cited
        assert document.text[citation.quote_start : citation.quote_end] == "the reform   had stalled"
        assert citation.passage == "the reform   had stalled"

    def test_a_typographic_variant_is_stored_with_the_documents_offsets(self, recommendation):
        document = SourceDocumentFactory(text="The minister said: “Kazakhstan’s law — now in force — works.”")
        citation = services.citation_create(
            document=document, quote="Kazakhstan's law - now in force", recommendation=recommendation
        )
        assert citation.passage == "Kazakhstan’s law — now in force"

    def test_the_refusal_names_the_closest_passage(self, recommendation, document):
        with pytest.raises(ValidationError) as error:
            services.citation_create(document=document, quote="the reform has stalled", recommendation=recommendation)
        assert "The closest passage" in error.value.message_dict["quote"][0]
        assert "“the reform had stalled”" in error.value.message_dict["quote"][0]

    def test_the_migration_backfills_offsets(self, cited):
        _, citation = cited
        Citation.objects.filter(pk=citation.pk).update(quote_start=None, quote_end=None)
        # By its name, not its number: migrations are renumbered when branches merge.
        [name] = [m.name for m in pkgutil.iter_modules(migrations.__path__) if m.name.endswith("_evidence_integrity")]
        migration = importlib.import_module(f"recommendations.migrations.{name}")
        migration.backfill(apps, None)
        citation_after = Citation.objects.get(pk=citation.pk)
        assert (citation_after.quote_start, citation_after.quote_end) == (citation.quote_start, citation.quote_end)


def test_admin_inline_records_offsets_and_a_changed_quote_loses_its_confirmation(admin_client, cited):
    document, citation = cited
    update = citation.status_update
    assert citation.confirmed_at is not None  # published by a command, confirmed then
    form = {
        "recommendation": update.recommendation_id,
        "status": update.status,
        "as_of": update.as_of.isoformat(),
        "as_of_precision": "day",
        "as_of_basis": "stated",
        "summary": update.summary,
        "assessor_kind": "staff",
        "assessed_by": "",
        "expected_version": update.version,
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "1",
        "citations-MIN_NUM_FORMS": "1",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-id": citation.pk,
        "citations-0-status_update": update.pk,
        "citations-0-document": document.pk,
        "citations-0-quote": "In April the parliament adopted the law.",
        "citations-0-location": "",
        "internal_notes-TOTAL_FORMS": "0",
        "internal_notes-INITIAL_FORMS": "0",
    }
    response = admin_client.post(reverse("admin:recommendations_statusupdate_change", args=[update.pk]), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    citation.refresh_from_db()
    assert citation.quote_start == document.text.index("In April")
    assert citation.passage == "In April the parliament adopted the law."
    assert (citation.confirmed_at, citation.confirmed_by_process) == (None, "")
