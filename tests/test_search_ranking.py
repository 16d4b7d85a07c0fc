"""The search ranks, stems, forgives misspellings (PostgreSQL), shows where it matched, and its index
stays in step with every kind of write (recommendations/search.py, search_schema.py)."""

import pytest
from django.db import connection
from django.urls import reverse

from recommendations import bulk, services
from recommendations.models import Recommendation
from recommendations.search import search_recommendations, snippet_html
from tests.factories import ActorFactory, LegalProvisionFactory, RecommendationFactory, StateFactory, ThemeFactory

pytestmark = pytest.mark.django_db

URL = reverse("api:recommendation-list")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: SQLite's FTS5 stems English words only and has no trigram similarity",
)


def found(text):
    return set(search_recommendations(Recommendation.objects.all(), text).values_list("title", flat=True))


def api_titles(api_client, **params):
    response = api_client.get(URL, params)
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_a_word_in_the_title_ranks_above_the_same_word_once_in_the_text(api_client):
    RecommendationFactory(title="Prison reform", text="End torture in custody and reform the prisons.")
    RecommendationFactory(title="Torture", text="Reform the courts and the police.")
    RecommendationFactory(title="Courts", text="Appoint judges openly.")
    assert api_titles(api_client, q="torture") == ["Torture", "Prison reform"]
    # An ordering asked for wins over the rank.
    assert api_titles(api_client, q="torture", ordering="title") == ["Prison reform", "Torture"]


def test_rows_are_filtered_by_their_language(api_client):
    RecommendationFactory(title="Пытки", text="Прекратить применение пыток.", language="ru")
    RecommendationFactory(title="Torture", text="End torture.")
    assert api_titles(api_client, language="ru") == ["Пытки"]
    assert api_titles(api_client, language="en") == ["Torture"]


def test_english_words_are_found_in_any_of_their_forms():
    RecommendationFactory(title="Custody", text="Investigate all allegations of torture.")
    RecommendationFactory(title="Courts", text="Appoint judges openly.")
    assert found("tortured") == {"Custody"}
    assert found("allegation") == {"Custody"}


@postgresql_only
def test_russian_words_are_found_in_any_of_their_forms_in_russian_rows():
    RecommendationFactory(title="Пытки", text="Прекратить применение пыток в местах лишения свободы.", language="ru")
    RecommendationFactory(title="Суды", text="Обеспечить независимость судей.", language="ru")
    assert found("пытка") == {"Пытки"}
    assert found("пыткам") == {"Пытки"}
    assert found("независимости судей") == {"Суды"}


@postgresql_only
def test_a_misspelt_or_cut_word_finds_what_it_meant_when_nothing_has_it_exactly():
    RecommendationFactory(title="Custody", text="Investigate all allegations of torture.")
    RecommendationFactory(title="Courts", text="Appoint judges openly.")
    assert found("torure") == {"Custody"}
    assert found("investgate torure") == {"Custody"}
    assert found("judgs") == {"Courts"}
    # Numbers stay exact even then, and every word of a term must be like a word rows hold.
    assert found("torure 1745") == set()
    assert found("zzqx-torture") == found("zzqx-allegations") == set()


def test_the_snippet_is_escaped_text_with_only_the_words_found_marked(api_client):
    RecommendationFactory(title="Script", text='End torture <script>alert("x")</script> & <b>abuse</b> now.')
    [row] = api_client.get(URL, {"q": "torture"}).json()["results"]
    # PostgreSQL's ts_headline leaves tags out of a fragment, SQLite's snippet keeps them: escaped.
    assert "<mark>torture</mark>" in row["snippet"] and "&amp;" in row["snippet"] and "abuse" in row["snippet"]
    unmarked = row["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert "<" not in unmarked and ">" not in unmarked
    # Without q there is no snippet.
    assert api_client.get(URL).json()["results"][0]["snippet"] is None


def test_snippet_html_pairs_its_marks_and_escapes_everything_else():
    assert snippet_html("a \ue000b\ue001 <c>") == "a <mark>b</mark> &lt;c&gt;"
    assert snippet_html("\ue001x\ue000y") == "x<mark>y</mark>"
    assert snippet_html(None) is None


def test_the_index_follows_links_renames_and_changes_made_any_way():
    theme = ThemeFactory(name="Freedom of assembly")
    provision = LegalProvisionFactory(instrument="Criminal Code", article="174")
    row = RecommendationFactory(title="Plain", text="Reform the courts.")
    row.themes.add(theme)
    row.legal_provisions.add(provision)
    row.also_made_by.add(ActorFactory(name="Portugal", slug="portugal"))
    assert found("assembly") == found("174") == found("portugal") == {"Plain"}
    theme.name = "Peaceful protest"
    theme.save()
    assert found("protest") == {"Plain"} and found("assembly") == set()
    row.themes.remove(theme)
    assert found("protest") == set()
    services.recommendation_change(
        recommendation=row, expected_version=row.version, text="Abolish the death penalty.", made_by=StateFactory()
    )
    assert found("penalty") == {"Plain"} and found("courts") == set()


def test_rows_written_in_bulk_are_found_with_their_themes(admin_user):
    theme = ThemeFactory(name="Death penalty")
    actor, state = ActorFactory(), StateFactory()
    rows = [
        Recommendation(title=f"Bulk {n}", text="Ratify the protocol.", made_by=actor, addressed_to=state)
        for n in range(3)
    ]
    bulk.recommendations_bulk_create(recommendations=rows, themes=[[theme], [], []], user=admin_user)
    assert found("protocol") == {"Bulk 0", "Bulk 1", "Bulk 2"}
    assert found("penalty") == {"Bulk 0"}


def test_keyset_pages_follow_the_rank_without_gaps_or_repeats(api_client):
    for n in range(3):
        RecommendationFactory(title=f"Torture {n}", text="Torture.")
        RecommendationFactory(title=f"Text {n}", text="Prevent torture.")
    RecommendationFactory(title="Other", text="Appoint judges.")
    first = api_titles(api_client, q="torture", page_size=50)
    seen, page = [], api_client.get(URL, {"q": "torture", "page_size": 2}).json()
    while True:
        seen += [row["title"] for row in page["results"]]
        if not page["next"]:
            break
        page = api_client.get(page["next"]).json()
    assert seen == first and len(seen) == 6
    assert {title[:7] for title in seen[:3]} == {"Torture"}


def test_a_search_costs_a_fixed_number_of_queries(api_client, django_assert_max_num_queries):
    for n in range(12):
        RecommendationFactory(title=f"Torture {n}", text="End torture.")
    # The list's 4 queries and, on PostgreSQL, the one that decides between words and trigrams.
    for page_size in (1, 12):
        with django_assert_max_num_queries(5):
            assert len(api_titles(api_client, q="torture", page_size=page_size)) == page_size
        with django_assert_max_num_queries(5):
            api_titles(api_client, q="torure", page_size=page_size)


def test_the_admin_search_ranks_and_shows_escaped_snippets(admin_client):
    RecommendationFactory(title="Prison reform", text="End torture <script>x</script> in custody.")
    RecommendationFactory(title="Torture", text="Reform the courts.")
    url = reverse("admin:recommendations_recommendation_changelist")
    response = admin_client.get(url, {"q": "torture"})
    assert [row.title for row in response.context["cl"].result_list] == ["Torture", "Prison reform"]
    page = response.content.decode()
    assert "<mark>torture</mark>" in page and "<script>x</script>" not in page
    # A column chosen to sort by wins; without a search there is no snippet column.
    ordered = admin_client.get(url, {"q": "torture", "o": "1"})
    assert [row.title for row in ordered.context["cl"].result_list] == ["Prison reform", "Torture"]
    assert "<mark>" not in admin_client.get(url).content.decode()


def test_the_schema_declares_the_snippet(api_client):
    schema = api_client.get(reverse("schema"), {"format": "json"}).json()
    snippet = schema["components"]["schemas"]["Recommendation"]["properties"]["snippet"]
    assert snippet["type"] == "string" and snippet["nullable"] is True


def test_a_patch_sets_the_language_and_the_search_follows_it(make_staff):
    from rest_framework.test import APIClient

    row = RecommendationFactory(title="Пытки", text="Прекратить применение пыток.")
    client = APIClient()
    client.force_authenticate(make_staff("Reviewer"))
    url = reverse("api:recommendation-detail", args=[row.pk])
    bad = client.patch(url, {"language": "Russian!"}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert bad.status_code == 400 and "language" in bad.json()
    saved = client.patch(url, {"language": "ru"}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert saved.status_code == 200, saved.content
    assert saved.json()["language"] == "ru"
    if connection.vendor == "postgresql":  # Russian stemming: PostgreSQL only
        assert found("пытка") == {"Пытки"}


def test_punctuation_and_stop_words_are_answered_not_errors(api_client):
    RecommendationFactory(title="Custody", text="Investigate all allegations of torture.")
    assert found("-") == found("()") == set()
    assert found('torture "-"') == {"Custody"}  # a term with no word in it asks for nothing
    for text in ("-", "'", "&|!", "torture & custody", "<->"):
        assert api_client.get(URL, {"q": text}).status_code == 200
