"""The admin's pages cost a fixed number of queries, whatever the number of rows around them
(speed itself is measured by bench/admin_pages.py, not here)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations.models import Citation, ImplementationStatus, RecommendationLink, SourceDocument
from tests.factories import RecommendationFactory, SourceDocumentFactory, ThemeFactory, record_status

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"admin:recommendations_{name}", args=args)


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response


def add_history(recommendation, n, document):
    """``n`` status updates (each with its citation), citations and links around ``recommendation``."""
    for day in range(1, n + 1):
        record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2021, 1, day), document=document)
        Citation.objects.create(document=document, recommendation=recommendation, quote="the reform   had stalled")
        RecommendationLink.objects.create(
            from_recommendation=recommendation, to_recommendation=RecommendationFactory(), relation="follows_up"
        )
    recommendation.themes.add(*ThemeFactory.create_batch(n))


def test_recommendation_page_costs_the_same_with_1_or_8_of_each_inline(admin_client, django_assert_max_num_queries):
    document = SourceDocumentFactory()
    few, many = RecommendationFactory(), RecommendationFactory()
    add_history(few, 1, document)
    add_history(many, 8, document)
    admin_client.get(url("recommendation_change", few.pk))  # per-process caches (content types) filled
    few_count, _ = queries(admin_client, url("recommendation_change", few.pk))
    many_count, response = queries(admin_client, url("recommendation_change", many.pk))
    assert many_count == few_count
    with django_assert_max_num_queries(few_count):
        admin_client.get(url("recommendation_change", many.pk))
    assert response.content.decode().count("the reform   had stalled") >= 8  # the inlines are there


def test_status_update_list_is_newest_first_at_a_fixed_cost(admin_client, django_assert_max_num_queries):
    document = SourceDocumentFactory()
    add_history(RecommendationFactory(), 2, document)
    few_count, _ = queries(admin_client, url("statusupdate_changelist"))
    add_history(RecommendationFactory(), 6, document)
    many_count, response = queries(admin_client, url("statusupdate_changelist"))
    assert many_count == few_count
    dates = [update.as_of for update in response.context["cl"].result_list]
    assert dates == sorted(dates, reverse=True) and len(dates) == 8
    with django_assert_max_num_queries(10):
        admin_client.get(url("statusupdate_changelist"))


def test_document_list_counts_citations_without_reading_texts(admin_client, django_assert_max_num_queries):
    cited, uncited = SourceDocumentFactory(), SourceDocumentFactory()
    add_history(RecommendationFactory(), 3, cited)  # 3 status updates' citations + 3 of its own
    few_count, response = queries(admin_client, url("sourcedocument_changelist"))
    rows = {document.pk: document for document in response.context["cl"].result_list}
    assert (rows[cited.pk].citation_total, rows[uncited.pk].citation_total) == (6, 0)
    assert "text" in rows[cited.pk].get_deferred_fields()
    SourceDocumentFactory.create_batch(5)
    assert queries(admin_client, url("sourcedocument_changelist"))[0] == few_count
    with django_assert_max_num_queries(8):
        admin_client.get(url("sourcedocument_changelist"))
    # Ordered by the count, and the change page still has the text.
    ordered = admin_client.get(url("sourcedocument_changelist") + "?o=-5")
    assert ordered.context["cl"].result_list[0].pk == cited.pk
    page = admin_client.get(url("sourcedocument_change", cited.pk)).content.decode()
    assert SourceDocument.objects.get(pk=cited.pk).text.splitlines()[0] in page


def test_history_and_reader_pages_are_within_their_ceiling(admin_client, django_assert_max_num_queries):
    document = SourceDocumentFactory()
    recommendation = RecommendationFactory()
    add_history(recommendation, 3, document)
    # Once unmeasured: the content types are cached per process, so a first page in a fresh
    # process pays one query that the test order used to decide.
    admin_client.get(url("recommendation_history", recommendation.pk))
    # The recommendation's six many-to-many fields are read once each for the whole page.
    with django_assert_max_num_queries(11):
        assert admin_client.get(url("recommendation_history", recommendation.pk)).status_code == 200
    with django_assert_max_num_queries(8):
        assert admin_client.get(url("sourcedocument_history", document.pk)).status_code == 200
    with django_assert_max_num_queries(8):
        assert admin_client.get(url("sourcedocument_read", document.pk)).status_code == 200


def test_each_row_labels_its_cells_for_the_phone_layout(admin_client):
    # The column headers are computed once per list (theme.py) and still label every row's cells.
    RecommendationFactory.create_batch(3)
    content = admin_client.get(url("recommendation_changelist")).content.decode()
    for column in ("status", "overdue", "due", "addressed to"):
        assert content.count(f'data-label="{column}"') == 3, column
