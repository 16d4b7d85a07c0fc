import datetime

import pytest

from tests.api_mixins import ReadOnlyEndpointTests
from tests.factories import SourceDocumentFactory, used_publicly

pytestmark = pytest.mark.django_db


class TestDocumentsEndpoint(ReadOnlyEndpointTests):
    basename = "sourcedocument"
    ordering = "published_on"
    search_hit = "amnesty"

    def make(self, count):
        publishers = ["Amnesty", "Example Watch", "Daily News", *[f"Publisher {n}" for n in range(count)]]
        return used_publicly(
            *(
                SourceDocumentFactory(publisher=publisher, published_on=datetime.date(2020, 1, 1 + n))
                for n, publisher in enumerate(publishers[:count])
            )
        )


def test_list_leaves_out_the_text_and_the_detail_has_it(api_client):
    [document] = used_publicly(SourceDocumentFactory())
    listed = api_client.get("/api/v1/documents/").json()["results"][0]
    assert "text" not in listed
    detail = api_client.get(f"/api/v1/documents/{document.pk}/").json()
    assert detail["text"] == document.text
    assert detail["text_sha256"] == document.text_sha256


def test_filters_documents_by_type_and_date(api_client):
    news = SourceDocumentFactory(document_type="news", published_on=datetime.date(2019, 11, 1))
    used_publicly(news, SourceDocumentFactory(document_type="report", published_on=datetime.date(2024, 5, 1)))
    url = "/api/v1/documents/"
    assert [d["id"] for d in api_client.get(url, {"document_type": "news"}).json()["results"]] == [news.pk]
    assert [d["id"] for d in api_client.get(url, {"published_before": "2020-01-01"}).json()["results"]] == [news.pk]
    assert api_client.get(url, {"published_after": "2025-01-01"}).json()["count"] == 0
    assert api_client.get(url, {"published_after": "2025-13-01"}).status_code == 400


def test_a_document_cited_only_by_an_assessment_is_public_once_the_assessment_is(api_client):
    """Evidence of a status is public with the status: a published assessment of a published
    recommendation. A draft assessment, or any assessment of a draft recommendation, shows nothing."""
    from recommendations.models import ImplementationStatus, ReviewState
    from tests.factories import RecommendationFactory, record_status

    published, draft_status, of_draft = SourceDocumentFactory(), SourceDocumentFactory(), SourceDocumentFactory()
    recommendation = RecommendationFactory()
    record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1), published)
    record_status(recommendation, ImplementationStatus.STALLED, datetime.date(2021, 1, 1), draft_status, publish=False)
    draft = RecommendationFactory(review_state=ReviewState.DRAFT)
    record_status(draft, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1), of_draft, publish=False)
    listed = {item["id"] for item in api_client.get("/api/v1/documents/").json()["results"]}
    assert listed == {published.pk}
    for hidden in (draft_status, of_draft):
        assert api_client.get(f"/api/v1/documents/{hidden.pk}/").status_code == 404
