"""The mapping table in the admin (issue 10): unmapped issues found with a filter, a mapping edited
with the theme autocomplete and kept in history, applied to the imported rows by an action."""

from pathlib import Path

import pytest
from django.urls import reverse

from recommendations.importers import import_file
from recommendations.models import Recommendation, SourceTheme
from tests.factories import ThemeFactory

pytestmark = pytest.mark.django_db

SAMPLE = (Path(__file__).parent / "data" / "upr-info-themes.csv").read_bytes()
CHANGELIST = reverse("admin:recommendations_sourcetheme_changelist")


@pytest.fixture
def imported():
    import_file(content=SAMPLE, file_name="themes.csv")


def names(response):
    return sorted(source.name for source in response.context["cl"].result_list)


def test_the_unmapped_filter_lists_what_the_import_reported(imported, client_as):
    client = client_as("Viewer")
    assert names(client.get(CHANGELIST, {"mapped": "no"})) == ["Sport for all"]
    mapped = names(client.get(CHANGELIST, {"mapped": "yes"}))
    assert "Freedom of association and peaceful assembly" in mapped and "Sport for all" not in mapped
    page = client.get(CHANGELIST).content.decode()
    assert "— unmapped —" in page and "Freedom of assembly" in page


def test_the_list_costs_the_same_queries_however_many_mappings(imported, client_as, django_assert_max_num_queries):
    client = client_as("Viewer")
    for number in range(10):
        SourceTheme.objects.create(vocabulary="upr_info", name=f"Issue {number}").themes.add(ThemeFactory())
    with django_assert_max_num_queries(14):
        assert client.get(CHANGELIST).status_code == 200


def test_an_editor_maps_an_issue_then_applies_it_to_the_rows(imported, client_as):
    client = client_as("Editor")
    sport = ThemeFactory(name="Sport", slug="sport")
    source = SourceTheme.objects.get(name="Sport for all")
    change = reverse("admin:recommendations_sourcetheme_change", args=[source.pk])
    # The theme field is an autocomplete over the curated themes.
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "recommendations", "model_name": "sourcetheme", "field_name": "themes", "term": "spo"},
    )
    assert [result["text"] for result in autocomplete.json()["results"]] == ["Sport"]
    response = client.post(
        change, {"vocabulary": "upr_info", "name": "Sport for all", "themes": [sport.pk], "_save": "Save"}, follow=True
    )
    assert response.status_code == 200
    assert list(source.themes.all()) == [sport]
    assert "apply" in " ".join(str(message) for message in response.context["messages"]).lower()
    assert {link.theme_id for link in source.history.first().themes.all()} == {sport.pk}
    assert names(client.get(CHANGELIST, {"applied": "no"})) == ["Sport for all"]
    row = Recommendation.objects.get(text__contains="sports centres")
    assert not row.themes.filter(slug="sport").exists()  # not until applied

    response = client.post(CHANGELIST, {"action": "apply_mapping", "_selected_action": [source.pk]}, follow=True)

    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["1 mapping applied: 1 recommendation changed (1 themes added, 0 removed)."]
    assert row.themes.filter(slug="sport").exists()
    assert row.history.first().history_user.username == "editor"
    assert names(client.get(CHANGELIST, {"applied": "no"})) == []


def test_applying_to_published_rows_needs_a_reviewer(client_as):
    import_file(content=SAMPLE, file_name="themes.csv", publish=True)
    source = SourceTheme.objects.get(name="Sport for all")
    source.themes.add(ThemeFactory(name="Sport", slug="sport"))
    response = client_as("Editor").post(
        CHANGELIST, {"action": "apply_mapping", "_selected_action": [source.pk]}, follow=True
    )
    [message] = [str(message) for message in response.context["messages"]]
    assert message.startswith("Nothing was changed:")
    row = Recommendation.objects.get(text__contains="sports centres")
    assert not row.themes.filter(slug="sport").exists()
    client_as("Reviewer").post(CHANGELIST, {"action": "apply_mapping", "_selected_action": [source.pk]})
    assert row.themes.filter(slug="sport").exists()


def test_a_recommendation_shows_its_issues_and_is_found_by_them(imported, client_as):
    client = client_as("Viewer")
    row = Recommendation.objects.get(text__contains="associations")
    page = client.get(reverse("admin:recommendations_recommendation_change", args=[row.pk])).content.decode()
    assert "Freedom of association and peaceful assembly (UPR Info issue)" in page
    source = SourceTheme.objects.get(name="Human rights defenders")
    listed = client.get(
        reverse("admin:recommendations_recommendation_changelist"), {"source_themes__id__exact": source.pk}
    )
    assert [recommendation.pk for recommendation in listed.context["cl"].result_list] == [row.pk]
