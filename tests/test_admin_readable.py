"""Readable details (issue 10): headings with proper plurals, action messages whose counts and
nouns agree, dates as precise as they are known, status and overdue as labelled badges."""

import datetime
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from recommendations import clusters, services
from recommendations.models import Citation, DatePrecision, ImplementationStatus, RecommendationLink
from tests.factories import ClusterFactory, RecommendationFactory, SourceDocumentFactory, record_status

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:recommendations_recommendation_changelist")


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_inline_headings_on_the_page_are_plural_nouns(admin_client):
    recommendation = RecommendationFactory()
    document = SourceDocumentFactory()
    Citation.objects.create(document=document, recommendation=recommendation, quote="the reform   had stalled")
    RecommendationLink.objects.create(
        from_recommendation=recommendation, to_recommendation=RecommendationFactory(), relation="follows_up"
    )
    record_status(recommendation, ImplementationStatus.STALLED, datetime.date(2020, 2, 1), document=document)
    page = admin_client.get(reverse("admin:recommendations_recommendation_change", args=[recommendation.pk]))
    headings = [
        " ".join(re.sub(r"<[^>]+>", " ", heading).split())
        for heading in re.findall(r'-heading">(.*?)</h2>', page.content.decode(), re.DOTALL)
    ]
    assert any(h.startswith("Status history (newest first") for h in headings), headings
    assert any(h.startswith("Citations (evidence for the recommendation itself)") for h in headings), headings
    assert any(h.startswith("Links to related recommendations") for h in headings), headings
    assert not any(")s" in h or "recommendationss" in h or "a related recommendations" in h for h in headings)


def test_taking_rows_out_of_clusters_reports_the_selection_with_agreeing_nouns(admin_client):
    alone = RecommendationFactory()
    response = admin_client.post(CHANGELIST, {"action": "leave_cluster", ACTION_CHECKBOX_NAME: [alone.pk]}, follow=True)
    assert messages_of(response) == ["0 of 1 selected recommendation taken out of its cluster; it was in none."]
    grouped = RecommendationFactory()
    clusters.cluster_add(cluster=ClusterFactory(), recommendations=[grouped])
    response = admin_client.post(
        CHANGELIST, {"action": "leave_cluster", ACTION_CHECKBOX_NAME: [alone.pk, grouped.pk]}, follow=True
    )
    assert messages_of(response) == [
        "1 of 2 selected recommendations taken out of their cluster; the others were in none."
    ]


def test_moving_citations_says_quotes_for_one(admin_client):
    citation = services.citation_create(
        document=SourceDocumentFactory(), quote="the reform   had stalled", recommendation=RecommendationFactory()
    )
    response = admin_client.post(
        reverse("admin:recommendations_citation_changelist"),
        {"action": "move_to_newest_version", ACTION_CHECKBOX_NAME: [citation.pk]},
        follow=True,
    )
    assert messages_of(response) == ["0 moved to the newest version; 1 already quotes the newest version."]


def test_list_shows_dates_by_their_precision_and_labelled_badges(admin_client):
    month_made = RecommendationFactory(
        title="Known to the month",
        made_on=datetime.date(2019, 6, 1),
        made_on_precision=DatePrecision.MONTH,
        due_on=datetime.date(2020, 1, 1),
        due_on_precision=DatePrecision.YEAR,
    )
    record_status(
        month_made, ImplementationStatus.STALLED, datetime.date(2020, 2, 1), as_of_precision=DatePrecision.MONTH
    )
    RecommendationFactory(title="Without a deadline", due_on=None)
    content = admin_client.get(CHANGELIST).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", content).split())
    assert "Recommendation by " in text and ", June 2019" in text  # made: month precision
    assert "Stalled · February 2020" in text  # the status badge: the assessment's precision
    assert "1 February 2020" not in text and "1 June 2019" not in text
    assert "Overdue" in text and "No deadline" in text
    # Overdue is red, "no deadline" has no colour (not a failure).
    badges = {
        label: classes
        for classes, label in re.findall(
            r'<span class="(inline-block font-semibold[^"]*)"[^>]*>\s*(Overdue|No deadline)\s*</span>', content
        )
    }
    assert "text-red" in badges["Overdue"]
    assert not any(colour in badges["No deadline"] for colour in ("text-red", "text-green")), badges
