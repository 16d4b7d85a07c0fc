"""The one search (recommendations/search.py) behind the API's ``q`` and the admin's search box."""

import pytest
from django.urls import reverse

from recommendations.models import Recommendation
from recommendations.search import search_recommendations, search_terms
from tests.factories import (
    ActorFactory,
    LegalProvisionFactory,
    RecommendationFactory,
    StateFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def found(text):
    return set(search_recommendations(Recommendation.objects.all(), text).values_list("title", flat=True))


@pytest.fixture
def rows():
    article_174 = LegalProvisionFactory(instrument="Criminal Code", article="174")
    assembly = ThemeFactory(name="Freedom of assembly")
    hashed = RecommendationFactory(title="Hash only", text="Protect journalists.", external_id="upr-3f174a9e0c1742b8")
    amend = RecommendationFactory(title="Amend article", text="Amend the Criminal Code.")
    amend.legal_provisions.add(article_174)
    RecommendationFactory(title="Says 174", text="Repeal article 174 of the Criminal Code.")
    RecommendationFactory(title="Says 1745", text="Resolution 1745 of the council.")
    themed = RecommendationFactory(title="Themed", text="Reform the law.")
    themed.themes.add(assembly)
    # Texts of their own: the factory's ("… peaceful assemblies") is found by "assembly" (stemming).
    RecommendationFactory(
        title="To Uzbekistan",
        text="Release the prisoners.",
        addressed_to=StateFactory(name="Uzbekistan", slug="uzbekistan", country="UZ"),
    )
    RecommendationFactory(
        title="From Norway", text="Release the prisoners.", made_by=ActorFactory(name="Norway", slug="norway")
    )
    return {"hashed": hashed}


def test_a_number_matches_words_and_provisions_never_hash_ids(rows):
    assert found("174") == {"Amend article", "Says 174"}


def test_an_exact_external_id_finds_its_row(rows):
    assert found("upr-3f174a9e0c1742b8") == {"Hash only"}
    assert found("3f174a9e") == set()


def test_actors_made_by_and_addressed_to_themes_and_case(rows):
    assert found("uzbekistan") == {"To Uzbekistan"}
    assert found("Norway") == {"From Norway"}
    assert found("ASSEMBLY") == {"Themed"}


def test_every_word_must_match_and_phrases_stay_together(rows):
    assert found("repeal 174") == {"Says 174"}
    assert found("repeal 1745") == set()
    assert found('"article 174"') == {"Says 174"}
    assert found('"174 article"') == set()
    assert search_terms('  amend "criminal   code" ') == ["amend", "criminal code"]


def test_an_empty_search_changes_nothing(rows):
    assert found("   ") == set(Recommendation.objects.values_list("title", flat=True))


def test_the_api_and_the_admin_search_alike(rows, api_client, admin_client):
    api = api_client.get(reverse("api:recommendation-list"), {"q": "174"}).json()
    assert {row["title"] for row in api["results"]} == {"Amend article", "Says 174"}
    listed = admin_client.get(reverse("admin:recommendations_recommendation_changelist"), {"q": "174"})
    assert {row.title for row in listed.context["cl"].result_list} == {"Amend article", "Says 174"}
    autocomplete = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "174", "app_label": "recommendations", "model_name": "statusupdate", "field_name": "recommendation"},
    ).json()
    assert {item["text"] for item in autocomplete["results"]} == {"Amend article", "Says 174"}
