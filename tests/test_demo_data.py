"""generate_demo_data: synthetic data that keeps the tracker's rules, the same for the same seed."""

import io

import pytest
from django.core.management import CommandError, call_command

from recommendations import services
from recommendations.demo.generate import Generator, ensure_reference
from recommendations.models import Citation, Recommendation, ReviewState, SourceDocument, StatusUpdate

pytestmark = pytest.mark.django_db


def generate(count, seed):
    out = io.StringIO()
    call_command("generate_demo_data", recommendations=count, seed=seed, stdout=out)
    return out.getvalue()


def test_adds_what_it_says_and_prints_the_rate():
    output = generate(60, seed=7)
    demo = Recommendation.objects.filter(external_id__startswith="demo-7-")
    assert demo.count() == 60
    updates = StatusUpdate.objects.filter(recommendation__in=demo)
    citations = (
        Citation.objects.filter(recommendation__in=demo).count()
        + Citation.objects.filter(status_update__in=updates).count()
    )
    assert f"Added 60 recommendations, {updates.count()} status updates, {citations} citations" in output
    assert "recommendations/s" in output
    assert set(demo.values_list("kind", flat=True)) == {"recommendation", "promise"}
    assert set(demo.values_list("review_state", flat=True)) == {ReviewState.PUBLISHED, ReviewState.DRAFT}
    assert demo.filter(themes__isnull=False).distinct().count() == 60
    assert SourceDocument.objects.filter(external_id__startswith="demo-7-", language="ru").exists()


def test_every_quote_occurs_in_its_document_at_its_offsets():
    generate(40, seed=8)
    citations = Citation.objects.filter(document__external_id__startswith="demo-8-").select_related("document")
    assert citations.count() >= 40
    for citation in citations:
        assert citation.document.text[citation.quote_start : citation.quote_end] == citation.quote
        passage = citation.document.find_quote(citation.quote)
        assert (passage.start, passage.end) == (citation.quote_start, citation.quote_end)
    published = citations.filter(status_update__review_state=ReviewState.PUBLISHED)
    assert published.exists()
    assert not published.filter(confirmed_by_process="").exists()


def test_current_status_is_what_the_status_service_would_set():
    generate(80, seed=9)
    demo = list(Recommendation.objects.filter(external_id__startswith="demo-9-"))
    assert any(recommendation.current_status for recommendation in demo)
    for recommendation in demo:
        stored = (recommendation.current_status, recommendation.current_status_as_of)
        services.recommendation_refresh_current_status(recommendation=recommendation)
        assert (recommendation.current_status, recommendation.current_status_as_of) == stored


def test_the_same_seed_gives_the_same_data_whatever_the_batch_size():
    reference = ensure_reference()
    ids = {model: 1000 for model in (SourceDocument, Recommendation, StatusUpdate, Citation)}

    def rows(batch_size, seed=5):
        generator = Generator(seed=seed, count=30, reference=reference, ids=ids)
        documents = generator.documents()
        batches = list(generator.batches(batch_size))
        strip = lambda row: {k: v for k, v in row.items() if k not in ("published_at", "confirmed_at")}  # noqa: E731
        per_model = {}
        for batch in batches:
            for model, model_rows in batch.items():
                per_model.setdefault(model._meta.label, []).extend(strip(row) for row in model_rows)
        return [strip(row) for row in documents], per_model

    assert rows(7) == rows(30)
    assert rows(30) != rows(30, seed=6)


def test_refuses_a_seed_already_loaded_and_a_bad_count():
    generate(5, seed=11)
    with pytest.raises(CommandError, match="seed 11 is already loaded"):
        generate(5, seed=11)
    with pytest.raises(CommandError, match="not a whole number of 1 or more"):
        call_command("generate_demo_data", "--recommendations", "0")


def test_ids_continue_after_the_demo_rows():
    generate(5, seed=12)
    recommendation = Recommendation.objects.filter(external_id__startswith="demo-12-").first()
    document = SourceDocument.objects.filter(external_id__startswith="demo-12-").first()
    update = services.status_update_record(
        recommendation=recommendation,
        status="in_progress",
        as_of=recommendation.made_on,
        summary="A new one.",
        citations=[services.CitationInput(document=document, quote=document.text[:20])],
    )
    assert update.pk > StatusUpdate.objects.exclude(pk=update.pk).order_by("-pk").first().pk


def test_every_foreign_key_points_at_a_row_and_the_checks_are_back_on():
    """On PostgreSQL the load skips the per-row deferred foreign-key checks (demo/bulk.py,
    ``fast_load``): every key it wrote must still point at a row, and the checks must be on again."""
    from django.db import connection

    generate(30, seed=13)
    demo = Recommendation.objects.filter(external_id__startswith="demo-13-")
    updates = StatusUpdate.objects.filter(recommendation__in=demo)
    citations = Citation.objects.filter(document__external_id__startswith="demo-13-")
    assert not demo.exclude(made_by__isnull=False, addressed_to__isnull=False).exists()
    assert updates.count() == StatusUpdate.objects.filter(recommendation_id__in=demo.values("pk")).count()
    assert (
        citations.count()
        == Citation.objects.filter(document_id__in=SourceDocument.objects.values("pk"))
        .filter(pk__in=citations.values("pk"))
        .count()
    )
    theme_links = Recommendation.themes.through.objects.filter(recommendation__in=demo)
    assert theme_links.count() == theme_links.filter(theme__isnull=False).count() > 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"


def _search_is_indexed(seed):
    """Every generated row is found by the search, with a snippet, through the API's ``q``."""
    from django.urls import reverse
    from rest_framework.test import APIClient

    from recommendations.search import SNIPPET, SNIPPET_START, search_recommendations

    demo = Recommendation.objects.filter(external_id__startswith=f"demo-{seed}-").order_by("id")
    assert demo.exists()
    for row in demo:
        theme = row.themes.order_by("name").first()
        # A word of the title, the state it is addressed to and a theme (the names around the row).
        word = max(row.title.split(" (")[0].split(), key=len)
        text = f'{word} "{row.addressed_to.name}" "{theme.name}"'
        assert search_recommendations(Recommendation.objects.all(), text).filter(pk=row.pk).exists(), text
        (hit,) = search_recommendations(Recommendation.objects.filter(pk=row.pk), word)
        assert SNIPPET_START in getattr(hit, SNIPPET)  # the word, marked in the text's fragment
    published = demo.filter(review_state=ReviewState.PUBLISHED).first()
    word = max(published.title.split(" (")[0].split(), key=len)
    response = APIClient().get(reverse("api:recommendation-list"), {"q": word, "page_size": 100})
    assert response.status_code == 200
    snippets = {hit["external_id"]: hit["snippet"] for hit in response.json()["results"]}
    assert "<mark>" in snippets[published.external_id]
    return published


def test_generated_rows_are_found_by_the_search():
    """The load writes with the search's triggers off and indexes each batch set-based afterwards
    (demo/bulk.py): the rows must be found as if written one by one, misspellings too (PostgreSQL)."""
    from django.db import connection

    from recommendations.search import search_recommendations

    generate(20, seed=14)
    published = _search_is_indexed(14)
    if connection.vendor == "postgresql":
        word = max(published.text.split(), key=len).strip(",.").lower()
        misspelt = word[:3] + word[4:]  # a letter left out
        assert search_recommendations(Recommendation.objects.all(), misspelt).filter(pk=published.pk).exists()


def test_a_role_that_may_not_write_as_a_replica_disables_the_search_triggers_and_turns_them_on_again(monkeypatch):
    """Not a superuser: the search's triggers are disabled by name for the load, enabled afterwards."""
    from django.db import connection

    from recommendations.demo import bulk

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's path")
    monkeypatch.setattr(bulk, "_may_skip_foreign_keys", lambda cursor: False)
    generate(15, seed=15)
    _search_is_indexed(15)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s", ["%search%"]
        )
        states = dict(cursor.fetchall())
    assert "recommendations_search_row" in states
    assert set(states.values()) == {"O"}  # enabled (fires for the "origin" role)
