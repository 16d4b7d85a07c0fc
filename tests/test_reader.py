"""The document reader (recommendations/admin/reader.py) and the status update form's helpers."""

import pytest
from django.urls import reverse

from recommendations import services
from recommendations.admin import reader
from tests.factories import RecommendationFactory, SourceDocumentFactory

pytestmark = pytest.mark.django_db

TEXT = "Title line\n\nThe first paragraph says one thing.\nThe second says another thing.\n\n\nThe end."


def test_paragraphs_are_numbered_with_their_offsets():
    assert [TEXT[start:end] for start, end in reader.paragraph_spans(TEXT)] == [
        "Title line",
        "The first paragraph says one thing.",
        "The second says another thing.",
        "The end.",
    ]
    assert reader.paragraph_of(TEXT, TEXT.index("another")) == 3


def test_cited_passages_are_cut_out_and_linked_to_what_cites_them(admin_user):
    document = SourceDocumentFactory(text=TEXT)
    recommendation = RecommendationFactory(title="Say another thing")
    services.citation_create(document=document, quote="says another", recommendation=recommendation, user=admin_user)
    third = reader.paragraphs(document)[2]
    assert [(s.text, bool(s.citations)) for s in third.segments] == [
        ("The second ", False),
        ("says another", True),
        (" thing.", False),
    ]
    cited = third.segments[1]
    assert cited.first_link == reverse("admin:recommendations_recommendation_change", args=[recommendation.pk])
    assert cited.title == "Cited 1 time: “Say another thing”"


def test_reader_page_and_text_endpoint(admin_client, client, make_staff):
    document = SourceDocumentFactory(text=TEXT)
    page = admin_client.get(reverse("admin:recommendations_sourcedocument_read", args=[document.pk]))
    assert page.status_code == 200
    assert 'id="p4"' in page.content.decode() and "Cite this passage" in page.content.decode()
    data = admin_client.get(reverse("admin:recommendations_sourcedocument_text", args=[document.pk])).json()
    assert [p["number"] for p in data["paragraphs"]] == [1, 2, 3, 4]
    assert admin_client.get(reverse("admin:recommendations_sourcedocument_read", args=[999999])).status_code == 404
    # Not staff: the admin's login, not the text.
    assert client.get(reverse("admin:recommendations_sourcedocument_text", args=[document.pk])).status_code == 302
    # A viewer reads but is not offered to cite.
    client.force_login(make_staff("Viewer"))
    page = client.get(reverse("admin:recommendations_sourcedocument_read", args=[document.pk]))
    assert page.status_code == 200 and "Cite this passage" not in page.content.decode()


def test_cite_url_prefills_document_date_as_inferred():
    document = SourceDocumentFactory(text=TEXT)
    url = reader.cite_url(document, quote="The end.", location="paragraph 4")
    assert f"document={document.pk}" in url and "as_of_basis=inferred" in url and "location=paragraph+4" in url


def test_a_refused_quote_carries_the_closest_passage_for_use_this_passage(admin_client):
    document = SourceDocumentFactory(text=TEXT)
    recommendation = RecommendationFactory()
    response = admin_client.post(
        reverse("admin:recommendations_statusupdate_add"),
        {
            "recommendation": recommendation.pk,
            "status": "in_progress",
            "as_of": "2020-01-01",
            "as_of_precision": "day",
            "as_of_basis": "stated",
            "summary": "x",
            "assessor_kind": "staff",
            "document": document.pk,
            "quote": "The second say another thing",
            "location": "",
        },
    )
    assert response.status_code == 200
    assert 'data-closest-passage="The second says another thing' in response.content.decode()
