import datetime

import pytest
from django.core.exceptions import ValidationError

from recommendations import services
from recommendations.models import Citation, ImplementationStatus, StatusUpdate
from tests.factories import ActorFactory, SourceDocumentFactory, record_status

pytestmark = pytest.mark.django_db


def test_records_status_update_with_its_citations(recommendation, django_user_model):
    user = django_user_model.objects.create_user("recorder")
    first, second = SourceDocumentFactory(), SourceDocumentFactory()
    ngo = ActorFactory()
    update = services.status_update_record(
        recommendation=recommendation,
        status=ImplementationStatus.STALLED,
        as_of=datetime.date(2020, 2, 1),
        summary="Observers say it stalled.",
        assessor_kind=StatusUpdate.AssessorKind.NGO,
        assessed_by=ngo,
        recorded_by=user,
        citations=[
            services.CitationInput(document=first, quote="the reform had stalled", location="paragraph 2"),
            services.CitationInput(document=second, quote="In April the parliament adopted the law."),
        ],
    )
    assert update.recorded_by == user
    assert update.assessed_by == ngo
    assert sorted(c.document_id for c in update.citations.all()) == sorted([first.pk, second.pk])
    assert update.citations.get(document=first).location == "paragraph 2"
    # A draft until a reviewer publishes it: the current status does not move yet.
    assert update.review_state == "draft"
    recommendation.refresh_from_db()
    assert recommendation.current_status == ""
    services.status_update_publish(status_update=update)
    recommendation.refresh_from_db()
    assert recommendation.current_status == ImplementationStatus.STALLED


def test_refuses_status_update_without_evidence(recommendation):
    with pytest.raises(ValidationError) as error:
        services.status_update_record(
            recommendation=recommendation,
            status=ImplementationStatus.IMPLEMENTED,
            as_of=datetime.date(2020, 1, 1),
            summary="Done.",
            citations=[],
        )
    assert "at least one citation" in error.value.message_dict["citations"][0]
    assert not StatusUpdate.objects.exists()


def test_bad_quote_writes_nothing(recommendation, document):
    with pytest.raises(ValidationError) as error:
        services.status_update_record(
            recommendation=recommendation,
            status=ImplementationStatus.IMPLEMENTED,
            as_of=datetime.date(2020, 1, 1),
            summary="Done.",
            citations=[
                services.CitationInput(document=document, quote="the reform had stalled"),
                services.CitationInput(document=document, quote="The law was repealed."),
            ],
        )
    [message] = error.value.message_dict["citations"]
    assert message.startswith(f"Citation 2: This quote does not occur in the document “{document.external_id}”.")
    assert not StatusUpdate.objects.exists()
    assert not Citation.objects.exists()
    recommendation.refresh_from_db()
    assert recommendation.current_status == ""


def test_refuses_invalid_status_value(recommendation, document):
    with pytest.raises(ValidationError) as error:
        record_status(recommendation, "bogus", datetime.date(2020, 1, 1), document=document)
    assert "status" in error.value.message_dict
    assert not StatusUpdate.objects.exists()


def test_changing_the_date_of_an_update_moves_the_current_status(recommendation):
    older = record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
    record_status(recommendation, ImplementationStatus.STALLED, datetime.date(2021, 1, 1))
    services.status_update_change(status_update=older, expected_version=older.version, as_of=datetime.date(2022, 1, 1))
    recommendation.refresh_from_db()
    assert (recommendation.current_status, recommendation.current_status_as_of) == (
        ImplementationStatus.IN_PROGRESS,
        datetime.date(2022, 1, 1),
    )


def test_deleting_the_latest_update_falls_back_to_the_previous(recommendation):
    record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
    latest = record_status(recommendation, ImplementationStatus.IMPLEMENTED, datetime.date(2021, 1, 1))
    services.status_update_delete(status_update=latest)
    recommendation.refresh_from_db()
    assert recommendation.current_status == ImplementationStatus.IN_PROGRESS
    assert not Citation.objects.filter(status_update_id=latest.pk).exists()


def test_deleting_the_only_update_clears_the_current_status(recommendation):
    only = record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
    services.status_update_delete(status_update=only)
    recommendation.refresh_from_db()
    assert (recommendation.current_status, recommendation.current_status_as_of) == ("", None)


def test_recording_a_status_marks_the_recommendation_changed(recommendation):
    before = recommendation.updated_at
    record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
    recommendation.refresh_from_db()
    assert recommendation.updated_at > before


def test_refresh_does_not_overwrite_other_fields_of_a_stale_instance(recommendation):
    stale = type(recommendation).objects.get(pk=recommendation.pk)
    type(recommendation).objects.filter(pk=recommendation.pk).update(title="Edited by a colleague")
    record_status(stale, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
    recommendation.refresh_from_db()
    assert recommendation.title == "Edited by a colleague"
    assert recommendation.current_status == ImplementationStatus.IN_PROGRESS


def test_a_status_update_needs_a_citation(recommendation):
    with pytest.raises(ValidationError) as error:
        services.status_update_record(
            recommendation=recommendation,
            status=ImplementationStatus.STALLED,
            as_of=datetime.date(2020, 1, 1),
            summary="No evidence.",
            citations=[],
        )
    assert error.value.message_dict == {"citations": ["A status update needs at least one citation as evidence."]}
    assert not StatusUpdate.objects.exists()


def test_one_bad_citation_is_reported_without_a_number(document):
    with pytest.raises(ValidationError) as error:
        services.citations_validate([services.CitationInput(document=document, quote="Never said.")])
    assert error.value.message_dict == {"citations": [document.missing_quote_message("Never said.")]}


def test_a_citation_of_a_recommendation_is_attached_to_it(recommendation, document):
    citation = services.citation_create(
        document=document, quote="the reform   had stalled", recommendation=recommendation
    )
    assert (citation.recommendation, citation.status_update, citation.location) == (recommendation, None, "")
    assert list(recommendation.citations.all()) == [citation]


def test_a_concurrent_edit_is_explained(recommendation):
    error = services.ConcurrentEditError(recommendation, 3, 4)
    assert str(error) == (
        "Someone else changed this recommendation after you opened it (you edited version 3; it is now at "
        "version 4). Your changes were not saved: reload it to see theirs, then make your changes again."
    )


def test_the_history_says_who_published_and_withdrew(recommendation, django_user_model):
    reviewer = django_user_model.objects.create_superuser("a-reviewer", password="a long test passphrase")
    draft = record_status(recommendation, ImplementationStatus.STALLED, datetime.date(2020, 1, 1), publish=False)
    services.status_update_publish(status_update=draft, user=reviewer)
    assert (draft.history.first().review_state, draft.history.first().history_user) == ("published", reviewer)
    services.recommendation_unpublish(recommendation=recommendation, user=reviewer)
    assert (recommendation.history.first().review_state, recommendation.history.first().history_user) == (
        "draft",
        reviewer,
    )
