"""Keyset paging: next/previous links that walk the whole list once, stay put while rows are added,
and a count that stops at a limit instead of counting a million rows per page."""

import datetime

import pytest

from tests.factories import (
    ActorFactory,
    LegalProvisionFactory,
    RecommendationFactory,
    SourceDocumentFactory,
    ThemeFactory,
    record_status,
)

URL = "/api/v1/recommendations/"
pytestmark = pytest.mark.django_db


def walk(api_client, params):
    """The ids of every page, following ``next`` from the first page."""
    pages, response = [], api_client.get(URL, params).json()
    while True:
        pages.append([item["id"] for item in response["results"]])
        if not response["next"]:
            return pages
        response = api_client.get(response["next"]).json()


@pytest.fixture
def rows():
    """Eight recommendations with ties and NULLs in every sort key."""
    dates = [
        datetime.date(2020, 1, 1),
        datetime.date(2020, 1, 1),
        None,
        datetime.date(2018, 5, 1),
        None,
        datetime.date(2022, 3, 1),
        datetime.date(2020, 1, 1),
        datetime.date(2019, 7, 1),
    ]
    made = []
    for number, date in enumerate(dates):
        made.append(
            RecommendationFactory(
                made_on=date,
                due_on=None if number % 3 else datetime.date(2025, 12, 31),
                title=f"Title {number % 4}",
            )
        )
    return made


@pytest.mark.parametrize(
    "ordering", [None, "made_on", "-made_on", "due_on", "-due_on", "title", "-title", "title,-due_on", "-id"]
)
def test_next_links_walk_every_row_once_in_the_order_of_the_list(api_client, rows, ordering):
    params = {"page_size": 3, **({"ordering": ordering} if ordering else {})}
    expected = [item["id"] for item in api_client.get(URL, {**params, "page_size": 100}).json()["results"]]
    pages = walk(api_client, params)
    assert [len(page) for page in pages] == [3, 3, 2]
    assert [pk for page in pages for pk in page] == expected
    # The same pages as jumping by page number.
    for number, page in enumerate(pages, start=1):
        by_number = api_client.get(URL, {**params, "page": number}).json()["results"]
        assert [item["id"] for item in by_number] == page


def test_nulls_sort_as_the_smallest_date(api_client, rows):
    newest_first = [item["made_on"] for item in api_client.get(URL).json()["results"]]
    assert newest_first[-2:] == [None, None]
    oldest_first = [item["made_on"] for item in api_client.get(URL, {"ordering": "made_on"}).json()["results"]]
    assert oldest_first[:2] == [None, None]


def test_previous_links_lead_back_to_the_same_pages(api_client, rows):
    first = api_client.get(URL, {"page_size": 3}).json()
    second = api_client.get(first["next"]).json()
    third = api_client.get(second["next"]).json()
    assert third["next"] is None
    assert first["previous"] is None
    back = api_client.get(third["previous"]).json()
    assert [item["id"] for item in back["results"]] == [item["id"] for item in second["results"]]
    start = api_client.get(back["previous"]).json()
    assert [item["id"] for item in start["results"]] == [item["id"] for item in first["results"]]
    assert start["previous"] is None


def test_a_next_link_stays_on_its_page_while_rows_are_added(api_client, rows):
    first = api_client.get(URL, {"page_size": 3}).json()
    expected = api_client.get(first["next"]).json()["results"]
    # Newer than everything: with offset paging it would push a row of page 1 onto page 2.
    RecommendationFactory(made_on=datetime.date(2024, 1, 1))
    RecommendationFactory(made_on=datetime.date(2024, 2, 1))
    again = api_client.get(first["next"]).json()["results"]
    assert [item["id"] for item in again] == [item["id"] for item in expected]


def test_the_order_by_status_date_as_of_a_date_pages_too(api_client, rows):
    document = SourceDocumentFactory()
    for number, recommendation in enumerate(rows[:5]):
        record_status(recommendation, "in_progress", datetime.date(2020, 1, 1 + number % 2), document)
    params = {"as_of": "2020-01-01", "ordering": "-status_as_of", "page_size": 2}
    expected = [item["id"] for item in api_client.get(URL, {**params, "page_size": 100}).json()["results"]]
    assert [pk for page in walk(api_client, params) for pk in page] == expected


def test_the_count_stops_at_the_limit_and_says_so(api_client, rows, settings):
    response = api_client.get(URL).json()
    assert (response["count"], response["count_exact"]) == (8, True)
    settings.API_COUNT_LIMIT = 5
    response = api_client.get(URL, {"page_size": 3}).json()
    assert (response["count"], response["count_exact"]) == (5, False)
    assert [len(page) for page in walk(api_client, {"page_size": 3})] == [3, 3, 2]
    # A cursor page does not count again: the first page said how many there are.
    following = api_client.get(response["next"]).json()
    assert (following["count"], following["count_exact"]) == (None, False)


@pytest.mark.parametrize("cursor", ["nonsense", "eyJrIjpbMV19", "eyJrIjpbIngiLDFdLCJvIjpbIi1tYWRlX29uIiwiLWlkIl19"])
def test_a_bad_cursor_is_a_400(api_client, rows, cursor):
    response = api_client.get(URL, {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_cursor_of_another_ordering_or_with_a_page_is_a_400(api_client, rows):
    next_link = api_client.get(URL, {"page_size": 3}).json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]
    response = api_client.get(URL, {"cursor": cursor, "ordering": "title"})
    assert response.status_code == 400
    assert "another ordering" in response.json()["cursor"][0]
    response = api_client.get(URL, {"cursor": cursor, "page": 2})
    assert response.status_code == 400
    assert "page" in response.json()


def test_status_updates_page_by_cursor_too(api_client, rows):
    document = SourceDocumentFactory()
    for day in range(1, 6):
        record_status(rows[0], "in_progress", datetime.date(2021, 1, day), document)
    first = api_client.get("/api/v1/status-updates/", {"page_size": 2}).json()
    seen = [item["id"] for item in first["results"]]
    while first["next"]:
        first = api_client.get(first["next"]).json()
        seen += [item["id"] for item in first["results"]]
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/legal-provisions/", lambda n: LegalProvisionFactory(country=["KZ", "", "RU"][n % 3])),
        (
            "/api/v1/documents/",
            lambda n: SourceDocumentFactory(published_on=None if n % 2 else datetime.date(2020, 1, n + 1)),
        ),
        ("/api/v1/actors/", lambda n: ActorFactory(name=f"Actor {n % 2}")),
        ("/api/v1/themes/", lambda n: ThemeFactory()),
    ],
)
def test_every_list_pages_by_cursor(api_client, url, make):
    for n in range(5):
        make(n)
    everything = api_client.get(url, {"page_size": 100}).json()["results"]
    response, seen = api_client.get(url, {"page_size": 2}).json(), []
    while True:
        seen += [item["id"] for item in response["results"]]
        if not response["next"]:
            break
        response = api_client.get(response["next"]).json()
    assert seen == [item["id"] for item in everything]
