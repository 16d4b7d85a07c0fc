import csv
import datetime
import io

import pytest

from recommendations.models import ImplementationStatus, Recommendation
from tests.api_mixins import ReadOnlyEndpointTests
from tests.factories import (
    LegalProvisionFactory,
    RecommendationFactory,
    SourceDocumentFactory,
    ThemeFactory,
    record_status,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/recommendations/"


class TestRecommendationsEndpoint(ReadOnlyEndpointTests):
    basename = "recommendation"
    ordering = "title"
    search_hit = "torture"

    def make(self, count):
        titles = [
            "End torture in custody",
            "Reform the assembly law",
            "Free the press",
            *[f"R{n}" for n in range(count)],
        ]
        return [RecommendationFactory(title=title) for title in titles[:count]]


def by_key(response):
    return {item["external_id"]: item for item in response.json()["results"]}


def test_list_item_carries_what_a_dashboard_table_shows(seeded, api_client):
    item = by_key(api_client.get(URL, {"external_id": "seed:zeya-2022-domestic-violence"}))[
        "seed:zeya-2022-domestic-violence"
    ]
    assert set(item) >= {"id", "kind", "title", "made_by", "made_on", "due_on", "status", "status_as_of", "overdue"}
    assert item["status"] == "in_progress"  # a law adopted and welcomed, not shown applied
    assert item["status_as_of"] == "2024-04-01"
    assert (item["made_on"], item["made_on_precision"], item["made_on_basis"]) == ("2022-04-11", "day", "inferred")
    assert item["overdue"] is False
    assert item["made_by"]["slug"] == "uzra-zeya"
    assert "domestic-violence" in [theme["slug"] for theme in item["themes"]]
    assert "text" not in item and "status_history" not in item


def test_detail_has_text_provisions_citations_and_the_whole_history(seeded, api_client):
    promise = Recommendation.objects.get(external_id="seed:tokayev-protest-law-reform")
    detail = api_client.get(f"{URL}{promise.pk}/").json()
    assert detail["text"] == promise.text
    assert [p["slug"] for p in detail["legal_provisions"]] == ["kz-law-peaceful-assemblies"]
    assert detail["citations"][0]["document"]["external_id"] == "004_45efe7da10c5e347.txt"
    assert "restrictive protest law" in detail["citations"][0]["quote"]
    history = detail["status_history"]
    assert [(entry["status"], entry["as_of"]) for entry in history] == [
        ("not_implemented", "2019-11-04"),
        ("in_progress", "2019-10-01"),
        ("not_started", "2019-08-01"),
    ]
    assert history[1]["assessed_by"]["slug"] == "william-moser"
    assert history[1]["as_of_basis"] == "inferred" and "date note" in history[1]["date_note"]
    assert detail["date_note"] == promise.date_note and "no date or occasion" in detail["date_note"]
    assert history[1]["citations"][0]["document"]["external_id"] == "000_b268c617ac67c155.txt"


def test_as_of_gives_the_status_and_overdue_flag_of_that_date(seeded, api_client):
    key = "seed:tokayev-protest-law-reform"
    before = by_key(api_client.get(URL, {"external_id": key, "as_of": "2019-11-07"}))[key]
    assert (before["status"], before["status_as_of"], before["overdue"]) == ("not_implemented", "2019-11-04", False)
    october = by_key(api_client.get(URL, {"external_id": key, "as_of": "2019-10-15"}))[key]
    assert (october["status"], october["status_as_of"]) == ("in_progress", "2019-10-01")
    after = by_key(api_client.get(URL, {"external_id": key, "as_of": "2020-01-01"}))[key]
    assert after["overdue"] is True


def test_as_of_follows_a_status_that_changed(seeded, api_client):
    key = "seed:tokayev-protest-law-reform"
    for as_of, status in [
        ("2019-08-15", "not_started"),
        ("2019-10-15", "in_progress"),
        ("2019-11-07", "not_implemented"),
    ]:
        assert by_key(api_client.get(URL, {"external_id": key, "as_of": as_of}))[key]["status"] == status


def test_as_of_leaves_out_what_was_made_later(seeded, api_client):
    made_2022 = "seed:zeya-2022-domestic-violence"
    assert made_2022 not in by_key(api_client.get(URL, {"as_of": "2019-11-07", "page_size": 100}))
    assert made_2022 in by_key(api_client.get(URL, {"as_of": "2022-12-31", "page_size": 100}))


def test_as_of_on_the_detail(seeded, api_client):
    promise = Recommendation.objects.get(external_id="seed:zeya-2022-domestic-violence")
    detail = api_client.get(f"{URL}{promise.pk}/", {"as_of": "2023-01-01"}).json()
    assert detail["status"] == "in_progress"
    # The history itself stays whole, later entries included.
    assert len(detail["status_history"]) == promise.status_updates.count() == 3


def test_everything_about_criminal_code_article_174_in_one_request(seeded, api_client):
    response = api_client.get(URL, {"legal_provision": "kz-criminal-code-174", "full": "true"})
    [item] = response.json()["results"]
    assert item["external_id"] == "seed:hrw-2019-amend-criminal-code-174"
    assert item["legal_provisions"][0]["article"] == "174"
    assert item["citations"] and all(c["quote"] and c["document"]["title"] for c in item["citations"])
    assert api_client.get(URL, {"full": "maybe"}).status_code == 400


def test_csv_has_fixed_columns_and_one_row_per_result(seeded, api_client):
    response = api_client.get(URL, {"format": "csv", "page_size": 5, "kind": "promise"})
    assert response["Content-Type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    rows = list(reader)
    assert len(rows) == 5
    assert reader.fieldnames[:4] == ["id", "external_id", "kind", "title"]
    assert {"made_by.slug", "status", "overdue", "themes.slug"} <= set(reader.fieldnames)
    assert {row["kind"] for row in rows} == {"promise"}
    empty = api_client.get(URL, {"format": "csv", "q": "zzqx-nothing"})
    assert empty.content.decode().splitlines() == [",".join(reader.fieldnames)]


def test_csv_joins_a_list_in_one_cell(api_client):
    recommendation = RecommendationFactory()
    recommendation.themes.add(ThemeFactory(slug="a-theme"), ThemeFactory(slug="b-theme"))
    rows = list(csv.DictReader(io.StringIO(api_client.get(URL, {"format": "csv"}).content.decode())))
    assert rows[0]["themes.slug"] in ("a-theme | b-theme", "b-theme | a-theme")


def test_errors_are_json_even_when_csv_was_asked_for(api_client):
    response = api_client.get(URL, {"format": "csv", "status": "bogus"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "status" in response.json()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"as_of": "yesterday"}, "as_of", "valid date"),
        ({"status": "bogus"}, "status", "bogus is not one of the available choices"),
        ({"page": "-1"}, "page", "whole number"),
        ({"page": "0"}, "page", "whole number"),
        ({"page": "1e3"}, "page", "whole number"),
        ({"page": "99999999999999999999999"}, "page", "does not exist"),
        ({"page_size": "0"}, "page_size", "whole number"),
        ({"page_size": "100000"}, "page_size", "At most 500"),
        ({"theme": "no-such-theme"}, "theme", "not one of the available choices"),
        ({"theme_id": "99999999999999999999"}, "theme_id", "not one of the available choices"),
        ({"made_after": "2019-02-30"}, "made_after", "valid date"),
        ({"overdue": "perhaps"}, "overdue", ""),
        ({"updated_after": "2024-13-01T00:00"}, "updated_after", ""),
        ({"q": "a\x00b"}, "q", "Null characters"),
        ({"ordering": "text"}, "ordering", ""),
        ({"upr_cycle": "1" * 40}, "upr_cycle", ""),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(api_client, params, field, message):
    RecommendationFactory()
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()
    assert message in " ".join(response.json()[field])


def test_pages_are_stable_and_disjoint_when_sort_keys_tie(api_client):
    # Every item has the same made_on: only the id tie-breaker keeps the pages apart.
    made = {RecommendationFactory(made_on=datetime.date(2020, 1, 1)).pk for _ in range(7)}
    seen = []
    for page in (1, 2, 3):
        seen += [
            item["id"]
            for item in api_client.get(URL, {"page_size": 3, "page": page, "ordering": "made_on"}).json()["results"]
        ]
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))


def test_query_count_does_not_grow_with_history_length(api_client, django_assert_max_num_queries):
    document = SourceDocumentFactory()
    for count in (1, 6):
        recommendation = RecommendationFactory()
        recommendation.legal_provisions.add(LegalProvisionFactory())
        for day in range(count):
            record_status(recommendation, ImplementationStatus.IN_PROGRESS, datetime.date(2020, 1, 1 + day), document)
        for params in ({"full": "true"}, {"full": "true", "as_of": "2020-01-03"}):
            # One query per prefetched list (themes, joint makers, provisions, SDGs, groups, citations,
            # history…).
            with django_assert_max_num_queries(10):
                api_client.get(URL, params)
        with django_assert_max_num_queries(9):
            detail = api_client.get(f"{URL}{recommendation.pk}/").json()
        assert len(detail["status_history"]) == count


@pytest.mark.parametrize(
    ("moment", "status"),
    [("2503-11-17T22:24:50-22:23", 200), ("9999-12-31T23:59+00:00", 200), ("0001-01-01T00:00:00+05:00", 400)],
)
def test_updated_after_takes_any_offset_or_says_it_is_out_of_range(api_client, moment, status):
    # PostgreSQL refuses an offset like -22:23, and 0001-01-01 at +05:00 is before year 1 in UTC.
    RecommendationFactory()
    response = api_client.get(URL, {"updated_after": moment})
    assert response.status_code == status
    if status == 400:
        assert response.json() == {"updated_after": ["This moment is out of range."]}


def _rows_for_page_queries(count):
    """``count`` recommendations on one state and theme, each assessed "in progress" in 2019."""
    theme = ThemeFactory(slug="page-queries")
    document = SourceDocumentFactory()
    first = RecommendationFactory()
    state = first.addressed_to
    rows = [first, *(RecommendationFactory(addressed_to=state) for _ in range(count - 1))]
    for row in rows:
        row.themes.add(theme)
        record_status(row, ImplementationStatus.IN_PROGRESS, datetime.date(2019, 7, 1), document)
    return theme, state


@pytest.mark.parametrize("count", [2, 7])
def test_list_pages_run_a_fixed_number_of_queries(api_client, django_assert_num_queries, count):
    """Count, page, themes, joint makers: four queries for every list page, whatever the filters
    (a filter that was not given runs no query to check its choices), plus one lookup for a
    related row named by slug (the theme); a cursor page skips the count."""
    theme, state = _rows_for_page_queries(count)
    pages = [
        ({}, 4),
        ({"status": "in_progress", "theme": theme.slug}, 5),
        ({"state_under_review": state.country.code}, 4),
        ({"as_of": "2019-11-07", "status": "in_progress"}, 4),
    ]
    for params, queries in pages:
        with django_assert_num_queries(queries):
            response = api_client.get(URL, {**params, "page_size": 1})
        assert response.status_code == 200, response.content
        assert response.json()["count"] == count, params
        with django_assert_num_queries(queries - 1):
            following = api_client.get(response.json()["next"])
        assert following.status_code == 200 and len(following.json()["results"]) == 1
