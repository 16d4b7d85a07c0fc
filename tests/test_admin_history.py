"""The History pages: long texts changed read as a word diff, escaped, at a fixed query count."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recommendations import services
from recommendations.admin.history import word_diff
from recommendations.models import ImplementationStatus, Recommendation, SourceDocument, StatusUpdate
from tests.factories import SourceDocumentFactory, ThemeFactory, record_status

pytestmark = pytest.mark.django_db

LONG_TEXT = " ".join(f"In year {n} the state promises reform number {n} of the assembly law." for n in range(90))


def history_url(obj):
    return reverse(f"admin:recommendations_{obj._meta.model_name}_history", args=[obj.pk])


def diffs(response):
    """The word diffs on a history page, newest version first."""
    return re.findall(r'<div class="tracker-diff">(.*?)</div>', response.content.decode(), re.DOTALL)


def change(recommendation, **fields):
    current = Recommendation.objects.get(pk=recommendation.pk)
    return services.recommendation_change(recommendation=current, expected_version=current.version, **fields)


def test_word_diff_marks_the_changed_word_and_collapses_the_rest():
    assert len(LONG_TEXT) > 6000
    new = LONG_TEXT.replace("promises reform number 45 ", "pledges reform number 45 ")
    diff = word_diff(LONG_TEXT, new)
    assert "<del>promises </del><ins>pledges </ins>reform number 45 of the assembly law" in diff
    assert "assembly law. In year 45 the state <del>" in diff  # the words just before the change
    assert "year 3 " not in diff and "year 88 " not in diff  # far from it: collapsed
    assert "[… 579 unchanged words …]" in diff and "[… 568 unchanged words …]" in diff
    assert len(diff) < 600


def test_word_diff_shows_short_unchanged_runs_whole_and_escapes():
    assert word_diff("a <b> c", "a <i> c") == "a &lt;<del>b</del><ins>i</ins>&gt; c"
    assert word_diff("same words", "same words") == "same words"
    assert word_diff("", "new") == "<ins>new</ins>"


def test_long_text_history_shows_one_changed_word_not_the_whole_text(admin_client, recommendation):
    change(recommendation, text=LONG_TEXT)
    change(recommendation, text=LONG_TEXT.replace("reform number 45 of", "repeal number 45 of"))
    response = admin_client.get(history_url(recommendation))
    latest = diffs(response)[0]
    assert "<del>reform </del><ins>repeal </ins>number 45 of the assembly law" in latest
    assert "year 3 " not in latest and "year 88 " not in latest
    assert len(latest) < 600
    assert "chars]" not in response.content.decode()  # simple-history's "The P[53 chars]mises" is gone
    # A short field keeps the plain "old → new".
    change(recommendation, title="A new title")
    content = admin_client.get(history_url(recommendation)).content.decode()
    assert "A new title" in content and recommendation.title in content


def test_history_escapes_what_the_texts_contain(admin_client, recommendation):
    change(recommendation, text="Stop the <b>raids</b>.")
    change(recommendation, text="Stop the <script>alert(1)</script> raids.")
    response = admin_client.get(history_url(recommendation))
    content = response.content.decode()
    assert "<script>alert(1)" not in content
    assert diffs(response)[0] == (
        "Stop the &lt;<del>b</del><ins>script</ins>&gt;<del>raids</del><ins>alert(1)</ins>"
        "&lt;/<del>b&gt;</del><ins>script&gt; raids</ins>."
    )


def test_status_update_summary_and_document_text_history_are_word_diffs(admin_client, recommendation):
    document = SourceDocumentFactory(text=LONG_TEXT)
    services.source_document_change(document=document, text=LONG_TEXT.replace("number 60 ", "number sixty "))
    latest = diffs(admin_client.get(history_url(SourceDocument.objects.get(pk=document.pk))))[0]
    assert "<del>60 </del><ins>sixty </ins>" in latest and "year 10 " not in latest

    update = record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1))
    update = StatusUpdate.objects.get(pk=update.pk)
    services.status_update_change(
        status_update=update, expected_version=update.version, summary="The bill passed its first reading."
    )
    assert diffs(admin_client.get(history_url(update)))[0] == (
        "<del>in_progress as of 2020-01-01</del><ins>The bill passed its first reading.</ins>"
    )


def _history_queries(admin_client, recommendation):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(history_url(recommendation))
    assert response.status_code == 200
    return len(queries)


def test_history_page_costs_the_same_queries_for_3_or_15_versions(
    admin_client, recommendation, django_assert_max_num_queries
):
    themes = ThemeFactory.create_batch(3)
    change(recommendation, text=LONG_TEXT, themes=themes[:1])
    few = _history_queries(admin_client, recommendation)
    for n in range(12):
        change(recommendation, title=f"Title {n}", themes=themes[: n % 3 + 1], text=LONG_TEXT + f" {n}")
    assert recommendation.history.count() >= 15
    many = _history_queries(admin_client, recommendation)
    assert many == few
    with django_assert_max_num_queries(few):
        content = admin_client.get(history_url(recommendation)).content.decode()
    # The many-to-many changes are still listed (read in one query per field).
    assert "Themes:" in content and str(themes[2]) in content
